import { z } from 'zod';
import {
  approvalCovers,
  approverDecision,
  modeRefusal,
  SEATS_PER_REQUEST,
  EXECUTING_STATES,
  undoable,
  MAX_SEATS_PER_REQUEST,
  UNDECIDED_STATES,
  waitingForHolders,
  seatMarkKey,
  seatReclaimMark,
  type SeatReclaimMark,
  type ApproverRules,
  type ReclaimMode,
  type ReclaimTimings,
} from '../../domain/reclaim';
import type { SkuPrice } from '../../domain/seat-savings';
import type { StoredSeat } from '../../domain/seat-records';
import type { ConversationTarget } from '../../domain/conversation';
import { PermanentError } from '../outbox/job-errors';
import type { JobQueue } from '../outbox/job-runner';
import { defineJobType, type JobRegistry } from '../outbox/job-type';
import type {
  ApproveInput,
  DecisionOutcome,
  NudgeAnswerOutcome,
  ReclaimApi,
  ReclaimCaller,
  ReclaimRequestInput,
  ReclaimRequestOutcome,
  UndoOutcome,
} from './reclaim-api';
import type { ReclaimView } from '../../domain/reclaim-request';
import { ReclaimExecutor, type ExecutorDeps } from './reclaim-executor';
import type {
  HolderReach,
  NewReclaimItem,
  ReclaimCards,
  ReclaimHistoryQuery,
  ReclaimMessenger,
  ReclaimSeatReads,
  ReclaimStore,
  TeamsUserIds,
} from './ports';
import type { ReclaimActor, ReclaimItem, ReclaimRequest } from '../../domain/reclaim-request';
import { SYSTEM_ACTOR } from '../../domain/reclaim-request';
import { ReclaimNudges } from './reclaim-nudges';

export const reclaimCardJob = defineJobType('reclaim.card', z.object({ requestId: z.string().uuid() }), {
  concurrency: 1,
  maxAttempts: 10,
});
export const reclaimExecuteJob = defineJobType('reclaim.execute', z.object({ requestId: z.string().uuid() }), {
  concurrency: 2,
  maxAttempts: 12,
  timeoutMs: 15 * 60_000,
});
export const reclaimUndoJob = defineJobType(
  'reclaim.undo',
  // `by`: who asked for the undo, for the trail (absent in jobs queued before it was recorded).
  z.object({
    itemId: z.number().int().positive(),
    by: z.object({ aadObjectId: z.string().nullable(), name: z.string().nullable() }).optional(),
  }),
  { concurrency: 2, maxAttempts: 8 },
);
export const reclaimExpireJob = defineJobType('reclaim.expire', z.object({ requestId: z.string().uuid() }), {
  maxAttempts: 5,
});

export interface ReclaimServiceDeps extends Omit<ExecutorDeps, 'onChange'> {
  seats: ReclaimSeatReads;
  priceFor: (tenantId: string) => (skuId: string) => SkuPrice | null;
  queue: JobQueue;
  rules: ApproverRules;
  timings: ReclaimTimings;
  mode: () => ReclaimMode;
  messenger: ReclaimMessenger;
  cards: ReclaimCards;
  teamsUsers: TeamsUserIds;
  /** How the holders are reached 1:1 for the nudge. */
  reach: HolderReach;
  /** RECLAIM_NUDGE: ask the holders first unless the request says otherwise. */
  nudgeByDefault: boolean;
  /** The best candidates for a seat, best first (the analytics' ranking), for "Reclaim and give to …". */
  candidates: (
    tenantId: string,
    limit: number,
  ) => Array<{ userId: string; userPrincipalName: string; displayName: string | null }>;
  /** The UPN of an Entra object id in the synced directory (approvers may be listed by UPN). */
  upnOf: (aadObjectId: string) => string | undefined;
  /**
   * Licences changed in the tenant (a removal, a seat given, an undo): a sync re-reads it, so status,
   * savings and the idle lists reflect the change at once instead of at the next scheduled sync.
   */
  licencesChanged?: (tenantId: string) => void;
  /** Approvers and admins may be configured by UPN: the directory gives their object ids. */
  objectIdOf: (userPrincipalName: string) => string | undefined;
  /**
   * Access per MSP client: whether the caller may reach a tenant at all (a request of a tenant they
   * may not see does not exist for them), and the technicians who approve there besides
   * RECLAIM_APPROVERS (else ADMINS). Absent: every caller reaches every tenant, as with one organisation.
   */
  access?: {
    reaches(caller: ReclaimCaller, tenantId: string): boolean;
    approversOf(tenantId: string): string[];
  };
}

