import { OpenApiGeneratorV31 } from '@asteasolutions/zod-to-openapi';
import { ApiDoc } from './api-doc';
import { documentWebhooks } from './webhook-doc';
import { documentServerRoutes } from '../http/server-doc';
import { documentTenantRoutes } from './tenant-routes';

/**
 * The OpenAPI 3.1 document of every route the HTTP server registers, built from the route files'
 * own schemas. A new route group adds its `document…Routes` here (and its test sees it in the
 * contract test's route list); `npm run openapi` writes docs/openapi.json from it.
 */
const DOCUMENTED: ReadonlyArray<(doc: ApiDoc) => void> = [documentServerRoutes, documentTenantRoutes, documentWebhooks];

export const OPENAPI_VERSION = '3.1.0';

export function buildOpenApiDocument(): ReturnType<OpenApiGeneratorV31['generateDocument']> {
  const doc = new ApiDoc();
  for (const describe of DOCUMENTED) describe(doc);
  return new OpenApiGeneratorV31(doc.registry.definitions).generateDocument({
    openapi: OPENAPI_VERSION,
    info: {
      title: 'Seat Steward REST API',
      version: '1',
      description:
        'Microsoft 365 tenants, users, licences and Copilot seat analytics as Seat Steward mirrors them. Errors have one shape: {"error": {"code", "message", "details"?}}.',
    },
    servers: [{ url: '/' }],
  });
}

let built: string | undefined;

/** The document as JSON text, built once (it depends on code only). */
export function openApiJson(): string {
  built ??= `${JSON.stringify(buildOpenApiDocument(), null, 2)}\n`;
  return built;
}
