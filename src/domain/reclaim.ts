import { dayText, utcText } from './time-text';

/**
 * Licence reclaim: the state machine every seat in a reclaim request walks, and the pure decisions
 * along it (who may decide, whether a seat may still be removed). No SQLite, no Graph, no Teams.
 *
 * A request groups one or more seats (items). Each item walks:
 *   requested → nudged → kept | approved | rejected | expired → rechecking → removing → removed | skipped | failed → undone
 * The holders answer nudges per item; approvers decide per request (every ready item at once).
 */

/** RECLAIM_MODE. dry-run walks the whole workflow and changes nothing in the tenant. */
export const RECLAIM_MODES = ['off', 'dry-run', 'on'] as const;
export type ReclaimMode = (typeof RECLAIM_MODES)[number];

export const RECLAIM_STATES = [
  'requested',
  'nudged',
  'kept',
  'approved',
  'rejected',
  'expired',
  'rechecking',
  'removing',
  'removed',
  'skipped',
  'failed',
  'undone',
] as const;
export type ReclaimState = (typeof RECLAIM_STATES)[number];

/** The only moves the store accepts; anything else is a bug or a race that lost. */
export const RECLAIM_TRANSITIONS: Record<ReclaimState, readonly ReclaimState[]> = {
  requested: ['nudged', 'approved', 'rejected', 'expired'],
  nudged: ['kept', 'approved', 'rejected', 'expired'],
  approved: ['rechecking'],
  // A re-check that cannot read the user for good (403, the tenant gone) fails the item.
  rechecking: ['removing', 'skipped', 'failed'],
  // Graph's answer: done, already gone (skipped with the reason), or refused.
  removing: ['removed', 'skipped', 'failed'],
  removed: ['undone'],
  kept: [],
  rejected: [],
  expired: [],
  skipped: [],
  failed: [],
  undone: [],
};

export function canMove(from: ReclaimState, to: ReclaimState): boolean {
  return RECLAIM_TRANSITIONS[from].includes(to);
}

/** States an item is still moving through: one open item per (tenant, user, SKU) at a time. */
export const OPEN_STATES: readonly ReclaimState[] = ['requested', 'nudged', 'approved', 'rechecking', 'removing'];
/** Waiting for a decision (approvers) or an answer (the holder). */
export const UNDECIDED_STATES: readonly ReclaimState[] = ['requested', 'nudged'];
/** After approval, before Graph has answered: the executor owns these, and resumes them after a restart. */
export const EXECUTING_STATES: readonly ReclaimState[] = ['approved', 'rechecking', 'removing'];

/**
 * The holder's answer to a nudge. `unreachable`: the bot could not reach them (not installed,
 * blocked). `dry_run`: RECLAIM_MODE=dry-run asks nobody (a message to staff, or installing the app
 * for them, is not a dry run); the seat goes straight on to the approvers.
 */
export const NUDGE_OUTCOMES = ['pending', 'released', 'no_answer', 'unreachable', 'kept', 'dry_run'] as const;
export type NudgeOutcome = (typeof NUDGE_OUTCOMES)[number];

/** The holder may answer the 1:1 question only while it is theirs, unanswered, and not past its deadline. */
export type NudgeAnswerDecision = { allowed: true } | { allowed: false; reason: string };

export interface NudgeAnswerInput {
  /** The sender of the Keep / Release press (Entra object id), never the card's data. */
  callerAadObjectId: string | undefined;
  holderUserId: string;
  state: ReclaimState;
  outcome: NudgeOutcome | null;
  /** When the holders' time to answer ends (ISO). */
  nudgeUntil: string | null;
  now: Date;
}