const actorOf = (caller: ReclaimCaller): ReclaimActor => ({
  aadObjectId: caller.aadObjectId?.toLowerCase() ?? null,
  name: caller.name ?? null,
});

/**
 * The reclaim workflow: requests from the current analytics, approval under the two-person rule,
 * then the executor's re-check and removal through the outbox. Every entry re-checks on the
 * server who is asking and what state the request is in, so a stale or forged card does nothing.
 */
export class ReclaimService implements ReclaimApi {
  readonly executor: ReclaimExecutor;
  private readonly nudges: ReclaimNudges;

  constructor(private readonly deps: ReclaimServiceDeps) {
    this.executor = new ReclaimExecutor({ ...deps, onChange: (requestId) => this.queueCard(requestId) });
    this.nudges = new ReclaimNudges({ ...deps, onChange: (requestId) => this.queueCard(requestId) });
  }

  register(registry: JobRegistry): JobRegistry {
    return this.nudges
      .register(registry)
      .on(reclaimCardJob, (p) => this.deliverCard(p.requestId))
      .on(reclaimExecuteJob, async (p, ctx) => {
        await this.executor.execute(p.requestId, ctx.signal);
        const request = this.deps.store.request(p.requestId);
        if (request?.mode === 'on' && this.deps.store.items(p.requestId).some((i) => i.state === 'removed'))
          this.deps.licencesChanged?.(request.tenantId);
      })
      .on(reclaimUndoJob, async (p, ctx) => {
        await this.executor.undo(p.itemId, p.by ?? SYSTEM_ACTOR, ctx.signal);
        const item = this.deps.store.item(p.itemId);
        if (item?.state === 'undone') this.deps.licencesChanged?.(item.tenantId);
      })
      .on(reclaimExpireJob, async (p) => this.expire(p.requestId, new Date()));
  }

  mode(): ReclaimMode {
    return this.deps.mode();
  }

  /** At start: requests a crash left between approval and Graph's answer get their executor job again. */
  resume(): number {
    let queued = 0;
    for (const requestId of this.deps.store.executing()) {
      const request = this.deps.store.request(requestId);
      if (!request) continue;
      if (
        this.deps.queue.enqueue(
          reclaimExecuteJob,
          { requestId },
          { key: `reclaim-execute:${requestId}:v${request.version}`, tenantId: request.tenantId },
        ).created
      )
        queued++;
    }
    return queued;
  }

