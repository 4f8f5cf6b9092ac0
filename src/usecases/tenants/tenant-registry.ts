import {
  SealedSecretError,
  type ConnectionTenant,
  type SecretSealer,
  type StoredConnection,
  type StoredConnectionFields,
  type TenantConnectionStore,
  type TenantOrigin,
} from './ports';
import { GUID } from '../../domain/guid';

/**
 * Tenants and how to reach them, kept in the store so that a second tenant is a row, not a
 * restart. The environment still configures the first tenant: each start writes it through
 * ensureFromEnvironment. Client secrets are sealed before they reach the store and opened
 * only when a sync needs them.
 */

export type ConnectionCredential = { kind: 'secret'; secret: string } | { kind: 'certificate'; path: string };

/** How to reach a tenant; the Entra tenant id comes from the tenant row, so the two never disagree. */
export interface ConnectionInput {
  appClientId: string;
  /** e.g. https://login.microsoftonline.com */
  authorityHost: string;
  /** e.g. https://graph.microsoft.com */
  graphEndpoint: string;
  credential: ConnectionCredential;
}

export interface TenantConnectionSettings extends ConnectionInput {
  tenantId: string;
  entraTenantId: string;
  tenantName: string;
  source: TenantOrigin;
  /** Changes whenever the stored connection does: a cached Graph client for an older revision is stale. */
  revision: string;
}

export interface NewTenant {
  entraTenantId: string;
  tenantName: string;
  source: TenantOrigin;
  mspClientId?: string | null;
  connection: ConnectionInput;
}

export type ConnectionErrorCode =
  | 'unknown_tenant'
  | 'no_connection'
  | 'secret_unreadable'
  | 'secrets_key_missing'
  | 'invalid_connection'
  | 'already_registered';

/** Phrased for the admin who has to act; never holds a secret or a key, only key ids. */
export class TenantConnectionError extends Error {
  constructor(
    readonly code: ConnectionErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'TenantConnectionError';
  }
}

export type EnsureOutcome = 'created' | 'updated' | 'unchanged';

const KEY_HINT = 'generate one with `openssl rand -base64 32`';

export class TenantRegistry {
  private readonly cache = new Map<string, TenantConnectionSettings>();
  /** The environment's connection when it could not be stored (a full disk): used until a restart stores it. */
  private readonly unsaved = new Map<string, TenantConnectionSettings>();

  constructor(private readonly deps: { store: TenantConnectionStore; secrets: SecretSealer }) {}

  /**
   * Registers the tenant the environment configures (TENANT_ID... or the demo tenant), or
   * brings its stored connection up to date. Its id and history survive restarts.
   */
  ensureFromEnvironment(env: NewTenant): { tenant: ConnectionTenant; outcome: EnsureOutcome; changed: string[] } {
    const { store } = this.deps;
    validate(env.entraTenantId, env.connection);
    return store.transaction(() => {
      const existing = store.findTenant(env.entraTenantId);
      const tenant =
        existing ??
        store.createTenant({
          entraTenantId: env.entraTenantId,
          tenantName: env.tenantName,
          source: env.source,
          mspClientId: env.mspClientId ?? null,
        });
      const stored = store.load(tenant.tenantId);
      const changed = stored ? this.differences(tenant, stored, env.connection) : ['connection'];
      if (changed.length > 0) store.save(tenant.tenantId, this.seal(tenant, env.connection));
      return { tenant, outcome: !stored ? 'created' : changed.length > 0 ? 'updated' : 'unchanged', changed };
    });
  }

  /**
   * When the environment's connection cannot be stored (the disk is full), an already registered
   * tenant still starts with it, held in memory: it is served read-only now and syncs with the
   * current connection once space is back, without waiting for a restart. A tenant never stored
   * cannot start this way (`undefined`).
   */
  holdFromEnvironment(env: NewTenant): ConnectionTenant | undefined {
    validate(env.entraTenantId, env.connection);
    const tenant = this.deps.store.findTenant(env.entraTenantId);
    if (!tenant) return undefined;
    this.unsaved.set(tenant.tenantId, {
      ...env.connection,
      tenantId: tenant.tenantId,
      entraTenantId: tenant.entraTenantId,
      tenantName: tenant.tenantName,
      source: tenant.source,
      revision: `unsaved:${Date.now()}`,
    });
    return tenant;
  }

  /** A new tenant and its connection, usable by the next sync without a restart. */
  add(input: NewTenant): ConnectionTenant {
    const { store } = this.deps;
    validate(input.entraTenantId, input.connection);
    return store.transaction(() => {
      const existing = store.findTenant(input.entraTenantId);
      if (existing) {
        throw new TenantConnectionError(
          'already_registered',
          `Tenant ${input.entraTenantId} is already registered as ${existing.tenantName} (${existing.tenantId}); update its connection instead of adding it again.`,
        );
      }
      const tenant = store.createTenant({
        entraTenantId: input.entraTenantId,
        tenantName: input.tenantName,
        source: input.source,
        mspClientId: input.mspClientId ?? null,
      });
      store.save(tenant.tenantId, this.seal(tenant, input.connection));
      return tenant;
    });
  }

