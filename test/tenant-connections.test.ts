import { spawnSync } from 'node:child_process';
import { createSecretKey, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { Writable } from 'node:stream';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { EmbeddedDemoTenant } from '../src/app/demo-connection';
import { keyIdOf } from '../src/adapters/secrets/secret-box';
import { databaseFile } from '../src/adapters/sqlite/database';
import { createLogger } from '../src/adapters/logging/logger';
import { parseConfig } from '../src/config/config';
import { generateDemoTenant } from '../demo-tenant/generator';
import { startHarness, startTestDemoTenant, tempDir, TEST_API_KEY, type Harness } from './helpers/harness';

/**
 * Tenants and their connections live in SQLite: a second tenant is a row added at runtime,
 * its client secret sealed with SECRET_STORE_KEY. The real app, the real Graph client over HTTPS,
 * two demo tenants with different data.
 */

const FIRST_SECRET = 'One8Q~first.demo.tenant.secret.value.AAAA';
const SECOND_SECRET = 'Two8Q~second.demo.tenant.secret.value.BBBB';
const SECOND_ENTRA = '4c1d2e3f-5a6b-4c7d-8e9f-0a1b2c3d4e5f';
const SECOND_APP = '8e7d6c5b-4a39-4281-9f0e-1d2c3b4a5968';

const key = (): string => randomBytes(32).toString('base64');

let second: EmbeddedDemoTenant;
let h: Harness | undefined;

beforeAll(async () => {
  second = await startTestDemoTenant(
    generateDemoTenant({
      users: 70,
      seed: 2,
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

/** Captures every log line the app writes. */
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

function addSecond(app: Harness['app']): string {
  return app.tenantRegistry.add({
    entraTenantId: SECOND_ENTRA,
    tenantName: 'Second demo tenant',
    source: 'demo',
    connection: {
      appClientId: SECOND_APP,
      authorityHost: second.server.url,
      graphEndpoint: second.server.url,
      credential: { kind: 'secret', secret: SECOND_SECRET },
    },
  }).tenantId;
}

function dbBytes(dataDir: string): Buffer {
  const file = databaseFile(dataDir);
  return Buffer.concat([file, `${file}-wal`].filter((f) => fs.existsSync(f)).map((f) => fs.readFileSync(f)));
}

describe('tenants and their connections in the store', () => {
  it('a second tenant added at runtime is synced without a restart; no secret or key reaches the log or the database file', async () => {
    const secretsKey = key();
    const log = captureLog();
    h = await startHarness({
      data: generateDemoTenant({ users: 40, clientSecret: FIRST_SECRET }),
      config: { SECRET_STORE_KEY: secretsKey, LOG_LEVEL: 'trace' },
      app: { logger: log.logger },
    });
    const first = h.app.tenants.list()[0];
    expect(await h.app.sync.request(first.id, 'test').done).toMatchObject({ status: 'success', counts: { users: 40 } });

    const secondId = addSecond(h.app);
    const run = await h.app.sync.request(secondId, 'test').done;
    expect(run).toMatchObject({ status: 'success', errorText: null, counts: { users: 70 } });
    expect(h.app.directory.userCounts(secondId)).toMatchObject({ total: 70 });
    expect(h.app.directory.userCounts(first.id)).toMatchObject({ total: 40 });
    expect(second.server.requests.some((r) => r.path.startsWith('/v1.0/users'))).toBe(true);

    // Both tenants are served by the API, the second under the name its own /organization gave.
    const res = await fetch(`${h.app.url}/api/v1/m365/tenants`, {
      headers: { authorization: `Bearer ${TEST_API_KEY}` },
    });
    const body = (await res.json()) as { data: Array<{ tenant_id: string; last_sync_status: string }> };
    expect(body.data.map((t) => t.tenant_id).sort()).toEqual([first.entraTenantId, SECOND_ENTRA].sort());
    expect(body.data.every((t) => t.last_sync_status === 'success')).toBe(true);

    const sealed = h.app.db.prepare('SELECT secret_ciphertext FROM tenant_connections').pluck().all() as string[];
    expect(sealed).toHaveLength(2);
    const keyBytes = Buffer.from(secretsKey, 'base64');
    const leaks = [FIRST_SECRET, SECOND_SECRET, secretsKey, keyBytes.toString('hex'), keyBytes.toString('base64url')];
    expect(log.text()).toContain('"msg":"sync finished"');
    for (const leak of leaks) expect(log.text()).not.toContain(leak);

    const dataDir = h.config.dataDir;
    expect(dbBytes(dataDir).includes(Buffer.from(sealed[0] as string))).toBe(true);
    for (const secret of [FIRST_SECRET, SECOND_SECRET])
      expect(dbBytes(dataDir).includes(Buffer.from(secret))).toBe(false);
    await h.close();
    h = undefined;
    // After the final checkpoint everything is in the main file: still sealed.
    for (const secret of [FIRST_SECRET, SECOND_SECRET])
      expect(dbBytes(dataDir).includes(Buffer.from(secret))).toBe(false);
  });

  it('a changed connection is used by the next sync, without a restart', async () => {
    h = await startHarness({ config: { SECRET_STORE_KEY: key() } });
    const secondId = addSecond(h.app);
    expect(await h.app.sync.request(secondId, 'test').done).toMatchObject({ status: 'success' });
    const connection = { appClientId: SECOND_APP, authorityHost: second.server.url, graphEndpoint: second.server.url };
    h.app.tenantRegistry.updateConnection(secondId, {
      ...connection,
      credential: { kind: 'secret', secret: 'Bad8Q~not.the.secret' },
    });
    expect(await h.app.sync.request(secondId, 'test').done).toMatchObject({
      status: 'failed',
      errorCode: 'invalid_client_secret',
    });
    h.app.tenantRegistry.updateConnection(secondId, {
      ...connection,
      credential: { kind: 'secret', secret: SECOND_SECRET },
    });
    expect(await h.app.sync.request(secondId, 'test').done).toMatchObject({ status: 'success' });
  });

  it('rotates SECRET_STORE_KEY at start with SECRET_STORE_KEY_PREVIOUS, and says which key is missing when it is not given', async () => {
    const [oldKey, newKey, strayKey] = [key(), key(), key()];
    const keyId = (k: string) => keyIdOf(createSecretKey(Buffer.from(k, 'base64')));
    h = await startHarness({ config: { SECRET_STORE_KEY: oldKey } });
    const dataDir = h.config.dataDir;
    const secondId = addSecond(h.app);
    await h.close();

    const keyIds = () => h?.app.db.prepare('SELECT key_id FROM tenant_connections').pluck().all();
    h = await startHarness({
      config: { DATA_DIR: dataDir, SECRET_STORE_KEY: newKey, SECRET_STORE_KEY_PREVIOUS: oldKey },
    });
    expect(keyIds()).toEqual([keyId(newKey), keyId(newKey)]);
    await h.close();

    h = await startHarness({ config: { DATA_DIR: dataDir, SECRET_STORE_KEY: newKey } });
    expect(await h.app.sync.request(secondId, 'test').done).toMatchObject({ status: 'success' });
    await h.close();

    const log = captureLog();
    h = await startHarness({ config: { DATA_DIR: dataDir, SECRET_STORE_KEY: strayKey }, app: { logger: log.logger } });
    // The tenant in the environment is rewritten with the key in use; the added one cannot be opened.
    const failed = await h.app.sync.request(secondId, 'test').done;
    expect(failed).toMatchObject({ status: 'failed', errorCode: 'secret_unreadable' });
    expect(failed.errorText).toContain(
      `The stored client secret of tenant Contoso Ltd (${SECOND_ENTRA}) cannot be decrypted: it was sealed with key ${keyId(newKey)}`,
    );
    expect(failed.errorText).toContain('Set SECRET_STORE_KEY to the key it was stored with');
    expect(failed.errorText).not.toContain(SECOND_SECRET);
    const warning = log
      .text()
      .split('\n')
      .find((line) => line.includes('stored client secrets could not be re-sealed'));
    expect(warning).toContain(`tenant Contoso Ltd (${SECOND_ENTRA}) cannot be decrypted`);
    const demoTenant = h.app.tenants.list().find((t) => t.id !== secondId);
    expect(await h.app.sync.request(demoTenant?.id ?? '', 'test').done).toMatchObject({ status: 'success' });
  });

  it('runs the demo with no SECRET_STORE_KEY: a per-process key seals the demo secret', async () => {
    h = await startHarness();
    const [row] = h.app.db
      .prepare('SELECT credential_kind, key_id, secret_ciphertext FROM tenant_connections')
      .all() as Array<{ credential_kind: string; key_id: string; secret_ciphertext: string }>;
    expect(row).toMatchObject({ credential_kind: 'secret' });
    expect(row?.secret_ciphertext.startsWith(`v1:${row.key_id}:`)).toBe(true);
    const tenant = h.app.tenants.list()[0];
    expect(await h.app.sync.request(tenant.id, 'test').done).toMatchObject({ status: 'success' });
    const dataDir = h.config.dataDir;
    const firstKeyId = row?.key_id;
    await h.close();
    h = await startHarness({ config: { DATA_DIR: dataDir } });
    expect(h.app.db.prepare('SELECT key_id FROM tenant_connections').pluck().get()).not.toBe(firstKeyId);
    expect(await h.app.sync.request(tenant.id, 'test').done).toMatchObject({ status: 'success' });
  });

  it('stores a real tenant from the environment (TENANT_ID, CLIENT_ID, SECRET_CLIENT_SECRET) sealed, and updates it when the environment changes', async () => {
    const dataDir = tempDir('entra');
    const env = {
      DATA_DIR: dataDir,
      SECRET_STORE_KEY: key(),
      TENANT_ID: SECOND_ENTRA,
      CLIENT_ID: SECOND_APP,
      SECRET_CLIENT_SECRET: SECOND_SECRET,
      GRAPH_ENDPOINT: second.server.url,
      AUTHORITY_HOST: second.server.url,
    };
    h = await startHarness({ config: env });
    const entra = h.app.tenants.find(SECOND_ENTRA);
    expect(entra).toMatchObject({ source: 'entra' });
    expect(h.app.tenantRegistry.connectionFor(entra?.id ?? '')).toMatchObject({
      entraTenantId: SECOND_ENTRA,
      appClientId: SECOND_APP,
      graphEndpoint: second.server.url,
      credential: { kind: 'secret', secret: SECOND_SECRET },
    });
    await h.close();
    h = await startHarness({ config: { ...env, SECRET_CLIENT_SECRET: 'New8Q~rotated.client.secret' } });
    expect(h.app.tenantRegistry.connectionFor(entra?.id ?? '').credential).toEqual({
      kind: 'secret',
      secret: 'New8Q~rotated.client.secret',
    });
    await h.close();
    h = undefined;
    for (const secret of [SECOND_SECRET, 'New8Q~rotated.client.secret'])
      expect(dbBytes(dataDir).includes(Buffer.from(secret))).toBe(false);
  });
});

describe('start-up', () => {
  it('refuses to start a real tenant with a client secret but no SECRET_STORE_KEY, saying how to make one', () => {
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      DATA_DIR: tempDir('nokey'),
      PLAYGROUND: 'off',
      TENANT_ID: SECOND_ENTRA,
      CLIENT_ID: SECOND_APP,
      SECRET_CLIENT_SECRET: SECOND_SECRET,
    };
    delete env.SECRET_STORE_KEY;
    delete env.SECRET_STORE_KEY_PREVIOUS;
    const run = spawnSync(process.execPath, [require.resolve('tsx/cli'), 'src/main.ts'], {
      cwd: path.resolve(__dirname, '..'),
      env,
      encoding: 'utf8',
      timeout: 60_000,
    });
    expect(run.status).toBe(1);
    expect(run.stderr).toMatch(/SECRET_STORE_KEY: required with SECRET_CLIENT_SECRET: .*openssl rand -base64 32/);
    expect(run.stderr + run.stdout).not.toContain(SECOND_SECRET);
  });
});

describe('log redaction', () => {
  it('redacts the secrets key and sealed values wherever a config, environment or connection is logged', () => {
    const secretsKey = key();
    const previous = key();
    const log = captureLog();
    const config = parseConfig({
      DATA_DIR: tempDir('redact'),
      SECRET_STORE_KEY: secretsKey,
      SECRET_STORE_KEY_PREVIOUS: previous,
      TENANT_ID: SECOND_ENTRA,
      CLIENT_ID: SECOND_APP,
      SECRET_CLIENT_SECRET: SECOND_SECRET,
    });
    log.logger.info({ config }, 'config');
    log.logger.info(
      {
        env: { SECRET_STORE_KEY: secretsKey, SECRET_STORE_KEY_PREVIOUS: previous, SECRET_CLIENT_SECRET: SECOND_SECRET },
      },
      'environment',
    );
    log.logger.info({ SECRET_STORE_KEY: secretsKey }, 'flat');
    log.logger.info({ connection: { credential: { kind: 'secret', secret: SECOND_SECRET } } }, 'connection');
    log.logger.info(
      {
        row: { secret_ciphertext: 'v1:sealed-value' },
        stored: { credential: { kind: 'secret', ciphertext: 'v1:sealed-value' } },
      },
      'stored',
    );
    const text = log.text();
    expect(text).toContain('"msg":"stored"');
    for (const leak of [secretsKey, previous, SECOND_SECRET, 'v1:sealed-value']) expect(text).not.toContain(leak);
  });
});
