import {
  freshEvidenceStep,
  freshnessText,
  recheckVerdict,
  type ActivityFreshness,
  type FreshActivityRead,
  type FreshEvidenceStep,
  type HolderNow,
} from '../../domain/reclaim';
import { systemClock } from '../../domain/clock';
import { NotReadyError, PermanentError, RetryableError } from '../outbox/job-errors';
import type {
  ChangeOutcome,
  FreshActivityReads,
  ItemMove,
  LicenceChange,
  LicenceGraph,
  NewerActivityReads,
  ReclaimStore,
} from './ports';
import type { ReclaimActor, ReclaimItem, ReclaimRequest } from '../../domain/reclaim-request';
import { SYSTEM_ACTOR } from '../../domain/reclaim-request';

/**
 * The points between the executor's steps, in order. Each step's effect is recorded before the
 * next starts, so a crash between any two of them resumes without losing or repeating a removal
 * (the crash test kills the process at each of these).
 */
export const RECLAIM_STEPS = [
  'claimed',
  'removing_recorded',
  'graph_answered',
  'outcomes_recorded',
  'giving_recorded',
  'giving_answered',
] as const;
export type ReclaimStep = (typeof RECLAIM_STEPS)[number];

export interface ExecutorDeps {
  store: ReclaimStore;
  graphFor: (tenantId: string) => LicenceGraph;
  newerActivity: NewerActivityReads;
  /** Reads Copilot activity newer than the last sync for the seats being removed, into the cache newerActivity reads. */
  freshActivity: FreshActivityReads;
  /**
   * How long fresh activity is waited for (waitMs), how often it is tried meanwhile (retryMs), and
   * whether a tenant without a readable audit source may go on with the usage report (requireAudit off).
   */
  recheck: { waitMs: number; retryMs: number; requireAudit: boolean };
  /** The Copilot usage report's date for the tenant (the best-effort fallback's freshness). */
  reportAsOf: (tenantId: string) => string | null;
  /** Whether the tenant's sign-ins are readable (AuditLog.Read.All + Entra ID P1), for the re-check. */
  signInsReadable: (tenantId: string) => boolean;
  /** On the exclusion list now (EXCLUDE_*), with why; null when not. */
  excludedNow: (tenantId: string, item: ReclaimItem) => string | null;
  undoDays: number;
  /** A state changed: the request card is updated. */
  onChange: (requestId: string) => void;
  /** Test hook between steps (the SIGKILL crash test). */
  checkpoint?: (step: ReclaimStep, requestId: string) => void;
  now?: () => Date;
}

/**
 * Re-check, then remove: for every approved seat of a request, read the user again from Graph
 * and the cache, skip what changed, and remove the rest through $batch. Safe to run again at any
 * point: items already `removing` are re-read first, and a seat Graph no longer shows is recorded
 * as removed instead of being removed twice.
 */
export class ReclaimExecutor {
  /** One run per request at a time in this process (the instance lock makes it the only one). */
  private readonly running = new Map<string, Promise<void>>();

  constructor(private readonly deps: ExecutorDeps) {}

  execute(requestId: string, signal?: AbortSignal): Promise<void> {
    const previous = this.running.get(requestId) ?? Promise.resolve();
    const run = previous.catch(() => undefined).then(() => this.run(requestId, signal));
    this.running.set(requestId, run);
    return run.finally(() => {
      if (this.running.get(requestId) === run) this.running.delete(requestId);
    });
  }

  private now(): Date {
    return (this.deps.now ?? systemClock)();
  }

  private step(step: (typeof RECLAIM_STEPS)[number], requestId: string): void {
    this.deps.checkpoint?.(step, requestId);
  }

  private async run(requestId: string, signal?: AbortSignal): Promise<void> {
    const request = this.deps.store.request(requestId);
    if (!request) throw new PermanentError(`Reclaim request ${requestId} no longer exists.`);
    await this.removeApproved(request, signal);
    await this.giveToCandidates(request, signal);
  }