  updateConnection(tenantId: string, connection: ConnectionInput): void {
    const { store } = this.deps;
    const tenant = store.findTenant(tenantId);
    if (!tenant)
      throw new TenantConnectionError('unknown_tenant', `No tenant "${tenantId}" is registered in Seat Steward.`);
    validate(tenant.entraTenantId, connection);
    store.save(tenant.tenantId, this.seal(tenant, connection));
    // Stored now: a connection held in memory for want of disk space gives way to it.
    this.unsaved.delete(tenant.tenantId);
  }

  /** The stored app id and endpoints, without opening the secret (which may not open). */
  storedEndpoints(tenantId: string): Omit<ConnectionInput, 'credential'> | undefined {
    const stored = this.deps.store.load(tenantId);
    return stored
      ? { appClientId: stored.appClientId, authorityHost: stored.authorityHost, graphEndpoint: stored.graphEndpoint }
      : undefined;
  }

  /** A deleted tenant: its opened connection (and secret) leaves memory too. */
  forget(tenantId: string): void {
    this.cache.delete(tenantId);
    this.unsaved.delete(tenantId);
  }

  /** Loads and opens the tenant's connection; unchanged rows come from memory. */
  connectionFor(tenantId: string): TenantConnectionSettings {
    const held = this.unsaved.get(tenantId);
    if (held) return held;
    const { store } = this.deps;
    const stored = store.load(tenantId);
    const tenant = store.findTenant(tenantId);
    if (!tenant || tenant.tenantId !== tenantId)
      throw new TenantConnectionError('unknown_tenant', `No tenant "${tenantId}" is registered in Seat Steward.`);
    if (!stored) {
      throw new TenantConnectionError(
        'no_connection',
        `Tenant ${describe(tenant)} has no stored connection, so it cannot be synced. Configure it through TENANT_ID, CLIENT_ID and SECRET_CLIENT_SECRET (or CLIENT_CERTIFICATE_PATH) and restart, or add its connection.`,
      );
    }
    const cached = this.cache.get(tenantId);
    if (cached && cached.revision === stored.updatedAt && cached.tenantName === tenant.tenantName) return cached;
    const settings: TenantConnectionSettings = {
      tenantId,
      entraTenantId: stored.entraTenantId,
      tenantName: tenant.tenantName,
      source: tenant.source,
      appClientId: stored.appClientId,
      authorityHost: stored.authorityHost,
      graphEndpoint: stored.graphEndpoint,
      credential: this.open(tenant, stored),
      revision: stored.updatedAt,
    };
    this.cache.set(tenantId, settings);
    return settings;
  }

  /**
   * Re-seals every stored secret that an older key sealed (SECRET_STORE_KEY_PREVIOUS), so the old
   * key can be dropped. Rows no held key opens are reported, not fatal: other tenants still sync.
   */
  resealStoredSecrets(): {
    resealed: ConnectionTenant[];
    unreadable: Array<{ tenant: ConnectionTenant; error: TenantConnectionError }>;
  } {
    const { store, secrets } = this.deps;
    const resealed: ConnectionTenant[] = [];
    const unreadable: Array<{ tenant: ConnectionTenant; error: TenantConnectionError }> = [];
    if (secrets.currentKeyId === undefined) return { resealed, unreadable };
    for (const stored of store.list()) {
      if (stored.credential.kind !== 'secret' || stored.credential.keyId === secrets.currentKeyId) continue;
      const tenant = store.findTenant(stored.tenantId);
      if (!tenant) continue;
      try {
        const credential = this.open(tenant, stored);
        store.save(tenant.tenantId, this.seal(tenant, { ...stored, credential }));
        resealed.push(tenant);
      } catch (error) {
        if (!(error instanceof TenantConnectionError)) throw error;
        unreadable.push({ tenant, error });
      }
    }
    return { resealed, unreadable };
  }

  private differences(tenant: ConnectionTenant, stored: StoredConnection, wanted: ConnectionInput): string[] {
    const changed: string[] = [];
    if (stored.entraTenantId.toLowerCase() !== tenant.entraTenantId.toLowerCase()) changed.push('entraTenantId');
    if (stored.appClientId.toLowerCase() !== wanted.appClientId.toLowerCase()) changed.push('appClientId');
    if (stored.authorityHost !== wanted.authorityHost) changed.push('authorityHost');
    if (stored.graphEndpoint !== wanted.graphEndpoint) changed.push('graphEndpoint');
    const was = stored.credential;
    const now = wanted.credential;
    if (was.kind !== now.kind) changed.push('credential');
    else if (was.kind === 'certificate' && now.kind === 'certificate' && was.path !== now.path)
      changed.push('certificatePath');
    else if (was.kind === 'secret' && now.kind === 'secret') {
      // A row no held key opens is replaced by the environment's secret, which is what the admin configured.
      let same = false;
      try {
        same = this.deps.secrets.open(was.ciphertext, tenant.tenantId) === now.secret;
      } catch (error) {
        if (!(error instanceof SealedSecretError)) throw error;
      }
      if (!same) changed.push('secret');
    }
    return changed;
  }

