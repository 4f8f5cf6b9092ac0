import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { CompactEncrypt, importJWK, type JWK } from 'jose';
import Ajv2020 from 'ajv/dist/2020';
import addFormats from 'ajv-formats';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHarness, TEST_API_KEY, type Harness } from './helpers/harness';
import { ConnectorRecorder } from './helpers/connector-recorder';
import { WEBHOOK_EVENT_TYPES } from '../src/domain/webhook-events';
import { WEBHOOK_TEST_EVENT } from '../src/domain/webhook-delivery';
import { Receiver, subscribeEverything } from './helpers/webhook-receiver';
import { ADMIN, message, personal } from './helpers/teams-activities';

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

const SCOPED_CLIENT = '987fcdeb-51a2-43d7-8f9a-123456789abc';
const SCOPED_KEY = 'scoped-key-0123456789abcdef';

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
  h = await startHarness({
    config: {
      SECRET_STORE_KEY: 'MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=',
      // A second key limited to one MSP client: the routes over every tenant refuse it (403).
      API_KEYS: `${TEST_API_KEY},${SCOPED_CLIENT}:${SCOPED_KEY}`,
    },
  });
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
  it('is OpenAPI 3.1 with every webhook event under webhooks: the Standard Webhooks headers, and an envelope seed 000 example validates against', () => {
    expect(doc.openapi).toBe('3.1.0');
    const events = [...WEBHOOK_EVENT_TYPES, WEBHOOK_TEST_EVENT];
    expect(Object.keys(doc.webhooks).sort()).toEqual(events.sort());
    const post = (event: string) =>
      (doc.webhooks as Record<string, { post: { parameters: Array<{ name: string; in: string }> } }>)[event].post;
    for (const event of events)
      expect(post(event).parameters.map((p) => `${p.in}:${p.name}`)).toEqual([
        'header:webhook-id',
        'header:webhook-timestamp',
        'header:webhook-signature',
      ]);
    const envelope = ajv.getSchema(
      `doc#/${pointer('webhooks', 'm365.tenant.sync_completed', 'post', 'requestBody', 'content', 'application/json', 'schema')}`,
    );
    // seed 000's example, with the identifiers and sequence number every event carries.
    const example = {
      event: 'm365.tenant.sync_completed',
      timestamp: '2024-01-15T15:30:00Z',
      data: {
        tenant_id: '123e4567-e89b-12d3-a456-426614174000',
        seat_steward_tenant_id: 'a1b2c3',
        client_id: null,
        sequence: 1,
        sync_duration: '00:04:32',
        users_synced: 142,
        licenses_synced: 5,
        errors: 0,
        // What Seat Steward's sync adds to the seed's fields.
        sync_run_id: 7,
        status: 'success',
        trigger: 'schedule',
        started_at: '2024-01-15T15:25:28Z',
        finished_at: '2024-01-15T15:30:00Z',
        licensed_users: 120,
        license_assignments: 180,
        warnings: [],
        baseline: false,
      },
    };
    expect(envelope?.(example), ajv.errorsText(envelope?.errors)).toBe(true);
    expect(envelope?.({ ...example, data: { ...example.data, sequence: undefined } })).toBe(false);
  });

  it('describes the events the real event log recorded for the synced tenant', async () => {
    // The log keeps only what a webhook wants: subscribe, sync, read what it kept.
    const receiver = new Receiver();
    await receiver.start();
    try {
      await subscribeEverything(h.app.url, TEST_API_KEY, receiver);
      await h.app.sync.request(h.app.tenants.list()[0]!.id, 'test').done;
    } finally {
      await receiver.stop();
    }
    const bodies = h.app.db.prepare('SELECT type, body FROM webhook_events ORDER BY id').all() as Array<{
      type: string;
      body: string;
    }>;
    expect(bodies.map((b) => b.type)).toContain('m365.tenant.sync_completed');
    for (const { type, body } of bodies) {
      const check = ajv.getSchema(
        `doc#/${pointer('webhooks', type, 'post', 'requestBody', 'content', 'application/json', 'schema')}`,
      );
      expect(check?.(JSON.parse(body)), `${type}: ${ajv.errorsText(check?.errors)}`).toBe(true);
    }
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

  it('documents no route the router lacks', () => {
    const registered = new Set(h.app.httpRoutes().map((r) => `${r.method} ${templateOf(r.path)}`));
    const extra = Object.entries(doc.paths)
      .flatMap(([path, ops]) => Object.keys(ops).map((method) => `${method} ${path}`))
      .filter((op) => !registered.has(op) && !registered.has(op.replace(/\{[^}]+\}$/, '*')));
    expect(extra).toEqual([]);
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
  it('without an API key: 401 unauthorized, in the error shape', async () => {
    for (const r of apiKeyRoutes()) {
      const withBody = ['post', 'put', 'patch'].includes(r.method);
      const { status, body } = await call(r.method, r.path, {
        path: filled(r.path),
        key: null,
        ...(withBody ? { body: {} } : {}),
      });
      expect(status, `${r.method} ${r.path}`).toBe(401);
      expect((body as { error: { code: string } }).error.code).toBe('unauthorized');
    }
  });

  it('with a body that is not JSON: 415 on every route that reads one', async () => {
    const readers = apiKeyRoutes().filter((r) => 'requestBody' in operation(r.method, r.path));
    expect(readers.length).toBeGreaterThan(4);
    for (const r of readers) {
      const res = await fetch(`${h.app.url}${filled(r.path)}`, {
        method: r.method.toUpperCase(),
        headers: { authorization: `Bearer ${TEST_API_KEY}`, 'content-type': 'text/plain' },
        body: 'hello',
      });
      expect(res.status, `${r.method} ${r.path}`).toBe(415);
      await conforms(r.method, r.path, res);
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

  it('POST /api/messages: a message activity (200), and what is not an activity (400, the error shape)', async () => {
    const connector = new ConnectorRecorder();
    const serviceUrl = await connector.start();
    try {
      const activity = { ...message(serviceUrl, personal(), 'help'), from: ADMIN };
      expect((await call('post', '/api/messages', { body: activity, key: null })).status).toBe(200);
    } finally {
      await connector.stop();
    }
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

/** Each route group: a success from the demo tenant, and its own errors. */
const T = '/api/v1/m365/tenants/:id';
const code = (body: Json | string) => (body as { error: { code: string } }).error.code;

describe('sync, check and sources', () => {
  it('GET …/check and …/sources', async () => {
    expect((await call('get', `${T}/check`)).status).toBe(200);
    const sources = await call('get', `${T}/sources`);
    expect(sources.status).toBe(200);
    expect((sources.body as { data: unknown[] }).data.length).toBeGreaterThan(3);
  });

  it('POST …/sync starts a sync (and joins it when one runs)', async () => {
    const started = await call('post', `${T}/sync`);
    expect(started.status).toBe(200);
    // The same run, awaited, so the analytics the next tests read are published.
    await h.app.sync.request(tenantId, 'test').done;
  });
});

describe('usage, Copilot analytics, departments and security', () => {
  it('GET …/usage (two periods), its 400', async () => {
    expect((await call('get', `${T}/usage`)).status).toBe(200);
    expect((await call('get', `${T}/usage`, { query: '?period=7d&service=teams' })).status).toBe(200);
    const bad = await call('get', `${T}/usage`, { query: '?period=1y' });
    expect(bad.status).toBe(400);
    expect(code(bad.body)).toBe('invalid_parameter');
  });

  it('GET …/copilot/seats, …/candidates, …/summary, …/departments, and their 400', async () => {
    const seats = await call('get', `${T}/copilot/seats`, { query: '?limit=500' });
    expect(seats.status).toBe(200);
    expect((seats.body as { data: unknown[] }).data.length).toBeGreaterThan(0);
    expect((await call('get', `${T}/copilot/seats`, { query: '?recommendation=reclaim' })).status).toBe(200);
    expect((await call('get', `${T}/copilot/seats`, { query: '?status=sleeping' })).status).toBe(400);
    expect((await call('get', `${T}/copilot/candidates`, { query: '?limit=500' })).status).toBe(200);
    expect((await call('get', `${T}/copilot/candidates`, { query: '?priority=Urgent' })).status).toBe(400);
    expect((await call('get', `${T}/copilot/summary`)).status).toBe(200);
    expect((await call('get', `${T}/copilot/departments`)).status).toBe(200);
  });

  it('GET …/security', async () => {
    expect((await call('get', `${T}/security`)).status).toBe(200);
  });
});

describe('audit subscriptions', () => {
  it('list, start, stop (refused without confirm, then confirmed), and a wrong content type', async () => {
    const base = `${T}/audit/subscriptions`;
    expect((await call('get', base)).status).toBe(200);
    expect((await call('post', `${base}/start`, { body: { content_type: 'Audit.General' } })).status).toBe(200);
    const unconfirmed = await call('post', `${base}/stop`, { body: { content_type: 'Audit.General' } });
    expect(unconfirmed.status).toBe(400);
    expect(code(unconfirmed.body)).toBe('confirmation_required');
    const stopped = await call('post', `${base}/stop`, { body: { content_type: 'Audit.General', confirm: true } });
    expect(stopped.status).toBe(200);
    expect((await call('post', `${base}/start`, { body: { content_type: 'Audit.Nope' } })).status).toBe(400);
  });
});

describe('prices', () => {
  it('list, set, clear; an unknown SKU and a wrong amount', async () => {
    const base = `${T}/prices`;
    expect((await call('get', base)).status).toBe(200);
    const sku = `${base}/:sku`;
    const path = (s: string) => sku.replace(':id', tenantId).replace(':sku', s);
    const set = await call('put', sku, {
      path: path('Microsoft_365_Copilot'),
      body: { amount: 28.5, currency: 'USD' },
    });
    expect(set.status).toBe(200);
    expect((await call('put', sku, { path: path('Microsoft_365_Copilot'), body: { amount: 'thirty' } })).status).toBe(
      400,
    );
    const unknown = await call('put', sku, { path: path('NO_SUCH_SKU'), body: { amount: 30 } });
    expect(unknown.status).toBe(404);
    expect(code(unknown.body)).toBe('sku_not_found');
    expect((await call('delete', sku, { path: path('Microsoft_365_Copilot') })).status).toBe(200);
  });
});

describe('reclaims, jobs, access grants, portfolio', () => {
  it('GET …/reclaims; an undo of an unknown item (404) and of a malformed id (400)', async () => {
    expect((await call('get', `${T}/reclaims`)).status).toBe(200);
    expect((await call('get', `${T}/reclaims`, { query: '?state=lost' })).status).toBe(400);
    const undo = `${T}/reclaims/:itemId/undo`;
    const missing = await call('post', undo, { path: undo.replace(':id', tenantId).replace(':itemId', '999999') });
    expect(missing.status).toBe(404);
    expect(code(missing.body)).toBe('reclaim_item_not_found');
    expect((await call('post', undo, { path: undo.replace(':id', tenantId).replace(':itemId', 'abc') })).status).toBe(
      400,
    );
  });

  it('GET /jobs; a retry of an unknown job (404) and of one that is not dead (409)', async () => {
    const list = await call('get', '/api/v1/m365/jobs', { query: '?limit=100' });
    expect(list.status).toBe(200);
    expect((await call('get', '/api/v1/m365/jobs', { query: '?status=lost' })).status).toBe(400);
    const retry = '/api/v1/m365/jobs/:id/retry';
    expect((await call('post', retry, { path: retry.replace(':id', '999999') })).status).toBe(404);
    // Pending until next year: the runner leaves it alone.
    const { job } = h.app.outbox.enqueue({
      kind: 'contract-test',
      idempotencyKey: 'openapi-contract',
      payload: {},
      maxAttempts: 1,
      runAfter: new Date(Date.now() + 365 * 86_400_000),
    });
    const busy = await call('post', retry, { path: retry.replace(':id', String(job.id)) });
    expect(busy.status).toBe(409);
    expect(code(busy.body)).toBe('job_not_dead');
  });

  it('access grants: put, list, delete, delete again (404)', async () => {
    const base = '/api/v1/m365/access/grants';
    const grant = { principal: 'tech@contoso.com', client_id: '*', approve: true };
    expect((await call('put', base, { body: grant })).status).toBe(200);
    expect((await call('put', base, { body: { principal: 'not a principal', client_id: '*' } })).status).toBe(400);
    expect((await call('get', base)).status).toBe(200);
    expect((await call('delete', base, { query: '?principal=tech@contoso.com' })).status).toBe(200);
    const again = await call('delete', base, { query: '?principal=tech@contoso.com' });
    expect(again.status).toBe(404);
    expect(code(again.body)).toBe('grant_not_found');
  });

  it('a key limited to one MSP client: 403 on jobs and access grants, and it sees no tenant of another client (404)', async () => {
    for (const [method, path] of [
      ['get', '/api/v1/m365/jobs'],
      ['get', '/api/v1/m365/access/grants'],
    ] as const) {
      const refused = await call(method, path, { key: SCOPED_KEY });
      expect(refused.status).toBe(403);
      expect(code(refused.body)).toBe('key_scoped_to_clients');
    }
    const hidden = await call('get', `${T}/copilot/summary`, { key: SCOPED_KEY });
    expect(hidden.status).toBe(404);
    const none = await call('get', '/api/v1/m365/tenants', { key: SCOPED_KEY });
    expect((none.body as { data: unknown[] }).data).toEqual([]);
  });

  it('GET /portfolio (all, one client), its 400', async () => {
    expect((await call('get', '/api/v1/m365/portfolio')).status).toBe(200);
    const client = '987fcdeb-51a2-43d7-8f9a-123456789abc';
    expect((await call('get', '/api/v1/m365/portfolio', { query: `?client_id=${client}` })).status).toBe(200);
    expect((await call('get', '/api/v1/m365/portfolio', { query: '?client_id=nope' })).status).toBe(400);
  });
});

describe('exports', () => {
  it('every CSV export with the key, and through a signed link; a bad link answers 403 in plain text', async () => {
    for (const kind of ['underutilized', 'candidates', 'departments']) {
      const file = await call('get', `${T}/exports/${kind}.csv`);
      expect(file.status).toBe(200);
      expect(String(file.body)).toContain(',');
    }
    const { url } = h.app.exportLinks.link(tenantId, 'candidates', new Date());
    const linked = await call('get', '/exports/*', { path: new URL(url).pathname });
    expect(linked.status).toBe(200);
    const forged = await call('get', '/exports/*', { path: '/exports/not-a-token', key: null });
    expect(forged.status).toBe(403);
  });
});

describe('webhooks', () => {
  /** A receiver on loopback (http to loopback is allowed in the demo) that acknowledges everything. */
  let receiver: http.Server;
  let receiverUrl: string;
  const received: Array<{ headers: http.IncomingHttpHeaders; body: string }> = [];
  beforeAll(async () => {
    receiver = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        received.push({ headers: req.headers, body: Buffer.concat(chunks).toString('utf8') });
        res.statusCode = 204;
        res.end();
      });
    });
    await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
    receiverUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hook`;
  });
  afterAll(async () => new Promise<void>((resolve) => receiver.close(() => resolve())));

  const W = '/api/v1/m365/webhooks';
  const at = (path: string, id: number | string, deliveryId?: number | string) =>
    path.replace(':id', String(id)).replace(':deliveryId', String(deliveryId));

  it('create (201 with the secret), list, get, patch, rotate, test ping, deliveries, retry, delete; their 400, 403 and 404', async () => {
    const created = await call('post', W, {
      body: { url: receiverUrl, events: ['m365.tenant.sync_completed'], tenants: [tenantId], description: 'PSA' },
    });
    expect(created.status).toBe(201);
    const id = (created.body as { data: { id: number } }).data.id;
    const unsafe = await call('post', W, { body: { url: 'ftp://127.0.0.1/hook', events: ['m365.user.created'] } });
    expect(unsafe.status).toBe(400);
    expect(code(unsafe.body)).toBe('unsafe_url');
    expect((await call('post', W, { body: { url: receiverUrl, events: ['m365.nothing'] } })).status).toBe(400);
    const noTenant = await call('post', W, {
      body: { url: receiverUrl, events: ['m365.user.created'], tenants: ['no-such-tenant'] },
    });
    expect(noTenant.status).toBe(404);
    expect(code(noTenant.body)).toBe('tenant_not_found');
    const foreign = await call('post', W, {
      body: { url: receiverUrl, events: ['m365.user.created'], clients: ['another-client'] },
      key: SCOPED_KEY,
    });
    expect(foreign.status).toBe(403);
    expect(code(foreign.body)).toBe('key_scoped_to_clients');

    expect((await call('get', W)).status).toBe(200);
    expect((await call('get', `${W}/:id`, { path: at(`${W}/:id`, id) })).status).toBe(200);
    const missing = await call('get', `${W}/:id`, { path: at(`${W}/:id`, 999999) });
    expect(missing.status).toBe(404);
    expect(code(missing.body)).toBe('webhook_not_found');
    expect((await call('get', `${W}/:id`, { path: at(`${W}/:id`, 'abc') })).status).toBe(400);

    const one = at(`${W}/:id`, id);
    expect((await call('patch', `${W}/:id`, { path: one, body: { description: 'ITSM', enabled: true } })).status).toBe(
      200,
    );
    expect((await call('patch', `${W}/:id`, { path: one, body: {} })).status).toBe(400);
    const rotated = await call('post', `${W}/:id/rotate-secret`, { path: at(`${W}/:id/rotate-secret`, id) });
    expect(rotated.status).toBe(200);
    expect((rotated.body as { data: { secret: string } }).data.secret).toMatch(/^whsec_/);

    const ping = await call('post', `${W}/:id/test`, { path: at(`${W}/:id/test`, id) });
    expect(ping.status).toBe(202);
    const deliveryId = (ping.body as { data: { id: number } }).data.id;
    // The ping as the receiver got it validates against the document's webhooks section.
    const pinged = () => received.find((r) => (JSON.parse(r.body) as Json).event === WEBHOOK_TEST_EVENT);
    await expect.poll(pinged, { timeout: 20_000 }).toBeDefined();
    const envelope = ajv.getSchema(
      `doc#/${pointer('webhooks', WEBHOOK_TEST_EVENT, 'post', 'requestBody', 'content', 'application/json', 'schema')}`,
    );
    const { headers, body } = pinged()!;
    expect(envelope?.(JSON.parse(body)), ajv.errorsText(envelope?.errors)).toBe(true);
    expect(headers['webhook-signature']).toMatch(/^v1,/);
    const list = await call('get', `${W}/:id/deliveries`, { path: at(`${W}/:id/deliveries`, id) });
    expect(list.status).toBe(200);
    expect((list.body as { data: unknown[] }).data).toHaveLength(1);
    const deliveries = `${W}/:id/deliveries`;
    expect((await call('get', deliveries, { path: at(deliveries, id), query: '?status=lost' })).status).toBe(400);
    const retry = `${W}/:id/deliveries/:deliveryId/retry`;
    // 409 delivery_in_flight while the ping's attempt runs: documented too.
    expect([200, 409]).toContain((await call('post', retry, { path: at(retry, id, deliveryId) })).status);
    const noDelivery = await call('post', retry, { path: at(retry, id, 999999) });
    expect(noDelivery.status).toBe(404);
    expect(code(noDelivery.body)).toBe('delivery_not_found');

    expect((await call('delete', `${W}/:id`, { path: one })).status).toBe(200);
    expect((await call('delete', `${W}/:id`, { path: one })).status).toBe(404);
  });
});

describe('Power BI star schema and seat cohorts', () => {
  const STAR = ['fact_user_usage', 'dim_user', 'dim_date', 'dim_department', 'dim_license'];

  it('each star-schema CSV, the zip, an unknown file (404); the cohorts (JSON, CSV) and their 400', async () => {
    for (const table of STAR) {
      const file = await call('get', `${T}/exports/star/${table}.csv`);
      expect(file.status, table).toBe(200);
      expect(String(file.body)).toContain(',');
    }
    expect((await call('get', `${T}/exports/star.zip`)).status).toBe(200);
    expect((await call('get', `${T}/exports/star.zip`, { query: '?x=1' })).status).toBe(400);
    const unknown = await call('get', `${T}/exports/star/:file`, {
      path: `${T.replace(':id', tenantId)}/exports/star/nope.csv`,
    });
    expect(unknown.status).toBe(404);
    expect(code(unknown.body)).toBe('table_not_found');

    const cohorts = await call('get', `${T}/copilot/cohorts`, { query: '?months=3' });
    expect(cohorts.status).toBe(200);
    expect((cohorts.body as { months: unknown[] }).months).toHaveLength(3);
    expect((await call('get', `${T}/copilot/cohorts`, { query: '?months=0' })).status).toBe(400);
    expect((await call('get', `${T}/exports/cohorts.csv`)).status).toBe(200);
  });

  it('the OData feed: service document, $metadata (XML), a page of every entity set, and its 400 and 404', async () => {
    const resource = `${T}/odata/:resource`;
    const path = (r: string) => resource.replace(':id', tenantId).replace(':resource', r);
    expect((await call('get', `${T}/odata`)).status).toBe(200);
    const metadata = await call('get', resource, { path: path('$metadata') });
    expect(metadata.status).toBe(200);
    expect(String(metadata.body)).toContain('<edmx:Edmx');
    for (const table of STAR) {
      const page = await call('get', resource, { path: path(table), query: '?$top=3' });
      expect(page.status, table).toBe(200);
    }
    const picked = await call('get', resource, { path: path('fact_user_usage'), query: '?$select=UserKey,DateKey' });
    expect(picked.status).toBe(200);
    expect(Object.keys((picked.body as { value: Json[] }).value[0]).sort()).toEqual(['DateKey', 'UserKey']);
    const filter = await call('get', resource, { path: path('dim_user'), query: '?$filter=DateKey%20ge%201' });
    expect(filter.status).toBe(400);
    expect(code(filter.body)).toBe('invalid_parameter');
    const none = await call('get', resource, { path: path('fact_sales') });
    expect(none.status).toBe(404);
    expect(code(none.body)).toBe('table_not_found');
  });
});

describe('tenant administration', () => {
  it('GET /encryption-key, GET …/tenants/{id}, PATCH (a change, an empty body), DELETE without confirm', async () => {
    expect((await call('get', '/api/v1/m365/encryption-key')).status).toBe(200);
    expect((await call('get', T)).status).toBe(200);
    const patched = await call('patch', T, { body: { sync_interval_hours: 12 } });
    expect([200, 409]).toContain(patched.status);
    const empty = await call('patch', T, { body: {} });
    expect(empty.status).toBe(400);
    const unconfirmed = await call('delete', T);
    expect([400, 409]).toContain(unconfirmed.status);
  });

  it('POST /tenants refuses a wrong body (400) and a duplicate of the demo tenant (409 or 400)', async () => {
    const wrong = await call('post', '/api/v1/m365/tenants', { body: { tenant_name: '' } });
    expect(wrong.status).toBe(400);
    expect(code(wrong.body)).toBe('invalid_parameter');
  });

  it("GET …/consent without the MSP's app (409), and the consent callback's page for an unknown state (400, HTML)", async () => {
    const consent = await call('get', `${T}/consent`);
    expect(consent.status).toBe(409);
    const page = await call('get', '/consent/callback', { query: '?state=nope&admin_consent=True', key: null });
    expect(page.status).toBe(400);
    expect(String(page.body)).toContain('<html');
  });

  it('POST /tenants adds a customer tenant (201), PATCH changes it (200), DELETE with confirm removes it (200)', async () => {
    const key = (await call('get', '/api/v1/m365/encryption-key')).body as JWK;
    const encrypt = async (value: string) =>
      new CompactEncrypt(new TextEncoder().encode(value))
        .setProtectedHeader({ alg: 'ECDH-ES', enc: 'A256GCM', ...(key.kid ? { kid: key.kid } : {}) })
        .encrypt(await importJWK(key, 'ECDH-ES'));
    const entraTenantId = '5d2e3f4a-6b7c-4d8e-9f0a-1b2c3d4e5f60';
    const added = await call('post', '/api/v1/m365/tenants', {
      body: {
        client_id: SCOPED_CLIENT,
        tenant_id: entraTenantId,
        tenant_name: 'Contract Customer',
        domain_name: 'contract.onmicrosoft.com',
        client_id_encrypted: await encrypt('9f8e7d6c-5b4a-4392-8a1f-2e3d4c5b6a79'),
        client_secret_encrypted: await encrypt('not-a-real-secret-value'),
        sync_enabled: false,
        graph_endpoint: h.demo.server.url,
        authority_host: h.demo.server.url,
      },
    });
    expect(added.status).toBe(201);
    const id = (added.body as { id: string }).id;
    const one = T.replace(':id', id);
    expect((await call('get', T, { path: one })).status).toBe(200);
    const patched = await call('patch', T, {
      path: one,
      body: { tenant_name: 'Contract Customer Ltd', sync_interval_hours: 24 },
    });
    expect(patched.status).toBe(200);
    expect((patched.body as { changed: string[] }).changed).toEqual(['tenant_name', 'sync_interval_hours']);
    const duplicate = await call('post', '/api/v1/m365/tenants', {
      body: {
        client_id: SCOPED_CLIENT,
        tenant_id: entraTenantId,
        tenant_name: 'Again',
        domain_name: 'contract.onmicrosoft.com',
        use_msp_app: true,
      },
    });
    expect(duplicate.status).toBe(409);
    // Never synced: no daily history, so the star schema, its feed and the cohorts answer 404.
    for (const route of [
      `${T}/exports/star/fact_user_usage.csv`,
      `${T}/exports/star.zip`,
      `${T}/copilot/cohorts`,
      `${T}/exports/cohorts.csv`,
    ]) {
      const none = await call('get', route, { path: route.replace(':id', id) });
      expect(none.status, route).toBe(404);
      expect(code(none.body)).toBe('history_not_available');
    }
    const feed = `${T}/odata/:resource`;
    const noFeed = await call('get', feed, { path: feed.replace(':id', id).replace(':resource', 'dim_user') });
    expect(noFeed.status).toBe(404);
    expect(code(noFeed.body)).toBe('history_not_available');
    // Its first permission check may still run: then 409 tenant_busy, documented too, until it ends.
    await expect
      .poll(async () => (await call('delete', T, { path: one, query: `?confirm=${entraTenantId}` })).status)
      .toBe(200);
  });
});
