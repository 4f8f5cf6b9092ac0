import { createHash } from 'node:crypto';
import {
  COPILOT_APPS,
  activeInAppOn,
  dayNumber,
  dayString,
  hash32,
  lastActiveDay,
  activeOn,
  type CopilotApp,
  type DemoActivity,
  type DemoUserActivity,
} from './activity';
import { SKU } from './constants';
import type { DemoTenantData, GraphUser } from './model';

/**
 * What the demo tenant's usage reports say, derived from the activity story (activity.ts) so the
 * reports agree with the audit log and sign-ins. Everything is as of the story's reportRefreshDate:
 * like Microsoft's, the reports know nothing of the last `reportLagDays` days.
 */

/** The services getOffice365ActiveUserDetail dates (the story's Office apps are not in that report). */
export const REPORT_SERVICES = ['exchange', 'oneDrive', 'sharePoint', 'teams', 'yammer'] as const;
export type ReportService = (typeof REPORT_SERVICES)[number];

/** Days of daily figures the count reports keep (their longest period, D180). */
export const DAILY_HISTORY = 180;

export interface UserReportDates {
  user: GraphUser;
  /** Copilot seat holders only: overall and per-app last activity. */
  copilot: { last: string | null; apps: Record<CopilotApp, string | null> } | null;
  /** Licensed users only: last activity per service. */
  m365: Record<ReportService, string | null> | null;
}

export interface UsageStory {
  refreshDate: string;
  refreshDay: number;
  users: UserReportDates[];
  /** Office 365 daily active users, index 0 = refreshDate, 1 = the day before... */
  dailyActive: number[];
  licensedUsers: number;
}

const cache = new WeakMap<DemoActivity, UsageStory>();

export const holdsCopilot = (user: GraphUser): boolean => user.assignedLicenses.some((l) => l.skuId === SKU.COPILOT);
export const isLicensed = (user: GraphUser): boolean => user.assignedLicenses.length > 0;

/** The stable 32-hex id a concealed report shows instead of a user's name. */
export function concealedId(upn: string): string {
  return createHash('md5').update(upn.toLowerCase()).digest('hex').toUpperCase();
}

/** Computed once per story (a 100,000-user tenant takes a few seconds), then served from memory. */
export function usageStory(data: DemoTenantData): UsageStory {
  const activity = data.activity;
  if (!activity) throw new Error('this demo tenant has no activity story');
  const hit = cache.get(activity);
  if (hit) return hit;
  const today = dayNumber(activity.today);
  const lag = activity.reportLagDays;
  const users: UserReportDates[] = [];
  const dailyActive = new Array<number>(DAILY_HISTORY).fill(0);
  let licensedUsers = 0;
  for (let i = 0; i < data.users.length; i++) {
    const user = data.users[i] as GraphUser;
    const story = activity.users[i] as DemoUserActivity;
    const copilot = holdsCopilot(user)
      ? {
          last: lastActiveDay(user, story, 'copilot', today, lag),
          apps: Object.fromEntries(
            COPILOT_APPS.map((app) => [app, lastActiveDay(user, story, 'copilot', today, lag, app)]),
          ) as Record<CopilotApp, string | null>,
        }
      : null;
    const licensed = isLicensed(user);
    if (licensed) licensedUsers++;
    const m365 = licensed
      ? (Object.fromEntries(
          REPORT_SERVICES.map((s) => [s, lastActiveDay(user, story, 'm365', today, lag, s)]),
        ) as Record<ReportService, string | null>)
      : null;
    users.push({ user, copilot, m365 });
    if (licensed && story.m365Window) {
      for (let k = 0; k < DAILY_HISTORY; k++) if (activeOn(user, story, 'm365', lag + k, today)) dailyActive[k]++;
    }
  }
  const built: UsageStory = {
    refreshDate: activity.reportRefreshDate,
    refreshDay: today - lag,
    users,
    dailyActive,
    licensedUsers,
  };
  cache.set(activity, built);
  return built;
}

/** Per-day service figures, deterministic from the day's active users (k = days before the refresh date). */
export function dailyFigures(story: UsageStory, k: number) {
  const a = story.dailyActive[k] ?? 0;
  const day = story.refreshDay - k;
  const jitter = (salt: string, mod: number): number => hash32(salt, day) % mod;
  const gib = 1024 ** 3;
  return {
    reportDate: dayString(day),
    emailsSent: a * 6 + jitter('send', 50),
    emailsReceived: a * 14 + jitter('receive', 80),
    emailsRead: a * 11 + jitter('read', 60),
    mailboxStorageBytes: story.licensedUsers * 1.5 * gib + (DAILY_HISTORY - k) * 25 * 1024 ** 2,
    sharePointViewedOrEdited: a * 2 + jitter('spview', 20),
    sharePointSynced: a + jitter('spsync', 10),
    sharePointSharedInternally: Math.floor(a * 0.2) + jitter('spint', 5),
    sharePointSharedExternally: Math.floor(a * 0.05) + jitter('spext', 3),
    sharePointStorageBytes: story.licensedUsers * 0.6 * gib + (DAILY_HISTORY - k) * 40 * 1024 ** 2,
    teamChatMessages: a * 3 + jitter('team', 30),
    privateChatMessages: a * 5 + jitter('private', 40),
    calls: Math.floor(a * 0.4) + jitter('calls', 6),
    meetings: Math.floor(a * 0.3) + jitter('meetings', 5),
    oneDriveViewedOrEdited: a * 3 + jitter('odview', 20),
    oneDriveSynced: a * 2 + jitter('odsync', 15),
    oneDriveSharedInternally: Math.floor(a * 0.1) + jitter('odint', 4),
    oneDriveSharedExternally: Math.floor(a * 0.02) + jitter('odext', 2),
    oneDriveStorageBytes: story.licensedUsers * 0.9 * gib + (DAILY_HISTORY - k) * 30 * 1024 ** 2,
  };
}

