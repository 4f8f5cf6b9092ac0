import { afterEach, describe, expect, it } from 'vitest';
import { auditRecordsIn } from '../demo-tenant/audit-records';
import { generateDemoTenant } from '../demo-tenant/generator';
import type { DemoTenantData } from '../demo-tenant/model';
import { databaseFile, openDatabase } from '../src/adapters/sqlite/database';
import type { PendingAuditQuery } from '../src/domain/audit-query';
import { realTenantEnv, startApp, waitFor, type RunningProcess } from './helpers/app-process';
import { startTestDemoTenant, tempDir } from './helpers/harness';

/**
 * The app process is killed (SIGKILL, no chance to clean up) while it ingests audit records page by
 * page; the restarted app resumes the same query after the last committed page. The demo tenant
 * lives in this test process, so it survives the kill and still knows the query.
 */
const demos: Array<{ close(): Promise<void> }> = [];
let app: RunningProcess | undefined;
afterEach(async () => {
  app?.killGroup('SIGKILL');
  await app?.exited;
  app = undefined;
  for (const d of demos.splice(0)) await d.close();
});

function readDb<T>(dataDir: string, read: (db: ReturnType<typeof openDatabase>) => T): T {
  const db = openDatabase(databaseFile(dataDir));
  try {
    return read(db);
  } finally {
    db.close();
  }
}

describe('a crash in the middle of audit ingestion', () => {
  it('resumes the same query after the last committed page, with no record counted twice', async () => {
    const generated = generateDemoTenant({ users: 300, seed: 6 });
    // Only the Graph audit query (no Management API subscription), in small pages.
    const data: DemoTenantData = { ...generated, audit: { subscriptions: {}, pageSize: 25 } };
    const demo = await startTestDemoTenant(data);
    demos.push(demo);
    // Slow pages, so the kill lands between them.
    demo.server.faults.add({ path: /\/security\/auditLog\/queries\/[^/]+\/records/i, delayMs: 150, times: Infinity });
    const dataDir = tempDir('audit-crash');
    const env = {
      ...realTenantEnv({
        info: {
          url: demo.server.url,
          tenantId: demo.server.tenantId,
          clientId: demo.server.clientId,
          clientSecret: demo.server.clientSecret,
        },
        caFile: process.env.NODE_EXTRA_CA_CERTS as string,
      }),
      DATA_DIR: dataDir,
      PORT: '0',
      PLAYGROUND: 'off',
      LOG_LEVEL: 'info',
      AUDIT_POLL_SECONDS: '0.02',
      AUDIT_QUERY_WAIT_SECONDS: '60',
      AUDIT_LOOKBACK_DAYS: '30',
    };
    const first = (app = startApp('production', env));
    const committed = () =>
      readDb(dataDir, (db) => {
        try {
          return db.prepare('SELECT COUNT(*) FROM audit_seen_records').pluck().get() as number;
        } catch {
          return 0; // not migrated yet
        }
      });
    await waitFor(() => committed() >= 50, 'two committed pages of audit records', first.output, 60_000);
    first.killGroup('SIGKILL');
    await first.exited;
    app = undefined;

    const pending = readDb(
      dataDir,
      (db) =>
        db.prepare("SELECT pending_query FROM audit_cursors WHERE source = 'audit_graph'").pluck().get() as
          string | null,
    );
    expect(pending).not.toBeNull();
    const query = JSON.parse(pending as string) as PendingAuditQuery;
    expect(query.nextLink).not.toBeNull();
    const seenAtKill = committed();
    const windowStart = Date.parse(query.windowStart);
    const windowEnd = Date.parse(query.windowEnd);
    const served = auditRecordsIn(data, windowStart, windowEnd);
    expect(seenAtKill).toBeLessThan(served.length);

    demo.server.faults.clear();
    const creates = () =>
      demo.server.requests.filter(
        (r) => r.method === 'POST' && /\/security\/auditLog\/queries$/i.test(r.path.split('?')[0] ?? ''),
      ).length;
    const createsBefore = creates();
    const second = (app = startApp('production', env));
    await waitFor(
      () =>
        readDb(
          dataDir,
          (db) =>
            (db.prepare("SELECT last_outcome FROM source_status WHERE source = 'audit_graph'").pluck().get() as
              string | undefined) === 'ok',
        ),
      'the restarted sync to finish the audit query',
      second.output,
      60_000,
    );
    // The pending query was resumed, not created again; only the next window (from its end to now) is new.
    const resumedPages = demo.server.requests.filter((r) => r.path.includes(`/queries/${query.queryId}/records`));
    expect(resumedPages.length).toBeGreaterThan(0);
    expect(creates() - createsBefore).toBeLessThanOrEqual(1);

    const coveredUntil = readDb(
      dataDir,
      (db) =>
        db.prepare("SELECT covered_until FROM audit_cursors WHERE source = 'audit_graph'").pluck().get() as string,
    );
    const want = new Map<string, number>();
    for (const r of auditRecordsIn(data, windowStart, Date.parse(coveredUntil))) {
      const upn = r.user.userPrincipalName.toLowerCase();
      want.set(upn, (want.get(upn) ?? 0) + 1);
    }
    const got = readDb(
      dataDir,
      (db) =>
        db.prepare('SELECT upn, interactions FROM copilot_last_interactions').all() as Array<{
          upn: string;
          interactions: number;
        }>,
    );
    expect(new Map(got.map((g) => [g.upn, g.interactions]))).toEqual(want);
    const total = [...want.values()].reduce((a, b) => a + b, 0);
    expect(readDb(dataDir, (db) => db.prepare('SELECT COUNT(*) FROM audit_seen_records').pluck().get())).toBe(total);
  });
});
