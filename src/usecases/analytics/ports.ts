import type { SubscriptionRecord } from '../../domain/identity';
import type {
  AnalyticsSettings,
  CandidateAssessment,
  CandidateFacts,
  CandidatePriority,
  ExclusionRules,
  ReclaimTier,
  Recommendation,
  SeatAssessment,
  SeatFacts,
  SeatPerson,
  SeatStatus,
} from '../../domain/seat-analytics';
import type { CopilotSeatSummary, SkuPrice } from '../../domain/seat-savings';
import type { CopilotApp, M365Service } from '../../domain/usage';

import type { ExportKind, StoredCandidate, StoredSeat } from '../../domain/seat-records';

export interface SeatQuery {
  status?: SeatStatus;
  recommendation?: Recommendation;
  tier?: ReclaimTier;
  /** Case-insensitive exact match. */
  department?: string;
  offset: number;
  limit: number;
}

export interface CandidateQuery {
  priority?: CandidatePriority;
  department?: string;
  offset: number;
  limit: number;
}

/** Analytics of a tenant's current snapshot. Undefined when the tenant has none yet (never synced, or computed before this version). */
export interface AnalyticsReads {
  summary(tenantId: string): { snapshotId: number; summary: CopilotSeatSummary } | undefined;
  seats(tenantId: string, query: SeatQuery): { asOf: string; total: number; rows: StoredSeat[] } | undefined;
  candidates(
    tenantId: string,
    query: CandidateQuery,
  ): { asOf: string; total: number; rows: StoredCandidate[] } | undefined;
}

/** What the analytics step of a sync reads from config. */
export interface AnalyticsOptions {
  settings: AnalyticsSettings;
  exclusions: ExclusionRules;
}

export interface AnalyticsOutcome {
  seats: number;
  candidates: number;
  /** Time spent computing and storing. */
  ms: number;
  /** Admin-facing notes (e.g. names concealed): they make the sync partial. */
  warnings: string[];
  /** Seats and candidates decided anew; the others' inputs had not changed, so their rows were copied. */
  decided?: number;
}

/**
 * Computes a snapshot's analytics once its pages and activity sources are stored, before it is
 * published, so the flip makes directory and analytics visible together.
 */
export interface AnalyticsComputer {
  compute(tenantId: string, snapshotId: number, now: Date, options: AnalyticsOptions): Promise<AnalyticsOutcome>;
}

/** The activity reports and audit log as the analytics of a snapshot read them. */
export interface ActivityReportStates {
  /** The Copilot usage report's current generation; null when it was never read. */
  copilot: {
    generation: number;
    refreshDate: string | null;
    statusAsOf: string | null;
    lastSuccessAt: string | null;
  } | null;
  /** Rows of that generation whose names the tenant conceals. */
  concealedRows: number;
  /** How far the audit log has been read (latest of the tenant's cursors); null when never. */
  auditCoveredUntil: string | null;
  /** The Microsoft 365 active user report's current generation; null when it was never read. */
  m365Generation: number | null;
}

/** One licence assignment of a Copilot SKU in a snapshot, with the holder's report row and last interaction. */
export interface HolderRecord extends SeatPerson {
  userSeq: number;
  accountEnabled: boolean;
  userType: string | null;
  skuId: string;
  skuPartNumber: string;
  /** '' for a direct assignment. */
  assignedByGroupId: string;
  state: string | null;
  assignedAt: string | null;
  groupName: string | null;
  /** The Copilot usage report's row for the user (of the generation asked for); null when it has none. */
  report: { lastActivityDate: string | null; apps: Record<CopilotApp, string | null> } | null;
  /** The user's last CopilotInteraction in the audit log. */
  lastInteraction: { at: string | null; appHost: string | null };
}

/** An enabled member holding a licence in effect, with their Microsoft 365 report row and Copilot Chat use. */
export interface MemberRecord extends SeatPerson {
  /** The Microsoft 365 active user report's per-service days; null when the report has no row for the user. */
  services: Record<M365Service, string | null> | null;
  chat: { lastAt: string; interactions: number } | null;
}

/** Which snapshot's members to key, against which snapshot's stored candidates. */
export interface MemberChangesRequest {
  tenantId: string;
  snapshotId: number;
  m365Generation: number | null;
  /** The snapshot whose candidates are compared (null: every member is changed). */
  previousSnapshotId: number | null;
  /** The day and settings every key includes. */
  context: string;
}

export interface KeyedMemberRecord extends MemberRecord {
  inputsKey: string;
}

/** A stored candidate, as merging decided rows into the stored order reads it. */
export interface RankedCandidate {
  rank: number;
  /** The member is still a member with the same inputs: the row is copied as it is. */
  kept: boolean;
  userPrincipalName: string;
  m365ActivityScore: number;
  priority: CandidatePriority;
  chatLastAt: string | null;
}

export interface CopilotSkuRecord {
  skuId: string;
  skuPartNumber: string;
  enabledUnits: number;
  consumedUnits: number;
}

