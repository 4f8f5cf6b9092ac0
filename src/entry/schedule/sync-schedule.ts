import cron from 'node-cron';
import type { Logger } from 'pino';
import type { JobQueue } from '../../usecases/outbox/job-runner';
import type { OutboxStore } from '../../usecases/outbox/outbox-store';
import type { TenantReads } from '../../usecases/status/ports';
import { enqueueDueIntervalSyncs, type IntervalSyncDeps } from '../../usecases/sync/interval-syncs';
import { enqueueTenantSyncs, scheduleSlot } from '../../usecases/sync/sync-jobs';

/**
 * The interval tick: queues the syncs of tenants with their own interval whose slot has come. It
 * takes `now` so tests drive the clock; the schedule runs it each minute and once at start.
 */
export function intervalSyncTick(deps: IntervalSyncDeps, logger: Logger): (now: Date) => number[] {
  return (now) => {
    try {
      const queued = enqueueDueIntervalSyncs(deps, now);
      if (queued.length > 0) logger.debug({ trigger: 'interval', jobs: queued }, 'tenant syncs queued');
      return queued;
    } catch (error) {
      logger.error({ err: error }, 'could not queue the tenants due a sync; the next minute tries again');
      return [];
    }
  };
}

/**
 * SYNC_CRON syncs every tenant without an interval of its own; at start, those with an empty
 * cache are synced once. Tenants with an interval are queued by the interval tick, each minute.
 * All of it only queues tenant.sync jobs in the outbox (the job runner syncs, SYNC_CONCURRENCY at
 * a time), keyed by the scheduled slot, so a double tick lands on the same key and a crash
 * mid-sync re-runs the slot at the next start.
 */
export function scheduleSyncs(deps: {
  cronExpression: string;
  tenants: TenantReads;
  queue: JobQueue;
  outbox: Pick<OutboxStore, 'countOpen'>;
  intervalTick: (now: Date) => number[];
  logger: Logger;
}): { stop(): void; nextCronRun(): Date | null } {
  const withSeconds = deps.cronExpression.trim().split(/\s+/).length === 6;
  const enqueue = (trigger: 'schedule' | 'startup', at: Date) => {
    try {
      const queued = enqueueTenantSyncs(deps, {
        trigger,
        slot: scheduleSlot(at, withSeconds),
        onlyNeverSynced: trigger === 'startup',
      });
      if (queued.length > 0) deps.logger.debug({ trigger, jobs: queued }, 'tenant syncs queued');
    } catch (error) {
      deps.logger.error({ err: error, trigger }, 'could not queue the tenant syncs; the next slot tries again');
    }
  };
  const task = cron.schedule(deps.cronExpression, (context) => enqueue('schedule', context.date), {
    name: 'tenant-sync',
    timezone: 'UTC',
  });
  const intervals = cron.schedule('* * * * *', (context) => void deps.intervalTick(context.date), {
    name: 'tenant-sync-intervals',
    timezone: 'UTC',
  });
  enqueue('startup', new Date());
  deps.intervalTick(new Date());
  return {
    stop: () => {
      void task.stop();
      void intervals.stop();
    },
    nextCronRun: () => task.getNextRun(),
  };
}
