import type { Logger } from 'pino';
import type { Request, Server } from 'restify';
import { SqliteTenantEraser } from '../adapters/sqlite/tenant-erasure';
import type { AppConfig } from '../config/config';
import { registerTenantAdminRoutes } from '../entry/api/tenant-admin-routes';
import { TenantOnboarding } from '../usecases/tenants/tenant-onboarding';
import { MspConsent } from '../usecases/tenants/msp-consent';
import { DEFAULT_AUTHORITY_HOST } from '../domain/cloud-endpoints';
import { SqliteConsentStore } from '../adapters/sqlite/msp-consents';
import type { Core } from './wire-core';
import type { Jobs } from './wire-jobs';
import type { Sync } from './wire-sync';

/** Tenants added, changed and deleted through the REST API, and the MSP app's consent: the use cases and their routes. */
export interface TenantAdmin {
  onboarding: TenantOnboarding;
  consent: MspConsent;
  register: (server: Server, authorize: (req: Request) => void) => void;
}

/** Tenants added, changed and deleted through the REST API: the onboarding use case and its routes. */
export function wireTenantAdmin(
  config: Pick<AppConfig, 'tenant' | 'allowCustomTenantEndpoints' | 'mspApp' | 'exports'>,
  parts: { core: Core; jobs: Jobs; sync: Sync },
  deps: { logger: Logger },
): TenantAdmin {
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
    mspApp: config.mspApp,
    // The demo's tenants live on loopback; elsewhere only Microsoft's clouds unless the admin allows others.
    allowOtherEndpoints: config.tenant.kind === 'demo' || config.allowCustomTenantEndpoints,
    logger: deps.logger,
  });
  const refreshed = onboarding.refreshMspAppCredential();
  if (refreshed > 0)
    deps.logger.info({ tenants: refreshed }, "tenants added with the MSP's app given its current credential");
  const consent = new MspConsent({
    app: config.mspApp,
    authorityOf: (tenant) => onboarding.endpointsOf(tenant.id)?.authorityHost ?? DEFAULT_AUTHORITY_HOST,
    publicBaseUrl: config.exports.publicBaseUrl,
    store: new SqliteConsentStore(core.db),
    tenants: core.tenants,
    consented: (tenant) => onboarding.consented(tenant),
  });
  return {
    onboarding,
    consent,
    register: (server, authorize) =>
      registerTenantAdminRoutes(server, {
        onboarding,
        credentials: core.credentialKeys,
        runs: core.runs,
        directory: sync.directory,
        tenants: core.tenants,
        health: (tenant) => sync.health(tenant),
        consent,
        authorize,
        logger: deps.logger,
      }),
  };
}
