import { z } from 'zod';
import { holderPhase, nudgeAnswerDecision, UNDECIDED_STATES, type ReclaimTimings } from '../../domain/reclaim';
import { PermanentError } from '../outbox/job-errors';
import type { JobQueue } from '../outbox/job-runner';
import { defineJobType, type JobRegistry } from '../outbox/job-type';
import type { HolderReach, ItemMove, ReclaimCards, ReclaimMessenger, ReclaimStore } from './ports';
import type { ReclaimActor, ReclaimItem, ReclaimRequest } from '../../domain/reclaim-request';
import { SYSTEM_ACTOR } from '../../domain/reclaim-request';
import type { NudgeAnswerOutcome, ReclaimCaller } from './reclaim-api';
import type { NudgeView } from '../../domain/reclaim-request';

export const reclaimNudgeJob = defineJobType('reclaim.nudge', z.object({ requestId: z.string().uuid() }), {
  concurrency: 1,
  maxAttempts: 10,
});
export const reclaimNudgeDeadlineJob = defineJobType(
  'reclaim.nudge-deadline',
  z.object({ requestId: z.string().uuid() }),
  { maxAttempts: 5 },
);
export const reclaimNudgeCardJob = defineJobType(
  'reclaim.nudge-card',
  z.object({ itemId: z.number().int().positive() }),
  { concurrency: 1, maxAttempts: 8 },
);

export interface ReclaimNudgeDeps {
  store: ReclaimStore;
  reach: HolderReach;
  messenger: ReclaimMessenger;
  cards: ReclaimCards;
  queue: JobQueue;
  timings: ReclaimTimings;
  /** A state the approvers see changed: the request card is updated. */
  onChange: (requestId: string) => void;
}

/** May this person answer this seat's question now? (The view asks on the holder's behalf.) */
const answerDecision = (request: ReclaimRequest, item: ReclaimItem, caller: string | undefined, now: Date) =>
  nudgeAnswerDecision({
    callerAadObjectId: caller,
    holderUserId: item.userId,
    state: item.state,
    outcome: item.nudgeOutcome,
    nudgeUntil: request.nudgeUntil,
    now,
  });
const day = (iso: string | null): string => iso?.slice(0, 10) ?? '?';

/**
 * "Keep your seat?": before the approvers decide, each holder is asked 1:1 in Teams. Keep ends the
 * seat's request and keeps the holder out of reclaims for RECLAIM_KEEP_DAYS; Release, no answer by
 * the deadline, or a holder the bot cannot reach moves the seat on to approval, with the reason.
 */
export class ReclaimNudges {
  constructor(private readonly deps: ReclaimNudgeDeps) {}

  register(registry: JobRegistry): JobRegistry {
    return registry
      .on(reclaimNudgeJob, (p, ctx) => this.deliver(p.requestId, new Date(), ctx.signal))
      .on(reclaimNudgeDeadlineJob, async (p) => this.deadline(p.requestId, new Date()))
      .on(reclaimNudgeCardJob, (p) => this.updateCard(p.itemId, new Date()));
  }

  /** A new request that asks its holders first: the questions go out now, the deadline is armed. */
  start(request: ReclaimRequest): void {
    if (!request.nudge || !request.nudgeUntil) return;
    this.deps.queue.enqueue(
      reclaimNudgeJob,
      { requestId: request.id },
      { key: `reclaim-nudge:${request.id}`, tenantId: request.tenantId },
    );
    this.deps.queue.enqueue(
      reclaimNudgeDeadlineJob,
      { requestId: request.id },
      {
        key: `reclaim-nudge-deadline:${request.id}`,
        tenantId: request.tenantId,
        runAfter: new Date(request.nudgeUntil),
      },
    );
  }

  /** The holders' cards follow their seat: a card is sent again only when what it tells the holder changes. */
  followUp(requestId: string): void {
    for (const item of this.deps.store.items(requestId)) {
      const phase = holderPhase(item.state, item.nudgeOutcome);
      if (!item.nudgeActivityId || item.nudgeShown === phase) continue;
      this.deps.queue.enqueue(
        reclaimNudgeCardJob,
        { itemId: item.id },
        { key: `reclaim-nudge-card:${item.id}:${phase}`, tenantId: item.tenantId },
      );
    }
  }

