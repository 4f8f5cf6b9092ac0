import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateDemoTenant } from '../demo-tenant/generator';
import { openDatabase, type Db } from '../src/adapters/sqlite/database';
import { DirectoryReader } from '../src/adapters/sqlite/directory';
import { migrations } from '../src/adapters/sqlite/migrations';
import { SnapshotWriter } from '../src/adapters/sqlite/snapshots';
import { renderUserPage } from '../src/entry/api/user-json';
import type { UserRow } from '../src/domain/directory';
import { SyncRunStore } from '../src/adapters/sqlite/sync-runs';
import { TenantStore } from '../src/adapters/sqlite/tenants';
import { startHarness, tempDir, TEST_API_KEY, type Harness } from './helpers/harness';

const user = (userId: string, displayName: string | null, accountEnabled = true): UserRow => ({
  userId,
  userPrincipalName: `${userId}@contoso.example`,
  displayName,
  givenName: null,
  surname: null,
  mail: null,
  department: null,
  officeLocation: null,
  jobTitle: null,
  accountEnabled,
  userType: 'Member',
  usageLocation: null,
  createdAt: null,
  onPremisesSyncEnabled: null,
});

// Case, prefixes, ties on the name, NULL and non-ASCII names: the cases where a hand-made order can drift from SQL's.
const NAMES: Array<string | null> = [
  'bob',
  'Bob',
  'BOB',
  'Bobby',
  'bo',
  'Émile',
  'emile',
  'Zoë',
  'zoe',
  'ÄRNE',
  'arne',
  null,
  '',
  ' lead',
  'a_b',
  'a%b',
  '李',
  'Ω',
  '😀 Smile',
  'smile',
];
const userIds = NAMES.map((_, i) => `u-${String((i * 7919) % 97).padStart(3, '0')}-${i}`);

/** The order the API had before the order was stored: SQLite sorting the snapshot per request. */
function sqlOrder(db: Db, tenantId: string, where = ''): string[] {
  return db
    .prepare(
      `SELECT user_id FROM users WHERE tenant_id = ? AND snapshot_id = (SELECT current_snapshot_id FROM tenants WHERE id = ?) ${where}
       ORDER BY display_name COLLATE NOCASE, user_id`,
    )
    .pluck()
    .all(tenantId, tenantId) as string[];
}

