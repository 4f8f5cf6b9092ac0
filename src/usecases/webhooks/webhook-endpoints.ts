import { randomBytes, randomUUID } from 'node:crypto';
import { canSeeTenant, EVERY_CLIENT, type ActorAccess } from '../../domain/client-access';
import type { Clock } from '../../domain/clock';
import type { TenantRecord } from '../../domain/tenant';
import { WEBHOOK_SECRET_GRACE_MS, WEBHOOK_TEST_EVENT, webhookEnvelope } from '../../domain/webhook-delivery';
import type { WebhookEventType } from '../../domain/webhook-events';
import type { OutboxJob } from '../outbox/outbox-store';
import type { JobQueue } from '../outbox/job-runner';
import { SealedSecretError } from '../tenants/ports';
import { webhookDeliveryJob, webhookJobKey } from './webhook-delivery';
import type {
  WebhookDelivery,
  WebhookDeliveryStatus,
  WebhookEndpoint,
  WebhookStore,
  WebhookUrlCheck,
} from './webhook-ports';

export type WebhookErrorCode =
  | 'webhook_not_found'
  | 'delivery_not_found'
  | 'unsafe_url'
  | 'tenant_not_found'
  | 'key_scoped_to_clients'
  | 'delivery_in_flight'
  | 'secret_store_unavailable';

/** Why an admin's request about webhooks was refused; the REST layer turns it into its status. */
export class WebhookRequestError extends Error {
  constructor(
    readonly code: WebhookErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'WebhookRequestError';
  }
}

export interface WebhookEndpointInput {
  url: string;
  description?: string | null;
  events: WebhookEventType[];
  tenants?: string[];
  clients?: string[];
  enabled?: boolean;
}

export type WebhookEndpointPatch = Partial<WebhookEndpointInput>;

export interface WebhookEndpointsDeps {
  store: WebhookStore;
  urlCheck: WebhookUrlCheck;
  tenants: { find(idOrEntraTenantId: string): TenantRecord | undefined };
  /** The runner: queues a ping or a replay, re-queues a dead job. */
  queue: JobQueue & { retryDead(id: number): OutboxJob | undefined; wake(): void };
  /** Makes a waiting (retrying) job due now. */
  expedite: (jobId: number) => boolean;
  clock: Clock;
}

/** A new `whsec_` secret: 24 random bytes, base64, as Standard Webhooks libraries expect. */
function newSecret(): string {
  return `whsec_${randomBytes(24).toString('base64')}`;
}

/**
 * Webhook endpoints for the REST API. A key limited to some MSP clients sees and manages only the
 * endpoints it could have made: those owned by its clients, whose events come only from its
 * clients' tenants.
 */
export class WebhookEndpoints {
  constructor(private readonly deps: WebhookEndpointsDeps) {}

  list(access: ActorAccess): WebhookEndpoint[] {
    return this.deps.store.listEndpoints().filter((e) => visible(e, access));
  }

  get(access: ActorAccess, id: number): WebhookEndpoint {
    const endpoint = this.deps.store.getEndpoint(id);
    if (!endpoint || !visible(endpoint, access))
      throw new WebhookRequestError('webhook_not_found', `No webhook with id ${id}.`);
    return endpoint;
  }

  /** The secret is returned here and never again. */
  async create(
    access: ActorAccess,
    input: WebhookEndpointInput,
  ): Promise<{ endpoint: WebhookEndpoint; secret: string }> {
    const url = await this.checkedUrl(input.url);
    const scope = this.scopeFor(access, input.tenants ?? [], input.clients ?? []);
    const secret = newSecret();
    const endpoint = this.sealing(() =>
      this.deps.store.createEndpoint(
        {
          url,
          description: input.description ?? null,
          events: unique(input.events),
          ...scope,
          enabled: input.enabled ?? true,
          secret,
        },
        this.deps.clock(),
      ),
    );
    return { endpoint, secret };
  }

  async update(access: ActorAccess, id: number, patch: WebhookEndpointPatch): Promise<WebhookEndpoint> {
    const current = this.get(access, id);
    const url = patch.url === undefined ? undefined : await this.checkedUrl(patch.url);
    // Enabling again checks the URL again: its host may resolve elsewhere by now.
    if (url === undefined && patch.enabled === true && !current.enabled) await this.checkedUrl(current.url);
    const scope =
      patch.tenants === undefined && patch.clients === undefined
        ? {}
        : {
            ...this.scopeFor(access, patch.tenants ?? current.tenantIds, patch.clients ?? current.clientIds),
            // An unscoped key changing a client's webhook leaves it that client's (and limited to it).
            ...(access.kind === 'all' ? { ownerClients: current.ownerClients } : {}),
          };
    const updated = this.deps.store.updateEndpoint(
      id,
      {
        url,
        description: patch.description,
        events: patch.events === undefined ? undefined : unique(patch.events),
        ...scope,
        enabled: patch.enabled,
      },
      this.deps.clock(),
    );
    if (!updated) throw new WebhookRequestError('webhook_not_found', `No webhook with id ${id}.`);
    return updated;
  }

  delete(access: ActorAccess, id: number): void {
    this.get(access, id);
    this.deps.store.deleteEndpoint(id);
  }

  /** The new secret, shown once; the old one keeps signing beside it for 24 hours. */
  rotateSecret(access: ActorAccess, id: number): { endpoint: WebhookEndpoint; secret: string } {
    this.get(access, id);
    const now = this.deps.clock();
    const secret = newSecret();
    const endpoint = this.sealing(() =>
      this.deps.store.rotateSecret(id, secret, new Date(now.getTime() + WEBHOOK_SECRET_GRACE_MS), now),
    );
    if (!endpoint) throw new WebhookRequestError('webhook_not_found', `No webhook with id ${id}.`);
    return { endpoint, secret };
  }