  view(request: ReclaimRequest, item: ReclaimItem, now: Date): NudgeView {
    const kept = item.state === 'kept' ? this.deps.store.keptUntil(item.tenantId, item.userId, item.skuId, now) : null;
    return {
      request,
      item,
      canAnswer: answerDecision(request, item, item.userId, now).allowed,
      keepUntil: kept ?? new Date(now.getTime() + this.deps.timings.keepDays * 86_400_000).toISOString(),
    };
  }

  /**
   * Sends each unasked holder their question. A seat moves to `nudged` only once Teams took the
   * message; a holder the bot cannot reach is recorded as unreachable and goes on to approval.
   */
  async deliver(requestId: string, now: Date, signal?: AbortSignal): Promise<void> {
    const { store } = this.deps;
    const request = store.request(requestId);
    if (!request) throw new PermanentError(`Reclaim request ${requestId} no longer exists.`);
    if (request.nudgeUntil !== null && request.nudgeUntil <= now.toISOString()) return;
    if (request.mode === 'dry-run') {
      this.dryRun(request, now);
      return;
    }
    let changed = false;
    try {
      for (const item of store
        .items(requestId)
        .filter((i) => i.state === 'requested' && i.nudgeOutcome === 'pending')) {
        const route = await this.deps.reach.reach(request.tenantId, item, request.approvalsTarget, signal);
        if (route.kind === 'unreachable') {
          changed = this.unreachable(item, route.reason, now) || changed;
          continue;
        }
        let activityId: string;
        try {
          ({ activityId } = await this.deps.messenger.postCard(
            route.target,
            this.deps.cards.nudge({ ...this.view(request, { ...item, state: 'nudged' }, now), canAnswer: true }, now),
            'reclaim question to the seat holder',
          ));
        } catch (error) {
          // The holder blocked the bot or removed the app: say so and move on; an outage is retried.
          if (!(error instanceof PermanentError)) throw error;
          changed =
            this.unreachable(item, `Teams refused the message to their chat (${error.message})`, now) || changed;
          continue;
        }
        const how =
          route.how === 'installed' ? 'the app was installed for them first' : 'in their chat with Seat Steward';
        const moved = store.move(
          [
            {
              itemId: item.id,
              from: ['requested'],
              to: 'nudged',
              actor: SYSTEM_ACTOR,
              reason: `Asked ${item.userPrincipalName} in Teams (${how}) to keep or release the seat by ${day(request.nudgeUntil)}.`,
              patch: {
                nudgeOutcome: 'pending',
                nudgeTarget: route.target,
                nudgeActivityId: activityId || null,
                nudgeShown: 'asked',
              },
            },
          ],
          now,
        ).moved;
        changed = moved.length > 0 || changed;
      }
    } finally {
      if (changed) this.deps.onChange(requestId);
    }
  }

  private dryRun(request: ReclaimRequest, now: Date): void {
    const why =
      'Dry run: the holder was not asked (nobody is messaged and nothing is installed in a dry run). It goes on to the approvers.';
    const moves: ItemMove[] = this.deps.store
      .items(request.id)
      .filter((i) => i.state === 'requested' && i.nudgeOutcome === 'pending')
      .map((i) => ({
        itemId: i.id,
        from: ['requested'],
        to: 'requested',
        actor: SYSTEM_ACTOR,
        reason: why,
        patch: { nudgeOutcome: 'dry_run', stateReason: why },
      }));
    if (moves.length > 0 && this.deps.store.move(moves, now).moved.length > 0) this.deps.onChange(request.id);
  }

  private unreachable(item: ReclaimItem, reason: string, now: Date): boolean {
    const why = `Could not ask the holder: ${reason} It goes on to the approvers.`;
    return (
      this.deps.store.move(
        [
          {
            itemId: item.id,
            from: ['requested'],
            to: 'requested',
            actor: SYSTEM_ACTOR,
            reason: why,
            patch: { nudgeOutcome: 'unreachable', stateReason: why },
          },
        ],
        now,
      ).moved.length > 0
    );
  }

