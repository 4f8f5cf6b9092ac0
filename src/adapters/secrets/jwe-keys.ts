import { createPrivateKey, createPublicKey, generateKeyPairSync, type KeyObject } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { calculateJwkThumbprint, compactDecrypt, decodeProtectedHeader, exportJWK, type JWK } from 'jose';
import {
  EncryptedCredentialError,
  type CredentialDecrypter,
  type CredentialEncryptionKey,
} from '../../usecases/tenants/ports';

/**
 * The keypair callers encrypt tenant credentials to (POST /api/v1/m365/tenants): JWE compact
 * serialisation, key agreement ECDH-ES on P-256, content A256GCM. ECDH-ES was chosen over
 * RSA-OAEP-256 because its key is made in a millisecond at first start (an RSA-3072 key takes
 * most of a second of CPU, in every fresh DATA_DIR), and it is in every JOSE library.
 *
 * The private key is a PKCS#8 PEM file in DATA_DIR, mode 600. Rotation: the current file renamed
 * to the previous one, and a start makes a new current key; values encrypted to the previous key
 * (named by its kid) still open until that file is removed. The values only travel: they are
 * decrypted on receipt and sealed with SECRET_STORE_KEY, so no stored data depends on this key.
 */

export const JWE_KEY_FILE = 'credentials-jwe.key';
export const JWE_PREVIOUS_KEY_FILE = 'credentials-jwe.previous.key';
export const JWE_ALGORITHM = 'ECDH-ES';
export const JWE_ENCRYPTION = 'A256GCM';
const CURVE = 'P-256';
/** Far longer than any credential; anything longer is refused before it is parsed. */
const MAX_JWE_LENGTH = 16 * 1024;
const COMPACT = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/;

interface HeldKey {
  kid: string;
  privateKey: KeyObject;
  publicJwk: JWK;
}

export class JweCredentialKeys implements CredentialDecrypter {
  private constructor(
    private readonly current: HeldKey,
    private readonly previous: HeldKey | undefined,
  ) {}

  /** Loads the keypair from DATA_DIR, making it (mode 600) the first time. */
  static async open(dataDir: string): Promise<JweCredentialKeys> {
    const currentFile = path.join(dataDir, JWE_KEY_FILE);
    if (!fs.existsSync(currentFile)) {
      const { privateKey } = generateKeyPairSync('ec', { namedCurve: CURVE });
      try {
        // wx: a file another start wrote meanwhile is kept, not overwritten.
        fs.writeFileSync(currentFile, privateKey.export({ type: 'pkcs8', format: 'pem' }), { flag: 'wx', mode: 0o600 });
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      }
    }
    const previousFile = path.join(dataDir, JWE_PREVIOUS_KEY_FILE);
    const current = await held(currentFile);
    const previous = fs.existsSync(previousFile) ? await held(previousFile) : undefined;
    return new JweCredentialKeys(current, previous?.kid === current.kid ? undefined : previous);
  }

  get kids(): string[] {
    return [this.current.kid, ...(this.previous ? [this.previous.kid] : [])];
  }

  publicKey(): CredentialEncryptionKey {
    const { kty = 'EC', crv = CURVE, x = '', y = '' } = this.current.publicJwk;
    return { kty, crv, x, y, kid: this.current.kid, alg: JWE_ALGORITHM, use: 'enc', enc: JWE_ENCRYPTION };
  }

  async decrypt(value: string): Promise<string> {
    const text = value.trim();
    if (text.length > MAX_JWE_LENGTH || !COMPACT.test(text))
      throw new EncryptedCredentialError(
        'not_jwe',
        `is not a JWE in compact serialisation (five base64url parts joined by dots): send the value encrypted to the key at GET /api/v1/m365/encryption-key (alg ${JWE_ALGORITHM}, enc ${JWE_ENCRYPTION}), never in clear text`,
      );
    let header: ReturnType<typeof decodeProtectedHeader>;
    try {
      header = decodeProtectedHeader(text);
    } catch {
      throw new EncryptedCredentialError(
        'undecryptable',
        'is damaged: its protected header is not base64url-encoded JSON. Encrypt the value again',
      );
    }
    if (header.alg !== JWE_ALGORITHM || header.enc !== JWE_ENCRYPTION) {
      throw new EncryptedCredentialError(
        'unsupported_algorithm',
        `is encrypted with alg ${String(header.alg)} and enc ${String(header.enc)}; this server takes alg ${JWE_ALGORITHM} with enc ${JWE_ENCRYPTION} only`,
      );
    }
    const candidates =
      header.kid === undefined ? [this.current, ...(this.previous ? [this.previous] : [])] : this.byKid(header.kid);
    if (candidates.length === 0) {
      throw new EncryptedCredentialError(
        'unknown_key',
        `is encrypted to key ${String(header.kid)}, which this server does not hold (its key is ${this.current.kid}). Fetch GET /api/v1/m365/encryption-key and encrypt again`,
      );
    }
    for (const key of candidates) {
      try {
        const { plaintext } = await compactDecrypt(text, key.privateKey, {
          keyManagementAlgorithms: [JWE_ALGORITHM],
          contentEncryptionAlgorithms: [JWE_ENCRYPTION],
        });
        return new TextDecoder('utf-8', { fatal: true }).decode(plaintext);
      } catch {
        // jose says why (a failed tag check, a bad epk); the admin's action is the same either way.
      }
    }
    throw new EncryptedCredentialError(
      'undecryptable',
      `does not decrypt with this server's key ${this.current.kid}: it was damaged, or encrypted to another key. Fetch GET /api/v1/m365/encryption-key and encrypt again`,
    );
  }

  private byKid(kid: unknown): HeldKey[] {
    return [this.current, this.previous].filter((k): k is HeldKey => k !== undefined && k.kid === kid);
  }

  /** What a log line may show: key ids, never keys. */
  toJSON(): { kids: string[] } {
    return { kids: this.kids };
  }
}

async function held(file: string): Promise<HeldKey> {
  // Keys written by an older umask, or copied in by hand, are tightened like the rest of DATA_DIR.
  const stat = fs.statSync(file);
  if ((stat.mode & 0o077) !== 0 && (process.getuid === undefined || stat.uid === process.getuid()))
    fs.chmodSync(file, 0o600);
  let privateKey: KeyObject;
  try {
    privateKey = createPrivateKey(fs.readFileSync(file));
  } catch (error) {
    throw new Error(
      `${file} is not a PKCS#8 PEM private key (${(error as Error).message}). It holds the key tenant credentials are encrypted to: restore it from a backup, or remove it to make a new one (callers then fetch the new key).`,
      { cause: error },
    );
  }
  if (privateKey.asymmetricKeyType !== 'ec' || privateKey.asymmetricKeyDetails?.namedCurve !== 'prime256v1')
    throw new Error(`${file} is not a P-256 key; remove it to make a new one.`);
  const publicJwk = await exportJWK(createPublicKey(privateKey));
  return { kid: await calculateJwkThumbprint(publicJwk), privateKey, publicJwk };
}
