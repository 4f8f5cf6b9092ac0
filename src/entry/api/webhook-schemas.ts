import { WEBHOOK_EVENT_TYPES } from '../../domain/webhook-events';
import { WEBHOOK_DELIVERY_STATUSES } from '../../usecases/webhooks/webhook-ports';
import { paginationSchema } from './api-doc';
import { integer } from './api-route';
import { z } from './api-zod';

/**
 * Request and response shapes of /api/v1/m365/webhooks, as zod schemas: the routes validate with
 * them and the OpenAPI document is generated from them.
 */

const eventName = z.enum(WEBHOOK_EVENT_TYPES, {
  errorMap: () => ({ message: `expected one of ${WEBHOOK_EVENT_TYPES.join(', ')}` }),
});
const idList = z.array(z.string().trim().min(1).max(100)).max(500);

export const webhookCreateBody = z
  .object({
    url: z.string().trim().min(1).max(2_000),
    events: z.array(eventName).min(1, 'expected at least one event'),
    /** Seat Steward tenant ids or Microsoft tenant ids; with `clients` empty too: every tenant the key sees. */
    tenants: idList.optional(),
    /** MSP client ids. */
    clients: idList.optional(),
    enabled: z.boolean().optional(),
    description: z.string().trim().max(500).nullable().optional(),
  })
  .strict();

export const webhookUpdateBody = webhookCreateBody
  .partial()
  .strict()
  .refine((b) => Object.keys(b).length > 0, 'expected at least one field to change');

export const webhookDeliveriesQuery = z
  .object({
    status: z
      .enum(WEBHOOK_DELIVERY_STATUSES, {
        errorMap: () => ({ message: `expected ${WEBHOOK_DELIVERY_STATUSES.join(', ')}` }),
      })
      .optional(),
    limit: integer('limit', 1, 100, 20),
    offset: integer('offset', 0, 10_000_000, 0),
  })
  .strict();

export const webhookEndpointResponse = z.object({
  id: z.number().int(),
  url: z.string(),
  description: z.string().nullable(),
  events: z.array(eventName),
  tenants: z.array(z.string()),
  clients: z.array(z.string()),
  enabled: z.boolean(),
  disabled_reason: z.string().nullable(),
  disabled_at: z.string().nullable(),
  /** While a rotated-out secret still signs (24 h after a rotation). */
  previous_secret_valid_until: z.string().nullable(),
  created_at: z.string(),
  updated_at: z.string(),
});

/** The answer to a create or a rotation: the only time the secret is shown. */
export const webhookWithSecretResponse = z.object({
  data: webhookEndpointResponse.extend({ secret: z.string().startsWith('whsec_') }),
});

export const webhookResponse = z.object({ data: webhookEndpointResponse });

export const webhookListResponse = z.object({ data: z.array(webhookEndpointResponse) });

export const webhookDeletedResponse = z.object({ deleted: z.literal(true), id: z.number().int() });

export const webhookDeliveryResponse = z.object({
  id: z.number().int(),
  webhook_id: z.number().int(),
  event_id: z.string(),
  event: z.string(),
  seat_steward_tenant_id: z.string().nullable(),
  status: z.enum(WEBHOOK_DELIVERY_STATUSES),
  attempts: z.number().int(),
  last_response_code: z.number().int().nullable(),
  last_error: z.string().nullable(),
  /** The start of the receiver's last answer (4 KB at most). */
  last_response_body: z.string().nullable(),
  last_attempt_at: z.string().nullable(),
  next_attempt_at: z.string().nullable(),
  delivered_at: z.string().nullable(),
  created_at: z.string(),
});

export const webhookDeliveryListResponse = z.object({
  data: z.array(webhookDeliveryResponse),
  pagination: paginationSchema,
  counts: z.record(z.enum(WEBHOOK_DELIVERY_STATUSES), z.number().int()),
});

export const webhookDeliveryAnswer = z.object({ data: webhookDeliveryResponse });
