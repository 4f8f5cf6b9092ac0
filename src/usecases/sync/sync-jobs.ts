import { z } from 'zod';
import type { SyncRunRecord } from '../../domain/sync-run';
import { PermanentError } from '../outbox/job-errors';
import type { JobQueue } from '../outbox/job-runner';
import { defineJobType, type JobRegistry } from '../outbox/job-type';
import type { OutboxStore } from '../outbox/outbox-store';
import type { TenantReads } from '../status/ports';
import { postSyncResultJob, type SyncResultReport } from './sync-result-report';
import type { SyncRequest } from './sync-service';

/**
 * A scheduled (or start-up) sync of one tenant. Keyed by tenant and schedule slot, so a double
 * tick never syncs a slot twice, and a crash mid-sync re-runs the slot at the next start.
 */
export const tenantSyncJob = defineJobType(
  'tenant.sync',
  z.object({ tenantId: z.string().min(1), trigger: z.enum(['schedule', 'startup']), slot: z.string().min(1) }),
  // A failed sync is recorded as a failed run (with its reason) and the next slot tries again, so
  // attempts only cover the job itself failing. Two at a time keeps memory flat for MSPs with many
  // tenants and leaves the runner's other slots to quick jobs such as result posts.
  { maxAttempts: 3, timeoutMs: 2 * 3_600_000, concurrency: 2 },
);

export interface SyncJobDeps {
  tenants: TenantReads;
  /** SyncService.request: a retry after a lost lease or a crash joins the sync still running. */
  requestSync: (tenantId: string, trigger: 'schedule' | 'startup') => SyncRequest;
  report: SyncResultReport;
  /** After a scheduled sync ends (the daily refresh): its status message to the digest subscriptions. */
  afterScheduledSync?: (run: SyncRunRecord) => void;
}

export function registerSyncJobs(registry: JobRegistry, deps: SyncJobDeps): JobRegistry {
  return registry
    .on(tenantSyncJob, async ({ tenantId, trigger }, ctx) => {
      const tenant = deps.tenants.find(tenantId);
      if (!tenant)
        throw new PermanentError(
          `Tenant ${tenantId} is no longer registered in Seat Steward, so its scheduled sync was dropped.`,
        );
      if (!tenant.syncEnabled) {
        ctx.logger.info({ tenant: tenant.entraTenantId }, 'sync is disabled for this tenant; scheduled sync skipped');
        return;
      }
      const request = deps.requestSync(tenant.id, trigger);
      const run: SyncRunRecord = await request.done;
      ctx.logger.info(
        { tenant: tenant.entraTenantId, syncRun: run.id, status: run.status, joined: request.joined },
        'scheduled sync ended',
      );
      if (trigger === 'schedule') deps.afterScheduledSync?.(run);
    })
    .on(postSyncResultJob, (payload) => deps.report.deliver(payload));
}

/** A schedule slot to the precision the cron expression fires at: "2025-03-01T12:00Z", or with seconds. */
export function scheduleSlot(at: Date, withSeconds: boolean): string {
  return `${at.toISOString().slice(0, withSeconds ? 19 : 16)}Z`;
}

export function tenantSyncKey(tenantId: string, slot: string): string {
  return `sync:${tenantId}:${slot}`;
}

/**
 * Queues a sync of every tenant with sync enabled (only those never synced, at start) for one slot.
 * A tenant whose sync is already queued or running is left to it, as a running sync was joined before.
 */
export function enqueueTenantSyncs(
  deps: { queue: JobQueue; outbox: Pick<OutboxStore, 'countOpen'>; tenants: TenantReads },
  input: { trigger: 'schedule' | 'startup'; slot: string; onlyNeverSynced?: boolean },
): number[] {
  const queued: number[] = [];
  for (const tenant of deps.tenants.list()) {
    if (!tenant.syncEnabled || (input.onlyNeverSynced && tenant.currentSnapshotId !== null)) continue;
    if (deps.outbox.countOpen(tenantSyncJob.kind, tenant.id) > 0) continue;
    const { job, created } = deps.queue.enqueue(
      tenantSyncJob,
      { tenantId: tenant.id, trigger: input.trigger, slot: input.slot },
      { key: tenantSyncKey(tenant.id, input.slot), tenantId: tenant.id },
    );
    if (created) queued.push(job.id);
  }
  return queued;
}
