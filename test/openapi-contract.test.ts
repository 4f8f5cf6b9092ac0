import Ajv2020 from 'ajv/dist/2020';
import addFormats from 'ajv-formats';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHarness, TEST_API_KEY, type Harness } from './helpers/harness';

/**
 * The OpenAPI document against the running app: every route the router registered is in it, and
 * real answers from the demo tenant (successes and errors) validate against the schema the
 * document gives for their status. Objects are checked closed here (no field the document does not
 * name), so a field added to a route without its schema fails.
 */

type Json = Record<string, unknown>;
interface Operation {
  security?: Array<Record<string, unknown>>;
  responses: Record<string, { content?: Record<string, { schema: Json }> }>;
}
interface Document {
  openapi: string;
  paths: Record<string, Record<string, Operation>>;
  components: Json;
  webhooks: Record<string, unknown>;
}

let h: Harness;
let tenantId: string;
let doc: Document;
let ajv: Ajv2020;

/** Every object that lists its properties gets additionalProperties: false unless it says otherwise. */
function closed(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(closed);
  if (!node || typeof node !== 'object') return node;
  const out: Json = {};
  for (const [k, v] of Object.entries(node)) out[k] = closed(v);
  if ('properties' in out && !('additionalProperties' in out)) out.additionalProperties = false;
  return out;
}

/** restify's `:id` as `{id}`; a trailing `*` as the document's one wildcard parameter. */
const templateOf = (restifyPath: string) => restifyPath.replace(/:([A-Za-z0-9_]+)/g, '{$1}');

function operation(method: string, restifyPath: string): Operation {
  const template = templateOf(restifyPath);
  const key = template.endsWith('*')
    ? Object.keys(doc.paths).find((p) => p.startsWith(template.slice(0, -1)) && /\{[^}]+\}$/.test(p))
    : template;
  const op = key ? doc.paths[key]?.[method] : undefined;
  if (!op) throw new Error(`${method.toUpperCase()} ${restifyPath} is not in the OpenAPI document`);
  return op;
}

