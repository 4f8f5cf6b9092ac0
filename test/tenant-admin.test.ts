import { generateKeyPairSync, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { Writable } from 'node:stream';
import { CompactEncrypt, exportJWK, importJWK, type JWK } from 'jose';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import type { EmbeddedDemoTenant } from '../src/app/demo-connection';
import { createLogger } from '../src/adapters/logging/logger';
import { JWE_KEY_FILE, JWE_PREVIOUS_KEY_FILE } from '../src/adapters/secrets/jwe-keys';
import { databaseFile } from '../src/adapters/sqlite/database';
import { NOT_TENANT_ROWS, TENANT_TABLES } from '../src/adapters/sqlite/tenant-erasure';
import { tenantSyncJob } from '../src/usecases/sync/sync-jobs';
import { generateDemoTenant } from '../demo-tenant/generator';
import { startHarness, startTestDemoTenant, TEST_API_KEY, type Harness } from './helpers/harness';

/**
 * Customer tenants added through the REST API: credentials encrypted to the server's key (JWE),
 * sealed at rest, the first sync queued at once; GET, PATCH and DELETE of one tenant. The real
 * app over HTTP, a second demo tenant process reached over HTTPS as a customer tenant would be.
 */

const SECOND_SECRET = 'Cust8Q~customer.tenant.secret.value.CCCC';
const SECOND_ENTRA = '5d2e3f4a-6b7c-4d8e-9f0a-1b2c3d4e5f60';
const SECOND_APP = '9f8e7d6c-5b4a-4392-8a1f-2e3d4c5b6a79';
const MSP_CLIENT = '987fcdeb-51a2-43d7-8f9a-123456789abc';

let second: EmbeddedDemoTenant;
let h: Harness | undefined;

beforeAll(async () => {
  second = await startTestDemoTenant(
    generateDemoTenant({
      users: 30,
      seed: 3,
      tenantId: SECOND_ENTRA,
      clientId: SECOND_APP,
      clientSecret: SECOND_SECRET,
    }),
  );
});
afterAll(async () => second?.close());
afterEach(async () => {
  await h?.close();
  h = undefined;
});

function captureLog(): { logger: ReturnType<typeof createLogger>; text: () => string } {
  const lines: string[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(chunk.toString());
      done();
    },
  });
  return { logger: createLogger('trace', sink), text: () => lines.join('') };
}

