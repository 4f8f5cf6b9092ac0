import { z } from 'zod';
import type { AdaptiveCardJson } from '../../domain/conversation';
import type { SyncRunRecord } from '../../domain/sync-run';
import type { TenantRecord } from '../../domain/tenant';
import { ConversationGoneError, type ConversationDirectory, type Notifier } from '../notify/ports';
import { type ConversationTarget } from '../../domain/conversation';
import { NotReadyError, PermanentError } from '../outbox/job-errors';
import type { JobQueue } from '../outbox/job-runner';
import { defineJobType } from '../outbox/job-type';
import type { SyncRunReads, TenantReads } from '../status/ports';

const conversationTarget = z
  .object({ serviceUrl: z.string().url(), conversation: z.object({ id: z.string().min(1) }).passthrough() })
  .passthrough();

/** The result card of a sync a chat asked for, posted into that chat once the sync ends. */
export const postSyncResultJob = defineJobType(
  'post.sync-result',
  z.object({ runId: z.number().int().positive(), target: conversationTarget }),
  { maxAttempts: 10, timeoutMs: 2 * 60_000 },
);

/** A run this process is not running cannot finish by itself (start-up marks such runs interrupted). */
const ORPHAN_RUN_RECHECK_MS = 5_000;
/** Waiting on the sync in process brings the post back at once; this is only the fallback. */
const RUNNING_RECHECK_MS = 60_000;

/** Draws how a sync ended (src/cards/status-cards.ts). */
export interface SyncResultCards {
  result(tenant: TenantRecord, run: SyncRunRecord): AdaptiveCardJson;
}

export interface SyncResultReportDeps {
  tenants: TenantReads;
  runs: Pick<SyncRunReads, 'get'>;
  /** The running sync's outcome, when this process runs it. */
  whenDone: (runId: number) => Promise<SyncRunRecord> | undefined;
  notifier: Notifier;
  cards: SyncResultCards;
  /** A chat Teams calls gone is deactivated, so later posts (digests) skip it. */
  conversations: ConversationDirectory;
  queue: JobQueue;
}

/**
 * Tells the conversation that asked for a sync how it ended. The post is an outbox job queued when
 * the sync is asked for, so it survives a crash (the run is then 'interrupted' and the failure card
 * goes out) and is retried when Teams is busy; one per run and conversation however often it asks.
 */
export class SyncResultReport {
  constructor(private readonly deps: SyncResultReportDeps) {}

  card(run: SyncRunRecord): AdaptiveCardJson {
    const tenant = this.deps.tenants.find(run.tenantId);
    if (!tenant)
      throw new PermanentError(`The tenant of sync run ${run.id} was removed, so its result cannot be shown.`);
    return this.deps.cards.result(tenant, run);
  }

  /** Queues the result post of `run` into `target`; it goes out when the run ends. */
  postWhenDone(run: SyncRunRecord, target: ConversationTarget): void {
    this.deps.queue.enqueue(
      postSyncResultJob,
      { runId: run.id, target },
      { key: `sync-result:${run.id}:${target.conversation.id}`, tenantId: run.tenantId },
    );
  }

  /** The post.sync-result job. Throws what the notifier throws, for the outbox to retry or dead-letter. */
  async deliver(payload: z.output<typeof postSyncResultJob.payload>): Promise<void> {
    const { runId, target } = payload;
    const run = this.deps.runs.get(runId);
    if (!run) throw new PermanentError(`Sync run ${runId} no longer exists, so there is no result to post.`);
    if (run.status === 'running') {
      const done = this.deps.whenDone(runId);
      throw new NotReadyError(`Sync run ${runId} is still running.`, {
        retryAfterMs: done ? RUNNING_RECHECK_MS : ORPHAN_RUN_RECHECK_MS,
        until: done,
      });
    }
    const tenant = this.deps.tenants.find(run.tenantId);
    try {
      await this.deps.notifier.post(
        target as ConversationTarget,
        [this.card(run)],
        `sync result of ${tenant?.tenantName ?? `run ${runId}`}`,
      );
    } catch (error) {
      if (error instanceof ConversationGoneError)
        this.deps.conversations.deactivate({ conversationId: error.conversationId });
      throw error;
    }
  }
}
