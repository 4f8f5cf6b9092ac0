import type { Logger } from 'pino';
import type { Request, Server } from 'restify';
import type { IdentityReads } from '../../usecases/identity/ports';
import { securityReport } from '../../usecases/identity/security-report';
import type { TenantReads } from '../../usecases/status/ports';
import type { SourceStatusRepository } from '../../usecases/sync/ports';
import { NO_TENANT, noQuery, type ApiDoc } from './api-doc';
import { jsonRoute, parseQuery, tenantFromPath } from './api-route';
import { z } from './api-zod';

export interface SecurityRouteDeps {
  tenants: TenantReads;
  identity: IdentityReads;
  sourceStatus: Pick<SourceStatusRepository, 'get'>;
  authorize: (req: Request) => void;
  logger: Logger;
}

const count = z.number().nullable();
/** Every component's common part (ComponentState in the domain). */
const component = z.object({
  status: z.enum(['excellent', 'good', 'fair', 'poor', 'unknown']).nullable(),
  score: count,
  score_max: count,
  as_of: z.string().nullable(),
  stale: z.boolean(),
  reason: z
    .string()
    .nullable()
    .openapi({ description: 'Why it is unknown or stale (the missing permission or licence).' }),
  score_note: z.string().nullable(),
});

const securitySchema = z
  .object({
    tenant_id: z.string(),
    generated_at: z.string(),
    overall_score: count,
    security_defaults: component.extend({ enabled: z.boolean().nullable() }),
    mfa_adoption: component.extend({
      total_users: count,
      listed_users: count,
      mfa_enabled_users: count,
      users_without_mfa: count,
      admins_without_mfa: count,
      unknown_users: count,
      adoption_rate: count,
    }),
    conditional_access: component.extend({
      policies_count: count,
      enabled_policies: count,
      report_only: count,
      disabled_policies: count,
      coverage: z.enum(['complete', 'partial', 'none']).nullable(),
    }),
    identity_protection: component.extend({
      enabled: z.boolean().nullable(),
      risk_detections: count,
      high_risk_users: count,
      at_risk_users: count,
    }),
    device_compliance: component.extend({
      total_devices: count,
      rated_devices: count,
      compliant_devices: count,
      non_compliant_devices: count,
      compliance_rate: count,
    }),
    secure_score: component.extend({ current_score: count, max_score: count, control_profiles: count }),
    recommendations: z.array(
      z.object({
        category: z.enum([
          'mfa',
          'security_defaults',
          'conditional_access',
          'identity_protection',
          'device_compliance',
          'visibility',
        ]),
        priority: z.enum(['high', 'medium', 'low']),
        title: z.string(),
        description: z.string(),
        impact: z.enum(['security', 'visibility']),
        impact_points: z.number(),
        accounts: z.array(z.string()).optional(),
      }),
    ),
  })
  .openapi('SecurityPosture');

export function documentSecurityRoutes(doc: ApiDoc): void {
  doc.route({
    method: 'get',
    path: '/api/v1/m365/tenants/:id/security',
    tag: 'Security',
    summary: 'The security posture: each component with its score, as-of date and why when unknown; recommendations',
    query: noQuery,
    responses: { 200: { description: 'The posture.', content: securitySchema } },
    errors: { 404: NO_TENANT },
  });
}

/** The REST API's GET /tenants/{id}/security: the raw posture with its as-of dates; unknown components say why. */
export function registerSecurityRoutes(server: Server, deps: SecurityRouteDeps): void {
  const handle = jsonRoute(deps);
  server.get(
    '/api/v1/m365/tenants/:id/security',
    handle((req) => {
      const tenant = tenantFromPath(deps.tenants, req);
      parseQuery(noQuery, req);
      const body: z.infer<typeof securitySchema> = securityReport(
        tenant.id,
        deps.identity,
        deps.sourceStatus.get(tenant.id, 'mfa'),
        new Date(),
      );
      return body;
    }),
  );
}
