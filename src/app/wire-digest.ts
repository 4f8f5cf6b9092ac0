import type { Logger } from 'pino';
import { SqliteDigestSubscriptions } from '../adapters/sqlite/digest-subscriptions';
import { digestCards } from '../cards/digest-cards';
import type { AppConfig } from '../config/config';
import { digestTick } from '../entry/schedule/digest-schedule';
import { digestSecurity } from '../usecases/digest/digest-security';
import { DigestService } from '../usecases/digest/digest-service';
import { PortfolioQuery } from '../usecases/portfolio/portfolio-query';
import { securityScoreOf } from '../usecases/identity/security-report';
import { registerSyncJobs } from '../usecases/sync/sync-jobs';
import type { Analytics } from './wire-analytics';
import type { Core } from './wire-core';
import type { Jobs } from './wire-jobs';
import type { Reclaim } from './wire-reclaim';
import type { Sync } from './wire-sync';

/** The daily digest, and the status messages a scheduled sync posts. */
export interface Digest {
  subscriptions: SqliteDigestSubscriptions;
  service: DigestService;
  /** Every tenant ranked by the money idle Copilot seats cost (the `portfolio` card and route). */
  portfolio: PortfolioQuery;
  /** The scheduler's tick: queues what is due at `now`; returns the jobs created. */
  tick(now: Date): number;
}

export function wireDigest(
  config: Pick<AppConfig, 'digest' | 'syncConcurrency'>,
  core: Core,
  jobs: Jobs,
  sync: Sync,
  analytics: Analytics,
  reclaim: Reclaim,
  logger: Logger,
): Digest {
  const subscriptions = new SqliteDigestSubscriptions(core.db);
  const portfolio = new PortfolioQuery({
    tenants: core.tenants,
    analytics: analytics.reads,
    priceFor: (tenantId) => analytics.priceService.priceFor(tenantId),
    health: (tenant) => sync.health(tenant),
  });
  const service = new DigestService({
    subscriptions,
    clock: core.clock,
    tenants: core.tenants,
    runs: core.runs,
    analytics: analytics.reads,
    usage: sync.usage,
    priceFor: (tenantId) => analytics.priceService.priceFor(tenantId),
    security: (tenantId, now) =>
      digestSecurity(securityScoreOf(tenantId, sync.identityReads, sync.sourceStatus.get(tenantId, 'mfa'), now)),
    exports: analytics.exportLinks,
    syncInProgress: sync.inProgress,
    notifier: jobs.notifier,
    cards: digestCards,
    queue: jobs.runner,
    dashboardUrl: config.digest.dashboardUrl,
    freed: (tenantId) => reclaim.reclaims.freed(tenantId),
    portfolio,
    departments: (tenantId) => analytics.departments.report(tenantId, { trend: false }),
    cohorts: (tenantId, months) => analytics.cohorts.report(tenantId, months),
  });
  service.register(jobs.registry);
  registerSyncJobs(jobs.registry, {
    tenants: core.tenants,
    requestSync: (tenantId, trigger) => sync.sync.request(tenantId, trigger),
    report: sync.report,
    afterScheduledSync: (run) => service.queueStatusMessages(run),
    concurrency: config.syncConcurrency,
    running: (tenantId) => sync.sync.runningBesides(tenantId),
  });
  return { subscriptions, service, portfolio, tick: digestTick(service, logger) };
}