  /** Time is up: unanswered seats go on to the approvers. */
  deadline(requestId: string, now: Date): void {
    const request = this.deps.store.request(requestId);
    if (!request?.nudgeUntil || request.nudgeUntil > now.toISOString()) return;
    const moves: ItemMove[] = [];
    for (const item of this.deps.store.items(requestId)) {
      if (!UNDECIDED_STATES.includes(item.state) || item.nudgeOutcome !== 'pending') continue;
      const why =
        item.state === 'nudged'
          ? `No answer by ${day(request.nudgeUntil)} (RECLAIM_NUDGE_DAYS): it goes on to the approvers.`
          : `The question could not be sent before ${day(request.nudgeUntil)}: it goes on to the approvers.`;
      moves.push({
        itemId: item.id,
        from: [item.state],
        to: item.state,
        actor: SYSTEM_ACTOR,
        reason: why,
        patch: { nudgeOutcome: item.state === 'nudged' ? 'no_answer' : 'unreachable', stateReason: why },
      });
    }
    if (moves.length > 0 && this.deps.store.move(moves, now).moved.length > 0) this.deps.onChange(requestId);
  }

  /** Keep or Release from the holder's card: only the holder, once, before the deadline. */
  answer(itemId: number, caller: ReclaimCaller, answer: 'keep' | 'release', now: Date): NudgeAnswerOutcome {
    const { store } = this.deps;
    const item = store.item(itemId);
    const request = item && store.request(item.requestId);
    if (!item || !request)
      return { kind: 'refused', view: null, message: 'This question no longer exists. Nothing was changed.' };
    const allowed = answerDecision(request, item, caller.aadObjectId, now);
    if (!allowed.allowed)
      return {
        kind: 'refused',
        view: this.view(request, item, now),
        message: `${allowed.reason} Nothing was changed.`,
      };
    const actor: ReclaimActor = {
      aadObjectId: caller.aadObjectId?.toLowerCase() ?? null,
      name: caller.name ?? item.displayName,
    };
    if (answer === 'keep') {
      const until = new Date(now.getTime() + this.deps.timings.keepDays * 86_400_000);
      const why = `Kept by the holder: not asked again before ${day(until.toISOString())} (RECLAIM_KEEP_DAYS).`;
      const moved = store.move(
        [
          {
            itemId,
            from: ['nudged'],
            to: 'kept',
            actor,
            reason: why,
            patch: { nudgeOutcome: 'kept', stateReason: why, nudgeShown: 'kept' },
          },
        ],
        now,
      ).moved;
      if (moved.length === 0) return this.lostRace(itemId, now);
      store.keep(item.tenantId, item.userId, item.skuId, until, actor, now);
    } else {
      const why = 'Released by the holder: it goes on to the approvers.';
      const moved = store.move(
        [
          {
            itemId,
            from: ['nudged'],
            to: 'nudged',
            actor,
            reason: why,
            patch: { nudgeOutcome: 'released', stateReason: why, nudgeShown: 'released' },
          },
        ],
        now,
      ).moved;
      if (moved.length === 0) return this.lostRace(itemId, now);
    }
    this.deps.onChange(request.id);
    const after = store.item(itemId) as ReclaimItem;
    return {
      kind: 'done',
      view: this.view(store.request(request.id) as ReclaimRequest, after, now),
      message: answer === 'keep' ? 'You kept your seat.' : 'You released your seat.',
    };
  }

  private lostRace(itemId: number, now: Date): NudgeAnswerOutcome {
    const item = this.deps.store.item(itemId) as ReclaimItem;
    const request = this.deps.store.request(item.requestId) as ReclaimRequest;
    return {
      kind: 'refused',
      view: this.view(request, item, now),
      message: 'Your seat was answered for or decided a moment ago. Nothing was changed twice.',
    };
  }

  /** The holder's message, updated in place to the seat's current state. */
  private async updateCard(itemId: number, now: Date): Promise<void> {
    const item = this.deps.store.item(itemId);
    const request = item && this.deps.store.request(item.requestId);
    if (!item || !request || !item.nudgeTarget || !item.nudgeActivityId) return;
    // An earlier job of a later phase may have drawn the current state already.
    const phase = holderPhase(item.state, item.nudgeOutcome);
    if (item.nudgeShown === phase) return;
    await this.deps.messenger.updateCard(
      item.nudgeTarget,
      item.nudgeActivityId,
      this.deps.cards.nudge(this.view(request, item, now), now),
      'reclaim question to the seat holder',
    );
    this.deps.store.markNudgeShown(itemId, phase);
  }
}
