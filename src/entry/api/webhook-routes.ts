import type { Logger } from 'pino';
import type { Request, Server } from 'restify';
import type { WebhookDelivery, WebhookEndpoint } from '../../usecases/webhooks/webhook-ports';
import {
  WebhookRequestError,
  type WebhookEndpoints,
  type WebhookErrorCode,
} from '../../usecases/webhooks/webhook-endpoints';
import { readJsonBody } from '../http/http-edge';
import { apiScopeOf } from './api-auth';
import { ApiError } from './api-errors';
import { either, noQuery, positiveId, type ApiDoc, type ErrorDoc } from './api-doc';
import { JsonAnswer, jsonRoute, parseBody, parseQuery, positiveIdParam } from './api-route';
import { z } from './api-zod';
import { pagination } from './pagination';
import {
  webhookCreateBody,
  webhookDeletedResponse,
  webhookDeliveriesQuery,
  webhookDeliveryAnswer,
  webhookDeliveryListResponse,
  webhookListResponse,
  webhookResponse,
  webhookUpdateBody,
  webhookWithSecretResponse,
  type webhookDeliveryResponse,
  type webhookEndpointResponse,
} from './webhook-schemas';

export interface WebhookRouteDeps {
  webhooks: WebhookEndpoints;
  authorize: (req: Request) => void;
  logger: Logger;
}

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

const webhookAnswer = (e: WebhookEndpoint): z.infer<typeof webhookResponse> => ({ data: webhookJson(e) });

const deliveryAnswer = (d: WebhookDelivery): z.infer<typeof webhookDeliveryAnswer> => ({ data: deliveryJson(d) });

/** A creation's or a rotation's answer: the only times the secret is shown. */
function withSecret(e: WebhookEndpoint, secret: string): z.infer<typeof webhookWithSecretResponse> {
  return { data: { ...webhookJson(e), secret } };
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
      return new JsonAnswer(201, withSecret(endpoint, secret));
    }),
  );

  server.get(
    '/api/v1/m365/webhooks',
    handle((req) => {
      parseQuery(noQuery, req);
      const answer: z.infer<typeof webhookListResponse> = { data: webhooks.list(apiScopeOf(req)).map(webhookJson) };
      return answer;
    }),
  );

  server.get(
    '/api/v1/m365/webhooks/:id',
    handle(async (req) => {
      parseQuery(noQuery, req);
      return webhookAnswer(await answering(() => webhooks.get(apiScopeOf(req), idOf(req))));
    }),
  );

  server.patch(
    '/api/v1/m365/webhooks/:id',
    readJsonBody(BODY_LIMIT),
    handle(async (req) => {
      parseQuery(noQuery, req);
      const id = idOf(req);
      const body = parseBody(webhookUpdateBody, req);
      return webhookAnswer(await answering(() => webhooks.update(apiScopeOf(req), id, body)));
    }),
  );

  server.del(
    '/api/v1/m365/webhooks/:id',
    handle(async (req) => {
      parseQuery(noQuery, req);
      const id = idOf(req);
      await answering(() => webhooks.delete(apiScopeOf(req), id));
      const answer: z.infer<typeof webhookDeletedResponse> = { deleted: true, id };
      return answer;
    }),
  );

  server.post(
    '/api/v1/m365/webhooks/:id/rotate-secret',
    handle(async (req) => {
      parseQuery(noQuery, req);
      const { endpoint, secret } = await answering(() => webhooks.rotateSecret(apiScopeOf(req), idOf(req)));
      return withSecret(endpoint, secret);
    }),
  );

  server.post(
    '/api/v1/m365/webhooks/:id/test',
    handle(async (req) => {
      parseQuery(noQuery, req);
      const delivery = await answering(() => webhooks.ping(apiScopeOf(req), idOf(req)));
      return new JsonAnswer(202, deliveryAnswer(delivery));
    }),
  );

  server.get(
    '/api/v1/m365/webhooks/:id/deliveries',
    handle(async (req) => {
      const q = parseQuery(webhookDeliveriesQuery, req);
      const page = await answering(() =>
        webhooks.deliveries(apiScopeOf(req), idOf(req), { status: q.status, limit: q.limit, offset: q.offset }),
      );
      const answer: z.infer<typeof webhookDeliveryListResponse> = {
        data: page.rows.map(deliveryJson),
        pagination: pagination(q.limit, q.offset, page.total),
        counts: page.counts,
      };
      return answer;
    }),
  );

  server.post(
    '/api/v1/m365/webhooks/:id/deliveries/:deliveryId/retry',
    handle(async (req) => {
      parseQuery(noQuery, req);
      const id = idOf(req);
      const deliveryId = positiveIdParam(req, 'deliveryId', 'delivery id');
      return deliveryAnswer(await answering(() => webhooks.retry(apiScopeOf(req), id, deliveryId)));
    }),
  );
}