describe('stored user order', () => {
  it('pages exactly as ORDER BY display_name COLLATE NOCASE, user_id, at every offset and filter', async () => {
    const db = openDatabase(path.join(tempDir('order'), 'x.sqlite'));
    const tenant = new TenantStore(db).ensure({ entraTenantId: 't', tenantName: 'T', source: 'demo' });
    const writer = new SnapshotWriter(db, tenant.id, new SyncRunStore(db).start(tenant.id, 'test').id);
    const users = NAMES.map((name, i) => user(userIds[i], name, i % 3 !== 0));
    // Two pages, in an order unrelated to the names.
    writer.writeUsers(users.slice(0, 9).reverse(), []);
    writer.writeUsers(users.slice(9), []);
    writer.publish(() => undefined);

    const reader = new DirectoryReader(db);
    for (const [accountEnabled, where] of [
      [undefined, ''],
      [true, 'AND account_enabled = 1'],
      [false, 'AND account_enabled = 0'],
    ] as const) {
      const expected = sqlOrder(db, tenant.id, where);
      const all = await reader.users(tenant.id, { limit: 500, offset: 0, accountEnabled });
      expect(all.rows.map((r) => r.userId)).toEqual(expected);
      expect(all.total).toBe(expected.length);
      for (let offset = 0; offset <= expected.length; offset += 3) {
        const page = await reader.users(tenant.id, { limit: 4, offset, accountEnabled });
        expect(page.rows.map((r) => r.userId)).toEqual(expected.slice(offset, offset + 4));
        expect(page.total).toBe(expected.length);
      }
    }
    const search = await reader.users(tenant.id, { limit: 500, offset: 0, search: 'bo' });
    expect(search.rows.map((r) => r.userId)).toEqual(
      sqlOrder(db, tenant.id, "AND (display_name LIKE '%bo%' OR mail LIKE '%bo%' OR user_principal_name LIKE '%bo%')"),
    );
    expect(search.total).toBe(5);
    db.close();
  });

  it('migration 2 stores order and counts for a snapshot published before it', async () => {
    const file = path.join(tempDir('migrate'), 'x.sqlite');
    const v1 = openDatabase(file, { migrations: migrations.filter((m) => m.version === 1) });
    const tenant = new TenantStore(v1).ensure({ entraTenantId: 't', tenantName: 'T', source: 'demo' });
    const run = new SyncRunStore(v1).start(tenant.id, 'test');
    const insert = v1.prepare(
      `INSERT INTO users (tenant_id, snapshot_id, user_seq, user_id, user_principal_name, display_name, account_enabled, user_type)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    NAMES.forEach((name, i) =>
      insert.run(
        tenant.id,
        run.id,
        i,
        userIds[i],
        `${userIds[i]}@x`,
        name,
        i % 3 === 0 ? 0 : 1,
        i % 5 === 0 ? 'Guest' : 'Member',
      ),
    );
    const license = v1.prepare(
      'INSERT INTO user_licenses (tenant_id, snapshot_id, user_seq, sku_id, assigned_by_group_id, user_id, state) VALUES (?, ?, ?, ?, ?, ?, ?)',
    );
    license.run(tenant.id, run.id, 1, 'sku-a', '', userIds[1], 'Active');
    license.run(tenant.id, run.id, 1, 'sku-a', 'group-1', userIds[1], 'Active');
    license.run(tenant.id, run.id, 2, 'sku-a', '', userIds[2], 'Error');
    license.run(tenant.id, run.id, 4, 'sku-b', '', userIds[4], null);
    v1.prepare('UPDATE tenants SET current_snapshot_id = ? WHERE id = ?').run(run.id, tenant.id);
    v1.close();

    const db = openDatabase(file);
    const reader = new DirectoryReader(db);
    expect((await reader.users(tenant.id, { limit: 100, offset: 0 })).rows.map((r) => r.userId)).toEqual(
      sqlOrder(db, tenant.id),
    );
    expect(
      (await reader.users(tenant.id, { limit: 100, offset: 0, accountEnabled: false })).rows.map((r) => r.userId),
    ).toEqual(sqlOrder(db, tenant.id, 'AND account_enabled = 0'));
    expect(reader.userCounts(tenant.id)).toEqual({ total: 20, enabled: 13, disabled: 7, guests: 4, licensed: 2 });
    db.close();
  });
});

describe('counts and search through the app', () => {
  let h: Harness;
  let tenantId: string;
  beforeAll(async () => {
    h = await startHarness({ data: generateDemoTenant({ users: 1500, seed: 21 }) });
    tenantId = h.app.tenants.list()[0].id;
    expect((await h.app.sync.request(tenantId, 'test').done).status).toBe('success');
  });
  afterAll(async () => h?.close());

  const get = async (p: string) => {
    const res = await fetch(`${h.app.url}${p}`, { headers: { authorization: `Bearer ${TEST_API_KEY}` } });
    expect(res.status).toBe(200);
    return (await res.json()) as {
      data: Array<{ user_id: string; account_enabled: boolean }>;
      pagination: { total: number };
    };
  };

  it('the stored counts equal counting the snapshot', () => {
    // The count the status card made on every request before counts were stored.
    const counted = h.app.db
      .prepare(
        `WITH snap AS (SELECT current_snapshot_id AS s FROM tenants WHERE id = @t)
         SELECT COUNT(*) AS total, SUM(account_enabled) AS enabled, SUM(1 - account_enabled) AS disabled, SUM(user_type = 'Guest') AS guests,
                (SELECT COUNT(DISTINCT user_seq) FROM user_licenses WHERE tenant_id = @t AND snapshot_id = (SELECT s FROM snap)
                   AND (state IS NULL OR state IN ('Active', 'ActiveWithError'))) AS licensed
         FROM users WHERE tenant_id = @t AND snapshot_id = (SELECT s FROM snap)`,
      )
      .get({ t: tenantId });
    expect(h.app.directory.userCounts(tenantId)).toEqual(counted);
    expect(h.app.directory.userCounts(tenantId).guests).toBeGreaterThan(0);
    expect(h.app.directory.userCounts(tenantId).disabled).toBeGreaterThan(0);
  });

  it('pages and searches run on the read workers and match the same reads on the event loop', async () => {
    const inline = new DirectoryReader(h.app.db);
    const before = readWorkerAnswers(h);
    const expected = inline.usersNow(tenantId, { limit: 500, offset: 0, search: 'an', accountEnabled: true });
    expect(expected.total).toBeGreaterThan(40);
    const first = await get(`/api/v1/m365/tenants/${tenantId}/users?search=an&account_enabled=true&limit=20`);
    const second = await get(
      `/api/v1/m365/tenants/${tenantId}/users?search=an&account_enabled=true&limit=20&offset=20`,
    );
    expect([...first.data, ...second.data].map((u) => u.user_id)).toEqual(
      expected.rows.slice(0, 40).map((r) => r.userId),
    );
    expect(first.pagination.total).toBe(expected.total);
    expect(readWorkerAnswers(h) - before).toBe(2);
    await get(`/api/v1/m365/tenants/${tenantId}/users?limit=20&offset=1400`);
    expect(readWorkerAnswers(h) - before).toBe(3);
  });

  it("renders REST pages on the read workers: the body is the renderer's JSON of the same page read on the event loop", async () => {
    const before = h.app.readWorkers.rendered;
    const res = await fetch(
      `${h.app.url}/api/v1/m365/tenants/${tenantId}/users?limit=100&offset=321&account_enabled=true`,
      { headers: { authorization: `Bearer ${TEST_API_KEY}` } },
    );
    expect(res.status).toBe(200);
    const body = await res.text();
    expect(h.app.readWorkers.rendered - before).toBe(1);
    const tenant = h.app.tenants.find(tenantId);
    const lastSynced = h.app.runs.get(tenant?.currentSnapshotId as number)?.finishedAt ?? null;
    const page = new DirectoryReader(h.app.db).usersNow(tenantId, { limit: 100, offset: 321, accountEnabled: true });
    expect(page.rows.length).toBeGreaterThan(0);
    expect(body).toBe(renderUserPage(page, { tenantId, lastSynced, limit: 100, offset: 321 }));
  });

  it('serves the new snapshot after the next sync, also for a search and a deep page', async () => {
    const before = await get(`/api/v1/m365/tenants/${tenantId}/users?search=an&limit=500`);
    h.demo.server.setData(generateDemoTenant({ users: 1700, seed: 22 }));
    expect((await h.app.sync.request(tenantId, 'test').done).status).toBe('success');
    const after = await get(`/api/v1/m365/tenants/${tenantId}/users?search=an&limit=500`);
    expect(after.data.map((u) => u.user_id)).not.toEqual(before.data.map((u) => u.user_id));
    expect(after.pagination.total).toBe(
      new DirectoryReader(h.app.db).usersNow(tenantId, { limit: 1, offset: 0, search: 'an' }).total,
    );
    const deep = await get(`/api/v1/m365/tenants/${tenantId}/users?limit=100&offset=1650`);
    expect(deep.data).toHaveLength(50);
    expect(deep.pagination.total).toBe(1700);
  });

  it('pages across the chunk boundaries of the stored order (1,024 positions) in the order of SQL', async () => {
    for (const [query, where] of [
      ['', ''],
      ['&account_enabled=true', 'AND account_enabled = 1'],
    ] as const) {
      const expected = sqlOrder(h.app.db, tenantId, where);
      for (const offset of [1000, 1020, 1024, expected.length - 30]) {
        const page = await get(`/api/v1/m365/tenants/${tenantId}/users?limit=100&offset=${offset}${query}`);
        expect(page.data.map((u) => u.user_id)).toEqual(expected.slice(offset, offset + 100));
        expect(page.pagination.total).toBe(expected.length);
      }
    }
  });

  it('finds a tenant by its Microsoft id in any case', () => {
    const msId = h.app.tenants.list()[0].entraTenantId;
    expect(h.app.tenants.find(msId.toUpperCase())?.id).toBe(tenantId);
  });
});

function readWorkerAnswers(h: Harness): number {
  return h.app.readWorkers.completed;
}
