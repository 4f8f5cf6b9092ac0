import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateDemoTenant } from '../demo-tenant/generator';
import { SqliteIdentityStore } from '../src/adapters/sqlite/identity-store';
import type { SignInRecord } from '../src/domain/identity';
import { startHarness, type Harness } from './helpers/harness';

describe('per-user report generations after a crash', () => {
  let h: Harness;
  let tenantId: string;
  beforeAll(async () => {
    h = await startHarness({
      data: generateDemoTenant({ users: 60, seed: 71 }),
      config: { REPORTS_REREAD_HOURS: '0' },
    });
    tenantId = h.app.tenants.list()[0].id;
    expect((await h.app.sync.request(tenantId, 'test').done).status).toBe('success');
  });
  afterAll(async () => h?.close());

  it('a process killed while the replaced report was being deleted leaves no rows behind once the next report lands', async () => {
    const db = h.app.db;
    // What a kill between "serve the new generation" and "delete the old one in batches" leaves: an older generation beside the served one.
    for (const table of ['copilot_usage_users', 'm365_activity_users']) {
      db.exec(
        `CREATE TEMP TABLE old_rows AS SELECT * FROM ${table}; UPDATE old_rows SET generation = generation - 1; INSERT INTO ${table} SELECT * FROM old_rows; DROP TABLE old_rows;`,
      );
    }
    expect((await h.app.sync.request(tenantId, 'test').done).status).toBe('success');
    for (const [table, report] of [
      ['copilot_usage_users', 'copilot_usage'],
      ['m365_activity_users', 'm365_activity'],
    ] as const) {
      const served = db
        .prepare('SELECT generation FROM report_generations WHERE tenant_id = ? AND report = ?')
        .pluck()
        .get(tenantId, report) as number;
      const total = db.prepare(`SELECT COUNT(*) FROM ${table} WHERE tenant_id = ?`).pluck().get(tenantId) as number;
      const stale = db
        .prepare(`SELECT COUNT(*) FROM ${table} WHERE tenant_id = ? AND generation <> ?`)
        .pluck()
        .get(tenantId, served) as number;
      expect(total, table).toBeGreaterThan(0);
      expect(stale, table).toBe(0);
    }
  });
});

describe('identity generations on a large tenant', () => {
  let h: Harness;
  let tenantId: string;
  beforeAll(async () => {
    h = await startHarness({ data: generateDemoTenant({ users: 20, seed: 72 }) });
    tenantId = h.app.tenants.list()[0].id;
  });
  afterAll(async () => h?.close());

  const rows = (n: number): SignInRecord[] =>
    Array.from({ length: n }, (_, i) => ({
      userId: `user-${i}`,
      lastSignIn: '2025-01-01T00:00:00Z',
      lastNonInteractiveSignIn: null,
      lastSuccessfulSignIn: null,
    }));

  it('replacing 25,000 sign-ins lets other work run while the old generation is deleted', async () => {
    const store = new SqliteIdentityStore(h.app.db);
    for (let round = 0; round < 2; round++) {
      const writer = store.beginSignIns(tenantId);
      for (let i = 0; i < 5; i++) writer.write(rows(25_000).slice(i * 5_000, (i + 1) * 5_000));
      let turns = 0;
      let ticking = true;
      const tick = (): void => {
        if (!ticking) return;
        turns++;
        setImmediate(tick);
      };
      setImmediate(tick);
      await writer.commit(`2025-01-0${round + 2}T00:00:00Z`);
      ticking = false;
      if (round === 1) expect(turns).toBeGreaterThan(1);
    }
    expect(h.app.db.prepare('SELECT COUNT(*) FROM user_sign_ins WHERE tenant_id = ?').pluck().get(tenantId)).toBe(
      25_000,
    );
  });
});
