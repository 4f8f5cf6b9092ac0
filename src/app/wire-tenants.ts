import type { Logger } from 'pino';
import type { Request, Server } from 'restify';
import { SqliteTenantEraser } from '../adapters/sqlite/tenant-erasure';
import type { AppConfig } from '../config/config';
import { registerTenantAdminRoutes } from '../entry/api/tenant-admin-routes';
import { TenantOnboarding } from '../usecases/tenants/tenant-onboarding';
import type { Core } from './wire-core';
import type { Jobs } from './wire-jobs';
import type { Sync } from './wire-sync';

/** Tenants added, changed and deleted through the REST API: the onboarding use case and its routes. */
export function wireTenantAdmin(
  config: Pick<AppConfig, 'tenant' | 'allowCustomTenantEndpoints'>,
  parts: { core: Core; jobs: Jobs; sync: Sync },
  deps: { authorize: (req: Request) => void; logger: Logger },
): { onboarding: TenantOnboarding; register: (server: Server) => void } {
  const { core, jobs, sync } = parts;
  const onboarding = new TenantOnboarding({
    registry: core.tenantRegistry,
    tenants: core.tenants,
    credentials: core.credentialKeys,
    eraser: new SqliteTenantEraser(core.db),
    queue: jobs.runner,
    check: (tenant) => sync.check.check(tenant),
    isSyncRunning: (tenantId) => sync.sync.isRunning(tenantId),
    forget: (tenantId) => {
      core.tenantRegistry.forget(tenantId);
      core.graphs.forget(tenantId);
    },
    environmentEntraTenantIds: core.environmentEntraTenantIds,
    // The demo's tenants live on loopback; elsewhere only Microsoft's clouds unless the admin allows others.
    allowOtherEndpoints: config.tenant.kind === 'demo' || config.allowCustomTenantEndpoints,
    logger: deps.logger,
  });
  return {
    onboarding,
    register: (server) =>
      registerTenantAdminRoutes(server, {
        onboarding,
        credentials: core.credentialKeys,
        runs: core.runs,
        directory: sync.directory,
        tenants: core.tenants,
        health: (tenant) => sync.health(tenant),
        authorize: deps.authorize,
        logger: deps.logger,
      }),
  };
}
