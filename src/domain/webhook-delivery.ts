import type { JsonValue, WebhookEventType } from './webhook-events';

/**
 * Webhook delivery rules (Standard Webhooks): what an endpoint receives, when a failed delivery is
 * tried again, and which addresses an endpoint may reach. Pure: the HTTP, DNS and storage live in
 * adapters.
 */

/** The ping `POST …/webhooks/{id}/test` sends; not an event of a tenant, so it has no sequence number. */
export const WEBHOOK_TEST_EVENT = 'seat_steward.webhook.test';

/** A receiver that has not answered within this is counted as a failed attempt. */
export const WEBHOOK_TIMEOUT_MS = 15_000;
/** The most of a receiver's answer that is read (and kept for the admin); the rest is dropped unread. */
export const WEBHOOK_RESPONSE_BODY_CAP = 4_096;
/** After a rotation the previous secret still signs (beside the new one) this long. */
export const WEBHOOK_SECRET_GRACE_MS = 24 * 3_600_000;
/**
 * How long the event log keeps events and their deliveries (dead letters included, so they can be
 * replayed until then). Event ids derive from a snapshot, so an id never comes back after this.
 */
export const WEBHOOK_RETENTION_MS = 90 * 86_400_000;
/** Attempts per delivery: the first, then retries over about three days (see webhookRetryDelayMs). */
export const WEBHOOK_MAX_ATTEMPTS = 10;

const RETRY_BASE_MS = 15_000;
const RETRY_FACTOR = 4;
const RETRY_CAP_MS = 24 * 3_600_000;
/** ±25 %: spreads the retries of many deliveries that failed together without changing the schedule's length. */
const RETRY_JITTER = 0.25;

/**
 * The wait after failed attempt `attempt` (1 = the first): 15 s × 4^(attempt-1), at most 24 h, each
 * ±25 % jitter (never past 24 h). Nominally 15 s, 1 min, 4 min, 16 min, 64 min, 4.3 h, 17 h, 24 h, 24 h: the tenth and
 * last attempt comes about 71 hours (three days) after the first.
 */
export function webhookRetryDelayMs(attempt: number, random: () => number = Math.random): number {
  const n = Number.isFinite(attempt) && attempt >= 1 ? Math.floor(attempt) : 1;
  const nominal = Math.min(RETRY_CAP_MS, RETRY_BASE_MS * RETRY_FACTOR ** (n - 1));
  const r = random();
  const unit = Number.isFinite(r) ? Math.min(Math.max(r, 0), 1) : 0.5;
  // Never past the cap: the outbox takes a wait of at most 24 h (MAX_RETRY_AFTER_MS).
  return Math.min(RETRY_CAP_MS, Math.round(nominal * (1 - RETRY_JITTER + 2 * RETRY_JITTER * unit)));
}

/** The nominal waits (no jitter), for the README and the admin. */
export function webhookRetrySchedule(): number[] {
  return Array.from({ length: WEBHOOK_MAX_ATTEMPTS - 1 }, (_, i) =>
    Math.min(RETRY_CAP_MS, RETRY_BASE_MS * RETRY_FACTOR ** i),
  );
}

/** What a receiver's answer means for the delivery. */
export type DeliveryVerdict = 'delivered' | 'gone' | 'retry';

/** 2xx delivered; 410 Gone: the receiver asks to stop (the endpoint is disabled); anything else is tried again. */
export function deliveryVerdict(status: number): DeliveryVerdict {
  if (status >= 200 && status < 300) return 'delivered';
  if (status === 410) return 'gone';
  return 'retry';
}

/** Where an endpoint lives, as far as the safety rules care. */
export type AddressClass =
  | 'public'
  | 'private'
  | 'loopback'
  | 'link-local'
  | 'unique-local'
  | 'carrier-grade NAT'
  | 'multicast'
  | 'unspecified'
  | 'broadcast'
  | 'reserved';

/**
 * An address's class from ipaddr.js's range name (after IPv4-mapped IPv6 was unwrapped). Anything
 * but plain unicast counts as not public: the IPv6 transition ranges (6to4, Teredo, NAT64) can
 * carry a private IPv4 inside, and documentation or benchmarking ranges have no business receiving
 * webhooks.
 */
export function addressClassOf(range: string): AddressClass {
  switch (range) {
    case 'unicast':
      return 'public';
    case 'private':
      return 'private';
    case 'loopback':
      return 'loopback';
    case 'linkLocal':
      return 'link-local';
    case 'uniqueLocal':
    case 'deprecatedSiteLocal':
      return 'unique-local';
    case 'carrierGradeNat':
      return 'carrier-grade NAT';
    case 'multicast':
      return 'multicast';
    case 'unspecified':
      return 'unspecified';
    case 'broadcast':
      return 'broadcast';
    default:
      return 'reserved';
  }
}