  private async removeApproved(request: ReclaimRequest, signal?: AbortSignal): Promise<void> {
    const { store } = this.deps;
    const requestId = request.id;
    const approved = store.items(requestId).filter((i) => i.state === 'approved');
    if (approved.length > 0) {
      store.move(
        approved.map((i) => ({
          itemId: i.id,
          from: ['approved'],
          to: 'rechecking',
          actor: SYSTEM_ACTOR,
          reason: 'Re-checking the seat just before removal.',
        })),
        this.now(),
      );
      this.deps.onChange(requestId);
    }
    this.step('claimed', requestId);

    // Never on stale evidence: activity newer than the last sync is read for these seats first.
    const rechecking = store.items(requestId).filter((i) => i.state === 'rechecking');
    let freshness: ActivityFreshness | null = null;
    if (rechecking.length > 0) {
      const step = await this.freshEvidence(request, rechecking, signal);
      if (step.kind === 'wait') {
        throw new NotReadyError(
          `Re-check of reclaim ${requestId}: waiting until ${step.until} for fresh Copilot activity (${step.reason}).`,
          { retryAfterMs: this.deps.recheck.retryMs },
        );
      }
      if (step.kind === 'skip') {
        store.move(
          rechecking.map((i) => ({
            itemId: i.id,
            from: ['rechecking'],
            to: 'skipped',
            actor: SYSTEM_ACTOR,
            reason: step.reason,
            patch: { skipCode: 'stale_evidence', stateReason: step.reason },
          })),
          this.now(),
        );
        this.deps.onChange(requestId);
      } else freshness = step.freshness;
    }
    const checked = freshness ? ` (${freshnessText(freshness)})` : '';

    const open = store.items(requestId).filter((i) => i.state === 'rechecking' || i.state === 'removing');
    if (open.length === 0) return;
    const graph = this.deps.graphFor(request.tenantId);
    let holders: Map<string, HolderNow>;
    try {
      holders = await graph.readHolders(
        open.map((i) => ({ userId: i.userId, skuId: i.skuId })),
        { withSignIn: this.deps.signInsReadable(request.tenantId), signal },
      );
    } catch (error) {
      const failure = retryable(error, 'Could not re-check the seats in Microsoft Graph');
      // A refusal that waiting cannot fix fails the seats with the reason, instead of leaving them re-checking.
      if (failure instanceof PermanentError) {
        const why = `${failure.message} Nothing was removed.`;
        store.move(
          open.map((i) => ({
            itemId: i.id,
            from: ['rechecking', 'removing'],
            to: 'failed',
            actor: SYSTEM_ACTOR,
            reason: why,
            patch: { stateReason: why },
          })),
          this.now(),
        );
        this.deps.onChange(requestId);
      }
      throw failure;
    }
    const holderOf = (item: ReclaimItem): HolderNow => holders.get(item.userId.toLowerCase()) ?? { kind: 'not_found' };

    // Decide every seat still in rechecking; a dry run stops here with what it would have done.
    const moves: ItemMove[] = [];
    for (const item of open.filter((i) => i.state === 'rechecking')) {
      const verdict = recheckVerdict({
        evidence: item.evidence,
        assignment: item.assignment,
        removeFromGroup: item.removeFromGroup,
        requestedAt: request.requestedAt,
        now: holderOf(item),
        newerActivity: this.deps.newerActivity.newerThan(
          request.tenantId,
          item.userId,
          item.userPrincipalName,
          item.evidence.lastActivityDate,
        ),
        excludedNow: this.deps.excludedNow(request.tenantId, item),
      });
      if (!verdict.go) {
        const why = `${verdict.reason}${checked}`;
        moves.push({
          itemId: item.id,
          from: ['rechecking'],
          to: 'skipped',
          actor: SYSTEM_ACTOR,
          reason: why,
          patch: { skipCode: verdict.code, stateReason: why },
        });
      } else if (request.mode === 'dry-run') {
        const what =
          verdict.action === 'remove_direct'
            ? `Dry run: would have removed ${item.skuName} from ${item.userPrincipalName} (direct assignment)${checked}. Nothing was changed.`
            : `Dry run: would have removed ${item.userPrincipalName} from the group ${item.assignment.via === 'group' ? (item.assignment.groupName ?? item.assignment.groupId) : ''}${verdict.action === 'remove_direct_and_group' ? ' and removed the direct assignment' : ''}${checked}. Nothing was changed.`;
        moves.push({
          itemId: item.id,
          from: ['rechecking'],
          to: 'skipped',
          actor: SYSTEM_ACTOR,
          reason: what,
          patch: { skipCode: 'dry_run', stateReason: what, disabledPlans: verdict.disabledPlans },
        });
      } else {
        moves.push({
          itemId: item.id,
          from: ['rechecking'],
          to: 'removing',
          actor: SYSTEM_ACTOR,
          reason: `Re-check passed${checked}: removing.`,
          patch: { disabledPlans: verdict.disabledPlans },
        });
      }
    }
    if (moves.length > 0) {
      store.move(moves, this.now());
      this.deps.onChange(requestId);
    }
    this.step('removing_recorded', requestId);

    // Removals: a seat Graph no longer shows was removed by an earlier attempt that crashed before recording it.
    const removing = store.items(requestId).filter((i) => i.state === 'removing');
    const changes: LicenceChange[] = [];
    const done: ItemMove[] = [];
    for (const item of removing) {
      const itemChanges = removalChanges(item, holderOf(item));
      if (itemChanges.length === 0) {
        done.push(this.removedMove(item, 'Removed (confirmed by reading the user again after a restart).'));
        continue;
      }
      changes.push(...itemChanges);
    }
    const outcomes = await this.send(graph, changes, done, 'Could not send the removals to Microsoft Graph', signal);
    this.step('graph_answered', requestId);

    let retryAfter: number | undefined;
    let waiting = 0;
    for (const item of removing) {
      const answered = removalOutcome(item, changes, outcomes);
      if (!answered) continue;
      const { outcome } = answered;
      // A seat held both ways whose one removal went through: say so, since a failed seat offers no Undo.
      const partly = !answered.partlyDone
        ? ''
        : answered.refused?.kind === 'remove_group_member'
          ? ' The direct assignment was removed already; assign the licence again in the admin center if the person should keep the seat.'
          : ' The user was taken out of the group already; add them back in Entra if they should keep what the group gives.';
      if (outcome.ok) {
        const group = item.assignment.via === 'group' ? (item.assignment.groupName ?? item.assignment.groupId) : '';
        const alsoDirect = item.assignment.via === 'group' && item.assignment.alsoDirect;
        done.push(
          this.removedMove(
            item,
            item.removeFromGroup
              ? `Removed from the group ${group}${alsoDirect ? ', and the direct assignment removed' : ''}.`
              : 'Licence removed.',
          ),
        );
        continue;
      }
      switch (outcome.meaning) {
        case 'retry_later':
          waiting++;
          retryAfter = Math.max(retryAfter ?? 0, outcome.retryAfterSeconds ?? 0);
          break;
        case 'user_gone':
          done.push({
            itemId: item.id,
            from: ['removing'],
            to: 'skipped',
            actor: SYSTEM_ACTOR,
            reason: 'The user was deleted before the removal.',
            patch: { skipCode: 'user_gone', stateReason: 'The user was deleted before the removal.' },
          });
          break;
        case 'not_held':
          done.push(
            this.removedMove(
              item,
              'The licence was already gone when Graph was asked (removed by this reclaim before a restart, or by someone else).',
            ),
          );
          break;
        case 'group_inherited': {
          const why =
            'Graph says the licence is inherited from a group, so it cannot be removed from the user directly. Remove them from the group instead.';
          done.push({
            itemId: item.id,
            from: ['removing'],
            to: 'skipped',
            actor: SYSTEM_ACTOR,
            reason: why,
            patch: { skipCode: 'group_inherited', stateReason: why },
          });
          break;
        }
        case 'forbidden': {
          const permission =
            answered.refused?.kind === 'remove_group_member'
              ? 'GroupMember.ReadWrite.All'
              : 'LicenseAssignment.ReadWrite.All';
          const why = `Graph refused the removal (403 ${outcome.code}): the app lacks ${permission}. Add it as an application permission, grant admin consent, then ask again.${partly}`;
          done.push({
            itemId: item.id,
            from: ['removing'],
            to: 'failed',
            actor: SYSTEM_ACTOR,
            reason: why,
            patch: { stateReason: why },
          });
          break;
        }
        default: {
          const why = `Graph refused the removal (${outcome.status} ${outcome.code}: ${outcome.message}).${partly}`;
          done.push({
            itemId: item.id,
            from: ['removing'],
            to: 'failed',
            actor: SYSTEM_ACTOR,
            reason: why,
            patch: { stateReason: why },
          });
        }
      }
    }
    if (done.length > 0) {
      store.move(done, this.now());
      this.deps.onChange(requestId);
    }
    this.step('outcomes_recorded', requestId);
    if (waiting > 0) {
      throw new RetryableError(
        `Microsoft Graph throttled ${waiting} removal${waiting === 1 ? '' : 's'}; they are sent again after its Retry-After.`,
        retryAfter ? { retryAfter } : {},
      );
    }
  }

