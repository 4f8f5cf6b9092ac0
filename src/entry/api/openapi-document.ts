import { OpenApiGeneratorV31 } from '@asteasolutions/zod-to-openapi';
import { ApiDoc } from './api-doc';
import { documentWebhooks } from './webhook-doc';
import { documentServerRoutes } from '../http/server-doc';
import { documentAccessRoutes } from './access-routes';
import { documentAuditRoutes } from './audit-routes';
import { documentCohortRoutes } from './cohort-routes';
import { documentCopilotRoutes } from './copilot-routes';
import { documentDepartmentRoutes } from './department-routes';
import { documentExportRoutes } from './export-routes';
import { documentJobRoutes } from './job-routes';
import { documentODataRoutes } from './odata-routes';
import { documentPortfolioRoutes } from './portfolio-routes';
import { documentPriceRoutes } from './price-routes';
import { documentReclaimRoutes } from './reclaim-routes';
import { documentSecurityRoutes } from './security-routes';
import { documentStarRoutes } from './star-routes';
import { documentSyncRoutes } from './sync-routes';
import { documentTenantAdminRoutes } from './tenant-admin-routes';
import { documentTenantRoutes } from './tenant-routes';
import { documentUsageRoutes } from './usage-routes';
import { documentWebhookRoutes } from './webhook-routes';

/**
 * The OpenAPI 3.1 document of every route the HTTP server registers, built from the route files'
 * own schemas. A new route group adds its `document…Routes` here (and its test sees it in the
 * contract test's route list); `npm run openapi` writes docs/openapi.json from it.
 */
const DOCUMENTED: ReadonlyArray<(doc: ApiDoc) => void> = [
  documentServerRoutes,
  documentTenantRoutes,
  documentTenantAdminRoutes,
  documentJobRoutes,
  documentSyncRoutes,
  documentUsageRoutes,
  documentCopilotRoutes,
  documentDepartmentRoutes,
  documentSecurityRoutes,
  documentAuditRoutes,
  documentPriceRoutes,
  documentReclaimRoutes,
  documentAccessRoutes,
  documentPortfolioRoutes,
  documentExportRoutes,
  documentCohortRoutes,
  documentStarRoutes,
  documentODataRoutes,
  documentWebhookRoutes,
  // Events Seat Steward sends, under the document's `webhooks`.
  documentWebhooks,
];

export const OPENAPI_VERSION = '3.1.0';

/**
 * zod-to-openapi 7 writes a nullable enum as `type: [string, null]` with an `enum` that leaves null
 * out, so a null it allows fails validation; null is added to such enums. The document's `enum` is
 * the very array zod holds (e.g. the domain's RECLAIM_STATES), so it is replaced, never pushed to.
 */
function nullInNullableEnums(node: unknown): void {
  if (Array.isArray(node)) return node.forEach(nullInNullableEnums);
  if (!node || typeof node !== 'object') return;
  const schema = node as { type?: unknown; enum?: unknown[] };
  if (
    Array.isArray(schema.type) &&
    schema.type.includes('null') &&
    Array.isArray(schema.enum) &&
    !schema.enum.includes(null)
  )
    schema.enum = [...schema.enum, null];
  Object.values(node).forEach(nullInNullableEnums);
}

export function buildOpenApiDocument(): ReturnType<OpenApiGeneratorV31['generateDocument']> {
  const doc = new ApiDoc();
  for (const describe of DOCUMENTED) describe(doc);
  const document = new OpenApiGeneratorV31(doc.registry.definitions).generateDocument({
    openapi: OPENAPI_VERSION,
    info: {
      title: 'Seat Steward REST API',
      version: '1',
      description:
        'Microsoft 365 tenants, users, licences and Copilot seat analytics as Seat Steward mirrors them. Errors have one shape: {"error": {"code", "message", "details"?}}.',
    },
    servers: [{ url: '/' }],
  });
  nullInNullableEnums(document);
  return document;
}

let built: string | undefined;

/** The document as JSON text, built once (it depends on code only). */
export function openApiJson(): string {
  built ??= `${JSON.stringify(buildOpenApiDocument(), null, 2)}\n`;
  return built;
}
