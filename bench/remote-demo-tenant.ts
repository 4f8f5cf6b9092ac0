import type { EmbeddedDemoTenant } from '../src/app/demo-connection';
import { demoConnection } from '../src/app/demo-connection';
import { FaultInjector } from '../demo-tenant/faults';
import { generateDemoTenant } from '../demo-tenant/generator';

/** Where a demo tenant running in another process answers, and its app's credentials. */
export interface RemoteDemoTenantInfo {
  url: string;
  tenantId: string;
  clientId: string;
  clientSecret: string;
}

/**
 * The environment's demo tenant for a benchmark's app process, when the demo tenant runs in a
 * process of its own (so that its data and work are not counted in the app's RSS and CPU): the app
 * needs only its connection; anything that would reach into the server's state throws.
 */
export function remoteDemoTenant(info: RemoteDemoTenantInfo, organizationName: string): EmbeddedDemoTenant {
  const url = new URL(info.url);
  const elsewhere = (): never => {
    throw new Error('the benchmark demo tenant runs in another process');
  };
  return {
    server: {
      url: info.url,
      host: url.host,
      hostname: url.hostname,
      port: Number(url.port),
      tenantId: info.tenantId,
      clientId: info.clientId,
      clientSecret: info.clientSecret,
      data: generateDemoTenant({ users: 0 }),
      faults: new FaultInjector(),
      requests: [],
      auditQueries: () => [],
      setData: elsewhere,
      handle: elsewhere,
      close: async () => undefined,
    },
    connection: demoConnection(info),
    organizationName,
    close: async () => undefined,
  };
}