const pointer = (...parts: string[]) => parts.map((p) => p.replace(/~/g, '~0').replace(/\//g, '~1')).join('/');

/** Checks one real answer against the document: its status is documented, and its body validates. */
async function conforms(method: string, restifyPath: string, res: Response): Promise<Json | string> {
  const op = operation(method, restifyPath);
  const status = String(res.status);
  const documented = op.responses[status];
  if (!documented)
    throw new Error(
      `${method.toUpperCase()} ${restifyPath} answered ${status}, which the document does not list (it lists ${Object.keys(op.responses).join(', ')})`,
    );
  const contentType = (res.headers.get('content-type') ?? '').split(';')[0].trim();
  const text = await res.text();
  const content = documented.content ?? {};
  if (Object.keys(content).length === 0) return text;
  if (!(contentType in content))
    throw new Error(
      `${method.toUpperCase()} ${restifyPath} ${status} answered ${contentType}; the document says ${Object.keys(content).join(', ')}`,
    );
  if (contentType !== 'application/json') return text;
  const body = JSON.parse(text) as Json;
  const key = Object.keys(doc.paths).find((p) => doc.paths[p][method] === op) as string;
  const validate = ajv.getSchema(
    `doc#/${pointer('paths', key, method, 'responses', status, 'content', 'application/json', 'schema')}`,
  );
  if (!validate) throw new Error('no schema');
  if (!validate(body))
    throw new Error(
      `${method.toUpperCase()} ${restifyPath} ${status} does not match the document: ${ajv.errorsText(validate.errors, { separator: '\n' })}\n${text.slice(0, 300)}`,
    );
  return body;
}

async function call(
  method: string,
  restifyPath: string,
  options: { path?: string; query?: string; body?: unknown; key?: string | null } = {},
): Promise<{ status: number; body: Json | string }> {
  const url = `${h.app.url}${options.path ?? restifyPath.replace(':id', tenantId)}${options.query ?? ''}`;
  const key = options.key === undefined ? TEST_API_KEY : options.key;
  const res = await fetch(url, {
    method: method.toUpperCase(),
    headers: {
      ...(key === null ? {} : { authorization: `Bearer ${key}` }),
      ...(options.body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    body: options.body === undefined ? undefined : JSON.stringify(options.body),
  });
  const status = res.status;
  return { status, body: await conforms(method, restifyPath, res) };
}

beforeAll(async () => {
  h = await startHarness({ config: { SECRET_STORE_KEY: 'MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=' } });
  tenantId = h.app.tenants.list()[0].id;
  const first = await h.app.sync.request(tenantId, 'test').done;
  expect({ status: first.status, warnings: first.warnings }).toEqual({ status: 'success', warnings: [] });
  const res = await fetch(`${h.app.url}/openapi.json`);
  expect(res.status).toBe(200);
  doc = (await res.json()) as Document;
  ajv = new Ajv2020({ strict: false, allErrors: true });
  addFormats(ajv);
  ajv.addSchema(closed(doc) as Json, 'doc');
});
afterAll(async () => h?.close());

describe('the OpenAPI document', () => {
  it('is OpenAPI 3.1 with the webhooks section', () => {
    expect(doc.openapi).toBe('3.1.0');
    expect(Object.keys(doc.webhooks)).toContain('m365.tenant.sync_completed');
  });

  it('has every route the router registered (method and path)', () => {
    const missing = h.app
      .httpRoutes()
      .filter((r) => {
        try {
          operation(r.method, r.path);
          return false;
        } catch {
          return true;
        }
      })
      .map((r) => `${r.method.toUpperCase()} ${r.path}`);
    expect(missing).toEqual([]);
  });
});

/** A router path with its parameters filled: the demo tenant (or `tenant`), and harmless values for the rest. */
function filled(restifyPath: string, tenant = tenantId): string {
  return restifyPath
    .replace(':id', tenant)
    .replace(':sku', 'NO_SUCH_SKU')
    .replace(':itemId', '999999')
    .replace(/\*$/, 'not-a-token');
}

const apiKeyRoutes = () =>
  h.app.httpRoutes().filter((r) => operation(r.method, r.path).security?.some((s) => 'apiKey' in s));

describe('every route answers as the document says', () => {
  it('without an API key: 401 (or 415 where the JSON body is checked first), in the error shape', async () => {
    for (const r of apiKeyRoutes()) {
      const { status, body } = await call(r.method, r.path, { path: filled(r.path), key: null });
      expect([401, 415], `${r.method} ${r.path}`).toContain(status);
      expect((body as { error: { code: string } }).error.code).toMatch(/unauthorized|unsupported_media_type/);
    }
  });

  it('with an unknown tenant: 404 tenant_not_found on every GET under /tenants/{id}', async () => {
    const routes = apiKeyRoutes().filter((r) => r.method === 'get' && r.path.startsWith('/api/v1/m365/tenants/:id'));
    expect(routes.length).toBeGreaterThan(10);
    for (const r of routes) {
      const { status, body } = await call(r.method, r.path, { path: filled(r.path, 'no-such-tenant') });
      expect(status, `${r.method} ${r.path}`).toBe(404);
      expect((body as { error: { code: string } }).error.code).toBe('tenant_not_found');
    }
  });

  it('with an unknown query parameter: every GET answers a documented status with a valid body (400 where parameters are checked)', async () => {
    for (const r of h.app.httpRoutes().filter((r) => r.method === 'get')) {
      const { status } = await call(r.method, r.path, { path: filled(r.path), query: '?no_such_parameter=1' });
      expect(status, `${r.method} ${r.path}`).toBeLessThan(500);
    }
  });
});

describe('service routes', () => {
  it('GET /healthz and GET /openapi.json (no key)', async () => {
    expect((await call('get', '/healthz', { key: null })).status).toBe(200);
    expect((await call('get', '/openapi.json', { key: null })).status).toBe(200);
  });

  it('POST /api/messages refuses what is not an activity in the error shape', async () => {
    const { status } = await call('post', '/api/messages', { body: { hello: 'world' }, key: null });
    expect(status).toBe(400);
  });
});

describe('tenants and directory', () => {
  it('GET /tenants, its 400', async () => {
    const list = await call('get', '/api/v1/m365/tenants');
    expect(list.status).toBe(200);
    expect((list.body as { data: unknown[] }).data).toHaveLength(1);
    expect((await call('get', '/api/v1/m365/tenants', { query: '?limit=0' })).status).toBe(400);
    expect((await call('get', '/api/v1/m365/tenants', { query: '?status=nope' })).status).toBe(400);
  });

  it('GET /tenants/{id}/users (a filtered page too) and /licenses', async () => {
    const users = await call('get', '/api/v1/m365/tenants/:id/users', { query: '?limit=200' });
    expect(users.status).toBe(200);
    expect((users.body as { data: unknown[] }).data.length).toBeGreaterThan(100);
    const filtered = await call('get', '/api/v1/m365/tenants/:id/users', {
      query: '?account_enabled=false&mfa_enabled=true',
    });
    expect(filtered.status).toBe(200);
    expect((await call('get', '/api/v1/m365/tenants/:id/users', { query: '?mfa_enabled=maybe' })).status).toBe(400);
    const licenses = await call('get', '/api/v1/m365/tenants/:id/licenses');
    expect(licenses.status).toBe(200);
    expect((licenses.body as { data: unknown[] }).data.length).toBeGreaterThan(1);
  });
});