async function api(
  method: string,
  pathAndQuery: string,
  body?: unknown,
): Promise<{ status: number; body: Record<string, unknown> }> {
  if (!h) throw new Error('no app');
  const res = await fetch(`${h.app.url}${pathAndQuery}`, {
    method,
    headers: {
      authorization: `Bearer ${TEST_API_KEY}`,
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

/** As a caller would: fetch the server's key, encrypt to it with jose. */
async function encrypt(value: string, jwk?: JWK): Promise<string> {
  const key = jwk ?? ((await api('GET', '/api/v1/m365/encryption-key')).body as JWK);
  return new CompactEncrypt(new TextEncoder().encode(value))
    .setProtectedHeader({ alg: 'ECDH-ES', enc: 'A256GCM', ...(key.kid ? { kid: key.kid } : {}) })
    .encrypt(await importJWK(key, 'ECDH-ES'));
}

async function createBody(overrides: Record<string, unknown> = {}): Promise<Record<string, unknown>> {
  return {
    client_id: MSP_CLIENT,
    tenant_id: SECOND_ENTRA,
    tenant_name: 'Acme Corporation',
    domain_name: 'acme.onmicrosoft.com',
    client_id_encrypted: await encrypt(SECOND_APP),
    client_secret_encrypted: await encrypt(SECOND_SECRET),
    sync_enabled: true,
    sync_interval_hours: 6,
    graph_endpoint: second.server.url,
    authority_host: second.server.url,
    ...overrides,
  };
}

/** Waits for the job the POST queued to finish (the runner picks it up at once; no restart, no sleep). */
async function jobDone(jobId: number): Promise<void> {
  await vi.waitFor(() => expect(h?.app.outbox.get(jobId)?.status).toBe('done'), { timeout: 60_000, interval: 20 });
}

function dbBytes(dataDir: string): Buffer {
  const file = databaseFile(dataDir);
  return Buffer.concat([file, `${file}-wal`].filter((f) => fs.existsSync(f)).map((f) => fs.readFileSync(f)));
}

/** Tables with a tenant_id column, from the schema itself (a table added later is in this list). */
function tenantIdTables(): string[] {
  const db = h?.app.db;
  if (!db) throw new Error('no app');
  const tables = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").pluck().all() as string[];
  return tables.filter((t) =>
    (db.prepare(`PRAGMA table_info("${t}")`).all() as Array<{ name: string }>).some((c) => c.name === 'tenant_id'),
  );
}

const storeKey = () => randomBytes(32).toString('base64');

describe('POST /api/v1/m365/tenants', () => {
  it('adds a tenant with a JWE-encrypted app id and secret; it syncs at once, without a restart, and no clear credential reaches the log or the database', async () => {
    const log = captureLog();
    h = await startHarness({
      config: { SECRET_STORE_KEY: storeKey(), LOG_LEVEL: 'trace' },
      app: { logger: log.logger },
    });

    const key = await api('GET', '/api/v1/m365/encryption-key');
    expect(key.status).toBe(200);
    expect(key.body).toMatchObject({ kty: 'EC', crv: 'P-256', alg: 'ECDH-ES', use: 'enc', enc: 'A256GCM' });
    expect(key.body.kid).toEqual(expect.any(String));
    expect(key.body).not.toHaveProperty('d');
    // The private key is a file in DATA_DIR only this account reads.
    expect(fs.statSync(path.join(h.config.dataDir, JWE_KEY_FILE)).mode & 0o777).toBe(0o600);

    const created = await api('POST', '/api/v1/m365/tenants', await createBody());
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({
      client_id: MSP_CLIENT,
      tenant_id: SECOND_ENTRA,
      tenant_name: 'Acme Corporation',
      domain_name: 'acme.onmicrosoft.com',
      sync_enabled: true,
      sync_interval_hours: 6,
      status: 'active',
      last_sync: null,
      sync_started: true,
      sync_job_id: expect.any(Number),
      first_check: { status: 'running' },
    });
    const id = created.body.id as string;

    await jobDone(created.body.sync_job_id as number);
    expect(h.app.runs.latestFinished(id)).toMatchObject({ status: 'success', counts: { users: 30 } });
    expect(second.server.requests.some((r) => r.path.startsWith('/v1.0/users'))).toBe(true);

    const list = await api('GET', `/api/v1/m365/tenants?client_id=${MSP_CLIENT}`);
    const items = list.body.data as Array<Record<string, unknown>>;
    expect(items).toHaveLength(1);
    // The admin's name and domain stay: the sync took the rest from the tenant's /organization.
    expect(items[0]).toMatchObject({
      id,
      tenant_id: SECOND_ENTRA,
      tenant_name: 'Acme Corporation',
      domain_name: 'acme.onmicrosoft.com',
      last_sync_status: 'success',
      sync_interval_hours: 6,
    });
    // The portfolio ranks it with its figures, under its client.
    const portfolio = await api('GET', `/api/v1/m365/portfolio?client_id=${MSP_CLIENT}`);
    expect(portfolio.body.data).toEqual([
      expect.objectContaining({
        id,
        tenant_name: 'Acme Corporation',
        sync_health: expect.objectContaining({ state: 'healthy' }),
      }),
    ]);
    expect((portfolio.body.data as Array<{ assigned_seats: unknown }>)[0]?.assigned_seats).toEqual(expect.any(Number));

    await vi.waitFor(
      async () =>
        expect((await api('GET', `/api/v1/m365/tenants/${id}`)).body.first_check).toMatchObject({
          status: 'done',
          sign_in: { status: 'ok' },
        }),
      { timeout: 60_000, interval: 50 },
    );
    const one = await api('GET', `/api/v1/m365/tenants/${SECOND_ENTRA}`);
    expect(one.body).toMatchObject({ ...items[0], graph_endpoint: second.server.url });

    expect(log.text()).toContain('"msg":"tenant added through the REST API"');
    for (const clear of [SECOND_SECRET, SECOND_APP]) expect(log.text()).not.toContain(clear);
    expect(dbBytes(h.config.dataDir).includes(Buffer.from(SECOND_SECRET))).toBe(false);
    const dataDir = h.config.dataDir;
    await h.close();
    h = undefined;
    expect(dbBytes(dataDir).includes(Buffer.from(SECOND_SECRET))).toBe(false);
  });

  it('refuses a plaintext, foreign-key or damaged credential with 400 naming the field, and stores nothing', async () => {
    h = await startHarness({ config: { SECRET_STORE_KEY: storeKey() } });
    const before = h.app.tenants.list().length;
    const foreign = await exportJWK(generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey);
    const good = await encrypt(SECOND_SECRET);
    const [head, cek, iv, body, tag] = good.split('.');
    const flipped = `${body.slice(0, -2)}${body.at(-2) === 'A' ? 'B' : 'A'}${body.at(-1)}`;
    const cases: Array<[string, Record<string, unknown>, string]> = [
      ['client_secret_encrypted', { client_secret_encrypted: SECOND_SECRET }, 'not a JWE'],
      ['client_id_encrypted', { client_id_encrypted: SECOND_APP }, 'not a JWE'],
      [
        'client_secret_encrypted',
        { client_secret_encrypted: await encrypt(SECOND_SECRET, { ...foreign, kid: 'another-server' }) },
        'encrypted to key another-server',
      ],
      [
        'client_secret_encrypted',
        { client_secret_encrypted: await encrypt(SECOND_SECRET, foreign) },
        'does not decrypt',
      ],
      [
        'client_secret_encrypted',
        { client_secret_encrypted: [head, cek, iv, flipped, tag].join('.') },
        'does not decrypt',
      ],
      ['client_id_encrypted', { client_id_encrypted: await encrypt('not-a-guid') }, 'not a GUID'],
      ['tenant_id', { tenant_id: '1234-not-a-guid' }, 'expected a GUID'],
      ['client_id', { client_id: 'acme' }, 'expected a GUID'],
      ['domain_name', { domain_name: 'acme' }, 'expected a domain name'],
      ['domain_name', { domain_name: 'ac me.com' }, 'expected a domain name'],
      ['sync_interval_hours', { sync_interval_hours: 0 }, 'expected 1 to 168 hours'],
      ['sync_interval_hours', { sync_interval_hours: 169 }, 'expected 1 to 168 hours'],
      ['sync_enabled', { sync_enabled: 'yes' }, 'expected true or false'],
      ['graph_endpoint', { graph_endpoint: 'http://graph.example.com' }, 'https'],
      ['tenant_name', { tenant_name: undefined }, 'is required'],
      ['body', { extra: 1 }, 'Unrecognized key'],
    ];
    for (const [field, change, says] of cases) {
      const res = await api('POST', '/api/v1/m365/tenants', await createBody(change));
      expect(res.status, field).toBe(400);
      const error = res.body.error as { code: string; message: string; details: string[] };
      expect(error.code, field).toBe('invalid_parameter');
      expect(error.details.join(' | '), field).toContain(`${field}: `);
      expect(error.message, field).toContain(says);
      expect(error.message).not.toContain(SECOND_SECRET);
    }
    expect(h.app.tenants.list()).toHaveLength(before);
    expect(h.app.outbox.countByStatus().pending + h.app.outbox.countByStatus().done).toBe(0);
  });

  it('answers 409 for a tenant already added, the environment tenant included', async () => {
    h = await startHarness({ config: { SECRET_STORE_KEY: storeKey() } });
    const off = await api('POST', '/api/v1/m365/tenants', await createBody({ sync_enabled: false }));
    expect(off.body).toMatchObject({ status: 'inactive', sync_started: false, sync_job_id: null });
    const again = await api(
      'POST',
      '/api/v1/m365/tenants',
      await createBody({ tenant_id: SECOND_ENTRA.toUpperCase() }),
    );
    expect(again.status).toBe(409);
    expect(again.body.error).toMatchObject({ code: 'tenant_exists' });
    const envTenant = h.app.tenants.list().find((t) => t.entraTenantId !== SECOND_ENTRA);
    const env = await api('POST', '/api/v1/m365/tenants', await createBody({ tenant_id: envTenant?.entraTenantId }));
    expect(env.status).toBe(409);

    // Turning syncing on for a tenant never synced queues its first sync.
    const on = await api('PATCH', `/api/v1/m365/tenants/${off.body.id as string}`, { sync_enabled: true });
    expect(on.body).toMatchObject({ status: 'active', sync_started: true, sync_job_id: expect.any(Number) });
    await jobDone(on.body.sync_job_id as number);
    expect(h.app.runs.latestFinished(off.body.id as string)).toMatchObject({ status: 'success' });
  });

  it('takes a value encrypted to the previous key after the key is rotated', async () => {
    h = await startHarness({ config: { SECRET_STORE_KEY: storeKey() } });
    const dataDir = h.config.dataDir;
    const oldKey = (await api('GET', '/api/v1/m365/encryption-key')).body as JWK;
    const created = await api('POST', '/api/v1/m365/tenants', await createBody({ sync_enabled: false }));
    await h.close();
    fs.renameSync(path.join(dataDir, JWE_KEY_FILE), path.join(dataDir, JWE_PREVIOUS_KEY_FILE));
    h = await startHarness({ config: { SECRET_STORE_KEY: storeKey(), DATA_DIR: dataDir } });
    const newKey = (await api('GET', '/api/v1/m365/encryption-key')).body as JWK;
    expect(newKey.kid).not.toBe(oldKey.kid);
    const patched = await api('PATCH', `/api/v1/m365/tenants/${created.body.id as string}`, {
      client_secret_encrypted: await encrypt(SECOND_SECRET, oldKey),
    });
    expect(patched.status).toBe(200);
    fs.rmSync(path.join(dataDir, JWE_PREVIOUS_KEY_FILE));
  });
});

describe('GET, PATCH and DELETE /api/v1/m365/tenants/{id}', () => {
  it('PATCH changes names, sync settings and credentials; endpoints change only with the secret again', async () => {
    h = await startHarness({ config: { SECRET_STORE_KEY: storeKey() } });
    const created = await api('POST', '/api/v1/m365/tenants', await createBody());
    const id = created.body.id as string;
    await jobDone(created.body.sync_job_id as number);

    const patched = await api('PATCH', `/api/v1/m365/tenants/${id}`, {
      tenant_name: 'Acme Holdings',
      domain_name: 'acmeholdings.com',
      sync_enabled: false,
      sync_interval_hours: 24,
    });
    expect(patched.status).toBe(200);
    expect(patched.body).toMatchObject({
      tenant_name: 'Acme Holdings',
      domain_name: 'acmeholdings.com',
      sync_enabled: false,
      status: 'inactive',
      sync_interval_hours: 24,
      changed: ['tenant_name', 'domain_name', 'sync_enabled', 'sync_interval_hours'],
    });
    expect((await api('PATCH', `/api/v1/m365/tenants/${id}`, { sync_interval_hours: null })).body).toMatchObject({
      sync_interval_hours: null,
    });
    // A sync keeps what the admin named.
    expect(await h.app.sync.request(id, 'test').done).toMatchObject({ status: 'success' });
    expect(h.app.tenants.find(id)).toMatchObject({ tenantName: 'Acme Holdings', domainName: 'acmeholdings.com' });

    const moved = await api('PATCH', `/api/v1/m365/tenants/${id}`, { graph_endpoint: 'https://graph.microsoft.com' });
    expect(moved.status).toBe(400);
    expect((moved.body.error as { details: string[] }).details[0]).toMatch(/^client_secret_encrypted: required/);

    // A wrong secret is stored (it decrypts) and the next sync says so; the right one brings it back.
    await api('PATCH', `/api/v1/m365/tenants/${id}`, { client_secret_encrypted: await encrypt('Bad8Q~wrong.secret') });
    expect(await h.app.sync.request(id, 'test').done).toMatchObject({ errorCode: 'invalid_client_secret' });
    const fixed = await api('PATCH', `/api/v1/m365/tenants/${id}`, {
      client_secret_encrypted: await encrypt(SECOND_SECRET),
      client_id_encrypted: await encrypt(SECOND_APP),
    });
    expect(fixed.body).toMatchObject({ first_check: { status: 'running' } });
    expect(await h.app.sync.request(id, 'test').done).toMatchObject({ status: 'success' });

    // The environment's tenant: its connection is the environment's, rewritten at every start.
    const envTenant = h.app.tenants.list().find((t) => t.id !== id);
    const envPatch = await api('PATCH', `/api/v1/m365/tenants/${envTenant?.id}`, {
      client_secret_encrypted: await encrypt(SECOND_SECRET),
    });
    expect(envPatch.status).toBe(409);
    expect(envPatch.body.error).toMatchObject({ code: 'environment_tenant' });

    expect((await api('PATCH', `/api/v1/m365/tenants/${id}`, {})).status).toBe(400);
    expect((await api('PATCH', `/api/v1/m365/tenants/${id}`, { sync_interval_hours: 500 })).status).toBe(400);
    expect((await api('GET', '/api/v1/m365/tenants/00000000-0000-4000-8000-000000000000')).status).toBe(404);
  });

  it('DELETE needs the confirmation, refuses the environment tenant and a running sync, then leaves no row or secret of the tenant', async () => {
    h = await startHarness({ config: { SECRET_STORE_KEY: storeKey() } });
    const created = await api('POST', '/api/v1/m365/tenants', await createBody());
    const id = created.body.id as string;
    await jobDone(created.body.sync_job_id as number);
    // More of its data: a price, a queued job, a second snapshot.
    const sku = h.app.directory.skus(id)[0]?.skuPartNumber ?? 'none';
    expect((await api('PUT', `/api/v1/m365/tenants/${id}/prices/${sku}`, { amount: 20 })).status).toBe(200);
    h.app.jobs.enqueue(
      tenantSyncJob,
      { tenantId: id, trigger: 'schedule', slot: 'later' },
      { key: `sync:${id}:later`, tenantId: id, runAfter: new Date(Date.now() + 3_600_000) },
    );
    const sealed = h.app.db
      .prepare('SELECT secret_ciphertext FROM tenant_connections WHERE tenant_id = ?')
      .pluck()
      .get(id) as string;
    expect(sealed).toMatch(/^v1:/);

    const unconfirmed = await api('DELETE', `/api/v1/m365/tenants/${id}`);
    expect(unconfirmed.status).toBe(400);
    expect(unconfirmed.body.error).toMatchObject({ code: 'confirmation_required' });
    expect((await api('DELETE', `/api/v1/m365/tenants/${id}?confirm=someone-else`)).status).toBe(400);

    const envTenant = h.app.tenants.list().find((t) => t.id !== id);
    const env = await api('DELETE', `/api/v1/m365/tenants/${envTenant?.id}?confirm=${envTenant?.entraTenantId}`);
    expect(env.status).toBe(409);
    expect(env.body.error).toMatchObject({ code: 'environment_tenant' });
    expect((env.body.error as { message: string }).message).toContain('TENANT_ID');

    const running = h.app.sync.request(id, 'test');
    const busy = await api('DELETE', `/api/v1/m365/tenants/${id}?confirm=${SECOND_ENTRA}`);
    expect(busy.status).toBe(409);
    expect(busy.body.error).toMatchObject({ code: 'tenant_busy' });
    await running.done;

    // A job of the tenant running (claimed as the runner would): refused too, nothing deleted.
    const later = new Date(Date.now() + 2 * 3_600_000);
    const claimed = h.app.outbox.claim({ limit: 10, now: later, leaseUntil: new Date(later.getTime() + 60_000) });
    expect(claimed.map((j) => j.tenantId)).toEqual([id]);
    const jobBusy = await api('DELETE', `/api/v1/m365/tenants/${id}?confirm=${SECOND_ENTRA}`);
    expect(jobBusy.status).toBe(409);
    expect((jobBusy.body.error as { message: string }).message).toContain(`tenant.sync #${claimed[0]?.id}`);
    for (const job of claimed) h.app.outbox.release(job.id, job.attempts, later, null, new Date());

    const tables = tenantIdTables();
    const rowsOf = (table: string) =>
      h?.app.db
        .prepare(`SELECT COUNT(*) FROM "${table}" WHERE ${table === 'tenants' ? 'id' : 'tenant_id'} = ?`)
        .pluck()
        .get(id) as number;
    const populated = tables.filter((t) => rowsOf(t) > 0);
    expect(populated).toEqual(
      expect.arrayContaining([
        'tenants',
        'tenant_connections',
        'users',
        'skus',
        'sync_runs',
        'outbox_jobs',
        'sku_prices',
      ]),
    );

    const deleted = await api('DELETE', `/api/v1/m365/tenants/${id}?confirm=${SECOND_ENTRA}`);
    expect(deleted.status).toBe(200);
    expect(deleted.body).toMatchObject({ deleted: true, id, tenant_id: SECOND_ENTRA });
    for (const table of tables) expect(rowsOf(table), table).toBe(0);
    expect(h.app.db.prepare('SELECT COUNT(*) FROM reclaim_transitions').pluck().get()).toBe(0);
    expect(h.app.db.pragma('foreign_key_check')).toEqual([]);
    expect((await api('GET', `/api/v1/m365/tenants/${id}`)).status).toBe(404);
    expect((await api('GET', `/api/v1/m365/tenants`)).body.data).toHaveLength(1);
    // Its sealed secret is gone from the database file and its WAL too, not only from the rows.
    expect(dbBytes(h.config.dataDir).includes(Buffer.from(sealed))).toBe(false);
    // The environment tenant is untouched.
    expect(h.app.tenantRegistry.connectionFor(envTenant?.id ?? '')).toMatchObject({ source: 'demo' });
  });

  it('every table with a tenant_id column is either erased with its tenant or listed with why it is not', async () => {
    h = await startHarness();
    const tables = tenantIdTables();
    const unaccounted = tables.filter((t) => !TENANT_TABLES.includes(t) && !(t in NOT_TENANT_ROWS));
    expect(unaccounted).toEqual([]);
    expect(TENANT_TABLES.filter((t) => !tables.includes(t))).toEqual([]);
  });
});

describe('graph_endpoint and authority_host', () => {
  const realTenant = () => ({
    SECRET_STORE_KEY: storeKey(),
    TENANT_ID: SECOND_ENTRA,
    CLIENT_ID: SECOND_APP,
    SECRET_CLIENT_SECRET: SECOND_SECRET,
    GRAPH_ENDPOINT: second.server.url,
    AUTHORITY_HOST: second.server.url,
  });
  const other = { tenant_id: '6e3f4a5b-7c8d-4e9f-8a0b-2c3d4e5f6a71', sync_enabled: false };

  it('outside the demo, takes only Microsoft cloud hosts unless ALLOW_CUSTOM_ENDPOINTS is on', async () => {
    h = await startHarness({ config: realTenant() });
    const loopback = await api('POST', '/api/v1/m365/tenants', await createBody(other));
    expect(loopback.status).toBe(400);
    expect((loopback.body.error as { details: string[] }).details[0]).toMatch(
      /^graph_endpoint: .* is not a Microsoft cloud host .*ALLOW_CUSTOM_ENDPOINTS=on/,
    );
    const usGov = await api(
      'POST',
      '/api/v1/m365/tenants',
      await createBody({
        ...other,
        graph_endpoint: 'https://graph.microsoft.us/',
        authority_host: 'https://login.microsoftonline.us',
      }),
    );
    expect(usGov.status).toBe(201);
    expect(usGov.body).toMatchObject({
      graph_endpoint: 'https://graph.microsoft.us',
      authority_host: 'https://login.microsoftonline.us',
      sync_started: false,
      sync_job_id: null,
    });
    const defaults = await api(
      'POST',
      '/api/v1/m365/tenants',
      await createBody({
        ...other,
        tenant_id: '7f4a5b6c-8d9e-4fa0-9b1c-3d4e5f6a7b82',
        graph_endpoint: undefined,
        authority_host: undefined,
      }),
    );
    expect(defaults.body).toMatchObject({
      graph_endpoint: 'https://graph.microsoft.com',
      authority_host: 'https://login.microsoftonline.com',
    });
    await h.close();

    h = await startHarness({ config: { ...realTenant(), ALLOW_CUSTOM_ENDPOINTS: 'on' } });
    expect((await api('POST', '/api/v1/m365/tenants', await createBody(other))).status).toBe(201);
    const withPath = await api(
      'POST',
      '/api/v1/m365/tenants',
      await createBody({
        ...other,
        tenant_id: '7f4a5b6c-8d9e-4fa0-9b1c-3d4e5f6a7b82',
        authority_host: `${second.server.url}/x`,
      }),
    );
    expect((withPath.body.error as { details: string[] }).details[0]).toMatch(
      /^authority_host: must be a bare https origin/,
    );
  });
});