/** What the analytics of one snapshot read (the snapshot's directory and the tenant's activity data). */
export interface AnalyticsInputs {
  reportStates(tenantId: string): ActivityReportStates;
  /** Every assignment of a Copilot SKU in the snapshot (several per seat when held several ways). */
  holders(tenantId: string, snapshotId: number, copilotGeneration: number | null): Iterable<HolderRecord>;
  /**
   * The candidates' side, compared inside the store so that unchanged members never reach
   * JavaScript: every enabled member (not a guest) holding a licence in effect and no Copilot seat
   * in effect is keyed by `context` and their inputs (directory row, report row, Copilot Chat use).
   * `changed` yields those whose key differs from their row among `previousSnapshotId`'s candidates
   * (or who have none there; every member when it is null), read in pages, so the store may be
   * written while iterating it. `previous` yields that snapshot's candidates by rank, each marked
   * kept when its member is still there with the same key. Iterate `changed` before `previous`.
   */
  memberChanges(request: MemberChangesRequest): {
    changed: Iterable<KeyedMemberRecord>;
    previous: Iterable<RankedCandidate>;
  };
  /** The first sync that saw each seat, keyed `userId NUL skuId` as stored. */
  firstSeen(tenantId: string): Map<string, string>;
  /** Records `at` as the first sighting of seats seen for the first time. */
  recordFirstSeen(tenantId: string, seats: ReadonlyArray<{ userId: string; skuId: string }>, at: string): void;
  /** EXCLUDE_GROUPS members: lower-case user id → lower-case group ids. */
  exclusionGroupMembers(tenantId: string): Map<string, Set<string>>;
  /** Keeps in force at `now` (a holder pressed Keep): `userId NUL skuId` lower-case → until. */
  keptUntil(tenantId: string, now: string): Map<string, string>;
  copilotSkus(tenantId: string, snapshotId: number): CopilotSkuRecord[];
  subscriptions(tenantId: string): SubscriptionRecord[];
}

/** A seat of the previous snapshot's analytics, as a later sync may copy it. */
export interface PreviousSeat {
  seq: number;
  /** Null for rows stored before inputs were keyed: never copied. */
  inputsKey: string | null;
  seat: StoredSeat;
}

/** The analytics of the tenant's current snapshot, which the one being computed replaces. */
export interface PreviousAnalytics {
  snapshotId: number;
  /** Keyed `userId NUL skuId`. */
  seats: Map<string, PreviousSeat>;
}

/** A seat to store: decided now, or copied from the previous snapshot's row at `reuse` (same inputs, same row). */
export interface SeatToStore {
  facts: SeatFacts;
  assessment: SeatAssessment;
  inputsKey: string;
  reuse: number | null;
}
/** A candidate decided now (unchanged candidates are never read: their rows are copied by rank). */
export interface CandidateToStore {
  facts: CandidateFacts;
  assessment: CandidateAssessment;
  inputsKey: string;
}

/** The stored order of candidates, as runs: a staged row decided now, or previous ranks first..last copied as they are. */
export type CandidatePlacement = { staged: number } | { copy: { first: number; last: number } };

/** Where a snapshot's analytics are stored, beside the snapshot (publish makes them visible with it). */
export interface AnalyticsStore {
  /** Removes what an earlier attempt at this snapshot stored. */
  clear(tenantId: string, snapshotId: number): void;
  /** The current snapshot's analytics, unless it is `snapshotId` itself or has none. */
  previous(tenantId: string, snapshotId: number): PreviousAnalytics | null;
  /** Seats in their stored order (seq 0, 1, ...); rows with `reuse` are copied from `previousSnapshotId`. */
  writeSeats(
    tenantId: string,
    snapshotId: number,
    previousSnapshotId: number | null,
    seats: readonly SeatToStore[],
  ): void;
  /**
   * Holds candidate rows decided now outside the JavaScript heap (a full recompute decides tens of
   * thousands) until writeCandidates places them. Returns the staging id of the first row; the
   * others follow in order. Cleared by `clear`.
   */
  stageCandidates(rows: readonly CandidateToStore[]): number;
  /** Candidates by rank (1, 2, ...) in the order placed: staged rows, and copied runs of `previousSnapshotId`. */
  writeCandidates(
    tenantId: string,
    snapshotId: number,
    previousSnapshotId: number | null,
    placements: readonly CandidatePlacement[],
  ): void;
  writeSummary(tenantId: string, snapshotId: number, summary: CopilotSeatSummary): void;
}

/** Prices admins set per tenant (the `price` command, the REST API). */
export interface PriceBook {
  /** Admin-set prices of a tenant, keyed by lower-case SKU id. */
  adminPrices(tenantId: string): Map<string, SkuPrice>;
  set(
    tenantId: string,
    price: { skuId: string; skuPartNumber: string; amount: number; currency: string; setBy: string },
    at: Date,
  ): void;
  /** Back to config or list price; returns whether a price was removed. */
  clear(tenantId: string, skuId: string): boolean;
}

/**
 * Signed, short-lived download links for the CSV exports, served by the bot's own HTTP server
 * without an API key (the signature is the credential), so a card button can open one.
 */
export interface ExportLinks {
  link(tenantId: string, kind: ExportKind, now: Date): { url: string; expiresAt: string };
}
