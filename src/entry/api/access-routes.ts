import type { Logger } from 'pino';
import type { Request, Server } from 'restify';
import { EVERY_CLIENT, isAccessPrincipal, type AccessGrant } from '../../domain/client-access';
import type { ClientAccess } from '../../usecases/access/client-access';
import type { AccessGrantStore } from '../../usecases/access/ports';
import { readJsonBody } from '../http/http-edge';
import { requireUnscopedKey } from './api-auth';
import { ApiError } from './api-errors';
import { jsonRoute, parseBody, parseQuery } from './api-route';
import { GUID } from '../../domain/guid';
import { noQuery, UNSCOPED_KEY, type ApiDoc } from './api-doc';
import { z } from './api-zod';

export interface AccessRouteDeps {
  access: Pick<ClientAccess, 'grants'>;
  store: AccessGrantStore;
  authorize: (req: Request) => void;
  logger: Logger;
}

const principal = z
  .string()
  .trim()
  .toLowerCase()
  .refine(
    (p) => p.length <= 320 && isAccessPrincipal(p),
    'expected an Entra object id, a UPN or group:<group object id>',
  );
const clientId = z
  .string()
  .trim()
  .toLowerCase()
  .refine((c) => c === EVERY_CLIENT || GUID.test(c), 'expected a client id (UUID) or *');

const putBody = z.object({ principal, client_id: clientId, approve: z.boolean().default(false) }).strict();
const deleteQuery = z.object({ principal, client_id: clientId.optional() }).strict();

const grantSchema = z
  .object({
    principal: z.string().openapi({
      description:
        "An Entra object id, a UPN, or group:<object id> of a group in the MSP's own tenant (its members, as read at that tenant's last sync), lower-case.",
    }),
    client_id: z.string().openapi({ description: 'An MSP client id, or * for every client.' }),
    approve: z.boolean().openapi({ description: "May approve reclaims of the client's tenants." }),
    source: z.enum(['environment', 'api']).openapi({ description: 'environment: CLIENT_ACCESS; api: stored here.' }),
  })
  .openapi('AccessGrant');
const grantListSchema = z.object({ data: z.array(grantSchema) });
const grantPutSchema = z.object({ data: grantSchema });
const grantsRemovedSchema = z.object({ removed: z.number().int() });

export function documentAccessRoutes(doc: ApiDoc): void {
  doc.route({
    method: 'get',
    path: '/api/v1/m365/access/grants',
    tag: 'Access',
    summary: "Which technicians see which MSP clients' tenants in chat, and who approves reclaims there",
    query: noQuery,
    responses: { 200: { description: 'Every grant (CLIENT_ACCESS and stored).', content: grantListSchema } },
    errors: { 403: UNSCOPED_KEY },
  });
  doc.route({
    method: 'put',
    path: '/api/v1/m365/access/grants',
    tag: 'Access',
    summary: 'Grant a technician a client (or every client with *), optionally as approver',
    query: noQuery,
    body: putBody,
    responses: { 200: { description: 'The grant as stored.', content: grantPutSchema } },
    errors: { 403: UNSCOPED_KEY },
  });
  doc.route({
    method: 'delete',
    path: '/api/v1/m365/access/grants',
    tag: 'Access',
    summary: "Remove a technician's stored grants (of one client, or all)",
    query: deleteQuery,
    responses: { 200: { description: 'How many grants were removed.', content: grantsRemovedSchema } },
    errors: {
      403: UNSCOPED_KEY,
      404: {
        description: 'No stored grant for that principal and client (grant_not_found).',
        codes: ['grant_not_found'],
      },
      409: {
        description: 'The grant comes from CLIENT_ACCESS: remove it there (grant_from_environment).',
        codes: ['grant_from_environment'],
      },
    },
  });
}

const grantJson = (g: AccessGrant): z.infer<typeof grantSchema> => ({
  principal: g.principal,
  client_id: g.clientId,
  approve: g.approve,
  source: g.source,
});

/**
 * Access per MSP client: which technicians (object ids or UPNs) see which clients' tenants in
 * chat, and who approves reclaims there. Seat Steward's own settings, so a key limited to some
 * clients may not read or change them.
 */
export function registerAccessRoutes(server: Server, deps: AccessRouteDeps): void {
  const handle = jsonRoute(deps);
  const base = '/api/v1/m365/access/grants';
  server.get(
    base,
    handle((req) => {
      requireUnscopedKey(req);
      parseQuery(noQuery, req);
      const body: z.infer<typeof grantListSchema> = { data: deps.access.grants().map(grantJson) };
      return body;
    }),
  );
  server.put(
    base,
    readJsonBody(4 * 1024),
    handle((req) => {
      requireUnscopedKey(req);
      parseQuery(noQuery, req);
      const body = parseBody(putBody, req);
      const grant = { principal: body.principal, clientId: body.client_id, approve: body.approve };
      deps.store.put(grant, new Date());
      const answer: z.infer<typeof grantPutSchema> = { data: grantJson({ ...grant, source: 'api' }) };
      return answer;
    }),
  );
  server.del(
    base,
    handle((req) => {
      requireUnscopedKey(req);
      const q = parseQuery(deleteQuery, req);
      const removed = deps.store.remove(q.principal, q.client_id);
      const fromEnvironment = deps.access
        .grants()
        .some(
          (g) =>
            g.source === 'environment' && g.principal === q.principal && (!q.client_id || g.clientId === q.client_id),
        );
      if (removed === 0)
        throw new ApiError(
          fromEnvironment ? 409 : 404,
          fromEnvironment ? 'grant_from_environment' : 'grant_not_found',
          fromEnvironment
            ? 'That grant comes from CLIENT_ACCESS: remove it there and restart Seat Steward.'
            : 'No stored grant for that principal and client.',
        );
      const body: z.infer<typeof grantsRemovedSchema> = { removed };
      return body;
    }),
  );
}
