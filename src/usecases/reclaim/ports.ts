import type { AdaptiveCardJson, ConversationTarget } from '../../domain/conversation';
import type { FreshActivityRead, HolderNow, HolderPhase, ReclaimMode, ReclaimState } from '../../domain/reclaim';
import type {
  NudgeView,
  ReclaimActor,
  ReclaimItem,
  ReclaimRecheck,
  ReclaimRequest,
  ReclaimTransition,
  ReclaimView,
} from '../../domain/reclaim-request';
import type { StoredSeat } from '../../domain/seat-records';
import type { PendingAuditQuery } from '../../domain/audit-query';

/**
 * The re-check's read of Copilot activity newer than the last sync, for exactly the seats being
 * removed, into the cache `NewerActivityReads` reads (the audit use case's AuditRecheck).
 */
export interface FreshActivityReads {
  read(
    tenantId: string,
    input: {
      userPrincipalNames: readonly string[];
      pendingQuery: PendingAuditQuery | null;
      now: Date;
      signal?: AbortSignal;
    },
  ): Promise<{ read: FreshActivityRead; pendingQuery: PendingAuditQuery | null; requests: number }>;
}

/** A seat as a request records it: who, which SKU, how assigned, the evidence and the saving. */
export type NewReclaimItem = Pick<
  ReclaimItem,
  | 'userId'
  | 'userPrincipalName'
  | 'displayName'
  | 'skuId'
  | 'skuName'
  | 'assignment'
  | 'evidence'
  | 'monthlySaving'
  | 'currency'
> & {
  /** Offered on the approval card ("Reclaim and give to <name>"): the next best candidate not offered yet. */
  reassignCandidate: { userId: string; displayName: string | null; userPrincipalName: string } | null;
};

export interface NewReclaimRequest {
  tenantId: string;
  mode: Exclude<ReclaimMode, 'off'>;
  source: ReclaimRequest['source'];
  requestedBy: ReclaimActor;
  nudge: boolean;
  nudgeUntil: Date | null;
  expiresAt: Date;
  approvalsTarget: ConversationTarget;
  items: NewReclaimItem[];
}

/** One item's move: applied only if the item is still in one of `from` (a double click or a race loses cleanly). */
export interface ItemMove {
  itemId: number;
  from: readonly ReclaimState[];
  to: ReclaimState;
  actor: ReclaimActor;
  reason: string | null;
  /** Columns that change with the move. */
  patch?: Partial<
    Pick<
      ReclaimItem,
      | 'stateReason'
      | 'skipCode'
      | 'nudgeOutcome'
      | 'nudgeTarget'
      | 'nudgeActivityId'
      | 'removeFromGroup'
      | 'reassignState'
      | 'reassignReason'
      | 'disabledPlans'
      | 'removedAt'
      | 'undoUntil'
      | 'undoError'
      | 'nudgeShown'
    > & { reassignTo: ReclaimItem['reassignTo'] }
  >;
}

export interface ReclaimHistoryQuery {
  tenantId: string;
  /** Object id or UPN (case-insensitive). */
  user?: string;
  state?: ReclaimState;
  offset: number;
  limit: number;
}

/**
 * The reclaim state, in SQLite. Every move is one transaction: the conditional update of the item,
 * its transition row and the request's version. `moved` is false when the item was no longer in
 * `from`: the caller lost a race (a double click, a second approver) and must do nothing.
 */
export interface ReclaimStore {
  /**
   * Creates the request and its items in `requested`. Seats that already have an open item (another
   * request is walking them) are not added and come back in `alreadyOpen`; with none added, no
   * request is kept (request is then undefined).
   */
  create(
    input: NewReclaimRequest,
    now: Date,
  ): { request: ReclaimRequest | undefined; items: ReclaimItem[]; alreadyOpen: NewReclaimItem[] };
  request(id: string): ReclaimRequest | undefined;
  items(requestId: string): ReclaimItem[];
  item(id: number): ReclaimItem | undefined;
  /** Applies every move that still fits, atomically; returns the ids that moved. */
  move(moves: ItemMove[], now: Date): { moved: number[] };
  /** Records the request's decision once: false when it was already decided (the loser of two approvers). */
  decide(requestId: string, decision: 'approved' | 'rejected', by: ReclaimActor, now: Date): boolean;
  /** The card was posted in `target`: recorded only if the request's card still goes there (`reclaim pending` may have moved it meanwhile). */
  setCard(requestId: string, activityId: string, target: ConversationTarget): void;
  /** Stores the re-check's progress; `bump` moves the version when the card must follow. */
  setRecheck(requestId: string, recheck: ReclaimRecheck, options: { bump: boolean }): void;
  /** `reclaim pending`: the card is posted again in `target` (the old message is no longer followed). */
  moveCard(requestId: string, target: ConversationTarget): void;
  /** Requests of the tenant nobody has decided yet and not expired at `now`, oldest first. */
  undecided(tenantId: string, now: Date): string[];
  history(query: ReclaimHistoryQuery): {
    total: number;
    items: Array<ReclaimItem & { transitions: ReclaimTransition[] }>;
  };
  /** Requests with items the executor must finish (approved, rechecking, removing, or a seat still to give): resumed at start. */
  executing(): string[];
  /** The holder's card now shows this phase (holderPhase of the item it was drawn from). */
  markNudgeShown(itemId: number, shown: HolderPhase): void;
  /** Candidates (lower-case object ids) open requests already offer a seat to. */
  offeredCandidates(tenantId: string): Set<string>;
  /** Keep: the holder is left out of requests and idle lists until `until`. */
  keep(tenantId: string, userId: string, skuId: string, until: Date, by: ReclaimActor, now: Date): void;
  keptUntil(tenantId: string, userId: string, skuId: string, now: Date): string | null;
  /** `reclaim approvals here`: the conversation request cards of a tenant go to. */
  setApprovals(tenantId: string, target: ConversationTarget, by: ReclaimActor, now: Date): void;
  approvals(tenantId: string): ConversationTarget | undefined;
  /**
   * The latest reclaim item of each of these holders' seats (lower-case "userId|skuId" keys), for the
   * lists to mark seats in an open request or removed since the analytics were computed.
   */
  latestItems(
    tenantId: string,
    userIds: readonly string[],
  ): Map<string, { state: ReclaimState; removedAt: string | null }>;
  /** Removed (not undone, not dry-run) seats and their monthly savings, to date. */
  freed(tenantId: string): { seats: number; monthly: number; currency: string | null };
}

