import type { WebhookEventLog } from '../usecases/webhooks/ports';

/**
 * TEMPORARY, until the webhook event log (delivery, endpoints) is merged: the event sources are
 * wired and produce their events, which go nowhere. The lead replaces this with the real log at
 * merge; tests pass their own log through the `webhookEventLog` app option.
 */
export const droppingEventLog: WebhookEventLog = {
  record: () => undefined,
};