  async request(input: ReclaimRequestInput, now: Date): Promise<ReclaimRequestOutcome> {
    const mode = this.deps.mode();
    if (mode === 'off')
      return {
        kind: 'refused',
        reason:
          'Reclaims are off (RECLAIM_MODE=off). Set RECLAIM_MODE=dry-run to walk the workflow without changing anything, or on to remove seats.',
      };
    if (!input.caller.aadObjectId)
      return {
        kind: 'refused',
        reason:
          'Teams did not say who you are (no Entra object id), so the request could not be recorded with its requester.',
      };
    if (!this.reaches(input.caller, input.tenantId))
      return { kind: 'refused', reason: 'Seat Steward does not know this tenant (it may have been removed).' };
    const notAdded: Array<{ user: string; reason: string }> = [];
    let seats: StoredSeat[];
    let snapshotId: number;
    if (input.pick.tier) {
      const found = this.deps.seats.reclaimable(input.tenantId, input.pick.tier, MAX_SEATS_PER_REQUEST);
      if (!found)
        return {
          kind: 'refused',
          reason: 'This tenant has no seat analytics yet: type **sync**, wait for the result, then ask again.',
        };
      ({ seats, snapshotId } = found);
    } else {
      const users = (input.pick.users ?? []).map((u) => u.trim()).filter((u) => u !== '');
      if (users.length === 0) return { kind: 'refused', reason: 'Name at least one seat holder (UPN or object id).' };
      if (users.length > MAX_SEATS_PER_REQUEST)
        return { kind: 'refused', reason: `At most ${MAX_SEATS_PER_REQUEST} seats per request.` };
      const found = this.deps.seats.seatsOf(input.tenantId, users);
      if (!found)
        return {
          kind: 'refused',
          reason: 'This tenant has no seat analytics yet: type **sync**, wait for the result, then ask again.',
        };
      ({ seats, snapshotId } = found);
      for (const u of found.unknown) notAdded.push({ user: u, reason: 'holds no Copilot seat in the latest sync' });
    }
    const price = this.deps.priceFor(input.tenantId);
    const items: NewReclaimItem[] = [];
    for (const seat of seats) {
      const who = seat.userPrincipalName;
      if (seat.recommendation !== 'reclaim') {
        notAdded.push({
          user: who,
          reason: `not idle enough to reclaim (${seat.status}${seat.reasons[0] ? `: ${seat.reasons[0]}` : ''})`,
        });
        continue;
      }
      const kept = this.deps.store.keptUntil(input.tenantId, seat.userId, seat.skuId, now);
      if (kept) {
        notAdded.push({ user: who, reason: `chose to keep the seat, until ${kept.slice(0, 10)}` });
        continue;
      }
      const group = seat.groups[0];
      const p = price(seat.skuId);
      items.push({
        userId: seat.userId.toLowerCase(),
        userPrincipalName: seat.userPrincipalName,
        displayName: seat.displayName,
        skuId: seat.skuId.toLowerCase(),
        skuName: seat.skuPartNumber,
        // Direct and through a group: recorded as the group seat it is, with the direct assignment too, so the card shows both and offers the group choice.
        assignment: !group
          ? { via: 'direct' }
          : { via: 'group', groupId: group.groupId, groupName: group.displayName, alsoDirect: seat.direct },
        evidence: {
          lastActivityDate: seat.lastActivityDate,
          lastActivitySource: seat.lastActivitySource,
          lastActivityAsOf: seat.lastActivityAsOf,
          daysSinceLastActivity: seat.daysSinceLastActivity,
          tier: seat.tier,
          reasons: seat.reasons,
          accountEnabled: seat.accountEnabled,
          snapshotId,
        },
        monthlySaving: p ? p.amount : null,
        currency: p?.currency ?? 'USD',
        reassignCandidate: null,
      });
    }
    if (items.length === 0) return { kind: 'nothing', notAdded };
    this.offerCandidates(input.tenantId, items);
    const nudge = input.nudge ?? this.deps.nudgeByDefault;
    const nudgeUntil = nudge ? new Date(now.getTime() + this.deps.timings.nudgeDays * 86_400_000) : null;
    const requests: ReclaimRequest[] = [];
    const createdItems: ReclaimItem[] = [];
    // One request per SEATS_PER_REQUEST seats: each card lists every seat its Approve acts on.
    for (let start = 0; start < items.length; start += SEATS_PER_REQUEST) {
      const created = this.deps.store.create(
        {
          tenantId: input.tenantId,
          mode,
          source: input.source,
          requestedBy: actorOf(input.caller),
          nudge,
          nudgeUntil,
          // The approvers' time starts when the holders' ends.
          expiresAt: new Date((nudgeUntil ?? now).getTime() + this.deps.timings.expireDays * 86_400_000),
          approvalsTarget: this.deps.store.approvals(input.tenantId) ?? input.replyTarget,
          items: items.slice(start, start + SEATS_PER_REQUEST),
        },
        now,
      );
      for (const open of created.alreadyOpen)
        notAdded.push({ user: open.userPrincipalName, reason: 'already in another open request' });
      if (!created.request) continue;
      requests.push(created.request);
      createdItems.push(...created.items);
      this.queueCard(created.request.id);
      this.nudges.start(created.request);
      this.deps.queue.enqueue(
        reclaimExpireJob,
        { requestId: created.request.id },
        {
          key: `reclaim-expire:${created.request.id}`,
          tenantId: input.tenantId,
          runAfter: new Date(created.request.expiresAt),
        },
      );
    }
    if (requests.length === 0) return { kind: 'nothing', notAdded };
    return { kind: 'created', requests, items: createdItems, notAdded };
  }

