import type { Logger } from 'pino';
import type { Request, Server } from 'restify';
import { z } from 'zod';
import type { WebhookDelivery, WebhookEndpoint } from '../../usecases/webhooks/webhook-ports';
import {
  WebhookRequestError,
  type WebhookEndpoints,
  type WebhookErrorCode,
} from '../../usecases/webhooks/webhook-endpoints';
import { readJsonBody } from '../http/http-edge';
import { apiScopeOf } from './api-auth';
import { ApiError } from './api-errors';
import { JsonAnswer, jsonRoute, parseBody, parseQuery, positiveIdParam } from './api-route';
import { pagination } from './pagination';
import {
  webhookCreateBody,
  webhookDeliveriesQuery,
  webhookUpdateBody,
  type webhookDeliveryResponse,
  type webhookEndpointResponse,
} from './webhook-schemas';

export interface WebhookRouteDeps {
  webhooks: WebhookEndpoints;
  authorize: (req: Request) => void;
  logger: Logger;
}

const noQuery = z.object({}).strict();
const BODY_LIMIT = 64 * 1024;

const STATUS_OF: Record<WebhookErrorCode, number> = {
  webhook_not_found: 404,
  delivery_not_found: 404,
  tenant_not_found: 404,
  unsafe_url: 400,
  key_scoped_to_clients: 403,
  delivery_in_flight: 409,
  secret_store_unavailable: 409,
};

export function webhookJson(e: WebhookEndpoint): z.infer<typeof webhookEndpointResponse> {
  return {
    id: e.id,
    url: e.url,
    description: e.description,
    events: e.events,
    tenants: e.tenantIds,
    clients: e.clientIds,
    enabled: e.enabled,
    disabled_reason: e.disabledReason,
    disabled_at: e.disabledAt,
    previous_secret_valid_until: e.previousSecretUntil,
    created_at: e.createdAt,
    updated_at: e.updatedAt,
  };
}

export function deliveryJson(d: WebhookDelivery): z.infer<typeof webhookDeliveryResponse> {
  return {
    id: d.id,
    webhook_id: d.endpointId,
    event_id: d.eventId,
    event: d.eventType,
    seat_steward_tenant_id: d.tenantId,
    status: d.status,
    attempts: d.attempts,
    last_response_code: d.lastStatusCode,
    last_error: d.lastError,
    last_response_body: d.lastResponseBody,
    last_attempt_at: d.lastAttemptAt,
    next_attempt_at: d.nextAttemptAt,
    delivered_at: d.deliveredAt,
    created_at: d.createdAt,
  };
}

async function answering<T>(work: () => T | Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (error instanceof WebhookRequestError) throw new ApiError(STATUS_OF[error.code], error.code, error.message);
    throw error;
  }
}

/** Webhook endpoints: CRUD, secret rotation, a test ping, the deliveries and their replay. */
export function registerWebhookRoutes(server: Server, deps: WebhookRouteDeps): void {
  const { webhooks } = deps;
  const handle = jsonRoute(deps);
  const idOf = (req: Request) => positiveIdParam(req, 'id', 'webhook id');

  server.post(
    '/api/v1/m365/webhooks',
    readJsonBody(BODY_LIMIT),
    handle(async (req) => {
      parseQuery(noQuery, req);
      const body = parseBody(webhookCreateBody, req);
      const { endpoint, secret } = await answering(() => webhooks.create(apiScopeOf(req), body));
      return new JsonAnswer(201, { data: { ...webhookJson(endpoint), secret } });
    }),
  );

  server.get(
    '/api/v1/m365/webhooks',
    handle((req) => {
      parseQuery(noQuery, req);
      return { data: webhooks.list(apiScopeOf(req)).map(webhookJson) };
    }),
  );

  server.get(
    '/api/v1/m365/webhooks/:id',
    handle(async (req) => {
      parseQuery(noQuery, req);
      return { data: webhookJson(await answering(() => webhooks.get(apiScopeOf(req), idOf(req)))) };
    }),
  );

  server.patch(
    '/api/v1/m365/webhooks/:id',
    readJsonBody(BODY_LIMIT),
    handle(async (req) => {
      parseQuery(noQuery, req);
      const id = idOf(req);
      const body = parseBody(webhookUpdateBody, req);
      return { data: webhookJson(await answering(() => webhooks.update(apiScopeOf(req), id, body))) };
    }),
  );

  server.del(
    '/api/v1/m365/webhooks/:id',
    handle(async (req) => {
      parseQuery(noQuery, req);
      const id = idOf(req);
      await answering(() => webhooks.delete(apiScopeOf(req), id));
      return { deleted: true, id };
    }),
  );

  server.post(
    '/api/v1/m365/webhooks/:id/rotate-secret',
    handle(async (req) => {
      parseQuery(noQuery, req);
      const { endpoint, secret } = await answering(() => webhooks.rotateSecret(apiScopeOf(req), idOf(req)));
      return { data: { ...webhookJson(endpoint), secret } };
    }),
  );

  server.post(
    '/api/v1/m365/webhooks/:id/test',
    handle(async (req) => {
      parseQuery(noQuery, req);
      const delivery = await answering(() => webhooks.ping(apiScopeOf(req), idOf(req)));
      return new JsonAnswer(202, { data: deliveryJson(delivery) });
    }),
  );

  server.get(
    '/api/v1/m365/webhooks/:id/deliveries',
    handle(async (req) => {
      const q = parseQuery(webhookDeliveriesQuery, req);
      const page = await answering(() =>
        webhooks.deliveries(apiScopeOf(req), idOf(req), { status: q.status, limit: q.limit, offset: q.offset }),
      );
      return {
        data: page.rows.map(deliveryJson),
        pagination: pagination(q.limit, q.offset, page.total),
        counts: page.counts,
      };
    }),
  );

  server.post(
    '/api/v1/m365/webhooks/:id/deliveries/:deliveryId/retry',
    handle(async (req) => {
      parseQuery(noQuery, req);
      const id = idOf(req);
      const deliveryId = positiveIdParam(req, 'deliveryId', 'delivery id');
      return { data: deliveryJson(await answering(() => webhooks.retry(apiScopeOf(req), id, deliveryId))) };
    }),
  );
}
