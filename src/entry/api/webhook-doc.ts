import type { ZodTypeAny } from 'zod';
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

const iso = (description: string) => z.string().openapi({ description: `${description} (ISO 8601 UTC).` });
const runId = z.number().int().openapi({ description: 'The sync run (GET …/tenants/{id}/sync runs).' });

/** seed 000's sync_completed example fields, and what else a sync reports (src/domain/sync-events.ts). */
const syncCompletedData = webhookDataCommon.extend({
  sync_run_id: runId,
  status: z.enum(['success', 'partial']),
  trigger: z.string(),
  started_at: iso('When the sync started'),
  finished_at: iso('When it finished'),
  sync_duration: z.string().openapi({ description: 'How long the sync took, hh:mm:ss.', example: '00:04:32' }),
  users_synced: z.number().int(),
  licensed_users: z.number().int(),
  licenses_synced: z.number().int().openapi({ description: "The tenant's licence SKUs." }),
  license_assignments: z.number().int(),
  errors: z.number().int().openapi({ description: 'How many warnings the sync gave (a partial sync has some).' }),
  warnings: z.array(z.string()),
  baseline: z.boolean().openapi({
    description: "The tenant's first sync: no user or licence events are sent for it (everything would be new).",
  }),
});

const syncFailedData = webhookDataCommon.extend({
  sync_run_id: runId,
  trigger: z.string(),
  started_at: iso('When the sync started'),
  failed_at: iso('When it failed'),
  sync_duration: z.string(),
  error_code: z.string().openapi({ description: 'A stable code, e.g. missing_permission, invalid_client_secret.' }),
  reason: z.string().openapi({ description: 'What went wrong and what to do, as the status card says it.' }),
  required_permission: z.string().nullable(),
  required_licence: z.string().nullable(),
});

const userFields = {
  user_id: z.string().openapi({ description: 'The Entra object id.' }),
  user_principal_name: z.string(),
  display_name: z.string().nullable(),
  sync_run_id: runId,
};
const userData = webhookDataCommon.extend(userFields);
const licenceData = webhookDataCommon.extend({
  ...userFields,
  sku_id: z.string().openapi({ description: 'The SKU id, lower case.' }),
  sku_part_number: z.string().nullable(),
  assigned_via: z.array(z.enum(['direct', 'group'])).openapi({ description: 'How the user holds (held) it.' }),
  group_ids: z.array(z.string()).openapi({ description: 'The groups it is (was) inherited from.' }),
});

const riskData = z.discriminatedUnion('kind', [
  webhookDataCommon.extend({
    kind: z.literal('risky_user'),
    user_id: z.string(),
    user_principal_name: z.string().nullable(),
    display_name: z.string().nullable(),
    risk_level: z.string(),
    previous_risk_level: z.string().nullable(),
    risk_state: z.string(),
    risk_last_updated: z.string().nullable(),
    sync_run_id: runId,
  }),
  webhookDataCommon.extend({
    kind: z.literal('risk_detection'),
    detection_id: z.string(),
    user_id: z.string().nullable(),
    user_principal_name: z.string().nullable(),
    risk_event_type: z.string().nullable(),
    risk_level: z.string().nullable(),
    detected_at: z.string().nullable(),
    sync_run_id: runId,
  }),
  webhookDataCommon.extend({
    kind: z.literal('component_status_dropped'),
    component: z.enum([
      'security_defaults',
      'mfa_adoption',
      'conditional_access',
      'identity_protection',
      'device_compliance',
    ]),
    previous_status: z.enum(['excellent', 'good', 'fair', 'poor']),
    status: z.enum(['excellent', 'good', 'fair', 'poor']),
    previous_score: z.number().nullable(),
    score: z.number().nullable(),
    score_max: z.number().nullable(),
    sync_run_id: runId,
  }),
]);

const reclaimActor = z.object({ name: z.string().nullable(), aad_object_id: z.string().nullable() });
const reclaimItemFields = {
  item_id: z.number().int(),
  user_id: z.string(),
  user_principal_name: z.string(),
  display_name: z.string().nullable(),
  sku_id: z.string(),
  sku_name: z.string(),
  assignment: z.enum(['direct', 'group']),
  group_id: z.string().nullable(),
  monthly_saving: z.number().nullable(),
  currency: z.string(),
  state: z.string(),
};
const reclaimRequest = {
  request_id: z.number().int().openapi({ description: 'GET …/tenants/{id}/reclaims lists it.' }),
  mode: z.enum(['on', 'dry-run']),
};

/**
 * Each event's data: the common part the log adds, then the event's own fields as its source
 * builds them (src/domain/sync-events.ts, snapshot-changes.ts, security-events.ts, reclaim-events.ts).
 */
export const WEBHOOK_EVENT_DATA: Record<WebhookEventType, ZodTypeAny> = {
  'm365.tenant.sync_completed': syncCompletedData,
  'm365.tenant.sync_failed': syncFailedData,
  'm365.user.created': userData,
  'm365.user.deleted': userData,
  'm365.license.assigned': licenceData,
  'm365.license.unassigned': licenceData,
  'm365.security.risk_detected': riskData,
  'seat_steward.reclaim.requested': webhookDataCommon.extend({
    ...reclaimRequest,
    source: z.enum(['command', 'inactive_card', 'digest']),
    requested_by: reclaimActor,
    requested_at: iso('When it was requested'),
    expires_at: iso('When it expires unanswered'),
    items: z.array(z.object(reclaimItemFields)),
  }),
  'seat_steward.reclaim.approved': webhookDataCommon.extend({
    ...reclaimRequest,
    approved_by: reclaimActor,
    approved_at: iso('When it was approved'),
    items: z.array(z.object(reclaimItemFields)).openapi({ description: 'The seats approved.' }),
  }),
  'seat_steward.reclaim.removed': webhookDataCommon.extend({
    ...reclaimRequest,
    ...reclaimItemFields,
    removed_by: reclaimActor,
    removed_at: iso('When Graph confirmed the removal'),
  }),
  'seat_steward.reclaim.undone': webhookDataCommon.extend({
    ...reclaimRequest,
    ...reclaimItemFields,
    undone_by: reclaimActor,
    undone_at: iso('When the seat was given back'),
  }),
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
