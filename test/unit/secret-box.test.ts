import { createSecretKey, randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { SecretBox, keyIdOf } from '../../src/adapters/secrets/secret-box';
import { SealedSecretError } from '../../src/usecases/tenants/ports';

const newKey = () => createSecretKey(randomBytes(32));
const ROW = '5b0c7a52-8d0e-4a57-9a0a-2f7d3c1e9b11';
const OTHER_ROW = 'c6f1d2e3-0000-4a57-9a0a-2f7d3c1e9b22';
const SECRET = 'Abc8Q~not.a.real.secret_but-long-enough';

function failure(work: () => unknown): SealedSecretError {
  try {
    work();
  } catch (error) {
    expect(error).toBeInstanceOf(SealedSecretError);
    return error as SealedSecretError;
  }
  throw new Error('expected a SealedSecretError');
}

/** Flips the lowest bit of one byte of a base64url part of a sealed value. */
function flipByte(sealed: string, part: number, byte = 0): string {
  const parts = sealed.split(':');
  const bytes = Buffer.from(parts[part] as string, 'base64url');
  bytes[byte] = (bytes[byte] as number) ^ 0x01;
  parts[part] = bytes.toString('base64url');
  return parts.join(':');
}

describe('SecretBox (AES-256-GCM)', () => {
  it('round-trips, in the v1:<keyId>:<iv>:<tag>:<ct> base64url format, with a fresh IV each time', () => {
    const key = newKey();
    const box = new SecretBox({ current: key });
    const a = box.seal(SECRET, ROW);
    const b = box.seal(SECRET, ROW);
    expect(a.keyId).toBe(keyIdOf(key));
    expect(a.keyId).toMatch(/^[A-Za-z0-9_-]{11}$/);
    expect(a.ciphertext).toMatch(/^v1:[A-Za-z0-9_-]{11}:[A-Za-z0-9_-]{16}:[A-Za-z0-9_-]{22}:[A-Za-z0-9_-]+$/);
    expect(a.ciphertext.startsWith(`v1:${a.keyId}:`)).toBe(true);
    expect(a.ciphertext).not.toBe(b.ciphertext);
    expect(a.ciphertext).not.toContain(SECRET);
    expect(box.open(a.ciphertext, ROW)).toBe(SECRET);
    expect(box.open(b.ciphertext, ROW)).toBe(SECRET);
    expect(box.open(box.seal('ünïcødé ✓', ROW).ciphertext, ROW)).toBe('ünïcødé ✓');
  });

  it('the key id is the SHA-256 prefix of the key: the same key gives the same id in another process', () => {
    const bytes = randomBytes(32);
    expect(keyIdOf(createSecretKey(bytes))).toBe(keyIdOf(createSecretKey(Buffer.from(bytes))));
    expect(keyIdOf(createSecretKey(bytes))).not.toBe(keyIdOf(newKey()));
  });

  it('refuses a flipped byte in the ciphertext, the tag or the IV', () => {
    const box = new SecretBox({ current: newKey() });
    const { ciphertext } = box.seal(SECRET, ROW);
    for (const part of [2, 3, 4]) {
      const error = failure(() => box.open(flipByte(ciphertext, part), ROW));
      expect(error.problem).toBe('tampered');
      expect(error.message).not.toContain(SECRET);
    }
  });

  it('refuses a ciphertext copied to another row (the row id is the associated data)', () => {
    const box = new SecretBox({ current: newKey() });
    const { ciphertext } = box.seal(SECRET, ROW);
    expect(failure(() => box.open(ciphertext, OTHER_ROW)).problem).toBe('tampered');
  });

  it('refuses a value sealed with another key, naming the key it needs and the keys it holds', () => {
    const sealedWith = newKey();
    const held = newKey();
    const { ciphertext } = new SecretBox({ current: sealedWith }).seal(SECRET, ROW);
    const error = failure(() => new SecretBox({ current: held }).open(ciphertext, ROW));
    expect(error).toMatchObject({
      problem: 'unknown-key',
      keyId: keyIdOf(sealedWith),
      heldKeyIds: [keyIdOf(held)],
      ephemeralKey: false,
    });
    // A forged key id naming the held key does not help: the tag still fails.
    const forged = ciphertext.replace(`:${keyIdOf(sealedWith)}:`, `:${keyIdOf(held)}:`);
    expect(failure(() => new SecretBox({ current: held }).open(forged, ROW)).problem).toBe('tampered');
  });

  it('opens values sealed with a previous key and seals only with the current one', () => {
    const old = newKey();
    const current = newKey();
    const { ciphertext } = new SecretBox({ current: old }).seal(SECRET, ROW);
    const rotated = new SecretBox({ current, previous: [old] });
    expect(rotated.open(ciphertext, ROW)).toBe(SECRET);
    expect(rotated.seal(SECRET, ROW).keyId).toBe(keyIdOf(current));
    expect(rotated.keyIds).toEqual([keyIdOf(current), keyIdOf(old)]);
  });

  it('refuses malformed values and sealing without a key', () => {
    const box = new SecretBox({ current: newKey() });
    const { ciphertext } = box.seal(SECRET, ROW);
    for (const bad of [
      '',
      SECRET,
      `v2${ciphertext.slice(2)}`,
      ciphertext.split(':').slice(0, 4).join(':'),
      `${ciphertext}:x`,
      ciphertext.replace(/:([^:]*)$/, ':+/='),
    ]) {
      expect(failure(() => box.open(bad, ROW)).problem).toBe('malformed');
    }
    expect(failure(() => new SecretBox({}).seal(SECRET, ROW)).problem).toBe('no-key');
    expect(() => new SecretBox({ current: createSecretKey(randomBytes(16)) })).toThrow(/32 bytes/);
  });

  it('shows key ids, never key bytes, when serialised (e.g. by a logger)', () => {
    const bytes = randomBytes(32);
    const box = new SecretBox({ current: createSecretKey(bytes) });
    const json = JSON.stringify({ box });
    expect(json).toContain(keyIdOf(createSecretKey(bytes)));
    for (const form of ['base64', 'base64url', 'hex'] as const) expect(json).not.toContain(bytes.toString(form));
    expect(SecretBox.ephemeral().toJSON().ephemeral).toBe(true);
  });
});