  /**
   * Each seat is offered to the next best candidate not offered one already (by an open request or
   * by an earlier seat of this one), and never to someone whose seat this request takes back.
   */
  private offerCandidates(tenantId: string, items: NewReclaimItem[]): void {
    const taken = this.deps.store.offeredCandidates(tenantId);
    for (const item of items) taken.add(item.userId.toLowerCase());
    const ranked = this.deps.candidates(tenantId, items.length + taken.size);
    let next = 0;
    for (const item of items) {
      while (next < ranked.length && taken.has((ranked[next] as { userId: string }).userId.toLowerCase())) next++;
      const candidate = ranked[next];
      if (!candidate) return;
      next++;
      item.reassignCandidate = {
        userId: candidate.userId.toLowerCase(),
        userPrincipalName: candidate.userPrincipalName,
        displayName: candidate.displayName,
      };
    }
  }

  view(requestId: string, caller: ReclaimCaller, now: Date): ReclaimView | undefined {
    const request = this.deps.store.request(requestId);
    if (!request || !this.reaches(caller, request.tenantId)) return undefined;
    return this.viewOf(request, this.deps.store.items(requestId), caller, now);
  }

  /** The view everyone in the approvals conversation sees (no rights): what the posted card shows. */
  publicView(requestId: string, now: Date): ReclaimView | undefined {
    return this.view(requestId, { aadObjectId: undefined, name: undefined }, now);
  }

  approve(input: ApproveInput, now: Date): DecisionOutcome {
    const actor = actorOf(input.caller);
    const leftOut = `Left out by ${input.caller.name ?? 'the approver'} before approving the rest.`;
    return this.decide(
      input.requestId,
      input.caller,
      'approved',
      now,
      (items) =>
        items.map((item) =>
          input.drop.includes(item.id)
            ? {
                itemId: item.id,
                from: UNDECIDED_STATES,
                to: 'rejected' as const,
                actor,
                reason: leftOut,
                patch: { stateReason: leftOut },
              }
            : {
                itemId: item.id,
                from: UNDECIDED_STATES,
                to: 'approved' as const,
                actor,
                reason: 'Approved.',
                patch: {
                  removeFromGroup: item.assignment.via === 'group' && input.removeFromGroup.includes(item.id),
                  // Only an offered candidate can be chosen: the card's toggles name items, never people.
                  reassignState:
                    item.reassignTo !== null && input.reassign.includes(item.id) ? ('pending' as const) : null,
                },
              },
        ),
      input,
    );
  }

  cancel(requestId: string, caller: ReclaimCaller, now: Date): DecisionOutcome {
    const request = this.deps.store.request(requestId);
    if (!request || !this.reaches(caller, request.tenantId))
      return {
        kind: 'refused',
        view: null,
        message: 'This reclaim request does not exist (the card may come from another Seat Steward, or was altered).',
      };
    const view = this.viewOf(request, this.deps.store.items(requestId), caller, now);
    if (request.decision !== null)
      return {
        kind: 'already',
        view,
        message: `Already ${request.decision} by ${request.decidedBy?.name ?? 'someone'}. Nothing was cancelled.`,
      };
    if (!view.rights.canCancel)
      return {
        kind: 'refused',
        view,
        message: 'Only the person who asked for this reclaim can cancel it, before anyone decides.',
      };
    const actor = actorOf(caller);
    if (!this.deps.store.decide(requestId, 'rejected', actor, now)) {
      const fresh = this.deps.store.request(requestId) as ReclaimRequest;
      return {
        kind: 'already',
        view: this.viewOf(fresh, this.deps.store.items(requestId), caller, now),
        message: `Already ${fresh.decision} by ${fresh.decidedBy?.name ?? 'someone'}.`,
      };
    }
    const why = `Cancelled by ${caller.name ?? 'the requester'}, who asked for it.`;
    const ready = this.deps.store.items(requestId).filter((i) => UNDECIDED_STATES.includes(i.state));
    this.deps.store.move(
      ready.map((i) => ({
        itemId: i.id,
        from: UNDECIDED_STATES,
        to: 'rejected' as const,
        actor,
        reason: why,
        patch: { stateReason: why },
      })),
      now,
    );
    this.queueCard(requestId);
    return {
      kind: 'done',
      view: this.viewOf(
        this.deps.store.request(requestId) as ReclaimRequest,
        this.deps.store.items(requestId),
        caller,
        now,
      ),
    };
  }

