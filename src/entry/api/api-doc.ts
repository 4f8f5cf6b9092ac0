import type { RouteConfig, ZodMediaTypeObject } from '@asteasolutions/zod-to-openapi';
import { OpenAPIRegistry } from '@asteasolutions/zod-to-openapi';
import type { AnyZodObject, ZodTypeAny } from 'zod';
import { z } from './api-zod';

/**
 * The OpenAPI description of the REST routes, written next to each route from the same zod schemas
 * the route parses its input with and types its JSON with. Each route file exports a
 * `document…Routes(doc)` with one `doc.route({...})` per route; openapi-document.ts lists them.
 */

/** The one error shape of every REST error (api-errors.ts). */
export const apiErrorSchema = z
  .object({
    error: z.object({
      code: z
        .string()
        .openapi({ description: 'Stable, machine-readable: switch on this.', example: 'tenant_not_found' }),
      message: z.string().openapi({ description: 'For the admin: what went wrong and what to do.' }),
      details: z
        .array(z.string())
        .optional()
        .openapi({ description: 'One line per refused parameter or field ("name: what is expected").' }),
    }),
  })
  .openapi('Error');

/** The REST API's pagination block (pagination.ts), one shape for every list. */
export const paginationSchema = z
  .object({
    limit: z.number().int(),
    offset: z.number().int(),
    total: z.number().int(),
    has_more: z.boolean(),
  })
  .openapi('Pagination');

/** `{id}` of /tenants/{id}/…: Seat Steward's tenant id or the Microsoft (Entra) tenant id. */
export const tenantPathParams = z.object({
  id: z.string().openapi({
    description: "Seat Steward's tenant id, or the tenant's Microsoft (Entra) tenant id.",
    example: '123e4567-e89b-12d3-a456-426614174000',
  }),
});

/** Routes that take no query parameter refuse any (400 invalid_parameter), so a typo is not silently ignored. */
export const noQuery = z.object({}).strict();

/** A positive whole number in the path (positiveIdParam in api-route.ts). */
export const positiveId = z
  .string()
  .regex(/^[1-9]\d{0,15}$/)
  .openapi({ description: 'A positive whole number.', example: '42' });

/**
 * An error answer: what it means, and the `code`s it can carry (the document then lists them, and the
 * contract test refuses any other). Without codes, any code; with `content`, another body (HTML, text).
 */
export type ErrorDoc = string | { description: string; codes?: readonly string[]; content?: Content };

/** What an error status means on every route that can answer it (the routes' own codes are added to these). */
const ERROR_MEANING = {
  400: {
    description: 'A parameter or field is invalid (invalid_parameter; details names each one).',
    codes: ['invalid_parameter'],
  },
  401: {
    description: 'No API key, an unknown key (unauthorized), or no keys configured (api_disabled).',
    codes: ['unauthorized', 'api_disabled'],
  },
  413: { description: 'The body is too large (payload_too_large).', codes: ['payload_too_large'] },
  415: {
    description: 'The body is not JSON (unsupported_media_type), or is compressed (unsupported_content_encoding).',
    codes: ['unsupported_media_type', 'unsupported_content_encoding'],
  },
  500: {
    description: 'Seat Steward failed (internal_error); the message carries an error id for its log.',
    codes: ['internal_error'],
  },
} as const;

/** readJsonBody's 400, on routes with a body. */
const INVALID_JSON = { description: 'The body is not valid JSON (invalid_json).', codes: ['invalid_json'] } as const;

/** The 404 of every /tenants/{id}/… route. */
export const NO_TENANT = {
  description: "No such tenant, or one outside the key's clients (tenant_not_found).",
  codes: ['tenant_not_found'],
} as const;

/** The 403 of the routes over every tenant or Seat Steward's own settings. */
export const UNSCOPED_KEY = {
  description:
    'The key is limited to some MSP clients; this route needs a key for every tenant (key_scoped_to_clients).',
  codes: ['key_scoped_to_clients'],
} as const;

/** Two error meanings of one status as one: the descriptions joined, the codes added up. */
export function either(a: ErrorDoc, b: ErrorDoc): ErrorDoc {
  const [x, y] = [a, b].map((e) => (typeof e === 'string' ? { description: e } : e));
  return {
    description: `${x.description} ${y.description}`,
    ...(x.codes && y.codes ? { codes: [...new Set([...x.codes, ...y.codes])] } : {}),
    ...(x.content ? { content: x.content } : {}),
  };
}

function errorSchemaOf(codes: readonly string[]): ZodTypeAny {
  const [first, ...rest] = codes;
  return z.object({
    error: apiErrorSchema.shape.error.extend({ code: z.enum([first, ...rest]) }),
  });
}

type Method = 'get' | 'post' | 'put' | 'patch' | 'delete';
type Content = ZodTypeAny | { contentType: string; schema: ZodTypeAny };

