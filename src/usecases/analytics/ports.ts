import type {
  AnalyticsSettings,
  CandidatePriority,
  ExclusionRules,
  ReclaimTier,
  Recommendation,
  SeatStatus,
} from '../../domain/seat-analytics';
import type { CopilotSeatSummary, SkuPrice } from '../../domain/seat-savings';

import type { ExportKind, StoredCandidate, StoredSeat } from '../../domain/seat-records';

export type { StoredCandidate, StoredSeat } from '../../domain/seat-records';

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
  candidates(tenantId: string, query: CandidateQuery): { asOf: string; total: number; rows: StoredCandidate[] } | undefined;
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
}

/**
 * Computes a snapshot's analytics once its pages and activity sources are stored, before it is
 * published, so the flip makes directory and analytics visible together.
 */
export interface AnalyticsComputer {
  compute(tenantId: string, snapshotId: number, now: Date, options: AnalyticsOptions): Promise<AnalyticsOutcome>;
}

/** Prices admins set per tenant (the `price` command, the REST API). */
export interface PriceBook {
  /** Admin-set prices of a tenant, keyed by lower-case SKU id. */
  adminPrices(tenantId: string): Map<string, SkuPrice>;
  set(tenantId: string, price: { skuId: string; skuPartNumber: string; amount: number; currency: string; setBy: string }, at: Date): void;
  /** Back to config or list price; returns whether a price was removed. */
  clear(tenantId: string, skuId: string): boolean;
}

export { EXPORT_KINDS, type ExportKind } from '../../domain/seat-records';

/**
 * Signed, short-lived download links for the CSV exports, served by the bot's own HTTP server
 * without an API key (the signature is the credential), so a card button can open one.
 */
export interface ExportLinks {
  link(tenantId: string, kind: ExportKind, now: Date): { url: string; expiresAt: string };
}
