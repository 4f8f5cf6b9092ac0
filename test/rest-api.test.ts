import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHarness, TEST_API_KEY, type Harness } from './helpers/harness';
import { generateDemoTenant } from '../demo-tenant/generator';

let h: Harness;
let tenantId: string;

beforeAll(async () => {
  h = await startHarness();
  const tenant = h.app.tenants.list()[0];
  tenantId = tenant.id;
  const first = await h.app.sync.request(tenant.id, 'test').done;
  // The warnings say why, should a source ever make it partial.
  expect({ status: first.status, warnings: first.warnings }).toEqual({ status: 'success', warnings: [] });
});
afterAll(async () => h?.close());

/** The JSON shapes the tests read; fields are checked by the assertions themselves. */
type Json = Record<string, unknown>;
interface ApiBody {
  data: Json[];
  pagination: { limit: number; offset: number; total: number; has_more: boolean };
  error: { code: string; message: string };
}

async function get(path: string, key: string | null = TEST_API_KEY): Promise<{ status: number; body: ApiBody }> {
  const res = await fetch(`${h.app.url}${path}`, { headers: key === null ? {} : { authorization: `Bearer ${key}` } });
  return { status: res.status, body: (await res.json()) as ApiBody };
}

const licensesOf = (u: Json) => u.assigned_licenses as Json[];

describe('auth', () => {
  it('requires a bearer API key', async () => {
    const none = await get('/api/v1/m365/tenants', null);
    expect(none.status).toBe(401);
    expect(none.body.error.message).toMatch(/Authorization: Bearer/);
    const wrong = await get('/api/v1/m365/tenants', 'wrong-key-wrong-key-wrong');
    expect(wrong.status).toBe(401);
    expect(wrong.body.error.code).toBe('unauthorized');
  });
});

describe('GET /api/v1/m365/tenants', () => {
  it('returns the envelope with the REST API field names and license totals summed over SKUs', async () => {
    const { status, body } = await get('/api/v1/m365/tenants');
    expect(status).toBe(200);
    expect(body.pagination).toEqual({ limit: 20, offset: 0, total: 1, has_more: false });
    const t = body.data[0];
    expect(Object.keys(t).sort()).toEqual(
      [
        'id',
        'client_id',
        'tenant_id',
        'tenant_name',
        'domain_name',
        'display_name',
        'tenant_type',
        'status',
        'sync_enabled',
        // Not in the contract's example: the tenant's own interval (null follows SYNC_CRON), as POST takes it.
        'sync_interval_hours',
        'last_sync',
        'last_sync_status',
        'total_licenses',
        'assigned_licenses',
        'available_licenses',
        'created_at',
        // The extension: sync health and the next scheduled sync.
        'health',
      ].sort(),
    );
    expect(t.health).toMatchObject({
      state: 'healthy',
      consecutive_failures: 0,
      reason: null,
      schedule: 'sync_cron',
      last_success: t.last_sync,
    });
    expect(t).toMatchObject({
      id: tenantId,
      tenant_name: 'Contoso Ltd',
      domain_name: 'contoso.onmicrosoft.com',
      status: 'active',
      sync_enabled: true,
      last_sync_status: 'success',
      tenant_type: 'business',
    });
    const skus = h.app.directory.skus(tenantId);
    expect(t.total_licenses).toBe(skus.reduce((n, s) => n + s.enabledUnits, 0));
    expect(t.assigned_licenses).toBe(skus.reduce((n, s) => n + s.consumedUnits, 0));
    expect(t.available_licenses).toBe(skus.reduce((n, s) => n + Math.max(0, s.enabledUnits - s.consumedUnits), 0));
  });

  it('filters by status and client_id, and pages', async () => {
    expect((await get('/api/v1/m365/tenants?status=error')).body.data).toEqual([]);
    expect((await get('/api/v1/m365/tenants?status=active')).body.data).toHaveLength(1);
    expect(
      (await get('/api/v1/m365/tenants?client_id=987fcdeb-51a2-43d7-8f9a-123456789abc')).body.pagination.total,
    ).toBe(0);
    const page = await get('/api/v1/m365/tenants?limit=1&offset=1');
    expect(page.body).toEqual({ data: [], pagination: { limit: 1, offset: 1, total: 1, has_more: false } });
  });

  it.each([
    ['limit=0', /limit/],
    ['limit=abc', /limit: expected a whole number/],
    ['limit=101', /limit must be at most 100/],
    ['offset=-1', /offset/],
    ['status=broken', /status: expected active, inactive or error/],
    ['client_id=xyz', /client_id: expected a UUID/],
    ['colour=blue', /colour/],
    ['limit=1&limit=2', /limit was given more than once/],
  ])('rejects %s with 400', async (query, message) => {
    const res = await get(`/api/v1/m365/tenants?${query}`);
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('invalid_parameter');
    expect(res.body.error.message).toMatch(message);
  });
});