export function nudgeAnswerDecision(input: NudgeAnswerInput): NudgeAnswerDecision {
  if (!input.callerAadObjectId || input.callerAadObjectId.toLowerCase() !== input.holderUserId.toLowerCase()) {
    // Item ids are sequential: naming the holder to whoever presses would tell a stranger who is being asked.
    return { allowed: false, reason: 'This question was for the holder of the seat; only they can answer it.' };
  }
  if (input.state === 'kept') return { allowed: false, reason: 'You already chose to keep your seat.' };
  if (input.outcome === 'released')
    return { allowed: false, reason: 'You already released your seat; an approver decides next.' };
  const late =
    input.outcome === 'no_answer' || (input.nudgeUntil !== null && input.nudgeUntil <= input.now.toISOString());
  if (late && UNDECIDED_STATES.includes(input.state)) {
    return {
      allowed: false,
      reason: `The time to answer ended${input.nudgeUntil ? ` on ${input.nudgeUntil.slice(0, 10)}` : ''}; your IT admins decide now.`,
    };
  }
  if (input.state !== 'nudged' || input.outcome !== 'pending')
    return { allowed: false, reason: 'The question is closed: your IT admins have decided.' };
  return { allowed: true };
}

/**
 * Approval waits while a holder may still answer: a question sent (or still to send) with no answer,
 * before the deadline. Released, unreachable and unanswered seats go on to the approvers.
 */
export function waitingForHolders(
  items: ReadonlyArray<{ state: ReclaimState; nudgeOutcome: NudgeOutcome | null }>,
  nudgeUntil: string | null,
  now: Date,
): boolean {
  if (nudgeUntil === null || nudgeUntil <= now.toISOString()) return false;
  return items.some((i) => UNDECIDED_STATES.includes(i.state) && i.nudgeOutcome === 'pending');
}

/** What the holder's 1:1 card tells them about their seat; the card is sent again only when this changes. */
export type HolderPhase =
  'asked' | 'released' | 'no_answer' | 'closed' | 'kept' | 'approved' | 'removed' | 'undone' | 'stays';

export function holderPhase(state: ReclaimState, outcome: NudgeOutcome | null): HolderPhase {
  switch (state) {
    case 'kept':
    case 'removed':
    case 'undone':
      return state;
    case 'approved':
    case 'rechecking':
    case 'removing':
      return 'approved';
    case 'rejected':
    case 'expired':
    case 'skipped':
    case 'failed':
      return 'stays';
    default:
      return outcome === 'pending' ? 'asked' : outcome === 'released' || outcome === 'no_answer' ? outcome : 'closed';
  }
}

/** Undo gives a removed seat back within its window, unless the seat went to a candidate (Undo would take it from them). */
export function undoable(
  item: { state: ReclaimState; undoUntil: string | null; reassignState: string | null },
  now: Date,
): boolean {
  if (item.state !== 'removed' || item.undoUntil === null || item.undoUntil <= now.toISOString()) return false;
  return item.reassignState === null || item.reassignState === 'skipped' || item.reassignState === 'failed';
}

/** Why a seat was not removed after approval (the item's stateReason says it in words). */
export const SKIP_CODES = [
  'licence_gone', // the user no longer holds the SKU
  'user_gone', // deleted from the directory (Graph 404)
  'became_active', // Copilot activity newer than the request's evidence
  'account_changed', // a disabled account was enabled again, or the account was otherwise changed
  'assignment_changed', // direct became group-inherited or the other way round, or another group assigns it now
  'group_inherited', // only a group assigns it and the approver did not choose "remove from group"
  'excluded', // on the exclusion list (or kept by the holder) by the time of the re-check
  'stale_evidence', // Copilot activity newer than the last sync could not be read in time: never removed on old evidence
  'dry_run', // RECLAIM_MODE=dry-run: it would have been removed
] as const;
export type SkipCode = (typeof SKIP_CODES)[number];

/**
 * How the seat is assigned, as read at request time and again at the re-check. `alsoDirect`: the
 * user holds the licence directly as well as through the group; freeing the seat then takes both
 * (the direct assignment and the group membership), and only with the approver's "remove from group".
 */
export type SeatAssignment =
  { via: 'direct' } | { via: 'group'; groupId: string; groupName: string | null; alsoDirect?: boolean };