  /**
   * One attempt to read activity newer than the last sync for the seats being re-checked; stores
   * how fresh it was, or what it waits for (the card shows both), and what to do next.
   */
  private async freshEvidence(
    request: ReclaimRequest,
    items: ReclaimItem[],
    signal?: AbortSignal,
  ): Promise<FreshEvidenceStep> {
    const { store } = this.deps;
    const now = this.now();
    const current = request.recheck;
    // Read once per approval: a retry after the read (a throttled removal) goes on with it.
    if (current.freshness) return { kind: 'proceed', freshness: current.freshness };
    const upns = [...new Set(items.map((i) => i.userPrincipalName.toLowerCase()))];
    let result: { read: FreshActivityRead; pendingQuery: typeof current.pendingQuery; requests: number };
    try {
      result = await this.deps.freshActivity.read(request.tenantId, {
        userPrincipalNames: upns,
        pendingQuery: current.pendingQuery,
        now,
        signal,
      });
    } catch (error) {
      // The tenant is gone for good: the job ends with the reason instead of waiting for it.
      if (error instanceof PermanentError) throw error;
      result = {
        read: { kind: 'pending', reason: error instanceof Error ? error.message : String(error) },
        pendingQuery: current.pendingQuery,
        requests: 0,
      };
    }
    const waitUntil = current.waitUntil ?? new Date(now.getTime() + this.deps.recheck.waitMs).toISOString();
    const approvedAt = request.decidedAt ?? now.toISOString();
    const step = freshEvidenceStep(
      result.read,
      waitUntil,
      now,
      { requireAudit: this.deps.recheck.requireAudit, reportAsOf: this.deps.reportAsOf(request.tenantId) },
      approvedAt,
    );
    const next = {
      waitUntil: step.kind === 'wait' ? waitUntil : current.waitUntil,
      waitingFor: step.kind === 'wait' ? step.reason : null,
      pendingQuery: step.kind === 'wait' ? result.pendingQuery : null,
      freshness: step.kind === 'proceed' ? step.freshness : null,
      requests: current.requests + result.requests,
    };
    // The card changes only when what it shows does (each minute of waiting is not a new card).
    const shown = (r: typeof next) => JSON.stringify([r.waitUntil, r.waitingFor, r.freshness]);
    store.setRecheck(request.id, next, { bump: shown(next) !== shown(current) });
    if (shown(next) !== shown(current)) this.deps.onChange(request.id);
    return step;
  }

