/**
 * The events Seat Steward sends to webhook endpoints: seed 000's seven, and the reclaim workflow's
 * moves so that a ticket can follow a removal. Endpoints subscribe to these names.
 */
export const WEBHOOK_EVENT_TYPES = [
  'm365.tenant.sync_completed',
  'm365.tenant.sync_failed',
  'm365.user.created',
  'm365.user.deleted',
  'm365.license.assigned',
  'm365.license.unassigned',
  'm365.security.risk_detected',
  'seat_steward.reclaim.requested',
  'seat_steward.reclaim.approved',
  'seat_steward.reclaim.removed',
  'seat_steward.reclaim.undone',
] as const;
export type WebhookEventType = (typeof WEBHOOK_EVENT_TYPES)[number];

/** A JSON value, as an event's data carries it. */
export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };

/**
 * One event as its source reports it. The event log adds the tenant's identifiers to `data`
 * (`tenant_id`: the Microsoft tenant id, as seed 000's example; `seat_steward_tenant_id`; `client_id`)
 * and a sequence number per tenant.
 */
export interface WebhookEventInput {
  /**
   * Stable and unique: derived from the tenant, the snapshot (or reclaim) and the change, so that a
   * sync or step run twice records the event once.
   */
  id: string;
  type: WebhookEventType;
  /** Seat Steward's tenant id (tenants.id). */
  tenantId: string;
  /** ISO 8601 UTC: when the change was seen (the envelope's `timestamp`). */
  occurredAt: string;
  /** The event's own fields (seed 000's names where it gives them). */
  data: { [key: string]: JsonValue };
}
