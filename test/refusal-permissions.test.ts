import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_APP_ROLES } from '../demo-tenant/constants';
import { generateDemoTenant } from '../demo-tenant/generator';
import { createGraphClient } from '../src/adapters/graph/graph-client';
import { GraphIdentityReader } from '../src/adapters/graph/identity-graph';
import { SqliteIdentityStore } from '../src/adapters/sqlite/identity-store';
import { READ_REQUIREMENTS } from '../src/domain/access-requirements';
import { TenantAccessError } from '../src/domain/tenant-access-error';
import { SubscriptionsSource } from '../src/usecases/identity/identity-sources';
import { startHarness, type Harness } from './helpers/harness';

// The check card, the REST check and the README's table read READ_REQUIREMENTS; a source's refusal must name the same permission.
describe('a refused source names the permission the permission table lists', () => {
  let h: Harness;
  let tenantId: string;
  const withheld = new Set([
    'LicenseAssignment.Read.All',
    'Directory.Read.All',
    'Directory.ReadWrite.All',
    'Organization.Read.All',
  ]);
  beforeAll(async () => {
    const data = generateDemoTenant({ users: 20, seed: 73 });
    h = await startHarness({
      data: { ...data, app: { ...data.app, roles: DEFAULT_APP_ROLES.filter((r) => !withheld.has(r)) } },
    });
    tenantId = h.app.tenants.list()[0].id;
  });
  afterAll(async () => h?.close());

  it('subscriptions', async () => {
    const graph = new GraphIdentityReader(createGraphClient(h.demo.connection), { ...h.demo.connection });
    const error = await new SubscriptionsSource({ tenantId, graph, store: new SqliteIdentityStore(h.app.db) })
      .probe()
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TenantAccessError);
    expect(error).toMatchObject({
      code: 'insufficient_privileges',
      requirement: { permission: READ_REQUIREMENTS.subscriptions.permission },
    });
    expect((error as TenantAccessError).message).toContain(READ_REQUIREMENTS.subscriptions.permission);
  });
});