/** The assignment paths of a seat in words, for the card ("direct assignment and via group Sales"). */
export function assignmentText(assignment: SeatAssignment): string {
  if (assignment.via === 'direct') return 'direct assignment';
  const group = `via group ${assignment.groupName ?? assignment.groupId}`;
  return assignment.alsoDirect ? `direct assignment and ${group}` : group;
}

/** What the request showed the approver: the seat's evidence, frozen at request time. */
export interface ReclaimEvidence {
  lastActivityDate: string | null;
  lastActivitySource: 'copilot_usage_report' | 'audit_log' | null;
  /** As-of date of the source of the last activity (report refresh date, audit coverage). */
  lastActivityAsOf: string | null;
  daysSinceLastActivity: number | null;
  tier: 'certain' | 'probable' | null;
  reasons: string[];
  accountEnabled: boolean;
  /** The analytics snapshot the evidence came from. */
  snapshotId: number;
}

/** The user's seat as Graph reports it now (the re-check's read). */
export type HolderNow =
  | { kind: 'not_found' }
  | {
      kind: 'found';
      accountEnabled: boolean;
      userPrincipalName: string;
      /** Every assignment of the SKU: direct (groupId null) and per group. */
      assignments: Array<{ groupId: string | null; disabledPlans: string[] }>;
      /** signInActivity.lastSignInDateTime, when the app may read it (AuditLog.Read.All + Entra ID P1). */
      lastSignInAt: string | null;
    };

/** Copilot activity the cache learned after the evidence (audit interactions, a newer report row). */
export interface NewerActivity {
  at: string;
  source: 'copilot_usage_report' | 'audit_log';
}

export interface RecheckInput {
  evidence: ReclaimEvidence;
  /** How the seat was assigned when requested. */
  assignment: SeatAssignment;
  /** The approver chose "remove from group" (group-inherited seats only). */
  removeFromGroup: boolean;
  /** When the request was made (ISO). */
  requestedAt: string;
  now: HolderNow;
  newerActivity: NewerActivity | null;
  /** On the exclusion list (or kept by the holder) now. */
  excludedNow: string | null;
}

export type RecheckVerdict =
  | {
      go: true;
      action: 'remove_direct' | 'remove_from_group' | 'remove_direct_and_group';
      groupId: string | null;
      disabledPlans: string[];
    }
  | { go: false; code: Exclude<SkipCode, 'dry_run'>; reason: string };

/**
 * Just before removal: never remove on stale evidence. Pure, so every branch is table-tested.
 * Order: the user and the seat must still exist, the account must be as it was, nobody may have
 * used Copilot since, and the assignment path must be the one the approver approved.
 */
