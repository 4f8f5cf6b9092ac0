import cron from 'node-cron';
import type { Logger } from 'pino';
import type { TenantStore } from '../../adapters/sqlite/tenants';
import type { JobQueue } from '../../usecases/outbox/job-runner';
import type { OutboxStore } from '../../usecases/outbox/outbox-store';
import { enqueueTenantSyncs, scheduleSlot } from '../../usecases/sync/sync-jobs';

export interface SyncScheduleDeps {
  /** node-cron syntax, UTC; 6 fields when it fires by the second. */
  expression: string;
  queue: JobQueue;
  outbox: Pick<OutboxStore, 'countOpen'>;
  tenants: TenantStore;
  logger: Logger;
}

/**
 * SYNC_CRON and the start-up sync of never-synced tenants, as tenant.sync jobs in the outbox: the
 * cron only queues, the job runner syncs. Slots are the cron's scheduled times, so a double tick
 * lands on the same idempotency key.
 */
export function startSyncSchedule(deps: SyncScheduleDeps): { stop(): void } {
  const withSeconds = deps.expression.trim().split(/\s+/).length === 6;
  const enqueue = (trigger: 'schedule' | 'startup', at: Date) => {
    try {
      const queued = enqueueTenantSyncs(deps, { trigger, slot: scheduleSlot(at, withSeconds), onlyNeverSynced: trigger === 'startup' });
      if (queued.length > 0) deps.logger.debug({ trigger, jobs: queued }, 'tenant syncs queued');
    } catch (error) {
      deps.logger.error({ err: error, trigger }, 'could not queue the tenant syncs; the next slot tries again');
    }
  };
  const task = cron.schedule(deps.expression, (context) => enqueue('schedule', context.date), { name: 'tenant-sync', timezone: 'UTC' });
  enqueue('startup', new Date());
  return { stop: () => void task.stop() };
}
