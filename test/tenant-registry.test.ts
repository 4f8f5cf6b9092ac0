import { createSecretKey, randomBytes, type KeyObject } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { SecretBox, keyIdOf } from '../src/adapters/secrets/secret-box';
import { SqliteTenantConnectionStore } from '../src/adapters/sqlite/tenant-connections';
import { openDatabase, type Db } from '../src/adapters/sqlite/database';
import { TenantConnectionError, TenantRegistry, type NewTenant } from '../src/usecases/tenants/tenant-registry';
import { tempDir } from './helpers/harness';

/** The registry over a real SQLite file and the real AES-GCM box. */
const SECRET = 'Reg8Q~registry.secret.value.0123456789';
const ENTRA = '0a1b2c3d-1111-4222-8333-444455556666';
const OTHER_ENTRA = '0a1b2c3d-9999-4222-8333-444455556666';

const open: Db[] = [];
afterEach(() => {
  for (const db of open.splice(0)) db.close();
});

const newKey = (): KeyObject => createSecretKey(randomBytes(32));

function setup(
  file = path.join(tempDir('registry'), 'seat-steward.sqlite'),
  box = new SecretBox({ current: newKey() }),
) {
  const db = openDatabase(file);
  open.push(db);
  return { db, file, box, registry: new TenantRegistry({ store: new SqliteTenantConnectionStore(db), secrets: box }) };
}

const tenant = (overrides: Partial<NewTenant['connection']> = {}, entraTenantId = ENTRA): NewTenant => ({
  entraTenantId,
  tenantName: 'Fabrikam',
  source: 'entra',
  connection: {
    appClientId: '99999999-8888-4777-8666-555544443333',
    authorityHost: 'https://login.microsoftonline.com',
    graphEndpoint: 'https://graph.microsoft.com',
    credential: { kind: 'secret', secret: SECRET },
    ...overrides,
  },
});

function connectionError(work: () => unknown): TenantConnectionError {
  try {
    work();
  } catch (error) {
    expect(error).toBeInstanceOf(TenantConnectionError);
    return error as TenantConnectionError;
  }
  throw new Error('expected a TenantConnectionError');
}

const ciphertextOf = (db: Db, tenantId: string) =>
  db.prepare('SELECT secret_ciphertext FROM tenant_connections WHERE tenant_id = ?').pluck().get(tenantId) as string;

