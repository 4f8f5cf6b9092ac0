import { z } from 'zod';
import type { SyncRunRecord } from '../../domain/sync-run';
import { NotReadyError, PermanentError } from '../outbox/job-errors';
import type { JobQueue } from '../outbox/job-runner';
import { defineJobType, type JobRegistry } from '../outbox/job-type';
import type { OutboxStore } from '../outbox/outbox-store';
import type { TenantReads } from '../status/ports';
import { postSyncResultJob, type SyncResultReport } from './sync-result-report';
import type { SyncRequest } from './sync-service';

/** SYNC_CONCURRENCY's default: three syncs at once keep two cores busy without starving the bot. */
export const DEFAULT_SYNC_CONCURRENCY = 3;
/** How long a scheduled sync waits for a free sync slot when it cannot wait for a sync to end. */
const FULL_RETRY_MS = 30_000;

/**
 * A scheduled (or start-up) sync of one tenant. Keyed by tenant and schedule slot, so a double
 * tick never syncs a slot twice, and a crash mid-sync re-runs the slot at the next start.
 */
export const tenantSyncJob = defineJobType(
  'tenant.sync',
  z.object({ tenantId: z.string().min(1), trigger: z.enum(['schedule', 'startup']), slot: z.string().min(1) }),
  // A failed sync is recorded as a failed run (with its reason) and the next slot tries again, so
  // attempts only cover the job itself failing. A few at a time (SYNC_CONCURRENCY, given at
  // registration) keeps memory flat for MSPs with many tenants and leaves the runner's other slots
  // to quick jobs such as result posts; the rest wait in the outbox.
  { maxAttempts: 3, timeoutMs: 2 * 3_600_000, concurrency: DEFAULT_SYNC_CONCURRENCY },
);

export interface SyncJobDeps {
  tenants: TenantReads;
  /** SyncService.request: a retry after a lost lease or a crash joins the sync still running. */
  requestSync: (tenantId: string, trigger: 'schedule' | 'startup') => SyncRequest;
  report: SyncResultReport;
  /** After a scheduled sync ends (the daily refresh): its status message to the digest subscriptions. */
  afterScheduledSync?: (run: SyncRunRecord) => void;
  /** Syncs running at once at most (SYNC_CONCURRENCY), scheduled and asked-for together. */
  concurrency?: number;
  /**
   * Syncs of other tenants running now, whatever asked for them, and a promise that settles when
   * one ends. A scheduled sync finding them at the limit (syncs an admin asked for take slots too)
   * goes back to the outbox without using an attempt, and runs when one ends.
   */
  running?: (tenantId: string) => { count: number; oneEnds: Promise<unknown> | undefined };
}

export function registerSyncJobs(registry: JobRegistry, deps: SyncJobDeps): JobRegistry {
  const limit = deps.concurrency ?? tenantSyncJob.concurrency;
  if (!(Number.isInteger(limit) && limit >= 1))
    throw new Error(`SYNC_CONCURRENCY must be a whole number of at least 1 (got ${limit}).`);
  // The runner's per-kind limit holds the queued syncs back in the outbox: no second queue.
  return registry
    .on({ ...tenantSyncJob, concurrency: limit }, async ({ tenantId, trigger }, ctx) => {
      const tenant = deps.tenants.find(tenantId);
      if (!tenant)
        throw new PermanentError(
          `Tenant ${tenantId} is no longer registered in Seat Steward, so its scheduled sync was dropped.`,
        );
      if (!tenant.syncEnabled) {
        ctx.logger.info({ tenant: tenant.entraTenantId }, 'sync is disabled for this tenant; scheduled sync skipped');
        return;
      }
      const running = deps.running?.(tenant.id);
      if (running && running.count >= limit) {
        throw new NotReadyError(
          `${running.count} syncs are running (SYNC_CONCURRENCY is ${limit}); this one waits for one to end.`,
          { retryAfterMs: FULL_RETRY_MS, until: running.oneEnds },
        );
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
 * Queues a sync of every tenant that follows SYNC_CRON (sync enabled, no interval of its own;
 * only those never synced, at start) for one slot.
 * A tenant whose sync is already queued or running is left to it, as a running sync was joined before.
 */
export function enqueueTenantSyncs(
  deps: { queue: JobQueue; outbox: Pick<OutboxStore, 'countOpen'>; tenants: TenantReads },
  input: { trigger: 'schedule' | 'startup'; slot: string; onlyNeverSynced?: boolean },
): number[] {
  const queued: number[] = [];
  for (const tenant of deps.tenants.list()) {
    if (!tenant.syncEnabled || (input.onlyNeverSynced && tenant.currentSnapshotId !== null)) continue;
    // A tenant with its own interval is queued by the interval tick instead (interval-syncs.ts).
    if (tenant.syncIntervalHours !== null) continue;
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