export function recheckVerdict(input: RecheckInput): RecheckVerdict {
  const { now, evidence, assignment } = input;
  if (now.kind === 'not_found')
    return {
      go: false,
      code: 'user_gone',
      reason: 'The user no longer exists in the directory (deleted since the request).',
    };
  if (now.assignments.length === 0)
    return {
      go: false,
      code: 'licence_gone',
      reason: 'The user no longer holds this licence: someone removed it since the request.',
    };
  if (input.excludedNow)
    return { go: false, code: 'excluded', reason: `The user is excluded now (${input.excludedNow}).` };
  if (!evidence.accountEnabled && now.accountEnabled) {
    return {
      go: false,
      code: 'account_changed',
      reason:
        'The account was disabled at the request and is enabled now: ask again once it is clear whether the person is back.',
    };
  }
  if (
    input.newerActivity &&
    (evidence.lastActivityDate === null || input.newerActivity.at.slice(0, 10) > evidence.lastActivityDate.slice(0, 10))
  ) {
    const where = input.newerActivity.source === 'audit_log' ? 'the audit log' : 'the Copilot usage report';
    return {
      go: false,
      code: 'became_active',
      reason: `Copilot was used on ${input.newerActivity.at.slice(0, 10)} (${where}), after the evidence the request was approved on.`,
    };
  }
  // A disabled account that signed in after the request is in use again, even without Copilot.
  if (!evidence.accountEnabled && now.lastSignInAt !== null && now.lastSignInAt > input.requestedAt) {
    return {
      go: false,
      code: 'account_changed',
      reason: `The account signed in on ${now.lastSignInAt.slice(0, 10)}, after the request.`,
    };
  }
  const direct = now.assignments.find((a) => a.groupId === null);
  const groups = now.assignments.filter((a) => a.groupId !== null);
  if (assignment.via === 'direct') {
    if (!direct)
      return {
        go: false,
        code: 'assignment_changed',
        reason: 'The licence is now assigned by a group, not directly: ask again to remove it from the group.',
      };
    if (groups.length > 0) {
      return {
        go: false,
        code: 'assignment_changed',
        reason: 'A group now assigns this licence too: removing the direct assignment would not free the seat.',
      };
    }
    return { go: true, action: 'remove_direct', groupId: null, disabledPlans: direct.disabledPlans };
  }
  const mine = groups.find((g) => g.groupId?.toLowerCase() === assignment.groupId.toLowerCase());
  const groupName = assignment.groupName ?? assignment.groupId;
  if (!mine)
    return {
      go: false,
      code: 'assignment_changed',
      reason: `The group ${groupName} no longer assigns this licence to the user.`,
    };
  // Known at the request: direct and this group. Anything beyond what the approver saw is a change.
  if ((direct && !assignment.alsoDirect) || groups.length > 1) {
    return {
      go: false,
      code: 'assignment_changed',
      reason:
        'The licence is now also assigned directly or by another group: removing the user from one group would not free the seat.',
    };
  }
  if (!input.removeFromGroup) {
    return {
      go: false,
      code: 'group_inherited',
      reason: assignment.alsoDirect
        ? `The licence is assigned directly and by the group ${groupName}: removing only the direct assignment would not free the seat. Approve with "remove from group" (both are removed), or remove them from the group in Entra.`
        : `The licence comes from the group ${groupName}, and Graph cannot remove it from the user directly. Approve with "remove from group", or remove them from the group in Entra.`,
    };
  }
  // Still direct too: both go; the direct assignment's disabled plans are what Undo assigns back.
  if (direct)
    return {
      go: true,
      action: 'remove_direct_and_group',
      groupId: assignment.groupId,
      disabledPlans: direct.disabledPlans,
    };
  return { go: true, action: 'remove_from_group', groupId: assignment.groupId, disabledPlans: mine.disabledPlans };
}

/**
 * A seat a list shows while a reclaim walks it: in an open request, or removed after the analytics
 * the list comes from were computed (the next sync drops it). Every list marks it the same way.
 */
export type SeatReclaimMark =
  { kind: 'in_request'; state: ReclaimState } | { kind: 'removed_not_synced'; removedAt: string };

/** The one key of a seat in marks: "userId|skuId", lower-case. */
export function seatMarkKey(seat: { userId: string; skuId: string }): string {
  return `${seat.userId.toLowerCase()}|${seat.skuId.toLowerCase()}`;
}

export function seatReclaimMark(
  item: { state: ReclaimState; removedAt: string | null },
  analyticsAsOf: string,
): SeatReclaimMark | null {
  if (OPEN_STATES.includes(item.state)) return { kind: 'in_request', state: item.state };
  if (item.state === 'removed' && item.removedAt !== null && item.removedAt > analyticsAsOf)
    return { kind: 'removed_not_synced', removedAt: item.removedAt };
  return null;
}

export function seatReclaimMarkText(mark: SeatReclaimMark): string {
  if (mark.kind === 'removed_not_synced')
    return `Removed by a reclaim on ${utcText(mark.removedAt)}: this list follows at the next sync (one is under way).`;
  const doing = UNDECIDED_STATES.includes(mark.state)
    ? 'waiting for a decision'
    : 'approved, being re-checked and removed';
  return `In an open reclaim request (${doing}).`;
}

/** Where the re-check read Copilot activity newer than the last sync. */
export type FreshActivitySource = 'audit_graph' | 'audit_management' | 'usage_report';

/** How fresh the re-check's activity evidence was: stated on the card and in the trail. */
export interface ActivityFreshness {
  /** Activity was read up to this time (ISO): the query's window end, or the newest published audit content. */
  checkedUpTo: string;
  source: FreshActivitySource;
}