  /**
   * "Reclaim and give to …": a freed seat goes to the candidate the approver chose, exactly once.
   * `assigning` is stored before Graph is called; after a crash the candidate is read first, and a
   * candidate who holds the SKU is recorded as given rather than assigned again.
   */
  private async giveToCandidates(request: ReclaimRequest, signal?: AbortSignal): Promise<void> {
    const { store } = this.deps;
    const nameOf = (item: ReclaimItem) =>
      item.reassignTo?.displayName ?? item.reassignTo?.userPrincipalName ?? 'the candidate';
    const settle = (item: ReclaimItem, reassignState: 'assigned' | 'skipped' | 'failed', why: string): ItemMove => ({
      itemId: item.id,
      from: [item.state],
      to: item.state,
      actor: SYSTEM_ACTOR,
      reason: why,
      patch: { reassignState, reassignReason: why },
    });
    // A seat that was not freed is not given: the offer ends with the reason.
    const notFreed = store
      .items(request.id)
      .filter((i) => i.reassignState === 'pending' && ['skipped', 'failed'].includes(i.state));
    if (notFreed.length > 0) {
      store.move(
        notFreed.map((i) =>
          settle(
            i,
            'skipped',
            i.skipCode === 'dry_run'
              ? `Dry run: would have given the seat to ${nameOf(i)}. Nothing was changed.`
              : `The seat was not freed, so it was not given to ${nameOf(i)}.`,
          ),
        ),
        this.now(),
      );
      this.deps.onChange(request.id);
    }
    const chosen = store.items(request.id).filter((i) => i.state === 'removed' && i.reassignState === 'pending');
    if (chosen.length > 0) {
      store.move(
        chosen.map((i) => ({
          itemId: i.id,
          from: ['removed'],
          to: 'removed',
          actor: SYSTEM_ACTOR,
          reason: `Giving the seat to ${nameOf(i)}.`,
          patch: { reassignState: 'assigning' },
        })),
        this.now(),
      );
      this.deps.onChange(request.id);
    }
    this.step('giving_recorded', request.id);

    const giving = store
      .items(request.id)
      .filter((i) => i.state === 'removed' && i.reassignState === 'assigning' && i.reassignTo !== null);
    if (giving.length === 0) return;
    const graph = this.deps.graphFor(request.tenantId);
    let candidates: Map<string, HolderNow>;
    try {
      candidates = await graph.readHolders(
        giving.map((i) => ({
          userId: (i.reassignTo as NonNullable<ReclaimItem['reassignTo']>).userId,
          skuId: i.skuId,
        })),
        { withSignIn: false, signal },
      );
    } catch (error) {
      throw retryable(error, 'Could not read the candidates in Microsoft Graph before giving them the seats');
    }
    const done: ItemMove[] = [];
    const changes: LicenceChange[] = [];
    for (const item of giving) {
      const to = item.reassignTo as NonNullable<ReclaimItem['reassignTo']>;
      const now = candidates.get(to.userId.toLowerCase()) ?? { kind: 'not_found' as const };
      if (now.kind === 'not_found')
        done.push(
          settle(item, 'skipped', `${nameOf(item)} no longer exists in the directory, so the seat stays free.`),
        );
      // Already holds it: given by an attempt that crashed before recording it (or by someone else meanwhile).
      else if (now.assignments.length > 0)
        done.push(
          settle(item, 'assigned', `${nameOf(item)} holds ${item.skuName} now (confirmed by reading them again).`),
        );
      else if (!now.accountEnabled)
        done.push(settle(item, 'skipped', `${nameOf(item)}'s account is disabled now, so the seat stays free.`));
      else
        changes.push({
          key: String(item.id),
          kind: 'assign_licence',
          userId: to.userId,
          skuId: item.skuId,
          disabledPlans: item.disabledPlans ?? [],
        });
    }
    const outcomes = await this.send(
      graph,
      changes,
      done,
      'Could not send the seats to the candidates through Microsoft Graph',
      signal,
    );
    this.step('giving_answered', request.id);
    let waiting = 0;
    let retryAfter: number | undefined;
    for (const item of giving) {
      const outcome = outcomes.get(String(item.id));
      if (!outcome) continue;
      if (outcome.ok) done.push(settle(item, 'assigned', `Given to ${nameOf(item)}.`));
      else if (outcome.meaning === 'retry_later') {
        waiting++;
        retryAfter = Math.max(retryAfter ?? 0, outcome.retryAfterSeconds ?? 0);
      } else if (outcome.meaning === 'no_free_seat')
        done.push(
          settle(
            item,
            'failed',
            `No free seat of ${item.skuName} when giving it to ${nameOf(item)} (someone took it first): assign one in the admin center.`,
          ),
        );
      else if (outcome.meaning === 'user_gone')
        done.push(settle(item, 'skipped', `${nameOf(item)} was deleted before the seat was given, so it stays free.`));
      else if (outcome.meaning === 'forbidden')
        done.push(
          settle(
            item,
            'failed',
            `Graph refused to give the seat to ${nameOf(item)} (403 ${outcome.code}): the app lacks LicenseAssignment.ReadWrite.All.`,
          ),
        );
      else
        done.push(
          settle(
            item,
            'failed',
            `Graph refused to give the seat to ${nameOf(item)} (${outcome.status} ${outcome.code}: ${outcome.message}).`,
          ),
        );
    }
    if (done.length > 0) {
      store.move(done, this.now());
      this.deps.onChange(request.id);
    }
    if (waiting > 0) {
      throw new RetryableError(
        `Microsoft Graph throttled ${waiting} seat${waiting === 1 ? '' : 's'} being given to candidates; they are sent again after its Retry-After.`,
        retryAfter ? { retryAfter } : {},
      );
    }
  }

