/** A Graph audit log query that was created and not yet fully read. */
export interface PendingAuditQuery {
  queryId: string;
  /** The window the query covers (ISO). */
  windowStart: string;
  windowEnd: string;
  /** The next records page to read; null before the first page. */
  nextLink: string | null;
  createdAt: string;
}
