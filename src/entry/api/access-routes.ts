import type { Logger } from 'pino';
import type { Request, Server } from 'restify';
import { z } from 'zod';
import { EVERY_CLIENT, type AccessGrant } from '../../domain/client-access';
import type { ClientAccess } from '../../usecases/access/client-access';
import type { AccessGrantStore } from '../../usecases/access/ports';
import { readJsonBody } from '../http/http-edge';
import { requireUnscopedKey } from './api-auth';
import { ApiError } from './api-errors';
import { jsonRoute, parseBody, parseQuery } from './api-route';
import { GUID } from '../../domain/guid';

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
  .refine((p) => GUID.test(p) || /^[^@\s]{1,64}@[^@\s]{1,255}$/.test(p), 'expected an Entra object id or a UPN');
const clientId = z
  .string()
  .trim()
  .toLowerCase()
  .refine((c) => c === EVERY_CLIENT || GUID.test(c), 'expected a client id (UUID) or *');

const putBody = z.object({ principal, client_id: clientId, approve: z.boolean().default(false) }).strict();
const deleteQuery = z.object({ principal, client_id: clientId.optional() }).strict();

const grantJson = (g: AccessGrant) => ({
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
      parseQuery(z.object({}).strict(), req);
      return { data: deps.access.grants().map(grantJson) };
    }),
  );
  server.put(
    base,
    readJsonBody(4 * 1024),
    handle((req) => {
      requireUnscopedKey(req);
      parseQuery(z.object({}).strict(), req);
      const body = parseBody(putBody, req);
      const grant = { principal: body.principal, clientId: body.client_id, approve: body.approve };
      deps.store.put(grant, new Date());
      return { data: grantJson({ ...grant, source: 'api' }) };
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
      return { removed };
    }),
  );
}
