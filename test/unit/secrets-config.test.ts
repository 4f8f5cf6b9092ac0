import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { keyIdOf } from '../../src/adapters/secrets/secret-box';
import { ConfigError, parseConfig } from '../../src/config/config';
import { tempDir } from '../helpers/harness';

const REAL_TENANT = {
  TENANT_ID: '11111111-2222-3333-4444-555555555555',
  CLIENT_ID: '66666666-7777-8888-9999-000000000000',
  SECRET_CLIENT_SECRET: 'Abc8Q~client.secret.value',
};

function problemsOf(values: Record<string, string>): string[] {
  try {
    parseConfig(values);
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  return [];
}

describe('SECRET_STORE_KEY', () => {
  it('takes 32 bytes as base64 (openssl rand -base64 32), base64url or hex, and they name the same key', () => {
    const bytes = randomBytes(32);
    const ids = [
      bytes.toString('base64'),
      bytes.toString('base64').replace(/=$/, ''),
      bytes.toString('base64url'),
      bytes.toString('hex'),
      bytes.toString('hex').toUpperCase(),
    ].map((text) => {
      const key = parseConfig({ SECRET_STORE_KEY: ` ${text} ` }).secrets.key;
      expect(key?.symmetricKeySize).toBe(32);
      return key ? keyIdOf(key) : undefined;
    });
    expect(new Set(ids).size).toBe(1);
  });

  it('refuses anything that is not exactly 32 bytes, says how to generate one, and never echoes the value', () => {
    for (const bad of [
      randomBytes(16).toString('base64'),
      randomBytes(33).toString('base64'),
      randomBytes(31).toString('hex'),
      'correct horse battery staple',
      `${randomBytes(32).toString('base64').slice(0, 43)}!`,
    ]) {
      const problems = problemsOf({ SECRET_STORE_KEY: bad });
      expect(problems).toHaveLength(1);
      expect(problems[0]).toMatch(
        /^SECRET_STORE_KEY: expected 32 random bytes as base64 \(44 characters\) or hex \(64 characters\); generate one with `openssl rand -base64 32`/,
      );
      expect(problems[0]).not.toContain(bad);
    }
    expect(problemsOf({ SECRET_STORE_KEY_PREVIOUS: 'short' })[0]).toMatch(
      /^SECRET_STORE_KEY_PREVIOUS: expected 32 random bytes/,
    );
  });

  it("is required before a real tenant's client secret is stored", () => {
    const problems = problemsOf(REAL_TENANT);
    expect(problems).toEqual([
      expect.stringMatching(
        /^SECRET_STORE_KEY: required with SECRET_CLIENT_SECRET: .*Generate one with `openssl rand -base64 32`/,
      ),
    ]);
    expect(problems[0]).not.toContain(REAL_TENANT.SECRET_CLIENT_SECRET);
    const key = randomBytes(32).toString('base64');
    expect(parseConfig({ ...REAL_TENANT, SECRET_STORE_KEY: key }).secrets.key).toBeDefined();
  });

  it('is optional for a certificate credential (only its path is stored) and for the demo tenant', () => {
    const dir = tempDir('cert');
    const pem = path.join(dir, 'app.pem');
    fs.writeFileSync(
      pem,
      '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n-----BEGIN PRIVATE KEY-----\nMIIE\n-----END PRIVATE KEY-----\n',
    );
    const cert = parseConfig({
      TENANT_ID: REAL_TENANT.TENANT_ID,
      CLIENT_ID: REAL_TENANT.CLIENT_ID,
      CLIENT_CERTIFICATE_PATH: pem,
    });
    expect(cert.secrets).toEqual({ key: undefined, previousKey: undefined });
    expect(parseConfig({}).secrets).toEqual({ key: undefined, previousKey: undefined });
  });

  it('SECRET_STORE_KEY_PREVIOUS needs SECRET_STORE_KEY and must be another key', () => {
    const key = randomBytes(32);
    expect(problemsOf({ SECRET_STORE_KEY_PREVIOUS: key.toString('base64') })).toEqual([
      expect.stringMatching(/^SECRET_STORE_KEY_PREVIOUS: only read together with SECRET_STORE_KEY/),
    ]);
    expect(
      problemsOf({ SECRET_STORE_KEY: key.toString('base64'), SECRET_STORE_KEY_PREVIOUS: key.toString('hex') }),
    ).toEqual([expect.stringMatching(/^SECRET_STORE_KEY_PREVIOUS: is the same key as SECRET_STORE_KEY/)]);
    const rotated = parseConfig({
      SECRET_STORE_KEY: key.toString('base64'),
      SECRET_STORE_KEY_PREVIOUS: randomBytes(32).toString('base64'),
    });
    expect(rotated.secrets.previousKey).toBeDefined();
  });

  it('a logged configuration shows no key bytes', () => {
    const key = randomBytes(32);
    const config = parseConfig({ ...REAL_TENANT, SECRET_STORE_KEY: key.toString('base64') });
    const json = JSON.stringify(config);
    for (const form of ['base64', 'base64url', 'hex'] as const) expect(json).not.toContain(key.toString(form));
  });
});