  repostPending(tenantId: string, target: ConversationTarget, now: Date): number {
    let posted = 0;
    for (const id of this.deps.store.undecided(tenantId, now)) {
      // Posted anew (cardActivityId cleared) in this chat, and updated here from now on.
      this.deps.store.moveCard(id, target);
      this.queueCard(id);
      posted++;
    }
    return posted;
  }

  reject(requestId: string, caller: ReclaimCaller, reason: string | null, now: Date): DecisionOutcome {
    return this.decide(
      requestId,
      caller,
      'rejected',
      now,
      (items) =>
        items.map((item) => ({
          itemId: item.id,
          from: UNDECIDED_STATES,
          to: 'rejected' as const,
          actor: actorOf(caller),
          reason: reason ?? 'Rejected.',
        })),
      null,
    );
  }

  answerNudge(itemId: number, caller: ReclaimCaller, answer: 'keep' | 'release', now: Date): NudgeAnswerOutcome {
    return this.nudges.answer(itemId, caller, answer, now);
  }

  undo(itemId: number, caller: ReclaimCaller, now: Date): UndoOutcome {
    const item = this.deps.store.item(itemId);
    const request = item && this.deps.store.request(item.requestId);
    if (!item || !request || !this.reaches(caller, request.tenantId))
      return { kind: 'unknown', message: 'This reclaim no longer exists.', view: null };
    const view = this.viewOf(request, this.deps.store.items(request.id), caller, now);
    const allowed = approverDecision(this.decider(caller), null, {
      ...this.rulesFor(request.tenantId),
      twoPersonRule: false,
    });
    if (!allowed.allowed) return { kind: 'refused', message: allowed.reason, view };
    return { ...this.queueUndo(item, request, actorOf(caller), now), view };
  }

  undoHolder(tenantId: string, user: string, caller: ReclaimCaller, now: Date): UndoOutcome[] {
    if (!this.reaches(caller, tenantId)) return [];
    const allowed = approverDecision(this.decider(caller), null, { ...this.rulesFor(tenantId), twoPersonRule: false });
    if (!allowed.allowed) return [{ kind: 'refused', message: allowed.reason, view: null }];
    const removed = this.deps.store.history({ tenantId, user, state: 'removed', offset: 0, limit: 100 }).items;
    return removed.map((item) => {
      const request = this.deps.store.request(item.requestId) as ReclaimRequest;
      return { ...this.queueUndo(item, request, actorOf(caller), now), view: null };
    });
  }

  undoByApi(tenantId: string, itemId: number, now: Date): UndoOutcome {
    const item = this.deps.store.item(itemId);
    const request = item && this.deps.store.request(item.requestId);
    if (!item || !request || item.tenantId !== tenantId)
      return { kind: 'unknown', message: `Reclaim item ${itemId} does not exist in this tenant.`, view: null };
    return { ...this.queueUndo(item, request, { aadObjectId: null, name: 'REST API' }, now), view: null };
  }

