/** View models of the Management Activity API subscription cards (cards/audit-*.json). */

export interface AuditSubscriptionRowView {
  contentType: string;
  /** enabled, disabled, or "not started". */
  statusText: string;
  /** Why this content type matters to Seat Steward ('' for most). */
  note: string;
}

export interface AuditSubscriptionsView {
  tenantName: string;
  /** e.g. "as of 2026-03-02 14:05 UTC". */
  asOfText: string;
  /** What just happened ("Audit.General started."), or ''. */
  notice: string;
  subscriptions: AuditSubscriptionRowView[];
}

export interface AuditStopConfirmView {
  tenantName: string;
  contentType: string;
  requesterName: string;
  /** The Management Activity API's data-gap warning. */
  warning: string;
  /** The Confirm button's data (sealed; re-checked on the server). */
  confirmData: Record<string, string>;
}