export interface WebhookSafetySettings {
  /** WEBHOOK_ALLOW_HTTP_LOOPBACK: http:// to an address on this machine (local tests, the demo). */
  allowHttpLoopback: boolean;
  /** WEBHOOK_ALLOW_PRIVATE: endpoints on private, loopback, link-local... addresses (a receiver inside the network). */
  allowPrivate: boolean;
}

/** The URL itself, before any lookup: why it is refused, or undefined. */
export function urlProblem(url: URL, settings: WebhookSafetySettings): string | undefined {
  if (url.username || url.password) return 'the URL must not carry a user name or password';
  if (url.protocol === 'https:') return undefined;
  if (url.protocol === 'http:') {
    if (!settings.allowHttpLoopback)
      return 'the URL must use https (http is only taken for a loopback receiver when WEBHOOK_ALLOW_HTTP_LOOPBACK is on)';
    return undefined;
  }
  return `the URL must use https, not ${url.protocol.replace(/:$/, '')}`;
}

/**
 * Whether an endpoint may be reached at an address of this class over this protocol: public
 * always; loopback for http only, with WEBHOOK_ALLOW_HTTP_LOOPBACK (or WEBHOOK_ALLOW_PRIVATE);
 * every other class only with WEBHOOK_ALLOW_PRIVATE. An http URL reaches loopback and nothing else.
 */
export function addressProblem(
  address: string,
  klass: AddressClass,
  protocol: string,
  settings: WebhookSafetySettings,
): string | undefined {
  if (protocol === 'http:') {
    if (klass === 'loopback') return undefined;
    return `http is only taken for a loopback receiver, and this URL resolves to ${address} (${classText(klass)}): use https`;
  }
  if (klass === 'public' || settings.allowPrivate) return undefined;
  return `the URL resolves to ${address}, ${classText(klass)}; webhooks only go to public addresses unless WEBHOOK_ALLOW_PRIVATE is on`;
}

const classText = (klass: AddressClass) => `${klass === 'unspecified' ? 'an' : 'a'} ${klass} address`;

/** An endpoint's subscription, as the event log matches it. */
export interface WebhookEndpointScope {
  events: readonly string[];
  /** Seat Steward tenant ids; with clientIds empty too: every tenant. */
  tenantIds: readonly string[];
  /** MSP client ids (lower-case). */
  clientIds: readonly string[];
  /**
   * The clients of the API key that made the endpoint (lower-case; '*' for every client); null
   * when an unscoped key made it. A tenant moved to another client stops reaching the endpoint.
   */
  ownerClients: readonly string[] | null;
}

/** Whether an event of `type` about a tenant of `clientId` goes to the endpoint. */
export function endpointWants(
  scope: WebhookEndpointScope,
  type: WebhookEventType,
  tenantId: string,
  clientId: string | null,
): boolean {
  if (!scope.events.includes(type)) return false;
  const client = clientId?.toLowerCase() ?? null;
  if (scope.ownerClients !== null) {
    if (client === null) return false;
    if (!scope.ownerClients.includes('*') && !scope.ownerClients.includes(client)) return false;
  }
  if (scope.tenantIds.length === 0 && scope.clientIds.length === 0) return true;
  return scope.tenantIds.includes(tenantId) || (client !== null && scope.clientIds.includes(client));
}

/** The identifiers every event's data carries, added by the event log. */
export interface WebhookTenantIds {
  /** Microsoft's tenant id (seed 000's `tenant_id`). */
  tenant_id: string;
  seat_steward_tenant_id: string;
  client_id: string | null;
}

/**
 * Seed 000's envelope. The per-tenant sequence number rides in `data.sequence` (beside the tenant's
 * ids) so that the envelope keeps exactly the seed's three fields.
 */
export interface WebhookEnvelope {
  event: string;
  timestamp: string;
  data: { [key: string]: JsonValue };
}

export function webhookEnvelope(
  type: string,
  occurredAt: string,
  data: { [key: string]: JsonValue },
  ids: WebhookTenantIds | null,
  sequence: number | null,
): WebhookEnvelope {
  return {
    event: type,
    timestamp: occurredAt,
    data: { ...data, ...(ids ?? {}), ...(sequence === null ? {} : { sequence }) },
  };
}