/** What one attempt to read fresh activity found (the audit sources are read by the use case, not here). */
export type FreshActivityRead =
  | { kind: 'fresh'; freshness: ActivityFreshness }
  /** Still running (a query not finished) or refused for now (throttled, unreachable): worth waiting for. */
  | { kind: 'pending'; reason: string }
  /** Nothing to wait for: no audit source is readable for the tenant, or it refused for good. */
  | { kind: 'unavailable'; reason: string };

export type FreshEvidenceStep =
  | { kind: 'proceed'; freshness: ActivityFreshness }
  | { kind: 'wait'; until: string; reason: string }
  | { kind: 'skip'; reason: string };

/**
 * Never remove on stale evidence: the re-check goes on only with activity read after approval.
 * A read that is still running or refused for now waits until `waitUntil` (RECLAIM_RECHECK_WAIT_MINUTES
 * after the first attempt), then the seat is skipped with the reason. With `requireAudit` off
 * (RECLAIM_RECHECK_AUDIT=best-effort), a tenant with no readable audit source goes on with the usage
 * report's date, and the card says so.
 */
export function freshEvidenceStep(
  read: FreshActivityRead,
  waitUntil: string,
  now: Date,
  fallback: { requireAudit: boolean; reportAsOf: string | null },
  /** When the request was approved: audit activity checked only up to before it is not fresh (content published late). */
  approvedAt: string,
): FreshEvidenceStep {
  if (read.kind === 'fresh' && read.freshness.checkedUpTo > approvedAt)
    return { kind: 'proceed', freshness: read.freshness };
  if (read.kind === 'fresh')
    read = {
      kind: 'pending',
      reason: `the audit log has published activity only up to ${utcText(read.freshness.checkedUpTo)}, before the approval`,
    };
  if (read.kind === 'unavailable') {
    if (!fallback.requireAudit && fallback.reportAsOf !== null)
      return { kind: 'proceed', freshness: { checkedUpTo: fallback.reportAsOf, source: 'usage_report' } };
    return {
      kind: 'skip',
      reason: `Not removed: Copilot activity newer than the last sync could not be read (${read.reason}), and a seat is never removed on old evidence.`,
    };
  }
  if (now.toISOString() < waitUntil) return { kind: 'wait', until: waitUntil, reason: read.reason };
  return {
    kind: 'skip',
    reason: `Not removed: Copilot activity newer than the last sync could not be read by ${utcText(waitUntil)} (${read.reason}), and a seat is never removed on old evidence. Ask again later.`,
  };
}

/** "activity checked up to 06:12 UTC from the audit log": the card's and the trail's words. */
export function freshnessText(f: ActivityFreshness): string {
  const where =
    f.source === 'audit_graph'
      ? 'the audit log (Microsoft Graph)'
      : f.source === 'audit_management'
        ? 'the audit log (Management Activity API)'
        : 'the Copilot usage report (no audit source readable)';
  const when = f.source === 'usage_report' ? dayText(f.checkedUpTo.slice(0, 10)) : utcText(f.checkedUpTo);
  return `activity checked up to ${when} from ${where}`;
}

/** Who may approve or reject: RECLAIM_APPROVERS (object ids or UPNs), and never the requester under the two-person rule. */
export interface ApproverRules {
  /** Lower-case object ids or UPNs. Empty: the admins decide (ADMINS). */
  approvers: readonly string[];
  /** ADMINS, lower-case, used when `approvers` is empty. */
  admins: readonly string[];
  /** On by default: the requester cannot approve their own request. */
  twoPersonRule: boolean;
  /** The built-in demo tenant with no list: everyone may decide (the two-person rule still holds). */
  demoOnly: boolean;
}

export interface DecidingActor {
  aadObjectId: string | undefined;
  userPrincipalName: string | undefined;
}

export type ApproverDecision = { allowed: true } | { allowed: false; reason: string };

