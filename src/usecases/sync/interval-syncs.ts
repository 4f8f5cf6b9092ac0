import {
  nextIntervalSync,
  failuresSince,
  syncHealth,
  SYNC_HEALTH_WINDOW,
  type SyncHealth,
} from '../../domain/sync-schedule';
import type { TenantRecord } from '../../domain/tenant';
import type { JobQueue } from '../outbox/job-runner';
import type { OutboxStore } from '../outbox/outbox-store';
import type { TenantReads } from '../status/ports';
import type { SyncHistoryReads } from './ports';
import { scheduleSlot, tenantSyncJob, tenantSyncKey } from './sync-jobs';

/**
 * Tenants with their own sync interval (tenants.sync_interval_hours): the periodic tick queues a
 * tenant.sync job for each one whose slot has come (domain rule nextIntervalSync: spread offset,
 * backoff after failures), and the health every route and card shows is read the same way.
 * Tenants without an interval follow SYNC_CRON (enqueueTenantSyncs).
 */

export interface IntervalSyncDeps {
  tenants: TenantReads;
  history: SyncHistoryReads;
  queue: JobQueue;
  outbox: Pick<OutboxStore, 'countOpen'>;
}

function recentRuns(history: SyncHistoryReads, tenant: TenantRecord) {
  const lastSuccess = tenant.currentSnapshotId === null ? undefined : history.get(tenant.currentSnapshotId);
  const since = history.since(tenant.id, tenant.currentSnapshotId, SYNC_HEALTH_WINDOW);
  return { lastSuccess, since };
}

/**
 * Queues the scheduled sync of every interval tenant that is due at `now`, keyed by its slot: a
 * second tick in the same slot, or a restart, lands on the same job. A tenant whose sync is
 * already queued or running is left to it, so a tenant waiting for a free sync slot is not queued
 * twice. Returns the ids of the jobs created.
 */
export function enqueueDueIntervalSyncs(deps: IntervalSyncDeps, now: Date): number[] {
  const queued: number[] = [];
  for (const tenant of deps.tenants.list()) {
    if (!tenant.syncEnabled || tenant.syncIntervalHours === null) continue;
    const { lastSuccess, since } = recentRuns(deps.history, tenant);
    const slot = nextIntervalSync(
      {
        tenantId: tenant.id,
        intervalHours: tenant.syncIntervalHours,
        lastStart: since[0]?.startedAt ?? lastSuccess?.startedAt,
        consecutiveFailures: failuresSince(since).count,
      },
      now,
    );
    if (slot.getTime() > now.getTime()) continue;
    if (deps.outbox.countOpen(tenantSyncJob.kind, tenant.id) > 0) continue;
    const slotText = scheduleSlot(slot, false);
    const { job, created } = deps.queue.enqueue(
      tenantSyncJob,
      { tenantId: tenant.id, trigger: 'schedule', slot: slotText },
      { key: tenantSyncKey(tenant.id, slotText), tenantId: tenant.id },
    );
    if (created) queued.push(job.id);
  }
  return queued;
}

/** A tenant's sync health: state, last success, consecutive failures and their reason, next sync. */
export function tenantSyncHealth(
  deps: { history: SyncHistoryReads; nextCronRun: () => Date | null },
  tenant: TenantRecord,
  now: Date,
): SyncHealth {
  const { lastSuccess, since } = recentRuns(deps.history, tenant);
  return syncHealth({ tenant, lastSuccess, since, nextCronRun: deps.nextCronRun() }, now);
}