  private seal(tenant: ConnectionTenant, connection: ConnectionInput): StoredConnectionFields {
    const { credential } = connection;
    let stored: StoredConnectionFields['credential'];
    if (credential.kind === 'certificate') stored = { kind: 'certificate', path: credential.path };
    else {
      try {
        const sealed = this.deps.secrets.seal(credential.secret, tenant.tenantId);
        stored = { kind: 'secret', ciphertext: sealed.ciphertext, keyId: sealed.keyId };
      } catch (error) {
        if (error instanceof SealedSecretError && error.problem === 'no-key') {
          throw new TenantConnectionError(
            'secrets_key_missing',
            `Cannot store the client secret of tenant ${describe(tenant)}: SECRET_STORE_KEY is not set, and secrets are only stored encrypted. Set SECRET_STORE_KEY (${KEY_HINT}) and restart, or use a certificate.`,
          );
        }
        throw error;
      }
    }
    return {
      entraTenantId: tenant.entraTenantId,
      appClientId: connection.appClientId,
      authorityHost: connection.authorityHost,
      graphEndpoint: connection.graphEndpoint,
      credential: stored,
    };
  }

  private open(tenant: ConnectionTenant, stored: StoredConnection): ConnectionCredential {
    const credential = stored.credential;
    if (credential.kind === 'certificate') return { kind: 'certificate', path: credential.path };
    try {
      return { kind: 'secret', secret: this.deps.secrets.open(credential.ciphertext, tenant.tenantId) };
    } catch (error) {
      if (error instanceof SealedSecretError) throw unreadableSecret(tenant, error);
      throw error;
    }
  }
}

function describe(tenant: ConnectionTenant): string {
  return `${tenant.tenantName} (${tenant.entraTenantId})`;
}

const REENTER =
  'or enter the client secret again (for the tenant in the environment: set SECRET_CLIENT_SECRET and restart)';

function unreadableSecret(tenant: ConnectionTenant, error: SealedSecretError): TenantConnectionError {
  const what = `The stored client secret of tenant ${describe(tenant)} cannot be decrypted`;
  const held =
    error.heldKeyIds.length > 0 ? `this instance holds ${error.heldKeyIds.join(', ')}` : 'SECRET_STORE_KEY is not set';
  let message: string;
  switch (error.problem) {
    case 'unknown-key':
      message = error.ephemeralKey
        ? `${what}: it was sealed with key ${error.keyId}, and this instance runs the demo without SECRET_STORE_KEY, which uses a new key at every start. Set SECRET_STORE_KEY (${KEY_HINT}) to keep secrets across restarts, ${REENTER}.`
        : `${what}: it was sealed with key ${error.keyId}, but ${held}. Set SECRET_STORE_KEY to the key it was stored with (while rotating keys: SECRET_STORE_KEY to the new key and SECRET_STORE_KEY_PREVIOUS to the old one), ${REENTER}.`;
      break;
    case 'tampered':
      message = `${what}: it failed its integrity check with key ${error.keyId}, so the stored value was altered or copied from another tenant's row. Enter the client secret again (for the tenant in the environment: set SECRET_CLIENT_SECRET and restart).`;
      break;
    case 'malformed':
      message = `${what}: the stored value is not in a format this version of Seat Steward reads (v1:<keyId>:...). Enter the client secret again (for the tenant in the environment: set SECRET_CLIENT_SECRET and restart).`;
      break;
    case 'no-key':
      message = `${what}: SECRET_STORE_KEY is not set. Set SECRET_STORE_KEY to the key the secret was stored with, ${REENTER}.`;
      break;
  }
  return new TenantConnectionError('secret_unreadable', message);
}

function validate(entraTenantId: string, connection: ConnectionInput): void {
  const problems: string[] = [];
  if (!GUID.test(entraTenantId)) problems.push(`the Entra tenant id "${entraTenantId}" is not a GUID`);
  if (!GUID.test(connection.appClientId))
    problems.push(`the app registration's client id "${connection.appClientId}" is not a GUID`);
  for (const [name, url] of [
    ['authority host', connection.authorityHost],
    ['Graph endpoint', connection.graphEndpoint],
  ] as const) {
    if (!/^https:\/\/[^/\s]+/.test(url)) problems.push(`the ${name} "${url}" is not an https:// URL`);
  }
  if (connection.credential.kind === 'secret' && connection.credential.secret.trim() === '')
    problems.push('the client secret is empty');
  if (connection.credential.kind === 'certificate' && !/^(\/|[A-Za-z]:[\\/])/.test(connection.credential.path)) {
    problems.push(`the certificate path "${connection.credential.path}" is not absolute`);
  }
  if (problems.length > 0)
    throw new TenantConnectionError(
      'invalid_connection',
      `The tenant connection was not stored: ${problems.join('; ')}.`,
    );
}
