import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { demoConnection, type EmbeddedDemoTenant } from '../../src/app/demo-connection';
import type { SeatStewardOptions } from '../../src/app/seat-steward';
import { startSeatStewardForTests, type TestApp } from '../../src/app/test-hooks';
import { parseConfig, type AppConfig } from '../../src/config/config';
import { ensureDemoCertificate, type DemoCertificate } from '../../demo-tenant/certificate';
import { generateDemoTenant } from '../../demo-tenant/generator';
import type { DemoTenantData } from '../../demo-tenant/model';
import { startDemoTenant } from '../../demo-tenant/server';
import { createLogger } from '../../src/adapters/logging/logger';

export const TEST_API_KEY = 'test-api-key-0123456789abcdef';

/** The certificate `npm test` trusts through NODE_EXTRA_CA_CERTS (see scripts/with-demo-ca.ts). */
export async function trustedDemoCertificate(): Promise<DemoCertificate> {
  const ca = process.env.NODE_EXTRA_CA_CERTS;
  if (!ca)
    throw new Error(
      'NODE_EXTRA_CA_CERTS is not set: run the tests with `npm test` (it trusts the demo tenant certificate).',
    );
  return ensureDemoCertificate(path.dirname(ca));
}

export function tempDir(prefix: string): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), `seat-steward-${prefix}-`));
}

export async function startTestDemoTenant(
  data: DemoTenantData = generateDemoTenant({ users: 120 }),
  extra: { maxPageSize?: number; pageSizePattern?: 'full' | 'short' } = {},
): Promise<EmbeddedDemoTenant> {
  const cert = await trustedDemoCertificate();
  const server = await startDemoTenant({ data, tls: { cert: cert.cert, key: cert.key }, ...extra });
  return {
    server,
    connection: demoConnection(server),
    organizationName: data.organization.displayName ?? 'Demo',
    tls: { cert: cert.cert, key: cert.key },
    close: () => server.close(),
  };
}

export function testConfig(overrides: Record<string, string> = {}): AppConfig {
  return parseConfig({
    DATA_DIR: tempDir('data'),
    PORT: '0',
    PLAYGROUND: 'off',
    LOG_LEVEL: 'silent',
    API_KEYS: TEST_API_KEY,
    ...overrides,
  });
}

/** A real-tenant configuration (TENANT_ID, CLIENT_ID, secret, endpoints) pointed at a demo tenant, with no ADMINS. */
export function realTenantConfig(demo: EmbeddedDemoTenant, overrides: Record<string, string> = {}): AppConfig {
  const conn = demo.connection;
  return testConfig({
    TENANT_ID: conn.entraTenantId,
    CLIENT_ID: conn.appClientId,
    SECRET_CLIENT_SECRET: conn.credential.kind === 'secret' ? conn.credential.secret : '',
    SECRET_STORE_KEY: 'MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=',
    GRAPH_ENDPOINT: conn.graphEndpoint,
    AUTHORITY_HOST: conn.authorityHost,
    ...overrides,
  });
}

export interface Harness {
  app: TestApp;
  demo: EmbeddedDemoTenant;
  config: AppConfig;
  close(): Promise<void>;
}

/** The real app (HTTP server, bot, SQLite file, Graph client) against an in-process demo tenant. */
export async function startHarness(
  options: {
    data?: DemoTenantData;
    config?: Record<string, string>;
    app?: Partial<SeatStewardOptions>;
    demo?: { maxPageSize?: number; pageSizePattern?: 'full' | 'short' };
  } = {},
): Promise<Harness> {
  const demo = await startTestDemoTenant(options.data, options.demo);
  const config = testConfig(options.config);
  const app = await startSeatStewardForTests(config, {
    logger: createLogger('silent'),
    demoTenant: demo,
    schedule: false,
    ...options.app,
  }).catch(async (error: unknown) => {
    await demo.close();
    throw error;
  });
  return {
    app,
    demo,
    config,
    async close() {
      await app.close();
      await demo.close();
    },
  };
}

/** startHarness, then one sync that must succeed with no warning (they show in the failure if not). */
export async function startSyncedHarness(
  options: Parameters<typeof startHarness>[0] = {},
): Promise<{ h: Harness; tenantId: string }> {
  const h = await startHarness(options);
  const tenantId = h.app.tenants.list()[0].id;
  const run = await h.app.sync.request(tenantId, 'test').done;
  if (run.status !== 'success' || run.warnings.length > 0) {
    await h.close();
    throw new Error(
      `the first sync was ${run.status}: ${[run.errorText, ...run.warnings].filter(Boolean).join(' | ')}`,
    );
  }
  return { h, tenantId };
}