  /** Every way to undo ends here: the same checks, and the person (or the REST API) who asked goes with the job into the trail. */
  private queueUndo(
    item: ReclaimItem,
    request: ReclaimRequest,
    by: ReclaimActor,
    now: Date,
  ): { kind: UndoOutcome['kind']; message: string } {
    if (item.state === 'undone')
      return { kind: 'already', message: `${item.userPrincipalName}'s seat was already given back.` };
    if (item.state !== 'removed')
      return {
        kind: 'refused',
        message: `${item.userPrincipalName}'s seat was not removed (it is ${item.state}), so there is nothing to undo.`,
      };
    if (request.mode !== 'on')
      return {
        kind: 'refused',
        message: `${item.userPrincipalName}'s seat was only removed in a dry run, so there is nothing to give back.`,
      };
    if (item.reassignState === 'assigned' || item.reassignState === 'assigning' || item.reassignState === 'pending') {
      const to = item.reassignTo?.displayName ?? item.reassignTo?.userPrincipalName ?? 'the candidate';
      return {
        kind: 'refused',
        message: `${item.userPrincipalName}'s seat was given to ${to}, so Undo cannot give it back. Assign ${item.userPrincipalName} another seat in the admin center if needed.`,
      };
    }
    if (!undoable(item, now)) {
      return {
        kind: 'refused',
        message: `The undo window (RECLAIM_UNDO_DAYS) for ${item.userPrincipalName} closed on ${item.undoUntil?.slice(0, 10) ?? '?'}. Assign the licence again in the admin center if needed.`,
      };
    }
    const job = this.deps.queue.enqueue(
      reclaimUndoJob,
      { itemId: item.id, by },
      { key: `reclaim-undo:${item.id}:${item.undoError ? now.getTime() : 'first'}`, tenantId: request.tenantId },
    );
    return {
      kind: job.created ? 'queued' : 'already',
      message: job.created
        ? `Giving ${item.userPrincipalName}'s seat back…`
        : `The undo of ${item.userPrincipalName}'s seat is already under way.`,
    };
  }

  history(query: ReclaimHistoryQuery) {
    return this.deps.store.history(query);
  }

  marks(
    tenantId: string,
    seats: ReadonlyArray<{ userId: string; skuId: string }>,
    analyticsAsOf: string,
  ): Map<string, SeatReclaimMark> {
    const marks = new Map<string, SeatReclaimMark>();
    if (seats.length === 0) return marks;
    const latest = this.deps.store.latestItems(
      tenantId,
      seats.map((s) => s.userId),
    );
    for (const seat of seats) {
      const key = seatMarkKey(seat);
      const item = latest.get(key);
      const mark = item ? seatReclaimMark(item, analyticsAsOf) : null;
      if (mark) marks.set(key, mark);
    }
    return marks;
  }

  freed(tenantId: string) {
    return this.deps.store.freed(tenantId);
  }

  setApprovalsConversation(tenantId: string, target: ConversationTarget, by: ReclaimActor, now: Date): void {
    this.deps.store.setApprovals(tenantId, target, by, now);
  }

  approvalsConversation(tenantId: string): ConversationTarget | undefined {
    return this.deps.store.approvals(tenantId);
  }

  /** The holders' time is up (the nudge-deadline job): unanswered seats go on to the approvers. */
  nudgeDeadline(requestId: string, now: Date): void {
    this.nudges.deadline(requestId, now);
  }

  /** Request expiry: whatever is still undecided expires, with the reason. */
  expire(requestId: string, now: Date): void {
    const request = this.deps.store.request(requestId);
    if (!request || request.decision !== null || request.expiresAt > now.toISOString()) return;
    const items = this.deps.store.items(requestId).filter((i) => UNDECIDED_STATES.includes(i.state));
    const { moved } = this.deps.store.move(
      items.map((i) => ({
        itemId: i.id,
        from: UNDECIDED_STATES,
        to: 'expired' as const,
        actor: SYSTEM_ACTOR,
        reason: `Nobody decided within ${this.deps.timings.expireDays} days (RECLAIM_EXPIRE_DAYS).`,
      })),
      now,
    );
    if (moved.length > 0) this.queueCard(requestId);
  }

  private reaches(caller: ReclaimCaller, tenantId: string): boolean {
    return this.deps.access?.reaches(caller, tenantId) ?? true;
  }

