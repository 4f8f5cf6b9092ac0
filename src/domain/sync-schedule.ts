import type { SyncRunRecord } from './sync-run';
import type { TenantRecord } from './tenant';

/**
 * When a tenant with its own sync interval (tenants.sync_interval_hours) is synced, and how its
 * sync health reads. Pure: the tick (src/usecases/sync/interval-syncs.ts) and every card and
 * route that shows a next sync or a failure count use these rules.
 *
 * - Each tenant syncs on its own grid: every interval, at a stable offset within the interval
 *   derived from its id, so 500 tenants on a 6 h interval spread over the 6 h instead of all
 *   starting at the top of the hour.
 * - A slot is used unless the tenant's last sync (any trigger) started less than half an interval
 *   before it: a sync an admin ran by hand pushes the next scheduled one back, and a scheduled
 *   sync that waited in the outbox for a free sync slot does not skip the next slot.
 * - After N consecutive failures the wait since the last attempt doubles: interval × 2^(N−1),
 *   capped at SYNC_BACKOFF_CAP_MS (24 h, or the interval itself when that is longer), then
 *   rounded up to the tenant's next slot. Success resets it.
 * - A tenant never synced is due at once.
 */

export const HOUR_MS = 3_600_000;
/** The longest a failing tenant waits between attempts (unless its own interval is longer). */
export const SYNC_BACKOFF_CAP_MS = 24 * HOUR_MS;
/** How many runs after the last success are counted as consecutive failures (more show as this many). */
export const SYNC_HEALTH_WINDOW = 100;
/** The grid's resolution: the tick runs each minute, so offsets are whole minutes. */
const SLOT_RESOLUTION_MS = 60_000;

/**
 * Failures Seat Steward caused itself (a stop mid-sync, a full disk): they say nothing about the
 * tenant, so they neither count as its failures nor end a run of them.
 */
const OWN_FAILURE_CODES: ReadonlySet<string> = new Set(['interrupted', 'storage_full']);

/** Codes meaning the app is not (or no longer) consented in the tenant: an admin must grant consent. */
const CONSENT_CODES: ReadonlySet<string> = new Set([
  'app_not_found',
  'insufficient_privileges',
  // AADSTS65001: the user or administrator has not consented to use the application.
  'aadsts_65001',
]);

/** Codes meaning the app cannot sign in to the tenant: a credential or a tenant id is wrong. */
const SIGN_IN_CODES: ReadonlySet<string> = new Set([
  'invalid_client_secret',
  'expired_client_secret',
  'tenant_not_found',
  'graph_unauthorized',
  'graph_resource_not_found',
  'secret_unreadable',
  'secrets_key_missing',
  'no_connection',
  'invalid_connection',
]);

/**
 * FNV-1a (32 bits) of the tenant id: stable across restarts and versions (unlike a random
 * offset), and even enough over UUIDs to spread tenants across the interval.
 */
function hash32(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h >>> 0;
}

/** The tenant's offset within its interval, in whole minutes: the same for the same id and interval. */
export function spreadOffsetMs(tenantId: string, intervalMs: number): number {
  const slots = Math.max(1, Math.floor(intervalMs / SLOT_RESOLUTION_MS));
  return (hash32(tenantId) % slots) * SLOT_RESOLUTION_MS;
}

/** How long after its last attempt a tenant with `consecutiveFailures` waits (before rounding to a slot). */
export function syncWaitMs(intervalMs: number, consecutiveFailures: number): number {
  const n = Math.max(1, Math.floor(consecutiveFailures));
  const cap = Math.max(SYNC_BACKOFF_CAP_MS, intervalMs);
  // 2 ** n reaches Infinity for absurd counts; min() still lands on the cap.
  return Math.min(intervalMs * 2 ** (n - 1), cap);
}

/** The tenant's first grid slot at or after `atMs`. */
function slotAtOrAfter(atMs: number, intervalMs: number, offsetMs: number): number {
  return Math.ceil((atMs - offsetMs) / intervalMs) * intervalMs + offsetMs;
}

/** The tenant's last grid slot at or before `atMs`. */
function slotAtOrBefore(atMs: number, intervalMs: number, offsetMs: number): number {
  return Math.floor((atMs - offsetMs) / intervalMs) * intervalMs + offsetMs;
}

export interface IntervalScheduleInput {
  tenantId: string;
  intervalHours: number;
  /** When the tenant's newest sync run started, any trigger; undefined when it never ran. */
  lastStart: string | undefined;
  consecutiveFailures: number;
}

/**
 * The slot the tenant's next scheduled sync belongs to. It may lie in the past (the sync is due);
 * the tick queues it once, keyed by this slot.
 */
