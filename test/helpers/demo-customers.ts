import { expect } from 'vitest';
import type { EmbeddedDemoTenant } from '../../src/app/demo-connection';
import type { TestApp } from '../../src/app/test-hooks';
import { generateDemoTenant } from '../../demo-tenant/generator';
import { startTestDemoTenant } from './harness';

/**
 * An MSP customer's tenant for a test: its own demo tenant over HTTPS, registered under an MSP
 * client and synced once. `index` (0-9) keeps its ids apart from other customers of the same test.
 */
export async function addDemoCustomer(
  app: TestApp,
  spec: { index: number; name: string; clientId: string | null; users?: number; seed?: number },
): Promise<{ tenantId: string; demo: EmbeddedDemoTenant }> {
  const i = spec.index;
  const ids = {
    tenantId: `7a${i}d3e4f-5a6b-4c7d-8e9f-0a1b2c3d4e5f`,
    clientId: `8b${i}e4f5a-6b7c-4d8e-9fa0-1b2c3d4e5f6a`,
    clientSecret: `Cus${i}Q~demo.customer.secret.value.DDDD`,
  };
  const data = generateDemoTenant({ users: spec.users ?? 80, seed: spec.seed ?? 10 + i, ...ids });
  data.organization.displayName = spec.name;
  const domain = `${spec.name.split(' ')[0]!.toLowerCase()}.onmicrosoft.com`;
  data.organization.verifiedDomains = data.organization.verifiedDomains.map((d) => ({ ...d, name: domain }));
  const demo = await startTestDemoTenant(data);
  const tenantId = app.tenantRegistry.add({
    entraTenantId: ids.tenantId,
    tenantName: spec.name,
    source: 'demo',
    mspClientId: spec.clientId,
    connection: {
      appClientId: ids.clientId,
      authorityHost: demo.server.url,
      graphEndpoint: demo.server.url,
      credential: { kind: 'secret', secret: ids.clientSecret },
    },
  }).tenantId;
  const run = await app.sync.request(tenantId, 'test').done;
  expect(run.status, run.errorText ?? '').toBe('success');
  return { tenantId, demo };
}
