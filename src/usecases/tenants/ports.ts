import type { ConsentRecord } from '../../domain/msp-consent';
/**
 * What the tenant registry needs from the outside: a store for tenants and their
 * connection rows, and something that seals and opens secrets. The SQLite and
 * AES-GCM adapters implement these; the registry never sees a key or a SQL row.
 */

import type { TenantRecord, TenantSettingsChange } from '../../domain/tenant';

/** tenants.source: the built-in demo tenant or a Microsoft Entra tenant. */
export type TenantOrigin = 'demo' | 'entra';

/** A tenants row, as far as the registry cares. */
export interface ConnectionTenant {
  /** Seat Steward's own tenant row id (tenants.id). */
  tenantId: string;
  entraTenantId: string;
  tenantName: string;
  source: TenantOrigin;
  /** The MSP customer the tenant belongs to (the REST API's client_id), when known. */
  mspClientId: string | null;
}

/** The credential as stored: a client secret only ever as ciphertext. */
export type StoredCredential =
  { kind: 'secret'; ciphertext: string; keyId: string } | { kind: 'certificate'; path: string };

export interface StoredConnectionFields {
  entraTenantId: string;
  appClientId: string;
  authorityHost: string;
  graphEndpoint: string;
  credential: StoredCredential;
}

export interface StoredConnection extends StoredConnectionFields {
  tenantId: string;
  createdAt: string;
  /** Strictly increases with every save of the row, so it can key a cache. */
  updatedAt: string;
}

export interface TenantConnectionStore {
  /** By Seat Steward's row id or by Entra tenant id. */
  findTenant(idOrEntraTenantId: string): ConnectionTenant | undefined;
  createTenant(input: {
    entraTenantId: string;
    tenantName: string;
    source: TenantOrigin;
    mspClientId: string | null;
  }): ConnectionTenant;
  load(tenantId: string): StoredConnection | undefined;
  /** Inserts or replaces the tenant's connection. */
  save(tenantId: string, fields: StoredConnectionFields): StoredConnection;
  list(): StoredConnection[];
  transaction<T>(work: () => T): T;
}

export type SealedSecretProblem =
  /** Sealing needs a key and none is configured. */
  | 'no-key'
  /** Sealed with a key this process does not hold. */
  | 'unknown-key'
  /** The authentication tag did not verify: altered, or sealed for another row. */
  | 'tampered'
  /** Not a sealed value this version can parse. */
  | 'malformed';

/** Thrown by a SecretSealer; carries key ids only, never key material or plaintext. */
export class SealedSecretError extends Error {
  constructor(
    readonly problem: SealedSecretProblem,
    /** The key id the value names (absent when malformed or when sealing). */
    readonly keyId: string | undefined,
    /** The key ids this process holds, current first. */
    readonly heldKeyIds: string[],
    /** True when the current key is a per-process key (demo mode without SECRET_STORE_KEY). */
    readonly ephemeralKey: boolean,
  ) {
    super(`sealed secret: ${problem}${keyId ? ` (key ${keyId})` : ''}`);
    this.name = 'SealedSecretError';
  }
}

export interface SecretSealer {
  /** The id of the key new secrets are sealed with; undefined when no key is configured. */
  readonly currentKeyId: string | undefined;
  /** `associatedData` binds the ciphertext to its row: opening it for another row fails. */
  seal(plaintext: string, associatedData: string): { ciphertext: string; keyId: string };
  /** Throws SealedSecretError. */
  open(ciphertext: string, associatedData: string): string;
}

/** Why an encrypted credential (client_id_encrypted, client_secret_encrypted) was refused. */
export type EncryptedCredentialProblem =
  /** Not a JWE in compact serialisation: most often the value was sent in clear text. */
  | 'not_jwe'
  /** A JWE, but with an algorithm this server does not take. */
  | 'unsupported_algorithm'
  /** Encrypted to a key id this server does not hold (another server's key, or a key rotated out). */
  | 'unknown_key'
  /** The key matched (or none was named) and the value still did not decrypt: damaged, or for another key. */
  | 'undecryptable';

/** Thrown by a CredentialDecrypter; its message names key ids and algorithms, never the value. */
export class EncryptedCredentialError extends Error {
  constructor(
    readonly problem: EncryptedCredentialProblem,
    message: string,
  ) {
    super(message);
    this.name = 'EncryptedCredentialError';
  }
}

/** The public half callers encrypt credentials to: a JWK (RFC 7517) with its kid, alg and use. */
export interface CredentialEncryptionKey {
  kty: string;
  kid: string;
  alg: string;
  use: 'enc';
  /** The content encryption the server expects (not a JWK member; JWK readers ignore it). */
  enc: string;
  [member: string]: string;
}

/** Opens credentials callers encrypted to this server's key, so they never travel in clear text. */
export interface CredentialDecrypter {
  publicKey(): CredentialEncryptionKey;
  /** Throws EncryptedCredentialError. */
  decrypt(value: string): Promise<string>;
}

/** The tenant row's admin settings (names, MSP client, sync), for onboarding through the REST API. */
export interface TenantSettingsStore {
  find(idOrEntraTenantId: string): TenantRecord | undefined;
  list(): TenantRecord[];
  updateSettings(tenantId: string, settings: TenantSettingsChange): void;
  transaction<T>(work: () => T): T;
}

/** Either every row of the tenant is gone (rows per table), or nothing was deleted because jobs of it are running. */
export type TenantErasure = { erased: Record<string, number> } | { runningJobs: Array<{ id: number; kind: string }> };

/** Deletes everything stored about one tenant: its rows in every table, its connection and sealed secret, its open jobs. */
export interface TenantDataEraser {
  /** One transaction: checks no job of the tenant is running, then deletes. */
  erase(tenantId: string): TenantErasure;
}

/** Admin consent of the MSP's multi-tenant app, per tenant (migration 24). */
export interface ConsentStore {
  get(tenantId: string): ConsentRecord | undefined;
  byNonce(nonce: string): ConsentRecord | undefined;
  /** Starts a pending consent with this nonce; nothing when the tenant has one already. */
  request(tenantId: string, nonce: string, now: Date): void;
  /** Records the answer; the nonce that came back is spent, `nextNonce` is the one a new link carries. */
  answer(tenantId: string, state: 'granted' | 'refused', error: string | null, nextNonce: string, now: Date): void;
}
