import {
  createCipheriv,
  createDecipheriv,
  createHash,
  createSecretKey,
  randomBytes,
  type KeyObject,
} from 'node:crypto';
import { SealedSecretError, type SecretSealer } from '../../usecases/tenants/ports';

/**
 * AES-256-GCM for secrets at rest (tenant client secrets in SQLite).
 *
 * Format: `v1:<keyId>:<iv>:<tag>:<ciphertext>`, every part base64url. The key id lets a
 * row name the key that sealed it, so rotation can tell old rows from new without trying
 * every key, and an error can say which key is missing. It is a hash prefix, which says
 * nothing usable about a 256-bit random key.
 */

const FORMAT = 'v1';
const ALGORITHM = 'aes-256-gcm';
const KEY_BYTES = 32;
/** GCM's native nonce size; random per secret, so a key must seal far fewer than 2^32 values (it seals a handful). */
const IV_BYTES = 12;
const TAG_BYTES = 16;
const KEY_ID_BYTES = 8;
const BASE64URL = /^[A-Za-z0-9_-]*$/;

/** The key id: the first 8 bytes of SHA-256 of the key, base64url (11 characters). */
export function keyIdOf(key: KeyObject): string {
  return createHash('sha256').update(key.export()).digest().subarray(0, KEY_ID_BYTES).toString('base64url');
}

export interface SecretBoxKeys {
  /** Seals new values and opens its own. */
  current?: KeyObject;
  /** Open only: values sealed before a rotation. */
  previous?: KeyObject[];
  /** The current key lives only as long as this process (demo mode without SECRET_STORE_KEY). */
  ephemeral?: boolean;
}

export class SecretBox implements SecretSealer {
  readonly currentKeyId: string | undefined;
  private readonly keys = new Map<string, KeyObject>();
  private readonly ephemeral: boolean;

  constructor(options: SecretBoxKeys) {
    for (const key of [options.current, ...(options.previous ?? [])]) {
      if (!key) continue;
      if (key.type !== 'secret' || key.symmetricKeySize !== KEY_BYTES)
        throw new Error(`a secrets key must be ${KEY_BYTES} bytes`);
      const id = keyIdOf(key);
      if (!this.keys.has(id)) this.keys.set(id, key);
    }
    this.currentKeyId = options.current ? keyIdOf(options.current) : undefined;
    this.ephemeral = options.ephemeral === true && options.current !== undefined;
  }

  /** A box with a random key that dies with the process. */
  static ephemeral(): SecretBox {
    return new SecretBox({ current: createSecretKey(randomBytes(KEY_BYTES)), ephemeral: true });
  }

  get keyIds(): string[] {
    return [...this.keys.keys()];
  }

  seal(plaintext: string, associatedData: string): { ciphertext: string; keyId: string } {
    const keyId = this.currentKeyId;
    const key = keyId === undefined ? undefined : this.keys.get(keyId);
    if (keyId === undefined || !key) throw this.error('no-key', undefined);
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv(ALGORITHM, key, iv, { authTagLength: TAG_BYTES });
    cipher.setAAD(Buffer.from(associatedData, 'utf8'));
    const body = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
    const parts = [
      FORMAT,
      keyId,
      iv.toString('base64url'),
      cipher.getAuthTag().toString('base64url'),
      body.toString('base64url'),
    ];
    return { ciphertext: parts.join(':'), keyId };
  }

  open(sealed: string, associatedData: string): string {
    const parts = sealed.split(':');
    if (parts.length !== 5 || parts[0] !== FORMAT || !parts.slice(1).every((p) => BASE64URL.test(p)))
      throw this.error('malformed', undefined);
    const [, keyId, ivText, tagText, bodyText] = parts as [string, string, string, string, string];
    const iv = Buffer.from(ivText, 'base64url');
    const tag = Buffer.from(tagText, 'base64url');
    if (iv.length !== IV_BYTES || tag.length !== TAG_BYTES) throw this.error('malformed', keyId);
    const key = this.keys.get(keyId);
    if (!key) throw this.error('unknown-key', keyId);
    try {
      const decipher = createDecipheriv(ALGORITHM, key, iv, { authTagLength: TAG_BYTES });
      decipher.setAAD(Buffer.from(associatedData, 'utf8'));
      decipher.setAuthTag(tag);
      return Buffer.concat([decipher.update(Buffer.from(bodyText, 'base64url')), decipher.final()]).toString('utf8');
    } catch {
      // OpenSSL says only "Unsupported state or unable to authenticate data"; the cause is one of ours.
      throw this.error('tampered', keyId);
    }
  }

  /** What a log line may show: key ids, never keys. */
  toJSON(): { currentKeyId: string | undefined; keyIds: string[]; ephemeral: boolean } {
    return { currentKeyId: this.currentKeyId, keyIds: this.keyIds, ephemeral: this.ephemeral };
  }

  private error(problem: SealedSecretError['problem'], keyId: string | undefined): SealedSecretError {
    return new SealedSecretError(problem, keyId, this.keyIds, this.ephemeral);
  }
}