const TAG = 'Webhooks';
const webhookId = z.object({ id: positiveId.openapi({ description: 'The webhook id.' }) });
const NOT_FOUND: ErrorDoc = {
  description: "No such webhook, or one this key's clients did not make (webhook_not_found).",
  codes: ['webhook_not_found'],
};
const BAD_ID: ErrorDoc = {
  description: 'The id in the path is not a positive whole number (invalid_parameter).',
  codes: ['invalid_parameter'],
};
const UNSAFE_URL: ErrorDoc = {
  description:
    'The URL is refused (unsafe_url): not https (http only to loopback when WEBHOOK_ALLOW_HTTP_LOOPBACK is on), or it resolves to a private, loopback or link-local address (WEBHOOK_ALLOW_PRIVATE off); the message names the address and its class.',
  codes: ['unsafe_url'],
};
const SCOPE: ErrorDoc = {
  description:
    'The key is limited to some MSP clients and the webhook names a client outside them, or the key reaches no client (key_scoped_to_clients).',
  codes: ['key_scoped_to_clients'],
};
const UNKNOWN_TENANT: ErrorDoc = {
  description: "A tenant in `tenants` is unknown or outside the key's clients (tenant_not_found).",
  codes: ['tenant_not_found'],
};
const NO_SECRET_STORE: ErrorDoc = {
  description:
    'The secret cannot be sealed or opened (secret_store_unavailable): set SECRET_STORE_KEY (outside the demo) and restart.',
  codes: ['secret_store_unavailable'],
};

/** The OpenAPI description of the webhook routes, from the schemas above. */
export function documentWebhookRoutes(doc: ApiDoc): void {
  doc.route({
    method: 'post',
    path: '/api/v1/m365/webhooks',
    tag: TAG,
    summary: 'Register a webhook endpoint: its URL, events and scope; the secret is shown this once',
    query: noQuery,
    body: webhookCreateBody,
    responses: { 201: { description: 'Created, with its whsec_ secret.', content: webhookWithSecretResponse } },
    errors: { 400: UNSAFE_URL, 403: SCOPE, 404: UNKNOWN_TENANT, 409: NO_SECRET_STORE },
  });
  doc.route({
    method: 'get',
    path: '/api/v1/m365/webhooks',
    tag: TAG,
    summary: 'The webhook endpoints this key sees (never their secrets)',
    query: noQuery,
    responses: { 200: { description: 'Every webhook the key sees.', content: webhookListResponse } },
  });
  doc.route({
    method: 'get',
    path: '/api/v1/m365/webhooks/:id',
    tag: TAG,
    summary: 'One webhook endpoint (never its secret)',
    params: webhookId,
    query: noQuery,
    responses: { 200: { description: 'The webhook.', content: webhookResponse } },
    errors: { 400: BAD_ID, 404: NOT_FOUND },
  });
  doc.route({
    method: 'patch',
    path: '/api/v1/m365/webhooks/:id',
    tag: TAG,
    summary: 'Change a webhook: any of its creation fields (a new URL, or enabling it again, is checked again)',
    params: webhookId,
    query: noQuery,
    body: webhookUpdateBody,
    responses: { 200: { description: 'The webhook as changed.', content: webhookResponse } },
    errors: { 400: either(BAD_ID, UNSAFE_URL), 403: SCOPE, 404: either(NOT_FOUND, UNKNOWN_TENANT) },
  });
  doc.route({
    method: 'delete',
    path: '/api/v1/m365/webhooks/:id',
    tag: TAG,
    summary: 'Delete a webhook and its deliveries (queued ones are not sent)',
    params: webhookId,
    query: noQuery,
    responses: { 200: { description: 'Deleted.', content: webhookDeletedResponse } },
    errors: { 400: BAD_ID, 404: NOT_FOUND },
  });
  doc.route({
    method: 'post',
    path: '/api/v1/m365/webhooks/:id/rotate-secret',
    tag: TAG,
    summary: 'A new secret, shown this once; the previous one keeps signing beside it for 24 hours',
    params: webhookId,
    query: noQuery,
    responses: { 200: { description: 'The webhook with its new secret.', content: webhookWithSecretResponse } },
    errors: { 400: BAD_ID, 404: NOT_FOUND, 409: NO_SECRET_STORE },
  });
  doc.route({
    method: 'post',
    path: '/api/v1/m365/webhooks/:id/test',
    tag: TAG,
    summary: 'Queue a seat_steward.webhook.test event to this webhook alone',
    params: webhookId,
    query: noQuery,
    responses: { 202: { description: 'The queued delivery.', content: webhookDeliveryAnswer } },
    errors: { 400: BAD_ID, 404: NOT_FOUND },
  });
  doc.route({
    method: 'get',
    path: '/api/v1/m365/webhooks/:id/deliveries',
    tag: TAG,
    summary: "The webhook's deliveries, newest first (status=dead: its dead letters)",
    params: webhookId,
    query: webhookDeliveriesQuery,
    responses: {
      200: { description: 'A page of deliveries, and counts by status.', content: webhookDeliveryListResponse },
    },
    errors: { 400: BAD_ID, 404: NOT_FOUND },
  });
  doc.route({
    method: 'post',
    path: '/api/v1/m365/webhooks/:id/deliveries/:deliveryId/retry',
    tag: TAG,
    summary: 'Send a delivery again now: a dead letter gets a fresh set of attempts (same webhook-id)',
    params: webhookId.extend({ deliveryId: positiveId.openapi({ description: 'The delivery id.' }) }),
    query: noQuery,
    responses: { 200: { description: 'The delivery, queued again.', content: webhookDeliveryAnswer } },
    errors: {
      400: BAD_ID,
      404: either(NOT_FOUND, {
        description: 'The webhook has no such delivery (delivery_not_found).',
        codes: ['delivery_not_found'],
      }),
      409: {
        description: 'An attempt of this delivery is running now (delivery_in_flight): look again in a few seconds.',
        codes: ['delivery_in_flight'],
      },
    },
  });
}
