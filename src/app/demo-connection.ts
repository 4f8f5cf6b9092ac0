import type { Logger } from 'pino';
import type { AppConfig } from '../config/config';
import { generateDemoTenant } from '../../demo-tenant/generator';
import { loadDemoTenantFile } from '../../demo-tenant/fixture';
import { startDemoTenant, type DemoTenant } from '../../demo-tenant/server';
import type { TenantConnection } from '../adapters/graph/graph-client';
import { demoTrustEnv, trustsDemoCertificate } from './demo-trust';

export interface EmbeddedDemoTenant {
  server: DemoTenant;
  /** Exactly what a real tenant's connection holds; only the endpoints point at loopback. */
  connection: TenantConnection;
  organizationName: string;
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
    close: () => server.close(),
  };
}
