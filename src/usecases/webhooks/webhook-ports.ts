import type { WebhookEventType } from '../../domain/webhook-events';

/** The webhook endpoints, their deliveries and the events they carry, as the use cases see them. */

export interface WebhookEndpoint {
  id: number;
  url: string;
  description: string | null;
  events: WebhookEventType[];
  /** Seat Steward tenant ids in scope; with clientIds empty too: every tenant. */
  tenantIds: string[];
  /** MSP client ids in scope (lower-case). */
  clientIds: string[];
  /** The clients of the client-scoped key that made it (lower-case), null for an unscoped key. */
  ownerClients: string[] | null;
  enabled: boolean;
  /** Why it was disabled (a 410 from the receiver, or an admin), null while enabled. */
  disabledReason: string | null;
  disabledAt: string | null;
  /** Until when the secret before the last rotation still signs, null when none does. */
  previousSecretUntil: string | null;
  createdAt: string;
  updatedAt: string;
}

export interface NewWebhookEndpoint {
  url: string;
  description: string | null;
  events: WebhookEventType[];
  tenantIds: string[];
  clientIds: string[];
  ownerClients: string[] | null;
  enabled: boolean;
  /** `whsec_…`; sealed by the store, never stored in clear. */
  secret: string;
}

export interface WebhookEndpointChange {
  url?: string;
  description?: string | null;
  events?: WebhookEventType[];
  tenantIds?: string[];
  clientIds?: string[];
  ownerClients?: string[] | null;
  enabled?: boolean;
}

export const WEBHOOK_DELIVERY_STATUSES = ['pending', 'failed', 'delivered', 'dead'] as const;
export type WebhookDeliveryStatus = (typeof WEBHOOK_DELIVERY_STATUSES)[number];

export interface WebhookDelivery {
  id: number;
  endpointId: number;
  eventId: string;
  eventType: string;
  tenantId: string | null;
  /** The outbox job that runs its attempts (idempotency key). */
  jobKey: string;
  status: WebhookDeliveryStatus;
  attempts: number;
  lastStatusCode: number | null;
  lastError: string | null;
  /** The start of the receiver's last answer (at most 4 KB). */
  lastResponseBody: string | null;
  lastAttemptAt: string | null;
  nextAttemptAt: string | null;
  deliveredAt: string | null;
  createdAt: string;
}

/** What one attempt ended with, as the delivery row records it. */
export interface DeliveryAttemptRecord {
  status: WebhookDeliveryStatus;
  statusCode: number | null;
  error: string | null;
  responseBody: string | null;
  at: Date;
  nextAttemptAt: Date | null;
}

export interface WebhookStore {
  createEndpoint(input: NewWebhookEndpoint, now: Date): WebhookEndpoint;
  getEndpoint(id: number): WebhookEndpoint | undefined;
  listEndpoints(): WebhookEndpoint[];
  updateEndpoint(id: number, change: WebhookEndpointChange, now: Date): WebhookEndpoint | undefined;
  deleteEndpoint(id: number): boolean;
  disableEndpoint(id: number, reason: string, now: Date): void;
  /** The secrets that sign now: the current one, and the previous one within its grace period. */
  signingSecrets(id: number, now: Date): string[];
  /** The new secret signs from now on; the current one keeps signing until `previousUntil`. */
  rotateSecret(id: number, secret: string, previousUntil: Date, now: Date): WebhookEndpoint | undefined;
  /** A ping: an event of no tenant and one delivery to the endpoint (its outbox job is queued by the caller, under webhookJobKey). */
  addPing(endpointId: number, eventId: string, type: string, body: string, now: Date): WebhookDelivery;
  eventBody(eventId: string): string | undefined;
  getDelivery(id: number): WebhookDelivery | undefined;
  listDeliveries(query: { endpointId: number; status?: WebhookDeliveryStatus; limit: number; offset: number }): {
    rows: WebhookDelivery[];
    total: number;
  };
  countDeliveries(endpointId: number): Record<WebhookDeliveryStatus, number>;
  recordAttempt(deliveryId: number, attempt: DeliveryAttemptRecord): void;
  /**
   * Deletes events recorded before `before` and the deliveries made before it that are no longer
   * pending or failed (a delivery still being retried keeps its event). Returns the rows deleted.
   */
  prune(before: Date): { events: number; deliveries: number };
  /** An admin's replay: pending again, run by the outbox job `jobKey`. */
  requeueDelivery(deliveryId: number, jobKey: string, now: Date): WebhookDelivery | undefined;
}

export interface WebhookRequest {
  url: string;
  /** webhook-id: the event id, the same for every attempt so the receiver can drop duplicates. */
  id: string;
  timestamp: Date;
  body: string;
  /** `whsec_…` secrets; one signature each. */
  secrets: string[];
  signal: AbortSignal;
}

export type WebhookResponse =
  /** The receiver answered (any status). */
  | { kind: 'answered'; status: number; body: string; retryAfter: string | undefined }
  /** Nothing was sent: the URL or the address it resolves to is not allowed. */
  | { kind: 'refused'; problem: string }
  /** No answer: DNS, connection, TLS, timeout. */
  | { kind: 'failed'; error: string };

/** Sends one signed delivery: pinned to the address it checked, no redirects, a capped body, 15 s at most. */
export interface WebhookSender {
  send(request: WebhookRequest): Promise<WebhookResponse>;
}

/** The safety rules on a URL and the addresses its host resolves to now: the problem, or undefined. */
export interface WebhookUrlCheck {
  problem(url: string): Promise<string | undefined>;
}
