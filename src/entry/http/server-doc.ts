import type { ApiDoc } from '../api/api-doc';
import { z } from '../api/api-zod';
import { activityEnvelope } from './activity-envelope';

/** The routes http-server.ts registers itself: the bot's endpoint, the health probe and this document. */

const healthSchema = z
  .object({
    status: z
      .enum(['ok', 'degraded'])
      .openapi({ description: 'degraded: the disk is full; Seat Steward serves read-only.' }),
    storage: z.union([
      z.object({ status: z.literal('ok') }),
      z.object({ status: z.literal('full'), since: z.string(), message: z.string() }),
    ]),
    tenants: z
      .array(z.object({ lastSync: z.string(), syncing: z.boolean() }))
      .openapi({ description: 'One line per tenant, without names or ids (this route has no key).' }),
    jobs: z.record(z.number().int()).openapi({ description: 'Outbox jobs by status.' }),
  })
  .openapi('Health');
export type HealthJson = z.infer<typeof healthSchema>;

export function documentServerRoutes(doc: ApiDoc): void {
  doc.route({
    method: 'post',
    path: '/api/messages',
    tag: 'Bot',
    summary: 'The Bot Framework endpoint (Teams, the Agents Playground)',
    auth: 'botFramework',
    body: activityEnvelope,
    responses: {
      200: { description: "Processed; an invoke's answer (an Adaptive Card action) carries the bot's JSON body." },
    },
    errors: {
      400: { description: 'Not a Bot Framework activity (invalid_activity).', codes: ['invalid_activity'] },
      401: {
        description:
          'The Bot Framework token is missing or not for this bot (unauthorized); in anonymous mode, a caller that is not on this machine (anonymous_mode_loopback_only).',
        codes: ['unauthorized', 'anonymous_mode_loopback_only'],
      },
      403: {
        description:
          'The activity would make the bot post to a connector that is not allowed (service_url_not_allowed).',
        codes: ['service_url_not_allowed'],
      },
      500: {
        description: 'The bot failed on this activity (activity_failed, with an error id).',
        codes: ['activity_failed'],
      },
      501: {
        description: 'No handler for this kind of invoke (invoke_not_supported).',
        codes: ['invoke_not_supported'],
      },
      503: {
        description:
          "The Bot Framework's signing keys are unreachable (bot_auth_unavailable); Retry-After says when to try again.",
        codes: ['bot_auth_unavailable'],
      },
    },
  });
  doc.route({
    method: 'get',
    path: '/healthz',
    tag: 'Service',
    summary: 'Health probe: storage, per-tenant last sync state and queued jobs, naming no tenant',
    auth: 'none',
    responses: {
      200: { description: 'Serving (status degraded: read-only, the disk is full).', content: healthSchema },
    },
  });
  doc.route({
    method: 'get',
    path: '/openapi.json',
    tag: 'Service',
    summary: 'This OpenAPI 3.1 document',
    auth: 'none',
    responses: {
      200: {
        description: 'The document (also committed as docs/openapi.json).',
        content: z.object({ openapi: z.string() }).catchall(z.unknown()),
      },
    },
  });
}
