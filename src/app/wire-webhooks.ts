import type { Logger } from 'pino';
import { SqliteWebhookStore } from '../adapters/sqlite/webhook-store';
import { HttpWebhookSender, WebhookAddressGuard, type HostLookup } from '../adapters/webhooks/webhook-sender';
import type { AppConfig } from '../config/config';
import { systemClock, type Clock } from '../domain/clock';
import { WEBHOOK_RETENTION_MS } from '../domain/webhook-delivery';
import type { DisposalStack } from './disposal';
import { deliverWebhook, webhookDeliveryJob } from '../usecases/webhooks/webhook-delivery';
import { WebhookEndpoints } from '../usecases/webhooks/webhook-endpoints';
import type { Core } from './wire-core';
import type { Jobs } from './wire-jobs';

/** Webhook endpoints (REST) and their delivery job; the event log itself is made with the outbox (wireJobs). */
export interface Webhooks {
  endpoints: WebhookEndpoints;
}

export function wireWebhooks(
  config: Pick<AppConfig, 'webhooks'>,
  core: Pick<Core, 'db' | 'secrets' | 'tenants'>,
  jobs: Pick<Jobs, 'registry' | 'runner' | 'outbox'>,
  deps: { logger: Logger; clock?: Clock; lookup?: HostLookup; timeoutMs?: number },
  disposals: DisposalStack,
): Webhooks {
  const clock = deps.clock ?? systemClock;
  const store = new SqliteWebhookStore(core.db, core.secrets);
  const guard = new WebhookAddressGuard(config.webhooks, deps.lookup);
  jobs.registry.on(
    webhookDeliveryJob,
    deliverWebhook({ store, sender: new HttpWebhookSender(guard, deps.timeoutMs), clock }),
  );
  const endpoints = new WebhookEndpoints({
    store,
    urlCheck: guard,
    tenants: core.tenants,
    queue: jobs.runner,
    expedite: (jobId) => jobs.outbox.expedite(jobId, clock()),
    clock,
  });
  // Once a day, the events and deliveries past their retention.
  const prune = setInterval(() => {
    try {
      const removed = store.prune(new Date(clock().getTime() - WEBHOOK_RETENTION_MS));
      if (removed.events > 0 || removed.deliveries > 0)
        deps.logger.info(removed, 'old webhook events and deliveries removed');
    } catch (error) {
      deps.logger.warn({ err: error }, 'could not remove old webhook events; the next day tries again');
    }
  }, 86_400_000);
  prune.unref();
  disposals.add('the webhook pruning', () => clearInterval(prune));
  return { endpoints };
}
