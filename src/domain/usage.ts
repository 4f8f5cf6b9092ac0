import type { SourceStatusRecord } from './activity-sources';

/**
 * Microsoft 365 usage reports as Seat Steward stores them: per user (keyed by lower-case UPN, or
 * the opaque id a concealed report shows) and per period for the tenant-wide figures. Every row
 * keeps the report's own date (reportRefreshDate): reports lag up to 72 hours behind today.
 */

export const COPILOT_APPS = [
  'teams',
  'word',
  'excel',
  'powerPoint',
  'outlook',
  'oneNote',
  'loop',
  'copilotChat',
] as const;
export type CopilotApp = (typeof COPILOT_APPS)[number];

/** The services getOffice365ActiveUserDetail dates (Yammer = Viva Engage). */
export const M365_SERVICES = ['exchange', 'oneDrive', 'sharePoint', 'teams', 'yammer'] as const;
export type M365Service = (typeof M365_SERVICES)[number];

export interface CopilotUsageRow {
  /** Lower-case userPrincipalName, or the upper-case 32-hex id of a concealed report. */
  upn: string;
  concealed: boolean;
  displayName: string | null;
  lastActivityDate: string | null;
  apps: Record<CopilotApp, string | null>;
  reportRefreshDate: string;
  /** e.g. 'D30'. */
  period: string;
}

export interface M365ActivityRow {
  upn: string;
  concealed: boolean;
  displayName: string | null;
  /** The latest of the service dates. */
  lastActivityDate: string | null;
  services: Record<M365Service, string | null>;
  reportRefreshDate: string;
  period: string;
}

/** A concealed report shows a 32-hex id in place of the user principal name. */
export function isConcealedId(value: string): boolean {
  return /^[0-9a-f]{32}$/i.test(value);
}

export const CONCEALMENT_FIX =
  "Microsoft 365 admin center → Settings → Org settings → Reports → clear 'Display concealed user, group, and site names in all reports'";

export function concealmentWarning(what: string, rows: number, settingOn: boolean | null): string {
  const why = settingOn
    ? 'the tenant conceals user names in reports'
    : 'its rows carry opaque ids instead of user names';
  return `${what}: ${rows} row(s) could not be matched to users because ${why}. They are kept as unmatched (never counted as inactive). To fix: ${CONCEALMENT_FIX}, or set REPORTS_UNCONCEAL=true (needs ReportSettings.ReadWrite.All).`;
}

export const USAGE_PERIODS = ['7d', '30d', '90d', '180d'] as const;
export type UsagePeriod = (typeof USAGE_PERIODS)[number];
export const USAGE_SERVICES = ['exchange', 'sharepoint', 'teams', 'onedrive'] as const;
export type UsageService = (typeof USAGE_SERVICES)[number];

export const PERIOD_DAYS: Record<UsagePeriod, number> = { '7d': 7, '30d': 30, '90d': 90, '180d': 180 };

/** The REST API's /usage figures for one period, as of the reports' refresh date. Null = Graph gives no such figure. */
export interface ServiceUsage {
  period: UsagePeriod;
  reportRefreshDate: string;
  summary: { total_active_users: number; total_inactive_users: number; activity_rate: number };
  services: {
    exchange: { active_users: number; emails_sent: number; emails_received: number; mailbox_usage_gb: number };
    sharepoint: { active_users: number; files_created: number | null; files_shared: number; storage_used_gb: number };
    teams: { active_users: number; meetings_held: number; messages_sent: number; calls_made: number };
    onedrive: { active_users: number; files_synced: number; storage_used_gb: number };
  };
  trends: { daily_active_users: Array<{ date: string; count: number }> };
}

/** One day of the Copilot user count trend (the Copilot analytics contract): enabled and active users, overall and per app. */
export interface CopilotTrendDay {
  reportDate: string;
  reportRefreshDate: string;
  /** 'any' for any app, else the app. */
  counts: Record<string, { enabled: number | null; active: number | null }>;
}

/** Whole UTC days, YYYY-MM-DD, `days` before `isoDay`. */
export function daysBefore(isoDay: string, days: number): string {
  return new Date(Date.parse(`${isoDay}T00:00:00Z`) - days * 86_400_000).toISOString().slice(0, 10);
}

export function isIsoDay(value: string): boolean {
  return (
    /^\d{4}-\d{2}-\d{2}$/.test(value) &&
    !Number.isNaN(Date.parse(`${value}T00:00:00Z`)) &&
    new Date(`${value}T00:00:00Z`).toISOString().startsWith(value)
  );
}

/**
 * Whether a report can be newer than what is stored. Microsoft refreshes usage reports about once a
 * day, so a report read successfully less than `minHours` ago, or one already dated today, is skipped.
 */
export function reportCanBeNewer(
  previous: { lastSuccessAt: string | null; asOf: string | null } | undefined,
  now: Date,
  minHours: number,
): boolean {
  if (!previous?.lastSuccessAt) return true;
  if (previous.asOf !== null && previous.asOf >= now.toISOString().slice(0, 10)) return false;
  return now.getTime() - Date.parse(previous.lastSuccessAt) >= minHours * 3_600_000;
}

/** Where a figure came from and how old it is, for every answer that shows one. */
export interface UsageProvenance {
  status: SourceStatusRecord['lastOutcome'] | 'never_read';
  /** The reports' refresh date. */
  asOf: string | null;
  readAt: string | null;
  stale: boolean;
  ageDays: number | null;
  /** Why the last attempt did not store new figures. */
  problem: string | null;
}

export interface UsageAnswer {
  figures: ServiceUsage | undefined;
  provenance: UsageProvenance;
}

export interface CopilotTrendAnswer {
  /** Period 'D30': daily counts oldest first, and the period's summary ('any' = any app). */
  trend: { period: string; days: CopilotTrendDay[]; summary: CopilotTrendDay['counts'] | null } | undefined;
  provenance: UsageProvenance;
}

/** CSV headers ("Last Activity Date") and JSON properties (lastActivityDate) normalise alike. */
export function normaliseColumn(name: string): string {
  return name.toLowerCase().replace(/[^a-z0-9]/g, '');
}
