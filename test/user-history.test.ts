import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { databaseFile } from '../src/adapters/sqlite/database';
import { SqliteUserHistory } from '../src/adapters/sqlite/user-history';
import { SKU } from '../demo-tenant/constants';
import { generateDemoTenant } from '../demo-tenant/generator';
import type { DemoTenantData, GraphUser } from '../demo-tenant/model';
import { startSyncedHarness, type Harness } from './helpers/harness';

/**
 * The daily history per user (migration 25) as real syncs of the demo tenant record it, with the
 * app's clock stepped over days: stable user keys, the last sync of a day standing for it, a new
 * interval only where a user's values changed, missing users closed, and HISTORY_DAYS pruning.
 */
const DAY_MS = 86_400_000;
const data = generateDemoTenant({ users: 200, seed: 17 });
const holders = data.users.filter((u) => u.assignedLicenses.some((l) => l.skuId === SKU.COPILOT));
const others = data.users.filter((u) => !u.assignedLicenses.some((l) => l.skuId === SKU.COPILOT));
if (holders.length < 3 || others.length < 10) throw new Error('the demo tenant needs seat holders and others');
const [movedUser, leaver, lateMover] = [others[0], others[1], others[2]];

let h: Harness;
let tenantId: string;
let now = new Date(Date.UTC(2026, 2, 10, 9));
const clock = () => now;
const dayOf = (d: Date) => d.toISOString().slice(0, 10);
const day1 = dayOf(now);
let day2 = '';

interface Interval {
  user_id: string;
  user_key: number;
  from_day: string;
  to_day: string | null;
  has_copilot: number;
  copilot_status: string | null;
  usage_score: number | null;
  last_activity_date: string | null;
  licenses: string;
  department: string | null;
}

function intervals(): Interval[] {
  return h.app.db
    .prepare(
      `SELECT k.user_id, h.* FROM user_history h JOIN history_user_keys k ON k.user_key = h.user_key
        WHERE h.tenant_id = ? ORDER BY k.user_id, h.from_day`,
    )
    .all(tenantId) as Interval[];
}
const of = (user: GraphUser) => intervals().filter((i) => i.user_id === user.id);
const keys = () =>
  new Map(
    (
      h.app.db.prepare('SELECT user_id, user_key FROM history_user_keys WHERE tenant_id = ?').all(tenantId) as Array<{
        user_id: string;
        user_key: number;
      }>
    ).map((r) => [r.user_id, r.user_key]),
  );
const days = () =>
  h.app.db.prepare('SELECT day FROM history_days WHERE tenant_id = ? ORDER BY day').pluck().all(tenantId) as string[];

async function syncAt(at: Date, served?: DemoTenantData): Promise<void> {
  now = at;
  if (served) h.demo.server.setData(served);
  const run = await h.app.sync.request(tenantId, 'test').done;
  expect(run.status).not.toBe('failed');
}
const withUsers = (users: GraphUser[]): DemoTenantData => ({ ...data, users });

beforeAll(async () => {
  ({ h, tenantId } = await startSyncedHarness({ data, app: { clock }, config: { HISTORY_DAYS: '3' } }));
});
afterAll(async () => {
  await h?.close();
});

