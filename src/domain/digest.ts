import type { ConversationTarget } from './conversation';
import type { SyncRunRecord } from './sync-run';
import type { CopilotSeatSummary, Savings } from './seat-savings';
import type { StoredCandidate, StoredSeat } from './seat-records';
import type { CopilotTrendDay } from './usage';
import type { DepartmentFigures } from './departments';
import type { CohortMonth } from './seat-cohorts';

/**
 * The daily digest: who gets it when, and what one tenant's digest holds (the use case gathers it,
 * the presenter in src/cards/digest-views.ts draws it).
 */

/**
 * Short enough to read on a phone: the digest names the top few idle seats and candidates; the full
 * lists are one button away.
 */
export const DIGEST_LIST_ROWS = { inactive: 3, candidates: 3, departments: 3 } as const;

/**
 * A conversation's daily digest: when (a local time in an IANA zone) and where (the stored
 * conversation reference). One row per conversation. A chat Teams calls gone (403/404) pauses it
 * with the reason; subscribing again resumes it.
 */
export interface DigestSubscription {
  conversationId: string;
  /** "HH:MM" in `timeZone`. */
  localTime: string;
  /** IANA zone, e.g. "Europe/Paris". */
  timeZone: string;
  status: 'active' | 'paused';
  pausedReason: string | null;
  pausedAt: string | null;
  /** Who subscribed (Entra object id, else Teams user id). */
  createdBy: string;
  createdAt: string;
  updatedAt: string;
  /** The latest local day whose digest was queued (YYYY-MM-DD in the zone). */
  lastDay: string | null;
  /** Where the digest is posted. */
  target: ConversationTarget;
  /** When the last digest card reached Teams, and for which local day. */
  lastDeliveredAt: string | null;
  lastDeliveredDay: string | null;
  /** `tenants`: a digest card per tenant; `portfolio`: one card ranking every tenant (`portfolio subscribe`). */
  layout: DigestLayout;
}

export type DigestLayout = 'tenants' | 'portfolio';

/** The security part of the digest: a score line and up to three recommendations. */
export interface DigestSecurity {
  scoreText: string;
  asOf: string | null;
  recommendations: string[];
}

export interface DigestContent {
  tenantId: string;
  tenantName: string;
  /** The local day the digest is for (YYYY-MM-DD in the subscription's zone). */
  day: string;
  analytics: { summary: CopilotSeatSummary; asOf: string } | undefined;
  savings: Savings | undefined;
  inactive: { total: number; rows: StoredSeat[] } | undefined;
  candidates: { total: number; rows: StoredCandidate[] } | undefined;
  trend: { days: CopilotTrendDay[] } | undefined;
  security: DigestSecurity;
  lastSync: SyncRunRecord | undefined;
  /** Whether Export CSV can make links (they are signed when pressed, not now). */
  exportsWired: boolean;
  /** The departments whose idle seats cost most (DIGEST_LIST_ROWS.departments), and what idle seats cost in all; absent without analytics. */
  departments?: {
    top: DepartmentFigures[];
    /** Departments with idle seats. */
    withIdle: number;
    idleMonthlyCost: number | null;
    currency: string | null;
  };
  /** Seats freed by approved reclaims to date (absent before any). */
  freed?: { seats: number; monthly: number; currency: string | null };
  /** Last month's seat cohorts: only in the first digest of a month (showsMonthlySection), and when the month has history. */
  cohorts?: CohortMonth;
}

/**
 * The first digest a conversation gets in a calendar month (by the digest's local day) carries a
 * monthly section (last month's seat cohorts): no scheduled digest was delivered to it earlier that
 * month. A conversation without a subscription (digest now) has nothing to compare with and gets it.
 */
export function showsMonthlySection(lastDeliveredDay: string | null | undefined, day: string): boolean {
  return !lastDeliveredDay || lastDeliveredDay.slice(0, 7) < day.slice(0, 7);
}

/** The daily refresh status message after a scheduled sync. */
export interface DigestStatusContent {
  tenantName: string;
  run: SyncRunRecord & { status: 'success' | 'partial' | 'failed' };
  summary: CopilotSeatSummary | undefined;
  dashboardUrl: string | undefined;
}
