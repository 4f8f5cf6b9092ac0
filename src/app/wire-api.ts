import type { AddressInfo } from 'node:net';
import type { Logger } from 'pino';
import type { AppConfig } from '../config/config';
import { healthReport } from '../domain/health';
import { apiKeyGuard } from '../entry/api/api-auth';
import { registerAccessRoutes } from '../entry/api/access-routes';
import { registerAuditRoutes } from '../entry/api/audit-routes';
import { registerCohortRoutes } from '../entry/api/cohort-routes';
import { registerCopilotRoutes } from '../entry/api/copilot-routes';
import { registerDepartmentRoutes } from '../entry/api/department-routes';
import { registerExportRoutes } from '../entry/api/export-routes';
import { registerPortfolioRoutes } from '../entry/api/portfolio-routes';
import { registerPriceRoutes } from '../entry/api/price-routes';
import { registerReclaimRoutes } from '../entry/api/reclaim-routes';
import { registerSecurityRoutes } from '../entry/api/security-routes';
import { registerStarRoutes } from '../entry/api/star-routes';
import { registerODataRoutes } from '../entry/api/odata-routes';
import { registerSyncRoutes } from '../entry/api/sync-routes';
import { registerUsageRoutes } from '../entry/api/usage-routes';
import { registerWebhookRoutes } from '../entry/api/webhook-routes';
import type { activityProcessor } from '../entry/bot/bot-app';
import { createHttpServer, registeredRoutes } from '../entry/http/http-server';
import type { AuditSubscriptions } from '../usecases/audit/audit-subscriptions';
import type { DisposalStack } from './disposal';
import type { Analytics } from './wire-analytics';
import type { Core } from './wire-core';
import type { Digest } from './wire-digest';
import type { Jobs } from './wire-jobs';
import type { Reclaim } from './wire-reclaim';
import type { Sync } from './wire-sync';
import type { TenantAdmin } from './wire-tenants';
import type { Webhooks } from './wire-webhooks';

/**
 * The bot's port is taken (or needs privileges): one line naming the port and the setting to
 * change, instead of a stack trace the admin must decode. The REST API and /healthz share PORT.
 */
export class PortUnavailableError extends Error {
  constructor(
    config: Pick<AppConfig, 'port' | 'listenHost'>,
    readonly code: 'EADDRINUSE' | 'EACCES',
  ) {
    const where = `${config.listenHost ?? 'all interfaces'}`;
    super(
      code === 'EADDRINUSE'
        ? `Seat Steward cannot start: port ${config.port} (PORT, used by the bot, the REST API and /healthz) is already in use on ${where} (EADDRINUSE). Stop the program using it (another Seat Steward?) or set PORT to a free port.`
        : `Seat Steward cannot start: port ${config.port} (PORT) on ${where} needs privileges this process lacks (EACCES). Set PORT to a port above 1023.`,
    );
    this.name = 'PortUnavailableError';
  }
}

