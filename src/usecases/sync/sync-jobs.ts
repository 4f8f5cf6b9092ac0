import { z } from 'zod';
import type { SyncRunRecord, SyncRunStore } from '../../adapters/sqlite/sync-runs';
import type { TenantStore } from '../../adapters/sqlite/tenants';
import { renderCard } from '../../cards/render';
import type { ChatPoster, ChatReference } from '../notify/chat-poster';
import { NotReadyError, PermanentError } from '../outbox/job-errors';
import type { JobQueue } from '../outbox/job-runner';
import { defineJobType, type JobRegistry } from '../outbox/job-type';
import type { OutboxStore } from '../outbox/outbox-store';
import { syncResultView } from '../status/status-views';
import type { SyncService } from './sync-service';

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

const chatReference = z
  .object({
    serviceUrl: z.string().url(),
    channelId: z.string().optional(),
    conversation: z.object({ id: z.string().min(1) }).passthrough(),
  })
  .passthrough();

/** The result card of a sync a chat asked for, posted into that chat once the sync ends. */
export const postSyncResultJob = defineJobType(
  'post.sync-result',
  z.object({ runId: z.number().int().positive(), reference: chatReference }),
  { maxAttempts: 10, timeoutMs: 2 * 60_000 },
);

/** A sync run this process is not running cannot finish by itself; start-up marks such runs interrupted. */
const ORPHAN_RUN_RECHECK_MS = 5_000;
/** The in-process wait brings the post back at once; this is only the fallback. */
const RUNNING_RECHECK_MS = 60_000;

export interface SyncJobDeps {
  sync: SyncService;
  runs: SyncRunStore;
  tenants: TenantStore;
  poster: ChatPoster;
}

export function registerSyncJobs(registry: JobRegistry, deps: SyncJobDeps): JobRegistry {
  const { sync, runs, tenants, poster } = deps;
  return registry
    .on(tenantSyncJob, async ({ tenantId, trigger }, ctx) => {
      const tenant = tenants.find(tenantId);
      if (!tenant) throw new PermanentError(`Tenant ${tenantId} is no longer registered in Seat Steward, so its scheduled sync was dropped.`);
      if (!tenant.syncEnabled) {
        ctx.logger.info({ tenant: tenant.tenantId }, 'sync is disabled for this tenant; scheduled sync skipped');
        return;
      }
      // A retry after a lost lease or a crash joins the sync still running instead of starting another.
      const request = sync.request(tenant.id, trigger);
      const run = await request.done;
      ctx.logger.info({ tenant: tenant.tenantId, syncRun: run.id, status: run.status, joined: request.joined }, 'scheduled sync ended');
    })
    .on(postSyncResultJob, async ({ runId, reference }) => {
      const run = runs.get(runId);
      if (!run) throw new PermanentError(`Sync run ${runId} no longer exists, so there is no result to post.`);
      if (run.status === 'running') {
        const done = sync.whenDone(runId);
        throw new NotReadyError(`Sync run ${runId} is still running.`, { retryAfterMs: done ? RUNNING_RECHECK_MS : ORPHAN_RUN_RECHECK_MS, until: done });
      }
      const tenant = tenants.find(run.tenantId);
      if (!tenant) throw new PermanentError(`The tenant of sync run ${runId} was removed, so its result is not posted.`);
      await poster.post(reference, [renderCard('sync-result', syncResultView(tenant, run))], `sync result of ${tenant.tenantName}`);
    });
}

/**
 * Queues the result post of `run` into the chat that asked for it, at request time: it survives a
 * crash, and a chat asking twice while the same sync runs gets one result (one key per run and chat).
 */
export function requestSyncResultPost(queue: JobQueue, run: SyncRunRecord, reference: ChatReference): void {
  queue.enqueue(postSyncResultJob, { runId: run.id, reference }, { key: `sync-result:${run.id}:${reference.conversation.id}`, tenantId: run.tenantId });
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
  deps: { queue: JobQueue; outbox: Pick<OutboxStore, 'countOpen'>; tenants: TenantStore },
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