/** Period length in days for a report period (D7, D30...). */
export function periodDays(period: string): number {
  return Number(period.slice(1));
}

/** Active per service within the period's days ending at the refresh date; inactive = licensed users without. */
export function servicesUserCounts(story: UsageStory, days: number) {
  const from = dayString(story.refreshDay - days + 1);
  const active: Record<ReportService | 'office365', number> = {
    exchange: 0,
    oneDrive: 0,
    sharePoint: 0,
    teams: 0,
    yammer: 0,
    office365: 0,
  };
  for (const u of story.users) {
    if (!u.m365) continue;
    let any = false;
    for (const s of REPORT_SERVICES) {
      const last = u.m365[s];
      if (last !== null && last >= from) {
        active[s]++;
        any = true;
      }
    }
    if (any) active.office365++;
  }
  return { active, licensed: story.licensedUsers };
}

/** Enabled and active Copilot users, for any app and per app. */
export type CopilotCounts = Record<'anyApp' | CopilotApp, { enabled: number; active: number }>;

const emptyCounts = (): CopilotCounts =>
  Object.fromEntries(
    (['anyApp', ...COPILOT_APPS] as const).map((k) => [k, { enabled: 0, active: 0 }]),
  ) as CopilotCounts;

const trendCache = new WeakMap<DemoActivity, Array<{ reportDate: string; counts: CopilotCounts }>>();

/**
 * The Copilot user count trend: per report day (index 0 = refresh date), the seat holders whose seat
 * existed that day (every app is enabled with the seat) and those active that day, per app by the
 * same rule as the per-user report's dates.
 */
export function copilotTrendDays(
  data: DemoTenantData,
  days: number,
): Array<{ reportDate: string; counts: CopilotCounts }> {
  const activity = data.activity;
  if (!activity) throw new Error('this demo tenant has no activity story');
  const cached = trendCache.get(activity);
  if (cached && cached.length >= days) return cached.slice(0, days);
  const story = usageStory(data);
  const today = dayNumber(activity.today);
  const lag = activity.reportLagDays;
  const out = Array.from({ length: days }, (_, k) => ({
    reportDate: dayString(story.refreshDay - k),
    counts: emptyCounts(),
  }));
  for (let i = 0; i < data.users.length; i++) {
    const user = data.users[i] as GraphUser;
    if (!holdsCopilot(user)) continue;
    const u = activity.users[i] as DemoUserActivity;
    for (let k = 0; k < days; k++) {
      const daysAgo = lag + k;
      if (u.seatAssignedDaysAgo !== null && u.seatAssignedDaysAgo > daysAgo) continue;
      const c = (out[k] as { counts: CopilotCounts }).counts;
      c.anyApp.enabled++;
      for (const app of COPILOT_APPS) c[app].enabled++;
      if (!activeOn(user, u, 'copilot', daysAgo, today)) continue;
      c.anyApp.active++;
      for (const app of COPILOT_APPS) if (activeInAppOn(user, u, app, daysAgo, today)) c[app].active++;
    }
  }
  trendCache.set(activity, out);
  return out;
}

/**
 * The Copilot user count summary for a period: seat holders at the refresh date (as the trend's
 * latest day counts them), and those with a last activity (overall, per app) within the period's
 * days, as the per-user report dates them.
 */
export function copilotSummary(data: DemoTenantData, days: number): CopilotCounts {
  const story = usageStory(data);
  const activity = data.activity as DemoActivity;
  const from = dayString(story.refreshDay - days + 1);
  const c = emptyCounts();
  story.users.forEach((u, i) => {
    if (!u.copilot) return;
    const seatDays = (activity.users[i] as DemoUserActivity).seatAssignedDaysAgo;
    if (seatDays !== null && seatDays > activity.reportLagDays) return;
    c.anyApp.enabled++;
    if (u.copilot.last !== null && u.copilot.last >= from) c.anyApp.active++;
    for (const app of COPILOT_APPS) {
      c[app].enabled++;
      const last = u.copilot.apps[app];
      if (last !== null && last >= from) c[app].active++;
    }
  });
  return c;
}