  /** RECLAIM_APPROVERS (else ADMINS), plus the technicians granted approval for the tenant's MSP client. */
  private rulesFor(tenantId: string): ApproverRules {
    const extra = this.deps.access?.approversOf(tenantId) ?? [];
    if (extra.length === 0) return this.deps.rules;
    const base = this.deps.rules.approvers.length > 0 ? this.deps.rules.approvers : this.deps.rules.admins;
    return { ...this.deps.rules, approvers: [...new Set([...base, ...extra])] };
  }

  private decider(caller: ReclaimCaller) {
    return {
      aadObjectId: caller.aadObjectId,
      userPrincipalName: caller.aadObjectId ? this.deps.upnOf(caller.aadObjectId) : undefined,
    };
  }

  private decide(
    requestId: string,
    caller: ReclaimCaller,
    decision: 'approved' | 'rejected',
    now: Date,
    moves: (items: ReclaimItem[]) => Parameters<ReclaimStore['move']>[0],
    approval: Pick<ApproveInput, 'shown' | 'drop'> | null,
  ): DecisionOutcome {
    const request = this.deps.store.request(requestId);
    if (!request || !this.reaches(caller, request.tenantId))
      return {
        kind: 'refused',
        view: null,
        message: 'This reclaim request does not exist (the card may come from another Seat Steward, or was altered).',
      };
    const view = this.viewOf(request, this.deps.store.items(requestId), caller, now);
    if (request.decision !== null) {
      return {
        kind: 'already',
        view,
        message: `Already ${request.decision} by ${request.decidedBy?.name ?? 'someone'} on ${request.decidedAt?.slice(0, 16).replace('T', ' ')} UTC. Nothing was done twice.`,
      };
    }
    if (!view.rights.canDecide)
      return { kind: 'refused', view, message: view.rights.why ?? 'You may not decide this request.' };
    if (approval) {
      if (view.rights.approveBlocked) return { kind: 'refused', view, message: view.rights.approveBlocked };
      const undecided = view.items.filter((i) => UNDECIDED_STATES.includes(i.state)).map((i) => i.id);
      const covered = approvalCovers(approval.shown, undecided);
      if (!covered.covers) {
        return {
          kind: 'refused',
          view,
          message: `The card you pressed did not show ${covered.unseen} of the seats waiting for a decision, so nothing was approved: press Review for the current card.`,
        };
      }
      if (undecided.every((id) => approval.drop.includes(id)))
        return { kind: 'refused', view, message: 'You left out every seat: press Reject instead.' };
    }
    const actor = actorOf(caller);
    // One winner: two approvers pressing at once, or a double click, decide once.
    if (!this.deps.store.decide(requestId, decision, actor, now)) {
      const fresh = this.deps.store.request(requestId) as ReclaimRequest;
      return {
        kind: 'already',
        view: this.viewOf(fresh, this.deps.store.items(requestId), caller, now),
        message: `Already ${fresh.decision} by ${fresh.decidedBy?.name ?? 'someone'}.`,
      };
    }
    const ready = this.deps.store.items(requestId).filter((i) => UNDECIDED_STATES.includes(i.state));
    this.deps.store.move(moves(ready), now);
    if (decision === 'approved') {
      const fresh = this.deps.store.request(requestId) as ReclaimRequest;
      this.deps.queue.enqueue(
        reclaimExecuteJob,
        { requestId },
        { key: `reclaim-execute:${requestId}:v${fresh.version}`, tenantId: request.tenantId },
      );
    }
    this.queueCard(requestId);
    const after = this.deps.store.request(requestId) as ReclaimRequest;
    return { kind: 'done', view: this.viewOf(after, this.deps.store.items(requestId), caller, now) };
  }

