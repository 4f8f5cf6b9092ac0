import type { ConversationTarget } from './conversation';
import type { PendingAuditQuery } from './audit-query';
import type {
  ActivityFreshness,
  HolderPhase,
  NudgeOutcome,
  ReclaimEvidence,
  ReclaimMode,
  ReclaimState,
  SeatAssignment,
  SkipCode,
} from './reclaim';

/**
 * A reclaim request as Seat Steward records it (its seats, their moves, who acted) and as one
 * viewer may see it: the use case's answers, which the presenters in src/cards draw.
 */

/** Who did something: the Teams sender (object id and name), or the system (a timer, the executor). */
export interface ReclaimActor {
  /** Entra object id; null for the system. */
  aadObjectId: string | null;
  name: string | null;
}

export const SYSTEM_ACTOR: ReclaimActor = { aadObjectId: null, name: 'Seat Steward' };

export interface ReclaimRequest {
  /** Random UUID: it appears in card data and URLs, so it must not be guessable or sequential. */
  id: string;
  tenantId: string;
  /** RECLAIM_MODE when requested: a dry-run request stays a dry run even if the mode changes. */
  mode: Exclude<ReclaimMode, 'off'>;
  source: 'command' | 'inactive_card' | 'digest';
  requestedBy: ReclaimActor;
  requestedAt: string;
  /** Holders are asked first; approval waits for their answers or nudgeUntil. */
  nudge: boolean;
  nudgeUntil: string | null;
  /** Undecided by then: every undecided item expires. */
  expiresAt: string;
  decidedBy: ReclaimActor | null;
  decidedAt: string | null;
  decision: 'approved' | 'rejected' | null;
  /** Where the request card is (the approvals conversation), and its message once posted. */
  approvalsTarget: ConversationTarget;
  cardActivityId: string | null;
  /** Bumped by every change to the request or its items: card updates carry it, stale ones are dropped. */
  version: number;
  /** The re-check's fresh activity read (empty until approval). */
  recheck: ReclaimRecheck;
}

/** What the re-check's read of activity newer than the last sync found, or waits for. */
export interface ReclaimRecheck {
  /** Set by the first attempt that had to wait: past it, seats still without fresh evidence are skipped. */
  waitUntil: string | null;
  /** What it waits for, in words (shown on the card while it waits). */
  waitingFor: string | null;
  /** A scoped audit log query left running by an attempt, polled by the next (not created again). */
  pendingQuery: PendingAuditQuery | null;
  /** How fresh the evidence was when the seats went on to removal. */
  freshness: ActivityFreshness | null;
  /** Requests the fresh reads made (Graph and Management API), apart from the removal's round-trips. */
  requests: number;
}

export const NO_RECHECK: ReclaimRecheck = {
  waitUntil: null,
  waitingFor: null,
  pendingQuery: null,
  freshness: null,
  requests: 0,
};

export interface ReclaimItem {
  id: number;
  requestId: string;
  tenantId: string;
  userId: string;
  userPrincipalName: string;
  displayName: string | null;
  skuId: string;
  skuName: string;
  assignment: SeatAssignment;
  evidence: ReclaimEvidence;
  /** Per user per month, null when the SKU has no price. */
  monthlySaving: number | null;
  currency: string;
  state: ReclaimState;
  /** Why the item is in its state (skip/fail reason, keep note); null when there is nothing to say. */
  stateReason: string | null;
  skipCode: SkipCode | null;
  nudgeOutcome: NudgeOutcome | null;
  /** The 1:1 nudge message, to update it in place after Keep / Release. */
  nudgeTarget: ConversationTarget | null;
  nudgeActivityId: string | null;
  /** What that message shows now (null before it is sent): it is updated when holderPhase moves on. */
  nudgeShown: HolderPhase | null;
  /** The approver's choices for this seat. */
  removeFromGroup: boolean;
  reassignTo: { userId: string; displayName: string | null; userPrincipalName: string } | null;
  /**
   * The offer (reassignTo) is taken only if the approver chose it: pending, then assigning (stored
   * before Graph is called), then assigned, skipped or failed. Null: not chosen (or nothing offered).
   */
  reassignState: 'pending' | 'assigning' | 'assigned' | 'skipped' | 'failed' | null;
  reassignReason: string | null;
  /** The seat's disabled plans read by the re-check: undo assigns the SKU back with these. */
  disabledPlans: string[] | null;
  removedAt: string | null;
  undoUntil: string | null;
  undoError: string | null;
  updatedAt: string;
}

export interface ReclaimTransition {
  id: number;
  itemId: number;
  requestId: string;
  from: ReclaimState | null;
  to: ReclaimState;
  at: string;
  actor: ReclaimActor;
  reason: string | null;
}

/** What one viewer may do with a request now. */
export interface ReclaimViewerRights {
  /** May approve or reject now (an approver, not the requester under the two-person rule, and items are ready). */
  canDecide: boolean;
  /** Why not, when they may not (shown on their view). */
  why: string | null;
  /** May undo removed seats (an approver, within the window). */
  canUndo: boolean;
  /** May see the seats (names, UPNs, evidence, candidates): approvers, admins and the requester. Everyone else gets the state and totals. */
  canSeeSeats: boolean;
  /** The requester, while nobody has decided: may cancel the request. */
  canCancel: boolean;
  /** Why Approve is not offered although the viewer may decide (a dry-run request after RECLAIM_MODE became on); Reject stays. */
  approveBlocked: string | null;
}

export interface ReclaimView {
  request: ReclaimRequest;
  items: ReclaimItem[];
  /** The phase the card shows. */
  phase: 'awaiting_holders' | 'awaiting_approval' | 'executing' | 'done';
  rights: ReclaimViewerRights;
  /** Teams user ids the card's refresh names (approvers we have seen), at most 60. */
  refreshUserIds: string[];
  mode: ReclaimMode;
}

/** The holder's 1:1 question as they see it now. */
export interface NudgeView {
  request: ReclaimRequest;
  item: ReclaimItem;
  /** Keep / Release are offered (the holder, unanswered, before the deadline). */
  canAnswer: boolean;
  /** Until when Keep keeps the seat out of reclaims (RECLAIM_KEEP_DAYS from now, or the recorded keep). */
  keepUntil: string;
}