describe('GET /api/v1/m365/tenants/{id}/users', () => {
  it('pages the synced users with their licenses, by our id or the Microsoft tenant id', async () => {
    const ours = await get(`/api/v1/m365/tenants/${tenantId}/users?limit=50`);
    expect(ours.status).toBe(200);
    expect(ours.body.pagination).toEqual({ limit: 50, offset: 0, total: 120, has_more: true });
    const msId = h.app.tenants.list()[0].entraTenantId;
    const theirs = await get(`/api/v1/m365/tenants/${msId}/users?limit=50`);
    expect(theirs.body.data).toEqual(ours.body.data);
    const u = ours.body.data.find((x) => licensesOf(x).length > 0) as Json;
    expect(u).toMatchObject({
      tenant_id: tenantId,
      user_id: expect.any(String),
      user_principal_name: expect.stringContaining('@'),
      account_enabled: expect.any(Boolean),
    });
    expect(licensesOf(u)[0]).toMatchObject({
      sku_id: expect.any(String),
      sku_part_number: expect.any(String),
      product_name: expect.any(String),
    });
    const last = await get(`/api/v1/m365/tenants/${tenantId}/users?limit=50&offset=100`);
    expect(last.body.data).toHaveLength(20);
    expect(last.body.pagination.has_more).toBe(false);
  });

  it('searches by name or email and filters by account_enabled', async () => {
    const all = await get(`/api/v1/m365/tenants/${tenantId}/users?limit=500`);
    const sample = all.body.data[7];
    const byName = await get(
      `/api/v1/m365/tenants/${tenantId}/users?search=${encodeURIComponent(String(sample.display_name))}`,
    );
    expect(byName.body.data.map((u) => u.user_id)).toContain(sample.user_id);
    const disabled = await get(`/api/v1/m365/tenants/${tenantId}/users?account_enabled=false&limit=500`);
    expect(disabled.body.data.length).toBe(all.body.data.filter((u) => !u.account_enabled).length);
    expect(disabled.body.data.every((u) => u.account_enabled === false)).toBe(true);
    const wildcard = await get(`/api/v1/m365/tenants/${tenantId}/users?search=%25`);
    expect(wildcard.body.pagination.total).toBe(0);
  });

  it('rejects bad parameters and unknown tenants', async () => {
    expect((await get(`/api/v1/m365/tenants/${tenantId}/users?account_enabled=maybe`)).body.error.message).toMatch(
      /account_enabled: expected true or false/,
    );
    expect((await get(`/api/v1/m365/tenants/${tenantId}/users?mfa_enabled=maybe`)).body.error.message).toMatch(
      /mfa_enabled: expected true or false/,
    );
    const missing = await get('/api/v1/m365/tenants/00000000-0000-0000-0000-000000000000/users');
    expect(missing.status).toBe(404);
    expect(missing.body.error.code).toBe('tenant_not_found');
  });
});

describe('GET /api/v1/m365/tenants/{id}/licenses', () => {
  it('lists the SKUs with units', async () => {
    const { status, body } = await get(`/api/v1/m365/tenants/${tenantId}/licenses`);
    expect(status).toBe(200);
    const copilot = body.data.find((s) => s.sku_id === '639dec6b-bb19-468b-871c-c5c441c4b0cb');
    expect(copilot).toMatchObject({ is_copilot: true, product_name: 'Microsoft 365 Copilot' });
    for (const s of body.data) {
      for (const f of [
        'sku_id',
        'sku_part_number',
        'product_name',
        'total_units',
        'consumed_units',
        'enabled_units',
        'suspended_units',
        'warning_units',
      ])
        expect(s).toHaveProperty(f);
    }
    expect((await get('/api/v1/m365/tenants/nope/licenses')).status).toBe(404);
  });
});

describe('rendered pages', () => {
  it('answers a repeated page from the same snapshot identically, and a new snapshot with its own data', async () => {
    const path = `/api/v1/m365/tenants/${tenantId}/users?limit=5&offset=2`;
    const first = await get(path);
    const again = await get(path);
    expect(first.status).toBe(200);
    expect(again.body).toEqual(first.body);
    expect(first.body.pagination.total).toBe(120);

    h.demo.server.setData(generateDemoTenant({ users: 150, seed: 42 }));
    const run = await h.app.sync.request(tenantId, 'test').done;
    expect({ status: run.status, warnings: run.warnings }).toEqual({ status: 'success', warnings: [] });
    const fresh = await get(path);
    expect(fresh.body.pagination.total).toBe(150);
    expect(fresh.body.data.map((u) => u.user_id)).not.toEqual(first.body.data.map((u) => u.user_id));
    expect(new Set(fresh.body.data.map((u) => u.last_synced))).toEqual(new Set([run.finishedAt]));
  });
});