  /** Sends the changes; if Graph cannot be reached, the outcomes already known (`done`) are stored before the job retries. */
  private async send(
    graph: LicenceGraph,
    changes: LicenceChange[],
    done: ItemMove[],
    failing: string,
    signal?: AbortSignal,
  ): Promise<Map<string, ChangeOutcome>> {
    if (changes.length === 0) return new Map();
    try {
      return await graph.apply(changes, { signal });
    } catch (error) {
      if (done.length > 0) this.deps.store.move(done, this.now());
      throw retryable(error, failing);
    }
  }

  private removedMove(item: ReclaimItem, reason: string): ItemMove {
    const now = this.now();
    return {
      itemId: item.id,
      from: ['removing'],
      to: 'removed',
      actor: SYSTEM_ACTOR,
      reason,
      patch: {
        removedAt: now.toISOString(),
        undoUntil: new Date(now.getTime() + this.deps.undoDays * 86_400_000).toISOString(),
        stateReason: reason,
      },
    };
  }

  /**
   * Gives a removed seat back: the same SKU with the same disabled plans, or the group membership.
   * `by` is whoever asked (the approver who pressed Undo, or the REST API): the trail and the
   * item's stateReason name them, so the card says what happened last, not "Licence removed."
   */
  async undo(itemId: number, by: ReclaimActor, signal?: AbortSignal): Promise<void> {
    const { store } = this.deps;
    const item = store.item(itemId);
    if (!item || item.state !== 'removed') return;
    const request = store.request(item.requestId);
    if (!request) return;
    const graph = this.deps.graphFor(item.tenantId);
    // Already back (an earlier attempt got through before a crash): only what is still missing is given, never twice.
    const now = (
      await graph
        .readHolders([{ userId: item.userId, skuId: item.skuId }], { withSignIn: false, signal })
        .catch((e: unknown) => {
          throw retryable(e, 'Could not read the user before giving the seat back');
        })
    ).get(item.userId.toLowerCase());
    const changes = undoChanges(item, now);
    const answers = changes.length === 0 ? new Map<string, ChangeOutcome>() : await graph.apply(changes, { signal });
    const results = changes.map((c) => answers.get(c.key));
    const failed = results.findIndex((o) => !o?.ok);
    // The first refusal (undefined: Graph gave no answer for it), else every missing path is back.
    const outcome: ChangeOutcome | undefined = failed === -1 ? { ok: true } : results[failed];
    const at = this.now();
    if (outcome?.ok) {
      const why = `Given back by ${by.name ?? 'an approver'} (undo) on ${at.toISOString().slice(0, 16).replace('T', ' ')} UTC.`;
      store.move(
        [
          {
            itemId,
            from: ['removed'],
            to: 'undone',
            actor: by,
            reason: why,
            patch: { undoError: null, stateReason: why },
          },
        ],
        at,
      );
    } else if (outcome && outcome.meaning === 'retry_later') {
      throw new RetryableError(
        'Microsoft Graph throttled the undo; it is tried again after its Retry-After.',
        outcome.retryAfterSeconds ? { retryAfter: outcome.retryAfterSeconds } : {},
      );
    } else {
      const why =
        outcome?.meaning === 'no_free_seat'
          ? `No free seat of ${item.skuName} to give back: free one or buy one, then press Undo again.`
          : outcome?.meaning === 'user_gone'
            ? 'The user no longer exists, so the seat cannot be given back.'
            : `Graph refused to give the seat back (${outcome ? `${outcome.status} ${outcome.code}: ${outcome.message}` : 'no answer'}).`;
      store.move([{ itemId, from: ['removed'], to: 'removed', actor: by, reason: why, patch: { undoError: why } }], at);
    }
    this.deps.onChange(item.requestId);
  }
}

