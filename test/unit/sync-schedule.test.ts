import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { SyncRunRecord } from '../../src/domain/sync-run';
import {
  HOUR_MS,
  nextIntervalSync,
  spreadOffsetMs,
  syncHealth,
  syncWaitMs,
  SYNC_BACKOFF_CAP_MS,
} from '../../src/domain/sync-schedule';

/** The per-tenant schedule rules on a controlled clock: no app, no timers, only `now`. */

const T0 = Date.parse('2026-03-02T00:00:00.000Z');
const at = (ms: number) => new Date(ms).toISOString();
const TENANT = '3f1c9a2e-7b4d-4e8a-9c21-5d6e7f8a9b0c';

let runId = 0;
function run(status: SyncRunRecord['status'], startedMs: number, errorCode: string | null = null): SyncRunRecord {
  return {
    id: ++runId,
    tenantId: TENANT,
    trigger: 'schedule',
    startedAt: at(startedMs),
    finishedAt: status === 'running' ? null : at(startedMs + 60_000),
    status,
    counts: null,
    errorCode,
    errorText: errorCode ? `What went wrong (${errorCode}) and what to do.` : null,
    warnings: [],
  };
}

describe('spread offsets', () => {
  it('are stable per tenant id and interval, whole minutes inside the interval', () => {
    const six = 6 * HOUR_MS;
    expect(spreadOffsetMs(TENANT, six)).toBe(spreadOffsetMs(TENANT, six));
    for (let i = 0; i < 200; i++) {
      const offset = spreadOffsetMs(randomUUID(), six);
      expect(offset).toBeGreaterThanOrEqual(0);
      expect(offset).toBeLessThan(six);
      expect(offset % 60_000).toBe(0);
    }
  });

  it('spread 500 tenants on a 6 h interval over the 6 h: every half hour gets its share', () => {
    const six = 6 * HOUR_MS;
    const buckets = new Array<number>(12).fill(0);
    for (let i = 0; i < 500; i++) buckets[Math.floor(spreadOffsetMs(randomUUID(), six) / (HOUR_MS / 2))]++;
    // 500 / 12 ≈ 42 each; a hash that bunched them (or put all at :00) would leave buckets empty or overfull.
    for (const n of buckets) {
      expect(n).toBeGreaterThan(15);
      expect(n).toBeLessThan(80);
    }
    // And the first sync of each lands on its own minute, not on the top of the hour.
    const atTop = [...Array(500)].filter(() => spreadOffsetMs(randomUUID(), six) % HOUR_MS === 0).length;
    expect(atTop).toBeLessThan(30);
  });
});

describe('next interval sync', () => {
  const hours = 6;
  const interval = hours * HOUR_MS;
  const offset = spreadOffsetMs(TENANT, interval);
  const slot = (k: number) => T0 + offset + k * interval;

  it('a tenant never synced is due at once (its current slot, already past)', () => {
    const now = new Date(slot(3) + 90_000);
    const next = nextIntervalSync(
      { tenantId: TENANT, intervalHours: hours, lastStart: undefined, consecutiveFailures: 0 },
      now,
    );
    expect(next.getTime()).toBe(slot(3));
  });

  it('honours the interval: a sync started at a slot (even minutes late) is next due exactly one interval later', () => {
    for (const lateMs of [0, 60_000, 40 * 60_000]) {
      const next = nextIntervalSync(
        { tenantId: TENANT, intervalHours: hours, lastStart: at(slot(1) + lateMs), consecutiveFailures: 0 },
        new Date(slot(1) + lateMs + 120_000),
      );
      expect(next.getTime()).toBe(slot(2));
    }
  });

  it('a sync run by hand late in a period pushes the next scheduled one to the slot after', () => {
    const manual = slot(1) + 0.8 * interval;
    const next = nextIntervalSync(
      { tenantId: TENANT, intervalHours: hours, lastStart: at(manual), consecutiveFailures: 0 },
      new Date(manual + 60_000),
    );
    expect(next.getTime()).toBe(slot(3));
    expect(next.getTime() - manual).toBeGreaterThanOrEqual(interval);
  });

  it('backs off after consecutive failures: 1 h, 2 h, 4 h … capped at 24 h', () => {
    const hourly = { tenantId: TENANT, intervalHours: 1 };
    const hourOffset = spreadOffsetMs(TENANT, HOUR_MS);
    const start = T0 + hourOffset;
    const waits = [1, 2, 3, 4, 5, 6, 7, 12].map(
      (n) =>
        (nextIntervalSync({ ...hourly, lastStart: at(start), consecutiveFailures: n }, new Date(start)).getTime() -
          start) /
        HOUR_MS,
    );
    expect(waits).toEqual([1, 2, 4, 8, 16, 24, 24, 24]);
    expect(syncWaitMs(HOUR_MS, 1_000)).toBe(SYNC_BACKOFF_CAP_MS);
    // An interval longer than the cap is never shortened by it.
    expect(syncWaitMs(48 * HOUR_MS, 3)).toBe(48 * HOUR_MS);
  });
});