export function approverDecision(
  actor: DecidingActor,
  requesterAadObjectId: string | null,
  rules: ApproverRules,
): ApproverDecision {
  const list = rules.approvers.length > 0 ? rules.approvers : rules.admins;
  const listName = rules.approvers.length > 0 ? 'RECLAIM_APPROVERS' : 'ADMINS';
  if (!actor.aadObjectId)
    return {
      allowed: false,
      reason: 'Teams did not say who you are (no Entra object id), so Seat Steward cannot check that you may approve.',
    };
  const id = actor.aadObjectId.toLowerCase();
  const upn = actor.userPrincipalName?.toLowerCase();
  const listed = list.includes(id) || (upn !== undefined && list.includes(upn));
  if (!listed && !(list.length === 0 && rules.demoOnly)) {
    return {
      allowed: false,
      reason:
        list.length === 0
          ? `Nobody may approve reclaims yet: set ${listName} to the approvers' Entra object ids or UPNs.`
          : `Only the people in ${listName} may approve or reject reclaims.`,
    };
  }
  if (rules.twoPersonRule && requesterAadObjectId !== null && requesterAadObjectId.toLowerCase() === id) {
    return {
      allowed: false,
      reason:
        'You asked for this reclaim, and the two-person rule (RECLAIM_TWO_PERSON) says someone else must approve it.',
    };
  }
  return { allowed: true };
}

/** Whole-day windows from config. */
export interface ReclaimTimings {
  /** RECLAIM_NUDGE_DAYS: how long the holder has to answer. */
  nudgeDays: number;
  /** RECLAIM_KEEP_DAYS: how long Keep excludes the holder from new requests and idle lists. */
  keepDays: number;
  /** RECLAIM_UNDO_DAYS: how long a removal can be undone. */
  undoDays: number;
  /** RECLAIM_EXPIRE_DAYS: an undecided request expires after this. */
  expireDays: number;
}

export const DEFAULT_RECLAIM_TIMINGS: ReclaimTimings = { nudgeDays: 3, keepDays: 90, undoDays: 7, expireDays: 14 };

/** The most seats one pick (a tier, a list of holders) may name; it is split into requests of SEATS_PER_REQUEST. */
export const MAX_SEATS_PER_REQUEST = 1_000;

/**
 * The most seats one request (one card, one approval) carries. The approver's card lists every seat
 * with its toggles and stays under Teams' 28 KB; a larger pick becomes several requests, each with its
 * own card and approved on its own, so an approval never acts on a seat its card did not show.
 */
export const SEATS_PER_REQUEST = 10;

/**
 * Approve acts only on the seats the card listed (their ids travel in the button's data): if any
 * seat still waiting for a decision is not among them, the card is out of date and nothing is approved.
 */
export function approvalCovers(
  shown: readonly number[],
  undecided: readonly number[],
): { covers: true } | { covers: false; unseen: number } {
  const seen = new Set(shown);
  const unseen = undecided.filter((id) => !seen.has(id)).length;
  return unseen === 0 ? { covers: true } : { covers: false, unseen };
}

/**
 * A request is approved only in the mode it was made in. A dry-run request is never carried out for
 * real: once RECLAIM_MODE is `on` it cannot be approved, and a fresh request (with fresh evidence) is
 * needed. The other way round too: an admin who set RECLAIM_MODE back to dry-run wants nothing
 * removed. With RECLAIM_MODE=off nothing is approved.
 */
export function modeRefusal(requestMode: Exclude<ReclaimMode, 'off'>, current: ReclaimMode): string | null {
  if (current === 'off') return 'Reclaims are off now (RECLAIM_MODE=off): nothing can be approved.';
  if (requestMode === 'dry-run' && current === 'on') {
    return 'This request was made as a dry run, and RECLAIM_MODE is now on: approving it would remove seats nobody approved for real. Reject it and ask again (a new request).';
  }
  if (requestMode === 'on' && current === 'dry-run') {
    return 'This request was made with RECLAIM_MODE=on, and the mode is now dry-run: approving it would still remove seats. Reject it, or set RECLAIM_MODE=on again.';
  }
  return null;
}