/**
 * What removing an approved seat asks Graph for, given what Graph shows now: the direct licence, the
 * group membership, or both (a seat held directly and through the group, approved with "remove from
 * group"). Only the paths still there are sent, so a resumed job never removes twice.
 */
function removalChanges(item: ReclaimItem, now: HolderNow): LicenceChange[] {
  if (now.kind !== 'found') return [];
  const hasDirect = now.assignments.some((a) => a.groupId === null);
  if (item.assignment.via === 'direct')
    return hasDirect ? [{ key: String(item.id), kind: 'remove_licence', userId: item.userId, skuId: item.skuId }] : [];
  const groupId = item.assignment.groupId;
  const hasGroup = now.assignments.some((a) => a.groupId?.toLowerCase() === groupId.toLowerCase());
  if (!item.removeFromGroup)
    return hasGroup ? [{ key: String(item.id), kind: 'remove_licence', userId: item.userId, skuId: item.skuId }] : [];
  const changes: LicenceChange[] = [];
  if (item.assignment.alsoDirect && hasDirect)
    changes.push({ key: `${item.id}:direct`, kind: 'remove_licence', userId: item.userId, skuId: item.skuId });
  if (hasGroup) changes.push({ key: String(item.id), kind: 'remove_group_member', groupId, userId: item.userId });
  return changes;
}