describe('daily history', () => {
  it("records the first day: one open interval per user of the snapshot, with the seat analytics' values", () => {
    expect(days()).toEqual([day1]);
    const rows = intervals();
    expect(rows.length).toBe(data.users.length);
    expect(new Set(rows.map((r) => r.user_id))).toEqual(new Set(data.users.map((u) => u.id)));
    for (const r of rows) expect(r).toMatchObject({ from_day: day1, to_day: null });

    const seats = h.app.analytics.seats(tenantId, { offset: 0, limit: 10_000 })?.rows ?? [];
    expect(seats.length).toBeGreaterThan(0);
    const byUser = new Map(rows.map((r) => [r.user_id, r]));
    for (const s of seats) {
      const r = byUser.get(s.userId);
      expect(r).toMatchObject({
        has_copilot: 1,
        copilot_status: s.status,
        usage_score: s.usageScore,
        last_activity_date: s.lastActivityDate,
      });
    }
    for (const u of others)
      expect(byUser.get(u.id)).toMatchObject({ has_copilot: 0, copilot_status: null, usage_score: null });
    for (const u of data.users) {
      const r = byUser.get(u.id);
      expect(JSON.parse(r?.licenses ?? 'null')).toEqual([...new Set(u.assignedLicenses.map((l) => l.skuId))].sort());
      expect(r?.department).toBe(u.department?.trim() || null);
    }
  });

  it('a later day: same keys; a changed user gets a new interval, a missing one is closed, unchanged users cost no row', async () => {
    const keysBefore = keys();
    const day1Rows = intervals();
    const moved = data.users.map((u) => (u === movedUser ? { ...u, department: 'History Moved' } : u));
    day2 = dayOf(new Date(now.getTime() + DAY_MS));
    await syncAt(new Date(now.getTime() + DAY_MS), withUsers(moved.filter((u) => u !== leaver)));
    expect(days()).toEqual([day1, day2]);
    expect(keys()).toEqual(keysBefore);

    expect(of(movedUser).map((r) => [r.from_day, r.to_day, r.department])).toEqual([
      [day1, day1, movedUser.department?.trim() || null],
      [day2, null, 'History Moved'],
    ]);
    expect(of(leaver).map((r) => [r.from_day, r.to_day])).toEqual([[day1, day1]]);

    // Only users whose values differ from the day before have a row from day 2, and their day-1 row ends at day 1.
    const rows = intervals();
    const opened = rows.filter((r) => r.from_day === day2);
    const before = new Map(day1Rows.map((r) => [r.user_id, r]));
    const values = (r: Interval) =>
      JSON.stringify([r.has_copilot, r.copilot_status, r.usage_score, r.last_activity_date, r.licenses, r.department]);
    for (const r of opened) {
      const prior = before.get(r.user_id);
      if (!prior) throw new Error(`no day-1 row for ${r.user_id}`);
      expect(values(r)).not.toBe(values(prior));
      expect(rows.find((x) => x.user_id === r.user_id && x.from_day === day1)?.to_day).toBe(day1);
    }
    const unchanged = rows.filter((r) => r.from_day === day1 && r.to_day === null);
    expect(unchanged.length).toBeGreaterThanOrEqual(others.length - 2);
    expect(rows.length).toBe(day1Rows.length + opened.length);
  });

  it('a second sync the same day replaces the day: changes undone are undone in the history too', async () => {
    expect(dayOf(now)).toBe(day2);
    const firstSnapshot = h.app.db
      .prepare('SELECT snapshot_id FROM history_days WHERE tenant_id = ? AND day = ?')
      .pluck()
      .get(tenantId, day2);
    // Later the same day: the move is undone and the leaver is back, while another user moves.
    const later = new Date(now.getTime() + 3_600_000);
    const users = data.users.map((u) => (u === lateMover ? { ...u, department: 'History Late' } : u));
    await syncAt(later, withUsers(users));
    expect(days()).toEqual([day1, day2]);
    const current = h.app.tenants.find(tenantId)?.currentSnapshotId;
    expect(
      h.app.db
        .prepare('SELECT snapshot_id FROM history_days WHERE tenant_id = ? AND day = ?')
        .pluck()
        .get(tenantId, day2),
    ).toBe(current);
    expect(current).not.toBe(firstSnapshot);

    expect(of(movedUser).map((r) => [r.from_day, r.to_day])).toEqual([[day1, null]]);
    expect(of(leaver).map((r) => [r.from_day, r.to_day])).toEqual([[day1, null]]);
    expect(of(lateMover).map((r) => [r.from_day, r.to_day, r.department])).toEqual([
      [day1, day1, lateMover.department?.trim() || null],
      [day2, null, 'History Late'],
    ]);
    // Intervals never overlap, and each user has exactly one open.
    const rows = intervals();
    const openPerUser = new Map<string, number>();
    for (const r of rows) if (r.to_day === null) openPerUser.set(r.user_id, (openPerUser.get(r.user_id) ?? 0) + 1);
    expect(openPerUser.size).toBe(data.users.length);
    expect([...openPerUser.values()].every((n) => n === 1)).toBe(true);
  });

  it('an unchanged day after it opens no interval for users whose values stayed', async () => {
    const day3 = dayOf(new Date(now.getTime() + DAY_MS));
    await syncAt(new Date(now.getTime() + DAY_MS));
    expect(of(lateMover).map((r) => [r.from_day, r.to_day])).toEqual([
      [day1, day1],
      [day2, null],
    ]);
    const opened = intervals().filter((r) => r.from_day === day3);
    // Users without a seat have nothing that moves by the day.
    expect(opened.filter((r) => r.has_copilot === 0)).toEqual([]);
    expect(opened.length).toBeLessThan(holders.length + 1);
  });

  it('prunes what is older than HISTORY_DAYS after the first sync of a day', async () => {
    const day3 = dayOf(now);
    // Two days on (none synced in between): HISTORY_DAYS=3 keeps day 3 to day 5.
    const day5Date = new Date(now.getTime() + 2 * DAY_MS);
    await syncAt(day5Date);
    const day5 = dayOf(day5Date);
    expect(days()).toEqual([day3, day5]);
    const rows = intervals();
    expect(rows.every((r) => r.from_day >= day3)).toBe(true);
    expect(rows.every((r) => r.to_day === null || r.to_day >= day3)).toBe(true);
    // The late mover's day-1 interval ended before the cutoff and is gone; the open one starts at the cutoff.
    expect(of(lateMover).map((r) => [r.from_day, r.to_day])).toEqual([[day3, null]]);
    // Keys outlive pruning: the same user keeps the same key.
    expect(keys().size).toBe(data.users.length);
  });
});