export function nextIntervalSync(input: IntervalScheduleInput, now: Date): Date {
  const intervalMs = input.intervalHours * HOUR_MS;
  const offsetMs = spreadOffsetMs(input.tenantId, intervalMs);
  const last = input.lastStart === undefined ? Number.NaN : Date.parse(input.lastStart);
  if (!Number.isFinite(last)) return new Date(slotAtOrBefore(now.getTime(), intervalMs, offsetMs));
  const wait = input.consecutiveFailures > 0 ? syncWaitMs(intervalMs, input.consecutiveFailures) : intervalMs;
  return new Date(slotAtOrAfter(last + wait - intervalMs / 2, intervalMs, offsetMs));
}

export type SyncHealthState =
  /** Sync is switched off for the tenant: it is not scheduled. */
  | 'disabled'
  /** No sync has finished yet. */
  | 'never_synced'
  /** The last sync published a snapshot (success or partial). */
  | 'healthy'
  /** The last sync failed because the app is not consented, or lacks a permission, in the tenant. */
  | 'consent_required'
  /** The last sync failed to sign in: a wrong or expired secret, a wrong tenant id, an unreadable stored secret. */
  | 'sign_in_failed'
  /** The last sync failed for another reason (network, throttling, Graph, Seat Steward). */
  | 'failing';

export interface SyncHealth {
  state: SyncHealthState;
  /** When the last sync that published a snapshot finished. */
  lastSuccess: string | null;
  /** Failed runs since that success (up to SYNC_HEALTH_WINDOW), not counting Seat Steward's own interruptions. */
  consecutiveFailures: number;
  /** The newest failure's code and its message for the admin (what to do), while the tenant is failing. */
  reason: { code: string; message: string } | null;
  /** When the next scheduled sync is due (now when it is due or queued); null when none is scheduled. */
  nextSync: string | null;
  /** How the tenant is scheduled: its own interval, or SYNC_CRON. */
  schedule: { kind: 'interval'; hours: number } | { kind: 'cron' };
}

export interface SyncHealthInput {
  tenant: Pick<TenantRecord, 'id' | 'syncEnabled' | 'syncIntervalHours'>;
  /** The run that published the current snapshot (tenants.current_snapshot_id), if any. */
  lastSuccess: SyncRunRecord | undefined;
  /** Runs newer than that one, newest first (at most SYNC_HEALTH_WINDOW), running ones included. */
  since: readonly SyncRunRecord[];
  /** SYNC_CRON's next firing, for a tenant that follows it; null when no schedule runs. */
  nextCronRun: Date | null;
}

function counts(run: SyncRunRecord): boolean {
  return run.status === 'failed' && !OWN_FAILURE_CODES.has(run.errorCode ?? '');
}

/** Consecutive failures and the newest of them, from the runs since the last success (newest first). */
export function failuresSince(since: readonly SyncRunRecord[]): { count: number; newest: SyncRunRecord | undefined } {
  const failures = since.slice(0, SYNC_HEALTH_WINDOW).filter(counts);
  return { count: failures.length, newest: failures[0] };
}

function stateOf(code: string | null): SyncHealthState {
  if (code !== null && CONSENT_CODES.has(code)) return 'consent_required';
  if (code !== null && (SIGN_IN_CODES.has(code) || code.startsWith('aadsts_'))) return 'sign_in_failed';
  return 'failing';
}

/** A tenant's sync health and next scheduled sync, derived from its sync runs. */
export function syncHealth(input: SyncHealthInput, now: Date): SyncHealth {
  const { tenant, lastSuccess, since } = input;
  const failures = failuresSince(since);
  const hours = tenant.syncIntervalHours;
  const schedule = hours === null ? ({ kind: 'cron' } as const) : ({ kind: 'interval', hours } as const);
  const base = {
    lastSuccess: lastSuccess?.finishedAt ?? null,
    consecutiveFailures: failures.count,
    schedule,
  };
  if (!tenant.syncEnabled) return { state: 'disabled', ...base, reason: null, nextSync: null };

  let next: Date | null;
  if (hours === null) next = input.nextCronRun;
  else {
    const lastStart = since[0]?.startedAt ?? lastSuccess?.startedAt;
    next = nextIntervalSync(
      { tenantId: tenant.id, intervalHours: hours, lastStart, consecutiveFailures: failures.count },
      now,
    );
  }
  const nextSync = next === null ? null : new Date(Math.max(next.getTime(), now.getTime())).toISOString();

  // Every run in `since` is newer than the last success, so any failure there means the tenant is failing.
  const failing = failures.newest;
  if (failing) {
    return {
      state: stateOf(failing.errorCode),
      ...base,
      reason: {
        code: failing.errorCode ?? 'unknown_error',
        message: failing.errorText ?? 'The sync failed without a message; see the log.',
      },
      nextSync,
    };
  }
  return { state: lastSuccess ? 'healthy' : 'never_synced', ...base, reason: null, nextSync };
}