/** The one HTTP server: the bot's endpoint, the REST API and /healthz. Resolves with its port once it listens, and its routes. */
export async function wireApi(
  config: Pick<
    AppConfig,
    | 'apiKeys'
    | 'bot'
    | 'botServiceUrls'
    | 'port'
    | 'listenHost'
    | 'tenant'
    | 'allowCustomTenantEndpoints'
    | 'mspApp'
    | 'exports'
  >,
  parts: {
    core: Core;
    jobs: Jobs;
    sync: Sync;
    analytics: Analytics;
    reclaim: Reclaim;
    digest: Pick<Digest, 'portfolio'>;
    auditSubscriptions: AuditSubscriptions;
    processActivity: ReturnType<typeof activityProcessor>;
    tenantAdmin: TenantAdmin;
    webhooks: Webhooks;
  },
  logger: Logger,
  disposals: DisposalStack,
): Promise<{ port: number; routes: () => Array<{ method: string; path: string }> }> {
  const { core, jobs, sync, analytics, auditSubscriptions } = parts;
  const { tenants, runs } = core;
  const { reclaims } = parts.reclaim;
  const { directory, identityReads, sourceStatus } = sync;
  const priceFor = (tenantId: string) => analytics.priceService.priceFor(tenantId);
  const authorize = apiKeyGuard(config.apiKeys);
  const server = createHttpServer({
    processActivity: parts.processActivity,
    loopbackOnly: config.bot.mode === 'anonymous',
    extraServiceUrls: config.botServiceUrls,
    logger,
    api: {
      tenants,
      directory,
      runs,
      authorize,
      syncRunning: () => sync.sync.isAnyRunning(),
      health: (tenant) => sync.health(tenant),
      identity: identityReads,
      prices: priceFor,
      logger,
    },
    jobs: { outbox: jobs.outbox, runner: jobs.runner, authorize, logger },
    routes: [
      (server) => parts.tenantAdmin.register(server, authorize),
      (server) =>
        registerSyncRoutes(server, {
          tenants,
          runs,
          requestSync: (tenantId) => sync.sync.request(tenantId, 'api'),
          syncTypes: sync.syncTypes,
          sourceStatus: (tenantId) => sourceStatus.list(tenantId),
          check: sync.check,
          authorize,
          logger,
        }),
      (server) => registerUsageRoutes(server, { tenants, usage: sync.usageQuery, authorize, logger }),
      (server) =>
        registerCopilotRoutes(server, {
          tenants,
          runs,
          analytics: analytics.reads,
          priceFor,
          authorize,
          logger,
          reclaimMarks: (tenantId, seats, asOf) => reclaims.marks(tenantId, seats, asOf),
        }),
      (server) =>
        registerDepartmentRoutes(server, {
          tenants,
          departments: (tenantId) => analytics.departments.report(tenantId),
          authorize,
          logger,
        }),
      (server) =>
        registerCohortRoutes(server, {
          tenants,
          cohorts: (tenantId, months) => analytics.cohorts.report(tenantId, months),
          authorize,
          logger,
        }),
      (server) => registerSecurityRoutes(server, { tenants, identity: identityReads, sourceStatus, authorize, logger }),
      (server) => registerAuditRoutes(server, { tenants, subscriptions: auditSubscriptions, authorize, logger }),
      (server) => registerPriceRoutes(server, { tenants, prices: analytics.priceService, authorize, logger }),
      (server) => registerReclaimRoutes(server, { tenants, reclaims, authorize, logger }),
      (server) =>
        registerAccessRoutes(server, { access: core.clientAccess, store: core.accessGrants, authorize, logger }),
      (server) => registerWebhookRoutes(server, { webhooks: parts.webhooks.endpoints, authorize, logger }),
      (server) => registerPortfolioRoutes(server, { portfolio: parts.digest.portfolio, tenants, authorize, logger }),
      (server) =>
        registerExportRoutes(server, {
          tenants,
          analytics: analytics.reads,
          authorize,
          departments: (tenantId) => analytics.departments.report(tenantId, { trend: false }),
          checkLink: (token, now) => analytics.exportLinks.check(token, now),
          logger,
        }),
      (server) => registerStarRoutes(server, { tenants, star: analytics.star, authorize, logger }),
      (server) =>
        registerODataRoutes(server, {
          tenants,
          star: analytics.star,
          authorize,
          // Power BI follows @odata.nextLink as given: behind a proxy, PUBLIC_BASE_URL says where clients reach us.
          baseUrl: (req) => config.exports.publicBaseUrl?.replace(/\/+$/, '') ?? `http://${req.header('host')}`,
          logger,
        }),
    ],
    health: () =>
      healthReport({
        storage: sync.sync.storageState(),
        tenants: tenants
          .list()
          .map((t) => ({ lastSync: runs.latestFinished(t.id)?.status ?? 'never', syncing: sync.sync.isRunning(t.id) })),
        jobs: jobs.outbox.countByStatus(),
      }),
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', (error: NodeJS.ErrnoException) =>
      reject(
        error.code === 'EADDRINUSE' || error.code === 'EACCES' ? new PortUnavailableError(config, error.code) : error,
      ),
    );
    // undefined = every interface (restify's listen takes the host second, as net's does).
    if (config.listenHost) server.listen(config.port, config.listenHost, () => resolve());
    else server.listen(config.port, () => resolve());
  });
  disposals.add('the HTTP server', () => new Promise<void>((resolve) => server.close(() => resolve())));
  return { port: (server.address() as AddressInfo).port, routes: () => registeredRoutes(server) };
}