describe('daily history: query plans', () => {
  it('reads every table by an index: no scan of the history or the snapshot beyond its own rows', () => {
    const statements: string[] = [];
    const db = new Database(databaseFile(h.config.dataDir), { verbose: (sql) => statements.push(String(sql)) });
    try {
      db.pragma('busy_timeout = 5000');
      const day = dayOf(now);
      const snapshotId = h.app.tenants.find(tenantId)?.currentSnapshotId ?? -1;
      // The same snapshot again for the same day: the day is replaced by identical values.
      const before = intervals();
      const store = new SqliteUserHistory(db);
      expect(store.recordDay({ tenantId, snapshotId, day, capturedAt: now.toISOString() })).toMatchObject({
        recorded: true,
        replacedDay: true,
      });
      expect(intervals()).toEqual(before);
      // A prune with nothing before its cutoff changes nothing, and is planned the same.
      expect(store.prune('2000-01-01')).toEqual({ intervalsDeleted: 0, intervalsTrimmed: 0, daysDeleted: 0 });
      const plans = statements
        .filter((s) => /^\s*(WITH|SELECT|INSERT|UPDATE|DELETE)\b/i.test(s))
        .map((sql) => ({
          sql: sql.replace(/\s+/g, ' ').slice(0, 90),
          plan: (db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all() as Array<{ detail: string }>).map((r) => r.detail),
        }));
      expect(plans.length).toBeGreaterThan(5);
      // Only the day's own values (a temporary table of the snapshot's users) and the tenants (one row
      // each, for the prune) are read whole, and a user's few SKU ids are sorted (a handful of rows).
      const scans = plans.flatMap((p) =>
        p.plan
          .filter(
            (line) =>
              /USE TEMP B-TREE|^SCAN (?!d\b)(?!history_day_values\b)(?!tenants\b)\w+(?! USING)/.test(line) ||
              // The primary key by tenant alone is every interval the tenant ever had.
              /^SEARCH (user_history|h) USING PRIMARY KEY \(tenant_id=\?\)$/.test(line),
          )
          .filter((line) => !/ USING (?!PRIMARY KEY \(tenant_id=\?\)$)|FOR json_group_array\(ORDER BY\)/.test(line))
          .map((line) => `${p.sql}: ${line}`),
      );
      expect(scans).toEqual([]);
    } finally {
      db.close();
    }
  });
});
