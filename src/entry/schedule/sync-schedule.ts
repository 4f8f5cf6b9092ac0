import cron from 'node-cron';
import type { Logger } from 'pino';
import type { JobQueue } from '../../usecases/outbox/job-runner';
import type { OutboxStore } from '../../usecases/outbox/outbox-store';
import type { TenantReads } from '../../usecases/status/ports';
import { enqueueTenantSyncs, scheduleSlot } from '../../usecases/sync/sync-jobs';

/**
 * SYNC_CRON syncs every tenant; at start, tenants with an empty cache are synced once. Both only
 * queue tenant.sync jobs in the outbox (the job runner syncs), keyed by the cron's scheduled time,
 * so a double tick lands on the same key and a crash mid-sync re-runs the slot at the next start.
 */
export function scheduleSyncs(deps: {
  cronExpression: string;
  tenants: TenantReads;
  queue: JobQueue;
  outbox: Pick<OutboxStore, 'countOpen'>;
  logger: Logger;
}): { stop(): void } {
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
  enqueue('startup', new Date());
  return { stop: () => void task.stop() };
}
