import type { ContentType } from '../../domain/audit-content-types';
import type { PendingAuditQuery } from '../../domain/audit-query';
/**
 * Copilot interactions read from the audit log, by either of two roads: Microsoft Graph's audit
 * log query (audit_graph) or the Office 365 Management Activity API (audit_management). Both
 * carry the same unified audit records (same record ids), so one store dedupes across them.
 */

export type AuditSourceId = 'audit_graph' | 'audit_management';

/** One CopilotInteraction audit record, reduced to what Seat Steward keeps. */
export interface CopilotInteractionRecord {
  /** The unified audit log's record id (the same through Graph and the Management API). */
  id: string;
  /** Lower-case UPN. */
  upn: string;
  /** ISO-8601 UTC. */
  at: string;
  /** e.g. Teams, Word, BizChat (Copilot Chat); null when the record does not say. */
  appHost: string | null;
}

/** Per user: the freshest Copilot evidence either source found. */
export interface LastCopilotInteraction {
  upn: string;
  lastInteractionAt: string;
  appHost: string | null;
  /** Which source saw the latest interaction. */
  source: AuditSourceId;
  /** Distinct interactions stored (deduplicated by record id) since ingestion began. */
  interactions: number;
  /** Latest interaction in Copilot Chat, if any. */
  chatLastAt: string | null;
  /**
   * Copilot Chat user without a Copilot seat in the last published directory; null until a
   * directory snapshot exists to judge by.
   */
  unlicensedChat: boolean | null;
}

/** The read side: what later decisions (inactive seats, candidates) stand on. */
export interface CopilotInteractionReader {
  lastInteraction(tenantId: string, upn: string): LastCopilotInteraction | undefined;
  /** Every user with an interaction, by UPN. */
  listLastInteractions(tenantId: string): LastCopilotInteraction[];
  /** Copilot Chat users without a Copilot seat, latest chat first: the best seat candidates. */
  listUnlicensedChatUsers(tenantId: string): LastCopilotInteraction[];
}

export interface AuditCursor {
  /** End of the last window fully ingested (ISO); null before the first. */
  coveredUntil: string | null;
  pendingQuery: PendingAuditQuery | null;
}

/**
 * The write side. Every method is one transaction, so what a crash leaves behind is a committed
 * page and its cursor together, never records without the position that follows them.
 */
export interface AuditIngestStore {
  cursor(tenantId: string, source: AuditSourceId): AuditCursor;
  /** Remembers a created query (before its first page) so the next sync resumes it. */
  savePendingQuery(tenantId: string, source: AuditSourceId, query: PendingAuditQuery): void;
  /**
   * Stores a page of records (records seen before, by either source, are skipped) and the
   * position after it. Returns how many records were new.
   */
  commitPage(
    tenantId: string,
    source: AuditSourceId,
    records: readonly CopilotInteractionRecord[],
    position: { pendingQuery: PendingAuditQuery | null; coveredUntil?: string },
  ): number;
  /** Marks Management API content blobs fetched, with their records, in one transaction. */
  commitContent(
    tenantId: string,
    contentType: string,
    content: { contentId: string; contentCreated: string },
    records: readonly CopilotInteractionRecord[],
  ): number;
  fetchedContentIds(tenantId: string, contentType: string, createdSince: string): Set<string>;
  setCoveredUntil(tenantId: string, source: AuditSourceId, coveredUntil: string): void;
  /**
   * Stores records read outside the incremental windows (the reclaim re-check's scoped query) and
   * leaves the cursors alone: the next sync still reads its whole window, and dedupes by record id.
   */
  commitRecords(tenantId: string, source: AuditSourceId, records: readonly CopilotInteractionRecord[]): number;
  /** Forgets dedup keys older than `before`: no window the sources still read reaches that far back. */
  prune(tenantId: string, before: string): void;
  /** Re-judges unlicensedChat against the last published directory snapshot. */
  refreshUnlicensedChat(tenantId: string): void;
}

/** A Graph auditLogQuery as the adapter reports it. */
export interface AuditQueryState {
  id: string;
  /** notStarted, running, succeeded, failed, cancelled (Graph's auditLogQueryStatus). */
  status: string;
}

/** Microsoft Graph's audit log query API (/security/auditLog/queries). */
export interface AuditLogQueryApi {
  readonly servedBy: string;
  requests(): number;
  /** `userPrincipalNames` scopes the query to those users (the reclaim re-check); absent, every user. */
  createQuery(
    windowStart: string,
    windowEnd: string,
    scope?: { userPrincipalNames: readonly string[] },
  ): Promise<AuditQueryState>;
  getQuery(queryId: string): Promise<AuditQueryState>;
  /** One page of records: the first when `nextLink` is null. */
  recordsPage(
    queryId: string,
    nextLink: string | null,
  ): Promise<{ records: CopilotInteractionRecord[]; skipped: number; nextLink: string | null }>;
  /** The smallest call proving the permission: list queries, one item. */
  probe(): Promise<void>;
}

export interface SubscriptionState {
  contentType: string;
  /** enabled or disabled, as the API says; 'none' when no subscription was ever started. */
  status: string;
}

export interface ContentBlob {
  contentType: string;
  contentId: string;
  contentUri: string;
  contentCreated: string;
}

/** The Office 365 Management Activity API (its own token audience, not Graph's). */
export interface ManagementActivityApi {
  readonly endpoint: string;
  requests(): number;
  listSubscriptions(): Promise<SubscriptionState[]>;
  startSubscription(contentType: ContentType): Promise<SubscriptionState>;
  stopSubscription(contentType: ContentType): Promise<void>;
  /** One page of available content; `nextPageUri` from the previous page's NextPageUri header. */
  listContent(
    contentType: ContentType,
    startTime: string,
    endTime: string,
    nextPageUri: string | null,
  ): Promise<{ blobs: ContentBlob[]; nextPageUri: string | null }>;
  /** The CopilotInteraction records of one blob (others are dropped as they stream by). */
  fetchContent(contentUri: string): Promise<{ records: CopilotInteractionRecord[]; skipped: number }>;
}
