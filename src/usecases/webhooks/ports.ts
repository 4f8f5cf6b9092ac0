import type { WebhookEventInput } from '../../domain/webhook-events';

/**
 * Where event sources (sync, security, reclaim) hand their events. The log records each id once,
 * numbers events per tenant, and queues one delivery per endpoint whose events and scope match;
 * delivery happens later, through the outbox, so a slow receiver never holds the caller.
 */
export interface WebhookEventLog {
  /** Synchronous and cheap: no network. Ids already recorded are ignored. */
  record(events: readonly WebhookEventInput[]): void;
}
