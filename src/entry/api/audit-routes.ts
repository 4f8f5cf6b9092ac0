import type { Logger } from 'pino';
import type { Request, Server } from 'restify';
import type { TenantRecord } from '../../domain/tenant';
import { TenantAccessError } from '../../domain/tenant-access-error';
import { STOP_DATA_GAP_WARNING, type AuditSubscriptions } from '../../usecases/audit/audit-subscriptions';
import { CONTENT_TYPES, contentTypeNamed, type ContentType } from '../../domain/audit-content-types';
import type { SubscriptionState } from '../../usecases/audit/ports';
import type { TenantReads } from '../../usecases/status/ports';
import { ApiError } from './api-errors';
import { jsonRoute, tenantFromPath } from './api-route';
import { readJsonBody } from '../http/http-edge';
import { NO_TENANT, type ApiDoc } from './api-doc';
import { z } from './api-zod';

export interface AuditRouteDeps {
  tenants: TenantReads;
  subscriptions: AuditSubscriptions;
  authorize: (req: Request) => void;
  logger: Logger;
}

const contentTypeField = z
  .string()
  .transform((value, ctx): ContentType => {
    const found = contentTypeNamed(value);
    if (!found) {
      ctx.addIssue({ code: 'custom', message: `expected one of ${CONTENT_TYPES.join(', ')}` });
      return z.NEVER;
    }
    return found;
  })
  .openapi({ description: `One of ${CONTENT_TYPES.join(', ')}.`, example: 'Audit.General' });
const startBody = z.object({ content_type: contentTypeField }).strict();
const stopBody = z.object({ content_type: contentTypeField, confirm: z.boolean().optional() }).strict();

function parseBody<T extends z.ZodTypeAny>(schema: T, req: Request): z.infer<T> {
  const parsed = schema.safeParse(req.body ?? {});
  if (!parsed.success) {
    const details = parsed.error.issues.map((i) => `${i.path.join('.') || 'body'}: ${i.message}`);
    throw new ApiError(
      400,
      'invalid_parameter',
      `Invalid body parameter${details.length > 1 ? 's' : ''}: ${details.join('; ')}`,
      details,
    );
  }
  return parsed.data;
}

const subscriptionSchema = z.object({
  content_type: z.string(),
  status: z
    .string()
    .openapi({ description: 'enabled or disabled, as the Management API says; not_started when never started.' }),
});
const subscriptionListSchema = z.object({ data: z.array(subscriptionSchema), as_of: z.string() });
const subscriptionChangeSchema = z.object({
  success: z.literal(true),
  message: z.string(),
  data: z.array(subscriptionSchema),
});

const MANAGEMENT_ERRORS = {
  403: {
    description: 'The app lacks the Management API permission (insufficient_privileges).',
    codes: ['insufficient_privileges'],
  },
  404: NO_TENANT,
  409: 'The Management API refused the change (management_subscription_…).',
  502: 'The Management API failed or could not be reached; the code says which.',
};

export function documentAuditRoutes(doc: ApiDoc): void {
  doc.route({
    method: 'get',
    path: '/api/v1/m365/tenants/:id/audit/subscriptions',
    tag: 'Audit',
    summary: "The tenant's Office 365 Management Activity API subscriptions, read now",
    responses: { 200: { description: 'Every content type.', content: subscriptionListSchema } },
    errors: MANAGEMENT_ERRORS,
  });
  doc.route({
    method: 'post',
    path: '/api/v1/m365/tenants/:id/audit/subscriptions/start',
    tag: 'Audit',
    summary: 'Start a content type subscription',
    body: startBody,
    responses: { 200: { description: 'Started.', content: subscriptionChangeSchema } },
    errors: MANAGEMENT_ERRORS,
  });
  doc.route({
    method: 'post',
    path: '/api/v1/m365/tenants/:id/audit/subscriptions/stop',
    tag: 'Audit',
    summary: 'Stop a content type subscription (needs "confirm": true: stopping leaves a gap in the audit data)',
    body: stopBody,
    responses: { 200: { description: 'Stopped.', content: subscriptionChangeSchema } },
    errors: {
      ...MANAGEMENT_ERRORS,
      400: {
        description: '"confirm": true is missing (confirmation_required).',
        codes: ['confirmation_required'],
      },
    },
  });
}

const subscriptionJson = (s: SubscriptionState): z.infer<typeof subscriptionSchema> => ({
  content_type: s.contentType,
  status: s.status === 'none' ? 'not_started' : s.status,
});

/** Management API refusals and failures keep their codes; the admin message is the API error's message. */
function asApiError(error: unknown): never {
  if (error instanceof TenantAccessError) {
    const status =
      error.code === 'insufficient_privileges' ? 403 : error.code.startsWith('management_subscription') ? 409 : 502;
    throw new ApiError(status, error.code, error.message);
  }
  throw error;
}

/**
 * The tenant's Office 365 Management Activity API subscriptions:
 * GET .../audit/subscriptions, POST .../audit/subscriptions/start {content_type},
 * POST .../audit/subscriptions/stop {content_type, confirm: true} (the Management API contract's data gap: a stop without confirm is refused).
 */
export function registerAuditRoutes(server: Server, deps: AuditRouteDeps): void {
  const handle = jsonRoute(deps);
  const tenantParam = (req: Request): TenantRecord => tenantFromPath(deps.tenants, req);
  const base = '/api/v1/m365/tenants/:id/audit/subscriptions';
  server.get(
    base,
    handle(async (req) => {
      const tenant = tenantParam(req);
      const list = await deps.subscriptions.list(tenant).catch(asApiError);
      const body: z.infer<typeof subscriptionListSchema> = {
        data: list.map(subscriptionJson),
        as_of: new Date().toISOString(),
      };
      return body;
    }),
  );
  server.post(
    `${base}/start`,
    readJsonBody(64 * 1024),
    handle(async (req) => {
      const tenant = tenantParam(req);
      const body = parseBody(startBody, req);
      const list = await deps.subscriptions.start(tenant, body.content_type).catch(asApiError);
      const answer: z.infer<typeof subscriptionChangeSchema> = {
        success: true,
        message: `${body.content_type} started.`,
        data: list.map(subscriptionJson),
      };
      return answer;
    }),
  );
  server.post(
    `${base}/stop`,
    readJsonBody(64 * 1024),
    handle(async (req) => {
      const tenant = tenantParam(req);
      const body = parseBody(stopBody, req);
      if (body.confirm !== true) {
        throw new ApiError(
          400,
          'confirmation_required',
          `Stopping ${body.content_type} needs "confirm": true. ${STOP_DATA_GAP_WARNING}`,
        );
      }
      const list = await deps.subscriptions.stop(tenant, body.content_type).catch(asApiError);
      const answer: z.infer<typeof subscriptionChangeSchema> = {
        success: true,
        message: `${body.content_type} stopped. ${STOP_DATA_GAP_WARNING}`,
        data: list.map(subscriptionJson),
      };
      return answer;
    }),
  );
}