export interface RouteDoc {
  method: Method;
  /** The path exactly as restify registers it (`/api/v1/m365/tenants/:id`; a trailing `*` needs `wildcard`). */
  path: string;
  /** The name of a trailing `*` segment's parameter in the document (restify gives it as req.params['*']). */
  wildcard?: string;
  tag: string;
  summary: string;
  description?: string;
  /** The credential: the REST API key (default), none, or the Bot Framework token (/api/messages). */
  auth?: 'apiKey' | 'none' | 'botFramework';
  /** Path parameters; default: `{id}` of a tenant, or each `:name` as a string. */
  params?: AnyZodObject;
  query?: AnyZodObject;
  body?: ZodTypeAny;
  /**
   * Success answers by status: the JSON schema, or another content type with its schema, or several
   * content types (a route whose answer's type depends on the path, as an OData feed's $metadata).
   */
  responses: Record<number, { description: string; content?: Content | readonly Content[] }>;
  /**
   * Error answers by status, each in the error shape (apiErrorSchema) unless given a content: what
   * the route's codes are. 401 and 500 are added for API-key routes, 400 to routes with a query or body.
   */
  errors?: Record<number, ErrorDoc>;
}

/** restify's `:name` and a trailing `*` as OpenAPI path templates. */
export function openApiPath(path: string, wildcard?: string): string {
  return path.replace(/:([A-Za-z0-9_]+)/g, '{$1}').replace(/\*$/, `{${wildcard ?? 'path'}}`);
}

function contentOf(content: Content): Record<string, ZodMediaTypeObject> {
  return 'contentType' in content && 'schema' in content && typeof content.contentType === 'string'
    ? { [content.contentType]: { schema: content.schema as ZodTypeAny } }
    : { 'application/json': { schema: content as ZodTypeAny } };
}

function defaultParams(path: string, wildcard?: string): AnyZodObject | undefined {
  const names = [...path.matchAll(/:([A-Za-z0-9_]+)/g)].map((m) => m[1]);
  if (path.endsWith('*')) names.push(wildcard ?? 'path');
  if (names.length === 0) return undefined;
  const shape: Record<string, ZodTypeAny> = {};
  for (const name of names)
    shape[name] = name === 'id' && path.includes('/tenants/:id') ? tenantPathParams.shape.id : z.string();
  return z.object(shape);
}

/** The registry the route files describe themselves into. */
export class ApiDoc {
  readonly registry = new OpenAPIRegistry();

  constructor() {
    this.registry.registerComponent('securitySchemes', 'apiKey', {
      type: 'http',
      scheme: 'bearer',
      description:
        'One of the keys in API_KEYS: "Authorization: Bearer <key>". A key limited to some MSP clients (client|…:key) reaches only their tenants.',
    });
    this.registry.registerComponent('securitySchemes', 'botFramework', {
      type: 'http',
      scheme: 'bearer',
      bearerFormat: 'JWT',
      description:
        "The Bot Framework's token for this bot (not checked in anonymous mode, which accepts loopback callers only).",
    });
  }

  route(doc: RouteDoc): void {
    const auth = doc.auth ?? 'apiKey';
    const responses: RouteConfig['responses'] = {};
    for (const [status, r] of Object.entries(doc.responses)) {
      const contents: readonly Content[] | undefined =
        r.content === undefined ? undefined : Array.isArray(r.content) ? r.content : [r.content as Content];
      responses[status] = {
        description: r.description,
        ...(contents ? { content: Object.assign({}, ...contents.map(contentOf)) } : {}),
      };
    }
    const errors: Record<number, ErrorDoc> = {};
    // A route's answer in another content type (an HTML page) replaces the JSON error of that status.
    const add = (status: number, e: ErrorDoc) => {
      const otherContent = typeof e !== 'string' && e.content !== undefined;
      errors[status] = errors[status] && !otherContent ? either(errors[status], e) : e;
    };
    if (doc.query || doc.body) add(400, ERROR_MEANING[400]);
    // readJsonBody answers these before the route (and its key check) runs.
    if (doc.body) {
      add(400, INVALID_JSON);
      add(413, ERROR_MEANING[413]);
      add(415, ERROR_MEANING[415]);
    }
    if (auth === 'apiKey') {
      add(401, ERROR_MEANING[401]);
      add(500, ERROR_MEANING[500]);
    }
    for (const [status, e] of Object.entries(doc.errors ?? {})) add(Number(status), e);
    for (const [status, e] of Object.entries(errors)) {
      const error = typeof e === 'string' ? { description: e } : e;
      responses[status] = {
        description: error.description,
        content: error.content
          ? contentOf(error.content)
          : { 'application/json': { schema: error.codes ? errorSchemaOf(error.codes) : apiErrorSchema } },
      };
    }
    const params = doc.params ?? defaultParams(doc.path, doc.wildcard);
    this.registry.registerPath({
      method: doc.method,
      path: openApiPath(doc.path, doc.wildcard),
      tags: [doc.tag],
      summary: doc.summary,
      ...(doc.description ? { description: doc.description } : {}),
      security: auth === 'none' ? [] : [{ [auth]: [] }],
      request: {
        ...(params ? { params } : {}),
        ...(doc.query ? { query: doc.query } : {}),
        ...(doc.body ? { body: { required: true, content: { 'application/json': { schema: doc.body } } } } : {}),
      },
      responses,
    });
  }
}
