import type { AnyZodObject } from 'zod';
import { WEBHOOK_TEST_EVENT } from '../../domain/webhook-delivery';
import { WEBHOOK_EVENT_TYPES, type WebhookEventType } from '../../domain/webhook-events';
import type { ApiDoc } from './api-doc';
import { z } from './api-zod';

/**
 * The webhooks section of the OpenAPI document: what Seat Steward POSTs to an endpoint, per event.
 * Every event has seed 000's envelope {event, timestamp, data}; `data` always carries the tenant's
 * identifiers and its sequence number, and each event's own fields after them.
 */

/** The fields every event's data carries (the event log adds them: WebhookEventLog). */
export const webhookDataCommon = z.object({
  tenant_id: z.string().openapi({ description: 'The Microsoft (Entra) tenant id, as in seed 000.' }),
  seat_steward_tenant_id: z.string().openapi({ description: "Seat Steward's id of the tenant (the REST API's {id})." }),
  client_id: z
    .string()
    .nullable()
    .openapi({ description: 'The MSP client (customer) id of the tenant; null for a tenant of no client.' }),
  sequence: z.number().int().positive().openapi({
    description: 'Increases by one with each event of this tenant: a receiver orders events by it and sees gaps.',
  }),
});

/** seed 000's sync_completed example fields. */
const syncCompletedData = webhookDataCommon.extend({
  sync_duration: z.string().openapi({ description: 'How long the sync took, hh:mm:ss.', example: '00:04:32' }),
  users_synced: z.number().int(),
  licenses_synced: z.number().int(),
  errors: z.number().int(),
});

/**
 * Each event's data. Events whose own fields are not described yet say only the common part (and
 * allow more): give them their schema here, `webhookDataCommon.extend({...})`.
 */
export const WEBHOOK_EVENT_DATA: Record<WebhookEventType, AnyZodObject> = {
  'm365.tenant.sync_completed': syncCompletedData,
  'm365.tenant.sync_failed': webhookDataCommon.catchall(z.unknown()),
  'm365.user.created': webhookDataCommon.catchall(z.unknown()),
  'm365.user.deleted': webhookDataCommon.catchall(z.unknown()),
  'm365.license.assigned': webhookDataCommon.catchall(z.unknown()),
  'm365.license.unassigned': webhookDataCommon.catchall(z.unknown()),
  'm365.security.risk_detected': webhookDataCommon.catchall(z.unknown()),
  'seat_steward.reclaim.requested': webhookDataCommon.catchall(z.unknown()),
  'seat_steward.reclaim.approved': webhookDataCommon.catchall(z.unknown()),
  'seat_steward.reclaim.removed': webhookDataCommon.catchall(z.unknown()),
  'seat_steward.reclaim.undone': webhookDataCommon.catchall(z.unknown()),
};

/** The Standard Webhooks headers of every delivery. */
const deliveryHeaders = z.object({
  'webhook-id': z
    .string()
    .openapi({ description: "The event's id: the same on every retry, so a receiver drops repeats." }),
  'webhook-timestamp': z
    .string()
    .regex(/^\d+$/)
    .openapi({ description: 'Unix seconds when this attempt was signed; refuse ones far from now (replays).' }),
  'webhook-signature': z.string().openapi({
    description:
      'Space-separated "v1,<base64 HMAC-SHA256 of id.timestamp.body with the endpoint\'s whsec_ secret>"; several during a secret rotation.',
  }),
});

/** The test ping's data (WebhookEndpoints.ping): not a tenant's event, so no tenant ids and no sequence. */
const testPingData = z.object({
  webhook_id: z.number().int().openapi({ description: 'The webhook the ping was sent to.' }),
  message: z.string(),
});

const RESPONSES = {
  200: { description: 'Received (any 2xx).' },
  410: { description: 'The endpoint is gone: Seat Steward disables it and stops sending.' },
};

export function documentWebhooks(doc: ApiDoc): void {
  doc.registry.registerWebhook({
    method: 'post',
    path: WEBHOOK_TEST_EVENT,
    summary: WEBHOOK_TEST_EVENT,
    description:
      'Sent by POST /api/v1/m365/webhooks/{id}/test to that webhook alone, whatever its events, signed like every delivery.',
    request: {
      headers: deliveryHeaders,
      body: {
        required: true,
        content: {
          'application/json': {
            schema: z.object({
              event: z.literal(WEBHOOK_TEST_EVENT),
              timestamp: z.string().openapi({ description: 'ISO 8601 UTC: when the ping was asked for.' }),
              data: testPingData,
            }),
          },
        },
      },
    },
    responses: RESPONSES,
  });
  for (const event of WEBHOOK_EVENT_TYPES) {
    const envelope = z.object({
      event: z.literal(event),
      timestamp: z
        .string()
        .openapi({ description: 'ISO 8601 UTC: when the change was seen.', example: '2024-01-15T15:30:00Z' }),
      data: WEBHOOK_EVENT_DATA[event],
    });
    doc.registry.registerWebhook({
      method: 'post',
      path: event,
      summary: event,
      description:
        'Sent to each enabled endpoint subscribed to this event whose scope includes the tenant. Any 2xx acknowledges it; 410 disables the endpoint; other answers are retried with backoff.',
      request: {
        headers: deliveryHeaders,
        body: { required: true, content: { 'application/json': { schema: envelope } } },
      },
      responses: RESPONSES,
    });
  }
}