  private viewOf(request: ReclaimRequest, items: ReclaimItem[], caller: ReclaimCaller, now: Date): ReclaimView {
    const undecided = items.some((i) => UNDECIDED_STATES.includes(i.state));
    // A removed seat still being given to its candidate is part of the work under way.
    const executing = items.some(
      (i) => EXECUTING_STATES.includes(i.state) || i.reassignState === 'pending' || i.reassignState === 'assigning',
    );
    const holdersFirst = request.nudge && waitingForHolders(items, request.nudgeUntil, now);
    const phase: ReclaimView['phase'] =
      request.decision === null && undecided
        ? holdersFirst
          ? 'awaiting_holders'
          : 'awaiting_approval'
        : executing
          ? 'executing'
          : 'done';
    const anonymous = !caller.aadObjectId;
    // One directory lookup of the caller's UPN for the three rules below.
    const decider = this.decider(caller);
    // One read of the tenant's approvers (grants included) for every rule of this view.
    const rules = this.rulesFor(request.tenantId);
    const decision = anonymous
      ? { allowed: false as const, reason: '' }
      : approverDecision(decider, request.requestedBy.aadObjectId, rules);
    const mayUndo = anonymous ? false : approverDecision(decider, null, { ...rules, twoPersonRule: false }).allowed;
    const canDecide = phase === 'awaiting_approval' && decision.allowed;
    const why =
      phase === 'awaiting_holders'
        ? `The holders are asked first: approval opens when each has answered, or on ${request.nudgeUntil?.slice(0, 16).replace('T', ' ')} UTC (RECLAIM_NUDGE_DAYS).`
        : canDecide || phase !== 'awaiting_approval' || decision.allowed
          ? null
          : decision.reason || null;
    const canUndo = mayUndo && request.mode === 'on' && items.some((i) => undoable(i, now));
    const isRequester =
      !anonymous &&
      request.requestedBy.aadObjectId !== null &&
      request.requestedBy.aadObjectId.toLowerCase() === caller.aadObjectId?.toLowerCase();
    const isAdmin = anonymous
      ? false
      : approverDecision(decider, null, { ...this.deps.rules, approvers: [], twoPersonRule: false }).allowed;
    const canSeeSeats = mayUndo || isAdmin || isRequester;
    const canCancel = isRequester && request.decision === null && undecided;
    const approveBlocked = canDecide ? modeRefusal(request.mode, this.deps.mode()) : null;
    const approverIds = this.approverObjectIds(request, rules);
    return {
      request,
      items,
      phase,
      rights: { canDecide, why, canUndo, canSeeSeats, canCancel, approveBlocked },
      refreshUserIds: this.deps.teamsUsers.teamsIdsOf(approverIds).slice(0, 60),
      mode: request.mode,
    };
  }

  /**
   * Who gets the approver view automatically: RECLAIM_APPROVERS (else ADMINS) as object ids, UPNs
   * resolved through the directory, less the requester when the two-person rule bars them.
   */
  private approverObjectIds(request: ReclaimRequest, rules: ApproverRules): string[] {
    const listed = rules.approvers.length > 0 ? rules.approvers : rules.admins;
    const ids = listed
      .map((a) => (a.includes('@') ? this.deps.objectIdOf(a) : a.toLowerCase()))
      .filter((id): id is string => id !== undefined);
    const requester = request.requestedBy.aadObjectId?.toLowerCase();
    return [...new Set(ids)].filter((id) => !(rules.twoPersonRule && id === requester));
  }

  private queueCard(requestId: string): void {
    const request = this.deps.store.request(requestId);
    if (!request) return;
    this.deps.queue.enqueue(
      reclaimCardJob,
      { requestId },
      { key: `reclaim-card:${requestId}:v${request.version}`, tenantId: request.tenantId },
    );
    if (request.nudge) this.nudges.followUp(requestId);
  }

  /** Posts the request card once, then updates that message in place with the latest state. */
  private async deliverCard(requestId: string): Promise<void> {
    const now = new Date();
    const view = this.publicView(requestId, now);
    if (!view) throw new PermanentError(`Reclaim request ${requestId} no longer exists.`);
    const card = this.deps.cards.request(view, now);
    const what = 'reclaim request card';
    if (view.request.cardActivityId) {
      await this.deps.messenger.updateCard(view.request.approvalsTarget, view.request.cardActivityId, card, what);
      return;
    }
    const posted = await this.deps.messenger.postCard(view.request.approvalsTarget, card, what);
    this.deps.store.setCard(requestId, posted.activityId, view.request.approvalsTarget);
  }
}