describe('tenant registry', () => {
  it('stores a tenant with its connection and opens it again, with the secret sealed to its row', () => {
    const { db, box, registry } = setup();
    const { tenant: t, outcome } = registry.ensureFromEnvironment(tenant());
    expect(outcome).toBe('created');
    const row = db.prepare('SELECT * FROM tenant_connections WHERE tenant_id = ?').get(t.tenantId) as Record<
      string,
      unknown
    >;
    expect(row).toMatchObject({
      entra_tenant_id: ENTRA,
      credential_kind: 'secret',
      certificate_path: null,
      key_id: box.currentKeyId,
    });
    expect(String(row.secret_ciphertext)).toMatch(new RegExp(`^v1:${box.currentKeyId}:`));
    expect(String(row.secret_ciphertext)).not.toContain(SECRET);
    expect(registry.connectionFor(t.tenantId)).toMatchObject({
      tenantId: t.tenantId,
      entraTenantId: ENTRA,
      appClientId: '99999999-8888-4777-8666-555544443333',
      credential: { kind: 'secret', secret: SECRET },
    });
  });

  it('keeps the row on an unchanged environment and updates it (new revision) when the environment changed', () => {
    const { registry } = setup();
    const first = registry.ensureFromEnvironment(tenant());
    const before = registry.connectionFor(first.tenant.tenantId);
    expect(registry.ensureFromEnvironment(tenant())).toMatchObject({ outcome: 'unchanged', changed: [] });
    expect(registry.connectionFor(first.tenant.tenantId)).toBe(before);

    const changed = registry.ensureFromEnvironment(
      tenant({
        graphEndpoint: 'https://graph.microsoft.us',
        credential: { kind: 'secret', secret: 'Reg8Q~rotated.secret' },
      }),
    );
    expect(changed).toMatchObject({ outcome: 'updated', changed: ['graphEndpoint', 'secret'] });
    expect(changed.tenant.tenantId).toBe(first.tenant.tenantId);
    const after = registry.connectionFor(first.tenant.tenantId);
    expect(after.revision).not.toBe(before.revision);
    expect(after).toMatchObject({
      graphEndpoint: 'https://graph.microsoft.us',
      credential: { secret: 'Reg8Q~rotated.secret' },
    });
  });

  it('stores only the path of a certificate credential', () => {
    const { db, registry } = setup();
    const { tenant: t } = registry.ensureFromEnvironment(
      tenant({ credential: { kind: 'certificate', path: '/etc/seat-steward/app.pem' } }),
    );
    expect(
      db.prepare('SELECT credential_kind, secret_ciphertext, certificate_path, key_id FROM tenant_connections').get(),
    ).toEqual({
      credential_kind: 'certificate',
      secret_ciphertext: null,
      certificate_path: '/etc/seat-steward/app.pem',
      key_id: null,
    });
    expect(registry.connectionFor(t.tenantId).credential).toEqual({
      kind: 'certificate',
      path: '/etc/seat-steward/app.pem',
    });
  });

  it('a flipped byte in the stored secret fails with a message naming the tenant and the fix, never the secret', () => {
    const { db, registry } = setup();
    const { tenant: t } = registry.ensureFromEnvironment(tenant());
    const parts = ciphertextOf(db, t.tenantId).split(':');
    const body = Buffer.from(parts[4] as string, 'base64url');
    body[0] = (body[0] as number) ^ 0x80;
    parts[4] = body.toString('base64url');
    db.prepare('UPDATE tenant_connections SET secret_ciphertext = ?, updated_at = ? WHERE tenant_id = ?').run(
      parts.join(':'),
      new Date(Date.now() + 60_000).toISOString(),
      t.tenantId,
    );
    const error = connectionError(() => registry.connectionFor(t.tenantId));
    expect(error.code).toBe('secret_unreadable');
    expect(error.message).toMatch(
      /^The stored client secret of tenant Fabrikam \(0a1b2c3d-1111-4222-8333-444455556666\) cannot be decrypted: it failed its integrity check/,
    );
    expect(error.message).toContain('set SECRET_CLIENT_SECRET');
    expect(error.message).not.toContain(SECRET);
  });

  it("a ciphertext copied to another tenant's row does not open there", () => {
    const { db, registry } = setup();
    const a = registry.add(tenant());
    const b = registry.add({
      ...tenant({ credential: { kind: 'secret', secret: 'Reg8Q~second.tenant' } }, OTHER_ENTRA),
      tenantName: 'Northwind',
    });
    expect(registry.connectionFor(b.tenantId).credential).toEqual({ kind: 'secret', secret: 'Reg8Q~second.tenant' });
    db.prepare('UPDATE tenant_connections SET secret_ciphertext = ?, updated_at = ? WHERE tenant_id = ?').run(
      ciphertextOf(db, a.tenantId),
      new Date(Date.now() + 60_000).toISOString(),
      b.tenantId,
    );
    const error = connectionError(() => registry.connectionFor(b.tenantId));
    expect(error.message).toMatch(/tenant Northwind .* copied from another tenant's row/);
  });

  it('with the wrong key: names the key the secret needs and how to supply it', () => {
    const { file, registry, box } = setup();
    const { tenant: t } = registry.ensureFromEnvironment(tenant());
    open.pop()?.close();
    const other = new SecretBox({ current: newKey() });
    const reopened = setup(file, other);
    const error = connectionError(() => reopened.registry.connectionFor(t.tenantId));
    expect(error.code).toBe('secret_unreadable');
    expect(error.message).toContain(
      `it was sealed with key ${box.currentKeyId}, but this instance holds ${other.currentKeyId}`,
    );
    expect(error.message).toContain('Set SECRET_STORE_KEY to the key it was stored with');
    expect(error.message).toContain('SECRET_STORE_KEY_PREVIOUS');

    // Demo mode without SECRET_STORE_KEY has a key per process: the message says so.
    const demo = setup(file, SecretBox.ephemeral());
    expect(connectionError(() => demo.registry.connectionFor(t.tenantId)).message).toMatch(
      /runs the demo without SECRET_STORE_KEY, which uses a new key at every start\. Set SECRET_STORE_KEY \(generate one with `openssl rand -base64 32`\)/,
    );

    // The tenant configured in the environment is simply written again with the key in use.
    expect(reopened.registry.ensureFromEnvironment(tenant())).toMatchObject({
      outcome: 'updated',
      changed: ['secret'],
    });
    expect(reopened.registry.connectionFor(t.tenantId).credential).toEqual({ kind: 'secret', secret: SECRET });
  });

  it('rotation: SECRET_STORE_KEY_PREVIOUS opens old rows, which are re-sealed with the new key; then the old key can go', () => {
    const oldKey = newKey();
    const newer = newKey();
    const first = setup(undefined, new SecretBox({ current: oldKey }));
    const a = first.registry.add(tenant());
    const b = first.registry.add({
      ...tenant({ credential: { kind: 'certificate', path: '/etc/app.pem' } }, OTHER_ENTRA),
      tenantName: 'Northwind',
    });
    open.pop()?.close();

    const rotating = setup(first.file, new SecretBox({ current: newer, previous: [oldKey] }));
    expect(rotating.registry.connectionFor(a.tenantId).credential).toEqual({ kind: 'secret', secret: SECRET });
    const result = rotating.registry.resealStoredSecrets();
    expect(result.resealed.map((t) => t.tenantId)).toEqual([a.tenantId]);
    expect(result.unreadable).toEqual([]);
    expect(
      rotating.db.prepare('SELECT key_id FROM tenant_connections WHERE tenant_id = ?').pluck().get(a.tenantId),
    ).toBe(keyIdOf(newer));
    expect(ciphertextOf(rotating.db, a.tenantId).startsWith(`v1:${keyIdOf(newer)}:`)).toBe(true);
    expect(rotating.registry.resealStoredSecrets().resealed).toEqual([]);
    open.pop()?.close();

    const after = setup(first.file, new SecretBox({ current: newer }));
    expect(after.registry.connectionFor(a.tenantId).credential).toEqual({ kind: 'secret', secret: SECRET });
    expect(after.registry.connectionFor(b.tenantId).credential).toEqual({ kind: 'certificate', path: '/etc/app.pem' });
  });

  it('rotation without the previous key reports the rows it cannot open and leaves them as they are', () => {
    const first = setup();
    const a = first.registry.add(tenant());
    const stored = ciphertextOf(first.db, a.tenantId);
    open.pop()?.close();
    const next = setup(first.file, new SecretBox({ current: newKey() }));
    const result = next.registry.resealStoredSecrets();
    expect(result.resealed).toEqual([]);
    expect(result.unreadable).toHaveLength(1);
    expect(result.unreadable[0]?.tenant.tenantName).toBe('Fabrikam');
    expect(result.unreadable[0]?.error.message).toMatch(
      /Fabrikam .*Set SECRET_STORE_KEY to the key it was stored with/,
    );
    expect(ciphertextOf(next.db, a.tenantId)).toBe(stored);
  });

  it('without any key, refuses to store a secret and says how to get a key', () => {
    const { registry } = setup(undefined, new SecretBox({}));
    const error = connectionError(() => registry.add(tenant()));
    expect(error.code).toBe('secrets_key_missing');
    expect(error.message).toMatch(/SECRET_STORE_KEY is not set.*openssl rand -base64 32/);
    // Nothing half-written: the tenant row went with the failed transaction.
    expect(registry.add(tenant({ credential: { kind: 'certificate', path: '/etc/app.pem' } })).entraTenantId).toBe(
      ENTRA,
    );
  });

  it('refuses bad connection values, a duplicate tenant, and a tenant without a connection', () => {
    const { db, registry } = setup();
    expect(connectionError(() => registry.add(tenant({ graphEndpoint: 'http://graph.example' }))).message).toMatch(
      /Graph endpoint "http:\/\/graph.example" is not an https:\/\/ URL/,
    );
    expect(connectionError(() => registry.add(tenant({ appClientId: 'nope' }))).code).toBe('invalid_connection');
    expect(
      connectionError(() => registry.add(tenant({ credential: { kind: 'secret', secret: ' ' } }))).message,
    ).toContain('the client secret is empty');
    registry.add(tenant());
    expect(connectionError(() => registry.add(tenant())).code).toBe('already_registered');

    const now = new Date().toISOString();
    db.prepare(
      "INSERT INTO tenants (id, tenant_id, tenant_name, source, created_at, updated_at) VALUES ('bare', ?, 'Bare', 'entra', ?, ?)",
    ).run(OTHER_ENTRA, now, now);
    expect(connectionError(() => registry.connectionFor('bare')).message).toMatch(
      /^Tenant Bare \(0a1b2c3d-9999-4222-8333-444455556666\) has no stored connection/,
    );
    expect(connectionError(() => registry.connectionFor('missing')).code).toBe('unknown_tenant');
  });

  it('updateConnection takes effect at the next connectionFor, even within the same millisecond', () => {
    const { registry } = setup();
    const t = registry.add(tenant());
    for (let i = 0; i < 5; i++) {
      registry.updateConnection(
        t.tenantId,
        tenant({ credential: { kind: 'secret', secret: `Reg8Q~secret.${i}` } }).connection,
      );
      expect(registry.connectionFor(t.tenantId).credential).toEqual({ kind: 'secret', secret: `Reg8Q~secret.${i}` });
    }
  });

  it('the database file never holds the plaintext secret', () => {
    const { db, file, registry } = setup();
    const t = registry.add(tenant());
    const sealed = Buffer.from(ciphertextOf(db, t.tenantId));
    const bytes = () =>
      Buffer.concat([file, `${file}-wal`].filter((f) => fs.existsSync(f)).map((f) => fs.readFileSync(f)));
    // The row did reach the files (WAL first, then the main file), only sealed.
    expect(bytes().includes(sealed)).toBe(true);
    expect(bytes().includes(Buffer.from(SECRET))).toBe(false);
    db.pragma('wal_checkpoint(TRUNCATE)');
    expect(fs.readFileSync(file).includes(sealed)).toBe(true);
    expect(bytes().includes(Buffer.from(SECRET))).toBe(false);
  });
});
