import type { Logger } from 'pino';
import type { AppConfig } from '../config/config';
import { generateDemoTenant } from '../../demo-tenant/generator';
import { loadDemoTenantFile } from '../../demo-tenant/fixture';
import { MAX_DEMO_TENANTS, portfolioDemoTenant } from '../../demo-tenant/portfolio';
import { startDemoTenant, type DemoTenant } from '../../demo-tenant/server';
import type { TenantConnection } from '../adapters/graph/graph-client';
import { demoTrustEnv, trustsDemoCertificate } from './demo-trust';

export interface EmbeddedDemoTenant {
  server: DemoTenant;
  /** Exactly what a real tenant's connection holds; only the endpoints point at loopback. */
  connection: TenantConnection;
  organizationName: string;
  /** The certificate it serves, which further demo tenants of the same process reuse (the one the process trusts). */
  tls?: { cert: string; key: string };
  close(): Promise<void>;
}

/** How to reach a demo tenant, in process or as its own process (what its CLI prints). */
export function demoConnection(
  server: Pick<DemoTenant, 'tenantId' | 'clientId' | 'clientSecret' | 'url'>,
): TenantConnection {
  return {
    entraTenantId: server.tenantId,
    appClientId: server.clientId,
    credential: { kind: 'secret', secret: server.clientSecret },
    graphEndpoint: server.url,
    authorityHost: server.url,
  };
}

/** Starts the built-in demo tenant on loopback HTTPS from DEMO_TENANT_FILE or the seeded generator. */
export async function startEmbeddedDemoTenant(
  config: Pick<AppConfig, 'tenant' | 'dataDir'>,
  logger: Logger,
): Promise<EmbeddedDemoTenant> {
  if (config.tenant.kind !== 'demo')
    throw new Error('the demo tenant is only started when no tenant credentials are configured');
  const { certificate, caFile } = await demoTrustEnv(config.dataDir);
  if (!trustsDemoCertificate(caFile)) {
    throw new Error(
      `This process does not trust the demo tenant's certificate. Start it with NODE_EXTRA_CA_CERTS=${caFile} (npm start and npm test do this for you).`,
    );
  }
  const data = config.tenant.fixtureFile
    ? loadDemoTenantFile(config.tenant.fixtureFile)
    : generateDemoTenant({ users: config.tenant.users });
  const server = await startDemoTenant({ data, tls: { cert: certificate.cert, key: certificate.key } });
  logger.info(
    { url: server.url, users: data.users.length, source: config.tenant.fixtureFile ?? 'generator' },
    'demo tenant listening',
  );
  return {
    server,
    connection: demoConnection(server),
    organizationName: data.organization.displayName ?? 'Demo tenant',
    tls: { cert: certificate.cert, key: certificate.key },
    close: () => server.close(),
  };
}

/**
 * The demo's MSP clients (the REST API's client_id): the demo tenants go two by two to a client,
 * so three tenants make one client with two tenants and one with one.
 */
export function demoMspClientId(tenantIndex: number): string {
  const client = Math.floor(tenantIndex / 2) + 1;
  return `5e1f0c1a-7d2b-4e3c-9a4f-00000000c1${client.toString(16).padStart(2, '0')}`;
}

/**
 * DEMO_TENANTS beyond the first: generated organisations (own names, seeds, sizes and ids), each
 * served by its own demo tenant server on loopback HTTPS with the first one's certificate.
 */
export async function startPortfolioDemoTenants(
  config: Pick<AppConfig, 'tenant' | 'dataDir'>,
  first: EmbeddedDemoTenant,
  logger: Logger,
): Promise<EmbeddedDemoTenant[]> {
  if (config.tenant.kind !== 'demo') return [];
  const count = Math.min(config.tenant.tenants ?? 1, MAX_DEMO_TENANTS);
  if (count <= 1) return [];
  const tls = first.tls ?? (await demoTrustEnv(config.dataDir)).certificate;
  const started: EmbeddedDemoTenant[] = [];
  try {
    for (let index = 1; index < count; index++) {
      const data = generateDemoTenant(portfolioDemoTenant(index, config.tenant.users));
      const server = await startDemoTenant({ data, tls: { cert: tls.cert, key: tls.key } });
      started.push({
        server,
        connection: demoConnection(server),
        organizationName: data.organization.displayName ?? `Demo tenant ${index + 1}`,
        tls: { cert: tls.cert, key: tls.key },
        close: () => server.close(),
      });
      logger.info(
        { url: server.url, users: data.users.length, organization: data.organization.displayName },
        'demo tenant listening',
      );
    }
  } catch (error) {
    await Promise.allSettled(started.map((d) => d.close()));
    throw error;
  }
  return started;
}
