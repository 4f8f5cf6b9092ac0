import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateDemoTenant } from '../demo-tenant/generator';
import { SqliteAnalyticsInputs } from '../src/adapters/sqlite/analytics-inputs';
import { SqliteAnalyticsStore } from '../src/adapters/sqlite/analytics-store';
import Database from 'better-sqlite3';
import { databaseFile, type Db } from '../src/adapters/sqlite/database';
import { computeSeatAnalytics } from '../src/usecases/analytics/compute-seat-analytics';
import type { AnalyticsOptions, AnalyticsOutcome } from '../src/usecases/analytics/ports';
import { startSyncedHarness, type Harness } from './helpers/harness';

/**
 * The incremental analytics (rows whose inputs did not change are copied from the current
 * snapshot) against a full recompute, on the real SQLite file of a synced demo tenant: the next
 * snapshot is the current one's directory with a few inputs changed, computed both ways.
 */
const DAY = 86_400_000;
const NEXT = 990_001;

describe('seat analytics: an incremental run stores exactly the rows a full recompute stores', () => {
  let h: Harness;
  let db: Db;
  let tenantId: string;
  let current: number;
  let options: AnalyticsOptions;
  const inputs = () => new SqliteAnalyticsInputs(db);
  const store = () => new SqliteAnalyticsStore(db);
  // The incremental run reads members in pages of 7, so page boundaries fall all through the list.
  const compute = (snapshotId: number, now: Date, incremental: boolean): AnalyticsOutcome =>
    computeSeatAnalytics(incremental ? new SqliteAnalyticsInputs(db, { memberPage: 7 }) : inputs(), store(), {
      tenantId,
      snapshotId,
      now,
      options,
      incremental,
    });

  /** Every stored column of a snapshot's analytics, in their stored order. */
  const rowsOf = (snapshotId: number) => ({
    seats: db
      .prepare('SELECT * FROM copilot_seats WHERE tenant_id = ? AND snapshot_id = ? ORDER BY seq')
      .all(tenantId, snapshotId)
      .map(withoutSnapshot),
    candidates: db
      .prepare('SELECT * FROM copilot_candidates WHERE tenant_id = ? AND snapshot_id = ? ORDER BY rank')
      .all(tenantId, snapshotId)
      .map(withoutSnapshot),
    summary: JSON.parse(
      db
        .prepare('SELECT summary FROM copilot_summaries WHERE tenant_id = ? AND snapshot_id = ?')
        .pluck()
        .get(tenantId, snapshotId) as string,
    ) as unknown,
  });
  const withoutSnapshot = (r: unknown) => {
    const { snapshot_id: _dropped, ...rest } = r as Record<string, unknown>;
    return rest;
  };

  beforeAll(async () => {
    ({ h, tenantId } = await startSyncedHarness({ data: generateDemoTenant({ users: 400, seed: 71 }) }));
    db = h.app.db;
    options = { settings: h.config.analytics.settings, exclusions: h.config.analytics.exclusions };
    current = h.app.tenants.find(tenantId)?.currentSnapshotId as number;
    // The next snapshot: the current directory copied under a new id, not published.
    for (const table of ['users', 'user_licenses', 'skus', 'license_groups']) {
      const columns = (db.prepare(`SELECT name FROM pragma_table_info('${table}')`).pluck().all() as string[]).filter(
        (c) => c !== 'snapshot_id',
      );
      db.prepare(
        `INSERT INTO ${table} (snapshot_id, ${columns.join(', ')}) SELECT ?, ${columns.join(', ')} FROM ${table} WHERE tenant_id = ? AND snapshot_id = ?`,
      ).run(NEXT, tenantId, current);
    }
  });
  afterAll(async () => h?.close());

  it('on the same day copies unchanged rows, decides changed ones, and matches a full recompute', () => {
    const morning = new Date(`${new Date().toISOString().slice(0, 10)}T06:00:00Z`);
    const evening = new Date(morning.getTime() + 12 * 3600_000);
    // The current snapshot's analytics, decided in the morning.
    const base = compute(current, morning, false);
    const before = rowsOf(current);
    expect(base.seats).toBeGreaterThan(20);

    // Changed inputs: an idle holder uses Copilot (their row moves from the reclaims to the end), a
    // holder loses their only seat (and may become a candidate), a candidate changes department,
    // and the audit log is read a few hours further on the same day.
    const idle = before.seats.find(
      (s) => s.recommendation === 'reclaim' && s.direct === 1 && s.groups === '[]',
    ) as Record<string, string>;
    const removed = before.seats.find(
      (s) => s.recommendation === 'keep' && s.direct === 1 && s.groups === '[]' && s.user_id !== idle.user_id,
    ) as Record<string, string>;
    const moved = before.candidates[Math.floor(before.candidates.length / 2)] as Record<string, string>;
    // The last candidate starts using Copilot Chat (their rank climbs), and another is disabled (their row goes).
    const climber = before.candidates[before.candidates.length - 1] as Record<string, string | number>;
    const disabled = before.candidates[1] as Record<string, string>;
    expect(idle && removed && moved && climber && disabled).toBeTruthy();
    db.prepare(
      `INSERT INTO copilot_last_interactions (tenant_id, upn, last_at, app_host, source, interactions, chat_last_at) VALUES (?, lower(?), ?, 'BizChat', 'audit_graph', 9, ?)
       ON CONFLICT (tenant_id, upn) DO UPDATE SET chat_last_at = excluded.chat_last_at, interactions = excluded.interactions`,
    ).run(tenantId, climber.user_principal_name, morning.toISOString(), morning.toISOString());
    db.prepare('UPDATE users SET account_enabled = 0 WHERE tenant_id = ? AND snapshot_id = ? AND user_id = ?').run(
      tenantId,
      NEXT,
      disabled.user_id,
    );
    db.prepare(
      `INSERT INTO copilot_last_interactions (tenant_id, upn, last_at, app_host, source, interactions) VALUES (?, lower(?), ?, 'Word', 'audit_graph', 1)
       ON CONFLICT (tenant_id, upn) DO UPDATE SET last_at = excluded.last_at, app_host = excluded.app_host`,
    ).run(tenantId, idle.user_principal_name, new Date(morning.getTime() + 3600_000).toISOString());
    db.prepare('DELETE FROM user_licenses WHERE tenant_id = ? AND snapshot_id = ? AND user_id = ? AND sku_id = ?').run(
      tenantId,
      NEXT,
      removed.user_id,
      removed.sku_id,
    );
    db.prepare(
      "UPDATE users SET department = 'Moved Department' WHERE tenant_id = ? AND snapshot_id = ? AND user_id = ?",
    ).run(tenantId, NEXT, moved.user_id);
    db.prepare('UPDATE audit_cursors SET covered_until = ? WHERE tenant_id = ?').run(
      new Date(morning.getTime() + 10 * 3600_000).toISOString(),
      tenantId,
    );

    const incremental = compute(NEXT, evening, true);
    const incrementalRows = rowsOf(NEXT);
    const full = compute(NEXT, evening, false);
    expect(incrementalRows).toEqual(rowsOf(NEXT));
    // A full recompute reading members in pages of 7 stores the same rows as one reading them at once.
    const fullRows = rowsOf(NEXT);
    expect(fullRows.candidates.length).toBeGreaterThan(20);
    computeSeatAnalytics(new SqliteAnalyticsInputs(db, { memberPage: 7 }), store(), {
      tenantId,
      snapshotId: NEXT,
      now: evening,
      options,
      incremental: false,
    });
    expect(rowsOf(NEXT)).toEqual(fullRows);
    expect(incremental.seats).toBe(full.seats);
    expect(incremental.candidates).toBe(full.candidates);

    // Most rows were copied, and the changed ones were decided again with their new inputs.
    const total = full.seats + full.candidates;
    expect(full.decided).toBe(total);
    expect(incremental.decided).toBeGreaterThanOrEqual(2);
    expect(incremental.decided).toBeLessThan(total / 10);
    const after = incrementalRows.seats.find((s) => s.user_id === idle.user_id) as Record<string, string>;
    expect(after.recommendation).toBe('keep');
    expect(incrementalRows.seats.some((s) => s.user_id === removed.user_id && s.sku_id === removed.sku_id)).toBe(false);
    expect(incrementalRows.candidates.find((c) => c.user_id === moved.user_id)).toMatchObject({
      department: 'Moved Department',
    });
    const climbed = incrementalRows.candidates.find((c) => c.user_id === climber.user_id) as Record<string, number>;
    expect(climbed.rank).toBeLessThan(climber.rank as number);
    expect(incrementalRows.candidates.some((c) => c.user_id === disabled.user_id)).toBe(false);
  });

  it('on a later day decides again, and matches a full recompute where the date alone moved seats across a threshold', () => {
    const day = new Date(`${new Date().toISOString().slice(0, 10)}T18:00:00Z`);
    compute(current, day, false);
    const earlier = rowsOf(current);
    // 31 days on: seats in their 30-day grace leave it, 60-day idle ones reach 90 days.
    const later = new Date(day.getTime() + 31 * DAY);
    const incremental = compute(NEXT, later, true);
    const incrementalRows = rowsOf(NEXT);
    compute(NEXT, later, false);
    expect(incrementalRows).toEqual(rowsOf(NEXT));
    expect(incremental.decided).toBe(incremental.seats + incremental.candidates);
    const crossed = incrementalRows.seats.filter((s) => {
      const was = earlier.seats.find((e) => e.user_id === s.user_id && e.sku_id === s.sku_id);
      return was && (was.recommendation !== s.recommendation || was.tier !== s.tier);
    });
    expect(crossed.length).toBeGreaterThan(0);
  });

  it('reads each page of changed members and the stored order through indexes, with no sort of what remains', () => {
    // The analytics on a second connection to the app's file that records each statement it runs.
    const statements: string[] = [];
    const recorded = new Database(databaseFile(h.config.dataDir), { verbose: (sql) => statements.push(String(sql)) });
    try {
      recorded.pragma('busy_timeout = 5000');
      const now = new Date(`${new Date().toISOString().slice(0, 10)}T09:00:00Z`);
      computeSeatAnalytics(new SqliteAnalyticsInputs(recorded, { memberPage: 7 }), new SqliteAnalyticsStore(recorded), {
        tenantId,
        snapshotId: NEXT,
        now,
        options,
      });
      const selects = [...new Set(statements.filter((sql) => /^\s*SELECT\b/i.test(sql)))];
      const pages = selects.filter((sql) => /LIMIT 7$/.test(sql.trim()));
      expect(pages.length).toBeGreaterThan(0);
      for (const sql of selects) {
        const plan = (recorded.prepare(`EXPLAIN QUERY PLAN ${sql}`).all() as Array<{ detail: string }>).map(
          (r) => r.detail,
        );
        // A page must stop after its rows: a sort of every remaining member per page grows with the square of the tenant.
        if (/LIMIT/.test(sql))
          expect(
            plan.filter((l) => /USE TEMP B-TREE/.test(l)),
            sql,
          ).toEqual([]);
        expect(
          plan.filter((l) => /^SCAN \w+/.test(l) && !/ USING | VIRTUAL TABLE|^SCAN (pragma_|json_)/.test(l)),
          sql,
        ).toEqual([]);
      }
    } finally {
      recorded.close();
    }
  });
});
