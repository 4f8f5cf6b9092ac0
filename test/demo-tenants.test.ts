import { afterEach, describe, expect, it } from 'vitest';
import { parseConfig } from '../src/config/config';
import { startHarness, TEST_API_KEY, type Harness } from './helpers/harness';

/**
 * DEMO_TENANTS: the demo serves several organisations (each its own demo tenant server over
 * HTTPS), registered under demo MSP clients, synced at start like any tenant never synced.
 */

let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

interface TenantJson {
  id: string;
  client_id: string | null;
  tenant_id: string;
  tenant_name: string;
  domain_name: string | null;
  last_sync_status: string | null;
  total_licenses: number;
}

async function tenants(app: Harness['app'], query = ''): Promise<TenantJson[]> {
  const res = await fetch(`${app.url}/api/v1/m365/tenants${query}`, {
    headers: { authorization: `Bearer ${TEST_API_KEY}` },
  });
  expect(res.status).toBe(200);
  return ((await res.json()) as { data: TenantJson[] }).data;
}

describe('DEMO_TENANTS', () => {
  it('DEMO_TENANTS=3 serves three demo organisations, synced at start and listed by GET /tenants, two under one MSP client and one under another', async () => {
    h = await startHarness({ config: { DEMO_TENANTS: '3', DEMO_USERS: '60' }, app: { schedule: true } });
    const app = h.app;
    expect(app.tenants.list()).toHaveLength(3);
    // The start-up sync of tenants never synced covers all three, through the outbox.
    await expect
      .poll(() => app.tenants.list().every((t) => t.currentSnapshotId !== null), {
        timeout: 120_000,
        message: 'all three first syncs',
      })
      .toBe(true);

    const listed = await tenants(app);
    expect(listed.map((t) => t.tenant_name).sort()).toEqual(['Contoso Ltd', 'Fabrikam Inc', 'Northwind Traders']);
    expect(new Set(listed.map((t) => t.tenant_id)).size).toBe(3);
    expect(listed.every((t) => t.last_sync_status === 'success')).toBe(true);
    expect(listed.find((t) => t.tenant_name === 'Fabrikam Inc')?.domain_name).toBe('fabrikam.onmicrosoft.com');
    // Different seeds and sizes: different figures.
    expect(new Set(listed.map((t) => t.total_licenses)).size).toBe(3);
    const users = listed.map((t) => app.directory.userCounts(t.id).total);
    expect(new Set(users).size).toBe(3);

    const clients = [...new Set(listed.map((t) => t.client_id))];
    expect(clients).toHaveLength(2);
    expect(clients.every((c) => c !== null)).toBe(true);
    const byClient = await Promise.all(clients.map((c) => tenants(app, `?client_id=${c}`)));
    expect(byClient.map((list) => list.map((t) => t.tenant_name).sort())).toEqual(
      expect.arrayContaining([['Contoso Ltd', 'Fabrikam Inc'], ['Northwind Traders']]),
    );
    expect(await tenants(app, '?client_id=00000000-0000-4000-8000-000000000000')).toEqual([]);
  });

  it('defaults to one demo tenant with no MSP client, and is refused beside a real tenant', async () => {
    expect(parseConfig({}).tenant).toMatchObject({ kind: 'demo', tenants: 1 });
    expect(() =>
      parseConfig({
        DEMO_TENANTS: '3',
        TENANT_ID: '11111111-2222-4333-8444-555555555555',
        CLIENT_ID: '66666666-7777-4888-9999-000000000000',
        SECRET_CLIENT_SECRET: 'x',
        SECRET_STORE_KEY: 'MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=',
      }),
    ).toThrow(/DEMO_TENANTS: only applies to the built-in demo/);
    expect(() => parseConfig({ DEMO_TENANTS: '11' })).toThrow(/DEMO_TENANTS: expected at most 10/);

    h = await startHarness();
    const listed = await tenants(h.app);
    expect(listed).toHaveLength(1);
    expect(listed[0]).toMatchObject({ tenant_name: 'Contoso Ltd', client_id: null });
  });
});
