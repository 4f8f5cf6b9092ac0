import type { WebhookEventInput, WebhookEventType } from '../../domain/webhook-events';

/**
 * Where event sources (sync, security, reclaim) hand their events. The log records each id once,
 * numbers events per tenant, and queues one delivery per endpoint whose events and scope match;
 * delivery happens later, through the outbox, so a slow receiver never holds the caller.
 */
export interface WebhookEventLog {
  /** Synchronous and cheap: no network. Ids already recorded are ignored. */
  record(events: readonly WebhookEventInput[]): void;
  /**
   * Whether some enabled webhook wants any of these events of the tenant: events nobody wants are
   * not kept, so a source skips working them out (a sync of 100,000 users compares its licences).
   */
  wants(tenantId: string, types: readonly WebhookEventType[]): boolean;
}
