import type { Logger } from 'pino';
import type { Request, Server } from 'restify';
import { z } from 'zod';
import type { IdentityReads } from '../../usecases/identity/ports';
import { securityReport } from '../../usecases/identity/security-report';
import type { TenantReads } from '../../usecases/status/ports';
import type { SourceStatusRepository } from '../../usecases/sync/ports';
import { jsonRoute, parseQuery, tenantFromPath } from './api-route';

export interface SecurityRouteDeps {
  tenants: TenantReads;
  identity: IdentityReads;
  sourceStatus: Pick<SourceStatusRepository, 'get'>;
  authorize: (req: Request) => void;
  logger: Logger;
}

/** The REST API's GET /tenants/{id}/security: the raw posture with its as-of dates; unknown components say why. */
export function registerSecurityRoutes(server: Server, deps: SecurityRouteDeps): void {
  const handle = jsonRoute(deps);
  server.get(
    '/api/v1/m365/tenants/:id/security',
    handle((req) => {
      const tenant = tenantFromPath(deps.tenants, req);
      parseQuery(z.object({}).strict(), req);
      return securityReport(tenant.id, deps.identity, deps.sourceStatus.get(tenant.id, 'mfa'), new Date());
    }),
  );
}