/**
 * One item's outcome over its changes: the first refusal (with the change refused, and whether another
 * of its changes went through, e.g. the direct licence removed while the group refused), else done;
 * undefined when its changes were not all answered.
 */
function removalOutcome(
  item: ReclaimItem,
  changes: LicenceChange[],
  outcomes: Map<string, ChangeOutcome>,
): { outcome: ChangeOutcome; refused: LicenceChange | null; partlyDone: boolean } | undefined {
  const mine = changes
    .filter((c) => c.key === String(item.id) || c.key === `${item.id}:direct`)
    .map((change) => ({ change, outcome: outcomes.get(change.key) }));
  const refused = mine.find((m) => m.outcome !== undefined && !m.outcome.ok);
  if (refused?.outcome)
    return { outcome: refused.outcome, refused: refused.change, partlyDone: mine.some((m) => m.outcome?.ok === true) };
  if (mine.length === 0 || mine.some((m) => m.outcome === undefined)) return undefined;
  return { outcome: { ok: true }, refused: null, partlyDone: false };
}

/** What Undo gives back, given what Graph shows now: the group membership and/or the direct licence that are still missing. */
function undoChanges(item: ReclaimItem, now: HolderNow | undefined): LicenceChange[] {
  const assignments = now?.kind === 'found' ? now.assignments : [];
  const assign: LicenceChange = {
    key: 'undo',
    kind: 'assign_licence',
    userId: item.userId,
    skuId: item.skuId,
    disabledPlans: item.disabledPlans ?? [],
  };
  if (item.assignment.via === 'group' && item.removeFromGroup) {
    const groupId = item.assignment.groupId;
    const changes: LicenceChange[] = [];
    if (!assignments.some((a) => a.groupId?.toLowerCase() === groupId.toLowerCase()))
      changes.push({ key: 'undo', kind: 'add_group_member', groupId, userId: item.userId });
    if (item.assignment.alsoDirect && !assignments.some((a) => a.groupId === null))
      changes.push({ ...assign, key: 'undo:direct' });
    return changes;
  }
  return assignments.length > 0 ? [] : [assign];
}

function retryable(error: unknown, doing: string): Error {
  if (error instanceof RetryableError || error instanceof PermanentError) return error;
  const message = error instanceof Error ? error.message : String(error);
  const code = (error as { code?: unknown }).code;
  // A permission or sign-in problem does not pass by waiting; the admin must act.
  if (
    typeof code === 'string' &&
    /insufficient_privileges|invalid_client_secret|expired_client_secret|app_not_found|tenant_not_found/.test(code)
  ) {
    return new PermanentError(`${doing}: ${message}`, { cause: error });
  }
  return new RetryableError(`${doing}: ${message}`, { cause: error });
}
