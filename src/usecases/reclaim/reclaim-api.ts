import type { ConversationTarget } from '../../domain/conversation';
import type { ReclaimMode, ReclaimState, SeatReclaimMark } from '../../domain/reclaim';
import type {
  NudgeView,
  ReclaimActor,
  ReclaimItem,
  ReclaimRequest,
  ReclaimTransition,
  ReclaimView,
} from '../../domain/reclaim-request';
import type { ReclaimHistoryQuery } from './ports';

/**
 * What the bot, the REST API and the schedule may ask of the reclaim workflow. The service behind
 * it re-checks everything on the server: who is asking (never the card's data), the request's
 * current state (a stale card's button does nothing twice), and the mode.
 */

/** Who is pressing or typing: the activity's own sender. */
export interface ReclaimCaller {
  aadObjectId: string | undefined;
  name: string | undefined;
}

export interface ReclaimSeatPick {
  /** Entra object ids or UPNs of seat holders. */
  users?: string[];
  /** Every seat of this tier in the current analytics (the digest's "Reclaim N certain seats"). */
  tier?: 'certain' | 'probable' | 'all';
}

export interface ReclaimRequestInput {
  tenantId: string;
  caller: ReclaimCaller;
  pick: ReclaimSeatPick;
  /** Ask the holders first; absent = RECLAIM_NUDGE. */
  nudge?: boolean;
  source: ReclaimRequest['source'];
  /** Where the request came from: the card goes to the approvals conversation, or here when none is set. */
  replyTarget: ConversationTarget;
}

export type ReclaimRequestOutcome =
  /** A pick of more than SEATS_PER_REQUEST seats becomes several requests, each with its own card and approval. */
  | {
      kind: 'created';
      requests: ReclaimRequest[];
      items: ReclaimItem[];
      notAdded: Array<{ user: string; reason: string }>;
    }
  /** Nothing could be requested: each picked seat with why (not idle, unknown, kept, already requested...). */
  | { kind: 'nothing'; notAdded: Array<{ user: string; reason: string }> }
  | { kind: 'refused'; reason: string };

export interface ApproveInput {
  requestId: string;
  caller: ReclaimCaller;
  /** Item ids the card listed: Approve acts only on them, and only if they are every seat still waiting. */
  shown: number[];
  /** Item ids the approver left out ("Leave this seat out"): rejected, with the approver as actor. */
  drop: number[];
  /** Item ids (of this request) to remove by taking the user out of the assigning group. */
  removeFromGroup: number[];
  /** Item ids whose freed seat goes to the candidate the card offered ("Reclaim and give to …"). */
  reassign: number[];
}

export type DecisionOutcome =
  | { kind: 'done'; view: ReclaimView }
  /** Already decided (a double click, a second approver): the current view, and who decided. */
  | { kind: 'already'; view: ReclaimView; message: string }
  | { kind: 'refused'; view: ReclaimView | null; message: string };

export type NudgeAnswerOutcome =
  { kind: 'done'; view: NudgeView; message: string } | { kind: 'refused'; view: NudgeView | null; message: string };

export interface UndoOutcome {
  kind: 'queued' | 'already' | 'refused' | 'unknown';
  message: string;
  view: ReclaimView | null;
}

export interface ReclaimApi {
  mode(): ReclaimMode;
  request(input: ReclaimRequestInput, now: Date): Promise<ReclaimRequestOutcome>;
  /** The request as `caller` may see it (the refresh and the Review button). */
  view(requestId: string, caller: ReclaimCaller, now: Date): ReclaimView | undefined;
  approve(input: ApproveInput, now: Date): DecisionOutcome;
  reject(requestId: string, caller: ReclaimCaller, reason: string | null, now: Date): DecisionOutcome;
  /** The holder's Keep / Release, checked against the sender (only the holder, once, before the deadline). */
  answerNudge(itemId: number, caller: ReclaimCaller, answer: 'keep' | 'release', now: Date): NudgeAnswerOutcome;
  /** The requester withdraws their request before anyone decided. */
  cancel(requestId: string, caller: ReclaimCaller, now: Date): DecisionOutcome;
  /** `reclaim pending`: every undecided request of the tenant gets its card posted again in `target` (and followed there). */
  repostPending(tenantId: string, target: ConversationTarget, now: Date): number;
  undo(itemId: number, caller: ReclaimCaller, now: Date): UndoOutcome;
  /** `reclaim undo <upn>`: every removed seat of that holder still in its undo window. */
  undoHolder(tenantId: string, user: string, caller: ReclaimCaller, now: Date): UndoOutcome[];
  /** POST …/reclaims/{itemId}/undo: the REST API's key holder is trusted as an approver; the trail records "REST API". */
  undoByApi(tenantId: string, itemId: number, now: Date): UndoOutcome;
  history(query: ReclaimHistoryQuery): {
    total: number;
    items: Array<ReclaimItem & { transitions: ReclaimTransition[] }>;
  };
  freed(tenantId: string): { seats: number; monthly: number; currency: string | null };
  /**
   * Marks for the seats a list shows (keys "userId|skuId", lower-case): in an open request, or
   * removed after `analyticsAsOf` (the list's analytics); seats with neither are absent.
   */
  marks(
    tenantId: string,
    seats: ReadonlyArray<{ userId: string; skuId: string }>,
    analyticsAsOf: string,
  ): Map<string, SeatReclaimMark>;
  /** `reclaim approvals here`: where request cards go for this tenant. */
  setApprovalsConversation(tenantId: string, target: ConversationTarget, by: ReclaimActor, now: Date): void;
  approvalsConversation(tenantId: string): ConversationTarget | undefined;
}

export type { ReclaimState };