/** A change the executor asks Graph for, keyed so the answer comes back to its item. */
export type LicenceChange =
  | { key: string; kind: 'remove_licence'; userId: string; skuId: string }
  | { key: string; kind: 'assign_licence'; userId: string; skuId: string; disabledPlans: string[] }
  | { key: string; kind: 'remove_group_member'; groupId: string; userId: string }
  | { key: string; kind: 'add_group_member'; groupId: string; userId: string };

/** Graph's answer to one change, after the adapter's own per-item retries of 429 and 5xx. */
export type ChangeOutcome =
  | { ok: true }
  | {
      ok: false;
      status: number;
      /** Graph's error code and message, as returned. */
      code: string;
      message: string;
      /**
       * What it means: the user is gone (404), the licence is not held, the licence is inherited
       * from a group, no seat is free, no permission, throttled or failed beyond the adapter's
       * retries (retry the job later), or anything else.
       */
      meaning: 'user_gone' | 'not_held' | 'group_inherited' | 'no_free_seat' | 'forbidden' | 'retry_later' | 'other';
      retryAfterSeconds?: number;
    };

/** The Graph side of a reclaim, for one tenant. Reads and writes go through $batch, 20 requests per round-trip. */
export interface LicenceGraph {
  /** Current state of each user's seat of `skuId`, keyed by user id (lower-case). `withSignIn` adds signInActivity. */
  readHolders(
    users: Array<{ userId: string; skuId: string }>,
    options: { withSignIn: boolean; signal?: AbortSignal },
  ): Promise<Map<string, HolderNow>>;
  apply(changes: LicenceChange[], options: { signal?: AbortSignal }): Promise<Map<string, ChangeOutcome>>;
  /** Graph round-trips made so far (for the benchmark and the logs). */
  roundTrips(): number;
}

/** The application permissions the tenant's token carries (its `roles` claim), for `check`. */
export interface GrantedRoles {
  roles(): Promise<string[]>;
}

/** Copilot activity the cache holds for a user after a date (audit interactions, report rows). */
export interface NewerActivityReads {
  newerThan(
    tenantId: string,
    userId: string,
    userPrincipalName: string,
    afterDay: string | null,
  ): { at: string; source: 'copilot_usage_report' | 'audit_log' } | null;
}

/**
 * Teams for the reclaim: the request card, posted once, then updated in place. Failures are thrown as the outbox reads them (RetryableError,
 * PermanentError).
 */
export interface ReclaimMessenger {
  postCard(target: ConversationTarget, card: AdaptiveCardJson, what: string): Promise<{ activityId: string }>;
  updateCard(target: ConversationTarget, activityId: string, card: AdaptiveCardJson, what: string): Promise<void>;
}

/**
 * The reclaim cards (templates in cards/, drawn by src/cards/reclaim-cards.ts). The request card is
 * posted once with the everyone view (status, a Review button, and a refresh naming the approvers)
 * and updated in place as the state moves.
 */
export interface ReclaimCards {
  request(view: ReclaimView, now: Date): AdaptiveCardJson;
  /** The holder's 1:1 question (Keep / Release), and its answered or closed states. */
  nudge(view: NudgeView, now: Date): AdaptiveCardJson;
}

/**
 * How the bot reaches a seat holder 1:1: the personal chat it already has with them, or (when
 * TEAMS_APP_CATALOG_ID is set) by installing the app for them through Graph and using that chat.
 * `unreachable` says why in words an admin can act on; outages are thrown (the job retries).
 */
export type HolderRoute =
  | { kind: 'chat'; target: ConversationTarget; how: 'personal_chat' | 'installed' }
  | { kind: 'unreachable'; reason: string };

export interface HolderReach {
  /** `via`: a conversation of the same Teams tenant (the approvals one), for its connector address. */
  reach(
    tenantId: string,
    holder: { userId: string; userPrincipalName: string },
    via: ConversationTarget,
    signal?: AbortSignal,
  ): Promise<HolderRoute>;
}

/** Teams user ids (29:...) of the people we have seen, so the request card's refresh can name the approvers. */
export interface TeamsUserIds {
  remember(aadObjectId: string, teamsUserId: string): void;
  teamsIdsOf(aadObjectIds: readonly string[]): string[];
}

/** The current analytics, as the reclaim reads them (the request's evidence, the re-check's newer activity). */
export interface ReclaimSeatReads {
  /** Seats of the named holders (object ids or UPNs) in the tenant's current analytics, and the names not found. */
  seatsOf(
    tenantId: string,
    users: readonly string[],
  ): { snapshotId: number; seats: StoredSeat[]; unknown: string[] } | undefined;
  /** Every seat the current analytics recommend reclaiming, of a tier (or all), in list order, up to `limit`. */
  reclaimable(
    tenantId: string,
    tier: 'certain' | 'probable' | 'all',
    limit: number,
  ): { snapshotId: number; seats: StoredSeat[] } | undefined;
}