  /** Queues a `seat_steward.webhook.test` event to this endpoint alone (a disabled endpoint's ping is dead at once, saying why). */
  ping(access: ActorAccess, id: number): WebhookDelivery {
    const endpoint = this.get(access, id);
    const now = this.deps.clock();
    const eventId = `ping_${randomUUID()}`;
    const body = JSON.stringify(
      webhookEnvelope(
        WEBHOOK_TEST_EVENT,
        now.toISOString(),
        { webhook_id: endpoint.id, message: 'A test event sent from Seat Steward.' },
        null,
        null,
      ),
    );
    const delivery = this.deps.store.addPing(endpoint.id, eventId, WEBHOOK_TEST_EVENT, body, now);
    this.deps.queue.enqueue(
      webhookDeliveryJob,
      { deliveryId: delivery.id },
      { key: webhookJobKey(delivery.id), tenantId: null },
    );
    return delivery;
  }

  deliveries(
    access: ActorAccess,
    id: number,
    query: { status?: WebhookDeliveryStatus; limit: number; offset: number },
  ): { rows: WebhookDelivery[]; total: number; counts: Record<WebhookDeliveryStatus, number> } {
    this.get(access, id);
    return {
      ...this.deps.store.listDeliveries({ endpointId: id, ...query }),
      counts: this.deps.store.countDeliveries(id),
    };
  }

  /**
   * Sends a delivery again now: a dead letter (out of attempts, or its endpoint was disabled) gets a
   * fresh set of attempts, a failed one waiting for its next attempt goes now, a delivered one is
   * sent once more (the receiver sees the same webhook-id).
   */
  retry(access: ActorAccess, id: number, deliveryId: number): WebhookDelivery {
    this.get(access, id);
    const delivery = this.deps.store.getDelivery(deliveryId);
    if (!delivery || delivery.endpointId !== id)
      throw new WebhookRequestError('delivery_not_found', `Webhook ${id} has no delivery ${deliveryId}.`);
    const payload = { deliveryId };
    const { queue } = this.deps;
    const existing = queue.enqueue(webhookDeliveryJob, payload, { key: delivery.jobKey, tenantId: delivery.tenantId });
    let jobKey = delivery.jobKey;
    if (!existing.created) {
      const job = existing.job;
      if (job.status === 'running')
        throw new WebhookRequestError(
          'delivery_in_flight',
          `Delivery ${deliveryId} is being sent right now; look at it again in a few seconds.`,
        );
      if (job.status === 'dead') queue.retryDead(job.id);
      else if (job.status === 'pending') this.deps.expedite(job.id);
      else {
        // Its job finished (delivered, or dead-lettered and pruned): a replay runs as a new job.
        jobKey = `${webhookJobKey(deliveryId)}:replay:${this.deps.clock().getTime()}`;
        queue.enqueue(webhookDeliveryJob, payload, { key: jobKey, tenantId: delivery.tenantId });
      }
    }
    const requeued = this.deps.store.requeueDelivery(deliveryId, jobKey, this.deps.clock()) ?? delivery;
    queue.wake();
    return requeued;
  }

  private async checkedUrl(url: string): Promise<string> {
    const problem = await this.deps.urlCheck.problem(url);
    if (problem) throw new WebhookRequestError('unsafe_url', `Webhook URL refused: ${problem}.`);
    return new URL(url).toString();
  }

  private scopeFor(
    access: ActorAccess,
    tenantRefs: readonly string[],
    clientRefs: readonly string[],
  ): { tenantIds: string[]; clientIds: string[]; ownerClients: string[] | null } {
    const tenantIds = unique(
      tenantRefs.map((ref) => {
        const tenant = this.deps.tenants.find(ref);
        if (!tenant || !canSeeTenant(access, tenant))
          throw new WebhookRequestError(
            'tenant_not_found',
            `No tenant with id "${ref}" (Seat Steward id or Microsoft tenant id).`,
          );
        return tenant.id;
      }),
    );
    const clientIds = unique(clientRefs.map((c) => c.toLowerCase()));
    if (access.kind === 'all') return { tenantIds, clientIds, ownerClients: null };
    if (access.kind === 'own')
      throw new WebhookRequestError('key_scoped_to_clients', 'This API key reaches no MSP client.');
    const every = access.clients.has(EVERY_CLIENT);
    const outside = clientIds.filter((c) => !every && !access.clients.has(c));
    if (outside.length > 0)
      throw new WebhookRequestError(
        'key_scoped_to_clients',
        `This API key is limited to some MSP clients, and ${outside.map((c) => `client ${c}`).join(', ')} ${outside.length === 1 ? 'is' : 'are'} not one of them.`,
      );
    return { tenantIds, clientIds, ownerClients: [...access.clients].sort() };
  }

  private sealing<T>(work: () => T): T {
    try {
      return work();
    } catch (error) {
      if (error instanceof SealedSecretError)
        throw new WebhookRequestError(
          'secret_store_unavailable',
          error.problem === 'no-key'
            ? 'Webhook secrets are stored sealed, and no SECRET_STORE_KEY is set: set it (32 random bytes, base64) and restart Seat Steward.'
            : `The webhook secret could not be opened with the keys this server holds (${error.message}); rotate the secret after restoring SECRET_STORE_KEY.`,
        );
      throw error;
    }
  }
}

function visible(endpoint: WebhookEndpoint, access: ActorAccess): boolean {
  if (access.kind === 'all') return true;
  if (access.kind === 'own' || endpoint.ownerClients === null) return false;
  return access.clients.has(EVERY_CLIENT) || endpoint.ownerClients.every((c) => access.clients.has(c));
}

function unique<T>(values: readonly T[]): T[] {
  return [...new Set(values)];
}
