/**
 * The activity and posture sources a sync reads beside the directory. Each one lands on its own:
 * a refused or failed source keeps its last good data, which is then reported stale with its age.
 */
export const SOURCE_IDS = [
  'copilot_usage',
  'copilot_trend',
  'm365_activity',
  'service_usage',
  'report_settings',
  'sign_in',
  'mfa',
  'security_posture',
  'subscriptions',
  'audit_graph',
  'audit_management',
  'exclusion_groups',
] as const;
export type SourceId = (typeof SOURCE_IDS)[number];

export function isSourceId(value: string): value is SourceId {
  return (SOURCE_IDS as readonly string[]).includes(value);
}

/** The REST API's `sync_types`: what a tenant's sync covers, named for API clients. */
export type SyncType =
  | 'users'
  | 'groups'
  | 'licenses'
  | 'subscriptions'
  | 'usage_reports'
  | 'copilot_usage'
  | 'sign_in_activity'
  | 'mfa_registration'
  | 'security_settings'
  | 'audit_log';

/**
 * How a source's last attempt ended:
 * - ok: read and stored;
 * - not_newer: skipped, no newer data can exist yet (e.g. a report refreshed today was already read);
 * - refused: a permission or licence is missing (the admin must act);
 * - failed: anything else (network, throttling, malformed data); the next sync retries.
 */
export type SourceOutcome = 'ok' | 'not_newer' | 'refused' | 'failed';

export interface SourceStatusRecord {
  tenantId: string;
  source: SourceId;
  lastAttemptAt: string;
  lastOutcome: SourceOutcome;
  /** When data was last stored; null if never. */
  lastSuccessAt: string | null;
  /** The data's own date (a report's reportRefreshDate, an audit window's end); null if unknown or never read. */
  asOf: string | null;
  /** Which endpoint served the stored data (e.g. the current Copilot report or the beta one). */
  servedBy: string | null;
  /** Set when the last attempt was refused or failed. */
  errorCode: string | null;
  /** Admin-facing: what went wrong and what to do. */
  message: string | null;
  /** Graph (or Management API) requests the last attempt made. */
  requests: number;
  warnings: string[];
}

/** Stale: the last attempt did not store new data and there is older data being served instead. */
export function isStale(record: SourceStatusRecord): boolean {
  return (record.lastOutcome === 'refused' || record.lastOutcome === 'failed') && record.lastSuccessAt !== null;
}

/** Whole days between two instants, rounded down (0 for "today"). */
export function ageInDays(from: string, now: Date): number {
  const ms = now.getTime() - Date.parse(from);
  return Number.isFinite(ms) ? Math.max(0, Math.floor(ms / 86_400_000)) : 0;
}
