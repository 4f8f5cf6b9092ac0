import { memberRow } from './helpers/directory-rows';
import { afterEach, describe, expect, it } from 'vitest';
import { generateDemoTenant } from '../demo-tenant/generator';
import { databaseFile, openDatabase, type Db } from '../src/adapters/sqlite/database';
import { SnapshotWriter } from '../src/adapters/sqlite/snapshots';
import { SyncRunStore } from '../src/adapters/sqlite/sync-runs';
import { startHarness, type Harness } from './helpers/harness';

let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

const snapshotRows = (db: Db, tenantId: string) =>
  db
    .prepare('SELECT snapshot_id, COUNT(*) AS n FROM users WHERE tenant_id = ? GROUP BY snapshot_id')
    .all(tenantId) as Array<{ snapshot_id: number; n: number }>;

describe('atomic sync', () => {
  it('a failure in the middle of paging keeps the previous snapshot readable and records a failed run', async () => {
    h = await startHarness({ data: generateDemoTenant({ users: 3000, seed: 3 }) });
    const tenant = h.app.tenants.list()[0];
    const first = await h.app.sync.request(tenant.id, 'test').done;
    expect(first.status).toBe('success');
    const before = h.app.directory.userCounts(tenant.id);
    expect(before.total).toBe(3000);

    // The next sync sees a bigger tenant, but its third page fails with a 500 (the client does not retry 500s).
    h.demo.server.setData(generateDemoTenant({ users: 3500, seed: 3 }));
    h.demo.server.faults.add({
      path: /^\/v1\.0\/users\?(?!.*signInActivity).*skiptoken/i,
      status: 500,
      code: 'generalException',
      message: 'Page 3 exploded.',
      skip: 1,
    });
    const failed = await h.app.sync.request(tenant.id, 'test').done;
    expect(failed.status).toBe('failed');
    expect(failed.errorText).toContain('Graph 500 generalException: Page 3 exploded.');
    expect(failed.errorText).toContain('reading users (page 3)');

    expect(h.app.directory.userCounts(tenant.id)).toEqual(before);
    expect(h.app.tenants.find(tenant.id)?.currentSnapshotId).toBe(first.id);
    // The half-written snapshot is gone: only the published one has rows.
    expect(snapshotRows(h.app.db, tenant.id)).toEqual([{ snapshot_id: first.id, n: 3000 }]);

    const recovered = await h.app.sync.request(tenant.id, 'test').done;
    expect(recovered.status).toBe('success');
    await h.app.sync.idle(); // the replaced snapshot is dropped just after publishing
    expect(h.app.directory.userCounts(tenant.id).total).toBe(3500);
    expect(snapshotRows(h.app.db, tenant.id)).toEqual([{ snapshot_id: recovered.id, n: 3500 }]);
  });

  it('readers see the old snapshot while a sync writes the new one, never a mix', async () => {
    h = await startHarness({ data: generateDemoTenant({ users: 2500, seed: 5 }) });
    const tenant = h.app.tenants.list()[0];
    await h.app.sync.request(tenant.id, 'test').done;
    const old = h.app.directory.userCounts(tenant.id);
    // Start the read worker now, so the reads below all fall inside the sync.
    await h.app.directory.users(tenant.id, { limit: 1, offset: 0 });

    h.demo.server.setData(generateDemoTenant({ users: 2800, seed: 6 }));
    // Slow the last pages down so the test can read while pages 1-2 are already written (long enough
    // for several reads even when the machine is busy running the other test files). Only the
    // directory pass: the sign-in pass also pages /users and would otherwise eat the delays.
    h.demo.server.faults.add({
      path: /^\/v1\.0\/users\?(?!.*signInActivity).*skiptoken/i,
      delayMs: 1500,
      times: Infinity,
      skip: 1,
    });
    const running = h.app.sync.request(tenant.id, 'test');
    const seen: number[] = [];
    while (h.app.sync.isRunning(tenant.id)) {
      seen.push(h.app.directory.userCounts(tenant.id).total);
      const page = await h.app.directory.users(tenant.id, { limit: 10_000, offset: 0 });
      expect(page.rows.length).toBe(page.total);
      await new Promise((r) => setTimeout(r, 50));
    }
    const run = await running.done;
    expect(run.status).toBe('success');
    // The old snapshot until the publish, then the new one (the sync still files its daily history
    // after publishing): never a count of neither, never old again after new.
    const beforePublish = seen.filter((n) => n === old.total).length;
    expect(beforePublish).toBeGreaterThan(3);
    expect(seen).toEqual([...Array<number>(beforePublish).fill(old.total), ...seen.slice(beforePublish)]);
    expect(new Set(seen.slice(beforePublish))).toEqual(new Set(seen.length > beforePublish ? [2800] : []));
    expect(h.app.directory.userCounts(tenant.id).total).toBe(2800);
  });

  it('a second request joins the running sync instead of starting another', async () => {
    h = await startHarness();
    const tenant = h.app.tenants.list()[0];
    h.demo.server.faults.add({ path: '/v1.0/subscribedSkus', delayMs: 300 });
    const a = h.app.sync.request(tenant.id, 'test');
    const b = h.app.sync.request(tenant.id, 'command');
    expect(a.joined).toBe(false);
    expect(b.joined).toBe(true);
    expect(b.run.id).toBe(a.run.id);
    expect((await b.done).id).toBe((await a.done).id);
    expect(h.app.runs.list(tenant.id)).toHaveLength(1);
  });

  it('a permissions gap on groups makes the sync partial with the fix, and still publishes', async () => {
    h = await startHarness();
    const tenant = h.app.tenants.list()[0];
    h.demo.server.faults.add({
      path: '/v1.0/groups*',
      status: 403,
      code: 'Authorization_RequestDenied',
      message: 'Insufficient privileges to complete the operation.',
    });
    const run = await h.app.sync.request(tenant.id, 'test').done;
    expect(run.status).toBe('partial');
    expect(run.warnings.join('\n')).toMatch(/group names are unknown.*Grant admin consent/);
    expect(h.app.directory.userCounts(tenant.id).total).toBe(120);
  });

  it('an invalid secret fails the sync with the admin-facing reason and keeps nothing half-done', async () => {
    h = await startHarness();
    const tenant = h.app.tenants.list()[0];
    h.demo.server.faults.add({
      path: /oauth2\/v2\.0\/token/,
      status: 401,
      code: 'invalid_client',
      message: 'AADSTS7000215: Invalid client secret provided.',
      times: Infinity,
    });
    const run = await h.app.sync.request(tenant.id, 'test').done;
    expect(run).toMatchObject({ status: 'failed', errorCode: 'invalid_client_secret' });
    expect(run.errorText).toMatch(/SECRET_CLIENT_SECRET/);
    expect(h.app.tenants.find(tenant.id)?.currentSnapshotId).toBeNull();
  });

  it('after a crash mid-sync, start-up marks the run interrupted and drops its rows', async () => {
    h = await startHarness();
    const tenant = h.app.tenants.list()[0];
    const good = await h.app.sync.request(tenant.id, 'test').done;
    const dataDir = h.config.dataDir;
    const file = databaseFile(dataDir);

    // What a process killed mid-sync leaves on disk: a run still 'running' and the pages it had already committed.
    const runs = new SyncRunStore(h.app.db);
    const crashed = runs.start(tenant.id, 'schedule');
    const writer = new SnapshotWriter(h.app.db, tenant.id, crashed.id);
    writer.writeSkus(h.app.directory.skus(tenant.id));
    writer.writeUsers([memberRow('x')], []);
    await h.close();
    h = undefined;

    const db = openDatabase(file);
    try {
      expect(db.prepare('SELECT COUNT(*) FROM skus WHERE snapshot_id = ?').pluck().get(crashed.id)).toBeGreaterThan(0);
      expect(db.prepare('SELECT COUNT(*) FROM users WHERE snapshot_id = ?').pluck().get(crashed.id)).toBe(1);
    } finally {
      db.close();
    }
    h = await startHarness({ config: { DATA_DIR: dataDir } });
    expect(h.app.runs.get(crashed.id)).toMatchObject({ status: 'failed', errorCode: 'interrupted' });
    expect(h.app.runs.get(crashed.id)?.errorText).toMatch(/interrupted.*previous snapshot was kept/);
    expect(snapshotRows(h.app.db, tenant.id)).toEqual([{ snapshot_id: good.id, n: 120 }]);
    expect(h.app.db.prepare('SELECT COUNT(*) FROM skus WHERE snapshot_id = ?').pluck().get(crashed.id)).toBe(0);
    expect(h.app.db.prepare('SELECT COUNT(*) FROM users WHERE snapshot_id = ?').pluck().get(crashed.id)).toBe(0);
    expect(h.app.directory.userCounts(h.app.tenants.list()[0].id).total).toBe(120);
  });
});
