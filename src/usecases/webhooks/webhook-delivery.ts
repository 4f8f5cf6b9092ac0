import { z } from 'zod';
import type { Clock } from '../../domain/clock';
import {
  deliveryVerdict,
  WEBHOOK_MAX_ATTEMPTS,
  WEBHOOK_TIMEOUT_MS,
  webhookRetryDelayMs,
} from '../../domain/webhook-delivery';
import { retryAfterMs } from '../../domain/retry-after';
import { PermanentError, RetryableError } from '../outbox/job-errors';
import { defineJobType, type JobContext } from '../outbox/job-type';
import { SealedSecretError } from '../tenants/ports';
import type { WebhookSender, WebhookStore } from './webhook-ports';

/**
 * One event to one endpoint, as an outbox job: each delivery is its own job, so a failing endpoint
 * or event never holds back the others, and at most `concurrency` receivers are waited on at once
 * (the bot, syncs and posts keep the runner's other slots).
 */
export const webhookDeliveryJob = defineJobType(
  'webhook.deliver',
  z.object({ deliveryId: z.number().int().positive() }),
  // The lease covers the DNS lookup and the 15 s request with room to spare.
  { maxAttempts: WEBHOOK_MAX_ATTEMPTS, timeoutMs: WEBHOOK_TIMEOUT_MS + 45_000, concurrency: 8 },
);

/** The outbox job key of a delivery's first run; a replay of a finished job gets a new one. */
export const webhookJobKey = (deliveryId: number) => `webhook-delivery:${deliveryId}`;

export interface WebhookDeliveryDeps {
  store: WebhookStore;
  sender: WebhookSender;
  clock: Clock;
  random?: () => number;
}

/**
 * Sends a delivery once and records what happened on its row. 2xx: delivered. 410: the receiver
 * asked to stop, so the endpoint is disabled (with the reason) and the delivery is dead. Anything
 * else (another status, no answer, an address now refused) is retried: after the receiver's
 * Retry-After when it sent one, else after webhookRetryDelayMs; the last attempt's failure leaves
 * the delivery dead for the admin to replay.
 */
export function deliverWebhook(deps: WebhookDeliveryDeps) {
  return async (payload: z.output<typeof webhookDeliveryJob.payload>, ctx: JobContext): Promise<void> => {
    const { store } = deps;
    const delivery = store.getDelivery(payload.deliveryId);
    // The endpoint was deleted (its deliveries with it), or an earlier run already delivered it.
    if (!delivery || delivery.status === 'delivered') return;
    const endpoint = store.getEndpoint(delivery.endpointId);
    if (!endpoint) return;
    const now = deps.clock();
    // Not worth another attempt: dead at once, saying what the admin must do before retrying it.
    const deadNow = (reason: string): PermanentError => {
      store.recordAttempt(delivery.id, {
        status: 'dead',
        statusCode: null,
        error: reason,
        responseBody: null,
        at: now,
        nextAttemptAt: null,
      });
      return new PermanentError(reason);
    };
    if (!endpoint.enabled) {
      const reason = `Not sent: webhook ${endpoint.id} is disabled (${endpoint.disabledReason ?? 'by an admin'}). Enable it (PATCH enabled: true), then retry this delivery.`;
      throw deadNow(reason);
    }
    const body = store.eventBody(delivery.eventId);
    if (body === undefined) throw new PermanentError(`Event ${delivery.eventId} is no longer in the event log.`);

    let secrets: string[];
    try {
      secrets = store.signingSecrets(endpoint.id, now);
    } catch (error) {
      if (!(error instanceof SealedSecretError)) throw error;
      const reason = `Not sent: the secret of webhook ${endpoint.id} cannot be opened with this server's SECRET_STORE_KEY (${error.message}; a demo without SECRET_STORE_KEY loses its key at each restart). Rotate the secret (POST /api/v1/m365/webhooks/${endpoint.id}/rotate-secret), give the receiver the new one, then retry this delivery.`;
      throw deadNow(reason);
    }
    const response = await deps.sender.send({
      url: endpoint.url,
      id: delivery.eventId,
      timestamp: now,
      body,
      secrets,
      signal: ctx.signal,
    });
    const at = deps.clock();
    const last = ctx.attempt >= ctx.maxAttempts;

    if (response.kind === 'answered') {
      const verdict = deliveryVerdict(response.status);
      if (verdict === 'delivered') {
        store.recordAttempt(delivery.id, {
          status: 'delivered',
          statusCode: response.status,
          error: null,
          responseBody: response.body,
          at,
          nextAttemptAt: null,
        });
        return;
      }
      if (verdict === 'gone') {
        const reason = `${endpoint.url} answered 410 Gone at ${at.toISOString()} (delivery ${delivery.id}): the receiver asked for no more deliveries.`;
        store.disableEndpoint(endpoint.id, reason, at);
        store.recordAttempt(delivery.id, {
          status: 'dead',
          statusCode: 410,
          error: reason,
          responseBody: response.body,
          at,
          nextAttemptAt: null,
        });
        throw new PermanentError(reason);
      }
    }

    const error =
      response.kind === 'answered'
        ? `${endpoint.url} answered ${response.status}${response.status >= 300 && response.status < 400 ? ' (a redirect; redirects are not followed: point the webhook at the final URL)' : ''}.`
        : response.kind === 'refused'
          ? `Not sent: ${response.problem}.`
          : `No answer from ${endpoint.url}: ${response.error}.`;
    const told = response.kind === 'answered' ? retryAfterMs(response.retryAfter, at) : undefined;
    const delayMs = told ?? webhookRetryDelayMs(ctx.attempt, deps.random);
    store.recordAttempt(delivery.id, {
      status: last ? 'dead' : 'failed',
      statusCode: response.kind === 'answered' ? response.status : null,
      error: last ? `Gave up after ${ctx.attempt} attempts. Last error: ${error}` : error,
      responseBody: response.kind === 'answered' ? response.body : null,
      at,
      nextAttemptAt: last ? null : new Date(at.getTime() + delayMs),
    });
    // The runner waits exactly this long (seconds) and dead-letters after the last attempt.
    throw new RetryableError(error, { retryAfter: delayMs / 1000 });
  };
}
