import { isStorageFull } from '../adapters/sqlite/storage-full';
import type { AppConfig } from '../config/config';
import { scheduleDigests } from '../entry/schedule/digest-schedule';
import { scheduleSyncs } from '../entry/schedule/sync-schedule';
import { DisposalStack } from './disposal';
import type { AppInternals, SeatSteward, SeatStewardOptions } from './app-types';
import { wireAnalytics } from './wire-analytics';
import { wireTenantAdmin } from './wire-tenants';
import { wireApi } from './wire-api';
import { wireAudit } from './wire-audit';
import { wireBot } from './wire-bot';
import { wireCore } from './wire-core';
import { wireDigest } from './wire-digest';
import { wireJobs } from './wire-jobs';
import { wireReclaim } from './wire-reclaim';
import { wireSync } from './wire-sync';
import { wireWebhooks } from './wire-webhooks';

/**
 * The composition root: wires each feature (core, jobs, sync, analytics, reclaim, digest, audit,
 * bot, API) from its slice of the configuration, then listens and starts the background work.
 * Every part registers its own dispose on one stack as it is opened: a start that fails part-way
 * closes what was opened, in reverse, and so does stop.
 */
export async function assemble(
  config: AppConfig,
  options: SeatStewardOptions,
): Promise<{ app: SeatSteward; internals: AppInternals }> {
  const { logger } = options;
  const disposals = new DisposalStack();
  try {
    const core = await wireCore(config, { logger, demoTenant: options.demoTenant, clock: options.clock }, disposals);
    const jobs = wireJobs(config.bot, core, { logger, runner: options.outbox });
    const webhooks = wireWebhooks(
      config,
      core,
      jobs,
      { logger, clock: options.outbox?.clock, ...options.webhooks },
      disposals,
    );
    const events = options.webhookEventLog?.(jobs.webhookEventLog) ?? jobs.webhookEventLog;
    const sync = wireSync(config, core, jobs, logger, disposals, { clock: options.clock, events });
    // The port is known once the server listens; export links are only made after that.
    let listeningPort = 0;
    const analytics = wireAnalytics(config, core, sync, {
      analytics: options.analytics,
      listeningPort: () => listeningPort,
      clock: options.clock,
    });
    const reclaim = wireReclaim(
      config,
      core,
      jobs,
      sync,
      analytics,
      { logger, checkpoint: options.reclaimCheckpoint, syncDelayMs: options.reclaimSyncDelayMs, events },
      disposals,
    );
    const digest = wireDigest(config, core, jobs, sync, analytics, reclaim, logger);
    const auditSubscriptions = wireAudit(config, core);
    const tenantAdmin = wireTenantAdmin(config, { core, jobs, sync }, { logger });
    const processActivity = wireBot(
      config,
      { core, jobs, sync, analytics, reclaim, digest, auditSubscriptions, consent: tenantAdmin.consent },
      { logger, cardSyncWaitMs: options.cardSyncWaitMs },
    );
    const http = await wireApi(
      config,
      { core, jobs, sync, analytics, reclaim, digest, auditSubscriptions, processActivity, tenantAdmin, webhooks },
      logger,
      disposals,
    );
    const port = (listeningPort = http.port);

    // After recoverInterrupted(): a result post re-queued from a crash must see its run as interrupted, not running.
    try {
      jobs.runner.start();
    } catch (error) {
      // Re-queuing what a crash left running is a write: on a full disk the app still serves, as the sync does.
      if (!isStorageFull(error)) throw error;
      logger.error(
        { err: error },
        'the job runner could not start: the disk holding DATA_DIR is full. Free space and restart to resume background work.',
      );
    }
    disposals.add('the job runner', () => jobs.runner.stop());
    // Requests a crash left between approval and Graph's answer: their executor runs again (after jobs.start re-queued what was running).
    try {
      const resumed = reclaim.reclaims.resume();
      if (resumed > 0) logger.warn({ requests: resumed }, 'reclaims interrupted by the last stop resume');
    } catch (error) {
      if (!isStorageFull(error)) throw error;
    }
    if (options.schedule !== false) {
      const schedule = scheduleSyncs({
        cronExpression: config.syncCron,
        tenants: core.tenants,
        queue: jobs.runner,
        outbox: jobs.outbox,
        intervalTick: sync.intervalTick,
        logger,
      });
      sync.cron.nextRun = () => schedule.nextCronRun();
      disposals.add('the sync schedule', () => schedule.stop());
    }
    if ((options.digestSchedule ?? options.schedule) !== false) {
      const digestSchedule = scheduleDigests({ digests: digest.service, logger });
      disposals.add('the digest schedule', () => digestSchedule.stop());
    }

    const app: SeatSteward = {
      url: `http://127.0.0.1:${port}`,
      port,
      demoTenant: core.demoTenant,
      async close() {
        const failures = await disposals.disposeAll();
        if (failures.length > 0)
          throw new AggregateError(
            failures.map((f) => f.error),
            `could not close ${failures.map((f) => f.what).join(', ')}`,
          );
      },
    };
    const internals: AppInternals = {
      db: core.db,
      tenants: core.tenants,
      runs: core.runs,
      directory: sync.directory,
      readWorkers: core.readWorkers,
      conversations: core.conversations,
      sync: sync.sync,
      tenantRegistry: core.tenantRegistry,
      outbox: jobs.outbox,
      jobs: jobs.runner,
      usage: sync.usage,
      analytics: analytics.stored,
      prices: analytics.prices,
      exportLinks: analytics.exportLinks,
      concealmentRestored: sync.concealmentRestored,
      digests: digest,
      departments: analytics.departments,
      reclaims: reclaim.reclaims,
      licenceGraphFor: reclaim.licenceGraphFor,
      syncTick: sync.intervalTick,
      httpRoutes: http.routes,
      webhookEventLog: jobs.webhookEventLog,
    };
    return { app, internals };
  } catch (error) {
    for (const failure of await disposals.disposeAll())
      logger.warn({ err: failure.error, part: failure.what }, 'could not close a part of a failed start');
    throw error;
  }
}
