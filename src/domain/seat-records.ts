import type { CandidatePriority, SeatAssessment, SeatPerson } from './seat-analytics';

/**
 * The seat analytics as a sync stores them, read by the use cases, the presenters and the exports.
 */

/** One Copilot seat holder as stored with a snapshot: who, which seat, and the decision. */
export interface StoredSeat extends SeatAssessment, SeatPerson {
  accountEnabled: boolean;
  skuId: string;
  skuPartNumber: string;
  direct: boolean;
  groups: Array<{ groupId: string; displayName: string | null }>;
  /** Earliest evidence of the assignment (ISO day). */
  licenseAssignedDate: string;
}

export interface StoredCandidate extends SeatPerson {
  /** 1 = the best candidate. */
  rank: number;
  m365ActivityScore: number;
  priority: CandidatePriority;
  /** Copilot Chat use without a seat, from the audit log. */
  copilotChat: { lastAt: string; interactions: number } | null;
  reasons: string[];
}

/** The CSV exports; departments holds aggregates only, the others list people. */
export const EXPORT_KINDS = ['underutilized', 'candidates', 'departments'] as const;
export type ExportKind = (typeof EXPORT_KINDS)[number];

/** What a signed export link's token says: which tenant's export, until when, or why it is refused. */
export type ExportTokenCheck =
  | { ok: true; tenantId: string; kind: ExportKind; expiresAt: Date }
  | { ok: false; reason: 'malformed' | 'bad_signature' | 'expired'; message: string };