describe('sync health', () => {
  const tenant = { id: TENANT, syncEnabled: true, syncIntervalHours: 1 };
  const input = (lastSuccess: SyncRunRecord | undefined, since: SyncRunRecord[]) => ({
    tenant,
    lastSuccess,
    since,
    nextCronRun: null,
  });

  it('healthy after a success; never synced before any', () => {
    const ok = run('success', T0);
    expect(syncHealth(input(ok, []), new Date(T0 + 120_000))).toMatchObject({
      state: 'healthy',
      lastSuccess: ok.finishedAt,
      consecutiveFailures: 0,
      reason: null,
      schedule: { kind: 'interval', hours: 1 },
    });
    expect(syncHealth(input(undefined, []), new Date(T0))).toMatchObject({
      state: 'never_synced',
      lastSuccess: null,
      nextSync: at(T0),
    });
  });

  it('counts failures since the last success and says why, consent and sign-in apart', () => {
    const ok = run('success', T0);
    const f1 = run('failed', T0 + HOUR_MS, 'network_error');
    const f2 = run('failed', T0 + 2 * HOUR_MS, 'invalid_client_secret');
    const health = syncHealth(input(ok, [f2, f1]), new Date(T0 + 2 * HOUR_MS + 120_000));
    expect(health).toMatchObject({
      state: 'sign_in_failed',
      lastSuccess: ok.finishedAt,
      consecutiveFailures: 2,
      reason: { code: 'invalid_client_secret', message: f2.errorText },
    });
    // Two failures: the next try waits two intervals after the last attempt (rounded to a slot).
    const nextMs = Date.parse(health.nextSync ?? '');
    expect(nextMs - Date.parse(f2.startedAt)).toBeGreaterThan(1.5 * HOUR_MS);
    expect(nextMs - Date.parse(f2.startedAt)).toBeLessThanOrEqual(2.5 * HOUR_MS);

    for (const code of ['app_not_found', 'insufficient_privileges', 'aadsts_65001'])
      expect(syncHealth(input(ok, [run('failed', T0 + HOUR_MS, code)]), new Date(T0)).state).toBe('consent_required');
    expect(syncHealth(input(ok, [run('failed', T0 + HOUR_MS, 'aadsts_50034')]), new Date(T0)).state).toBe(
      'sign_in_failed',
    );
    expect(syncHealth(input(ok, [run('failed', T0 + HOUR_MS, 'graph_throttled')]), new Date(T0)).state).toBe('failing');
  });

  it("Seat Steward's own interruptions are not the tenant's failures", () => {
    const ok = run('success', T0);
    const health = syncHealth(
      input(ok, [run('failed', T0 + 2 * HOUR_MS, 'interrupted'), run('failed', T0 + HOUR_MS, 'storage_full')]),
      new Date(T0 + 3 * HOUR_MS),
    );
    expect(health).toMatchObject({ state: 'healthy', consecutiveFailures: 0, reason: null });
  });

  it('a disabled tenant is not scheduled; a SYNC_CRON tenant shows the cron next run', () => {
    expect(
      syncHealth({ ...input(undefined, []), tenant: { ...tenant, syncEnabled: false } }, new Date(T0)),
    ).toMatchObject({ state: 'disabled', nextSync: null });
    const cronNext = new Date(T0 + 5 * HOUR_MS);
    expect(
      syncHealth(
        { ...input(undefined, []), tenant: { ...tenant, syncIntervalHours: null }, nextCronRun: cronNext },
        new Date(T0),
      ),
    ).toMatchObject({ nextSync: cronNext.toISOString(), schedule: { kind: 'cron' } });
  });
});
