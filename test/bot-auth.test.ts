import crypto from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError, parseConfig } from '../src/config/config';
import { startHarness, type Harness } from './helpers/harness';
import { errorOf, rawRequest, type RawResponse } from './helpers/raw-http';
import { installationUpdate, personal } from './helpers/teams-activities';

/**
 * BOT_ID mode against a local Bot Framework token issuer: its OpenID metadata and signing keys
 * are served over loopback, tokens are signed with a test RSA key, so valid, forged, expired and
 * wrong-audience tokens all meet the real validation in botframework-connector. The activities
 * used make no outbound call (installationUpdate only stores the conversation), so no outbound
 * token is needed.
 */
const BOT_ID = '0f0e0d0c-0b0a-4909-8807-060504030201';
const ISSUER = 'https://api.botframework.com';
const TEAMS = 'https://smba.trafficmanager.net/amer/';
const KID = 'seat-steward-test-key';

const signingKey = crypto.generateKeyPairSync('rsa', { modulusLength: 2048 });
const otherKey = crypto.generateKeyPairSync('rsa', { modulusLength: 2048 });

/** Serves /v1/.well-known/openidconfiguration and /v1/keys as login.botframework.com does; `answer` can make it fail. */
class LocalIssuer {
  requests = 0;
  answer: 'ok' | 'error' = 'ok';
  private server?: http.Server;
  private base = '';

  async start(): Promise<string> {
    this.server = http.createServer((req, res) => {
      this.requests++;
      if (this.answer === 'error') {
        res.writeHead(500, { 'content-type': 'text/plain' });
        res.end('metadata store down');
        return;
      }
      if (req.url === '/v1/.well-known/openidconfiguration') {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(
          JSON.stringify({
            issuer: ISSUER,
            jwks_uri: `${this.base}/v1/keys`,
            id_token_signing_alg_values_supported: ['RS256'],
          }),
        );
      } else if (req.url === '/v1/keys') {
        const jwk = signingKey.publicKey.export({ format: 'jwk' });
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(
          JSON.stringify({
            keys: [{ kty: 'RSA', use: 'sig', kid: KID, n: jwk.n, e: jwk.e, endorsements: ['msteams'] }],
          }),
        );
      } else {
        res.writeHead(404);
        res.end();
      }
    });
    await new Promise<void>((resolve) => this.server?.listen(0, '127.0.0.1', resolve));
    this.base = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return `${this.base}/v1/.well-known/openidconfiguration`;
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) => this.server?.close(() => resolve()) ?? resolve());
  }
}

const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

function token(claims: Record<string, unknown> = {}, key: crypto.KeyObject = signingKey.privateKey, kid = KID): string {
  const now = Math.floor(Date.now() / 1000);
  const payload = {
    iss: ISSUER,
    aud: BOT_ID,
    iat: now - 60,
    nbf: now - 60,
    exp: now + 3600,
    serviceurl: TEAMS,
    ...claims,
  };
  const unsigned = `${b64({ alg: 'RS256', typ: 'JWT', kid })}.${b64(payload)}`;
  return `${unsigned}.${crypto.sign('sha256', Buffer.from(unsigned), key).toString('base64url')}`;
}

async function send(h: Harness, activity: unknown, authorization?: string): Promise<RawResponse> {
  return rawRequest(`${h.app.url}/api/messages`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(authorization ? { authorization } : {}) },
    body: JSON.stringify(activity),
  });
}

function expectNoInternals(res: RawResponse): void {
  expect(res.headers['content-type']).toMatch(/^application\/json/);
  expect(Object.keys(res.json as object)).toEqual(['error']);
  expect(res.text).not.toMatch(
    /botframework\.com|127\.0\.0\.1|request to|ECONNREFUSED|openid|jwt|signature|Failed to load/i,
  );
}

const issuer = new LocalIssuer();
let h: Harness;

beforeAll(async () => {
  const metadataUrl = await issuer.start();
  h = await startHarness({
    config: {
      BOT_ID,
      BOT_TYPE: 'MultiTenant',
      SECRET_BOT_PASSWORD: 'not-used-without-replies',
      BOT_OPENID_METADATA_URL: metadataUrl,
      BOT_SERVICE_URLS: 'https://connector.contoso.test/bots/',
    },
  });
});

afterAll(async () => {
  await h?.close();
  await issuer.stop();
});

describe('inbound Bot Framework tokens', () => {
  it('lets a valid token through to the bot', async () => {
    const conv = personal();
    const res = await send(h, installationUpdate(TEAMS, conv, 'add'), `Bearer ${token()}`);
    expect(res.status).toBe(200);
    expect(h.app.conversations.get(conv.conversationId)).toMatchObject({ active: true, serviceUrl: TEAMS });
    expect(issuer.requests).toBeGreaterThanOrEqual(2);
  });

  it.each([
    ['no Authorization header', undefined],
    ['a token signed with another key', `Bearer ${token({}, otherKey.privateKey)}`],
    ['an expired token', `Bearer ${token({ exp: Math.floor(Date.now() / 1000) - 3600 })}`],
    ['a token for another bot', `Bearer ${token({ aud: '99999999-9999-4999-8999-999999999999' })}`],
    ['a token from another issuer', `Bearer ${token({ iss: 'https://issuer.example.net' })}`],
    ['a token for another connector', `Bearer ${token({ serviceurl: 'https://smba.trafficmanager.net/emea/' })}`],
    ['a token with an unknown key id', `Bearer ${token({}, signingKey.privateKey, 'unknown-kid')}`],
    ['a token that is not a JWT', 'Bearer not.a.jwt'],
    [
      'an unsigned token',
      `Bearer ${b64({ alg: 'none', typ: 'JWT' })}.${b64({ iss: ISSUER, aud: BOT_ID, serviceurl: TEAMS })}.`,
    ],
  ])('answers %s with 401 unauthorized, storing nothing', async (_label, authorization) => {
    const conv = personal();
    const res = await send(h, installationUpdate(TEAMS, conv, 'add'), authorization);
    expect(res.status).toBe(401);
    expect(errorOf(res).code).toBe('unauthorized');
    expectNoInternals(res);
    expect(h.app.conversations.get(conv.conversationId)).toBeUndefined();
  });
});

describe('when the OpenID metadata cannot be fetched', () => {
  it.each([
    ['nothing listens at its address', 'unreachable'],
    ['it answers 500', 'error'],
  ] as const)('answers 503 bot_auth_unavailable when %s, naming no internal call', async (_label, failure) => {
    const down = new LocalIssuer();
    // A fresh issuer (so a fresh URL) per case: botframework-connector caches metadata per URL for the process.
    const metadataUrl = await down.start();
    if (failure === 'unreachable') await down.stop();
    else down.answer = 'error';
    const broken = await startHarness({
      config: { BOT_ID, BOT_TYPE: 'MultiTenant', SECRET_BOT_PASSWORD: 'x', BOT_OPENID_METADATA_URL: metadataUrl },
    });
    try {
      for (const authorization of [`Bearer ${token()}`, `Bearer ${token({}, otherKey.privateKey)}`]) {
        const conv = personal();
        const res = await send(broken, installationUpdate(TEAMS, conv, 'add'), authorization);
        expect(res.status).toBe(503);
        expect(errorOf(res).code).toBe('bot_auth_unavailable');
        expect(res.headers['retry-after']).toBeDefined();
        expectNoInternals(res);
        expect(broken.app.conversations.get(conv.conversationId)).toBeUndefined();
      }
    } finally {
      await broken.close();
      await down.stop().catch(() => undefined);
    }
  });
});

describe('serviceUrl (where replies go) with BOT_ID', () => {
  it.each([
    'https://smba.trafficmanager.net/amer/',
    'https://smba.infra.gcc.teams.microsoft.com/teams/',
    'https://smba.infra.gov.teams.microsoft.us/teams/',
    'https://smba.infra.dod.teams.microsoft.us/teams/',
    'https://webchat.botframework.com/',
    'https://directline.botframework.azure.us/',
    'https://connector.contoso.test/bots/',
    'https://connector.contoso.test/bots/eu/',
  ])('accepts %s', async (serviceUrl) => {
    const conv = personal();
    const res = await send(
      h,
      installationUpdate(serviceUrl, conv, 'add'),
      `Bearer ${token({ serviceurl: serviceUrl })}`,
    );
    expect(res.status).toBe(200);
    expect(h.app.conversations.get(conv.conversationId)?.serviceUrl).toBe(serviceUrl);
  });

  it.each([
    'https://connector.example.net/',
    'https://smba.trafficmanager.net.example.net/',
    'https://smba.trafficmanager.net:8443/',
    'http://smba.trafficmanager.net/amer/',
    'http://127.0.0.1:4151/',
    'https://evilbotframework.com/',
    'https://connector.contoso.test/other/',
    'https://connector.contoso.test/botsx/',
  ])('refuses %s with 403 service_url_not_allowed even with a valid token, storing nothing', async (serviceUrl) => {
    const conv = personal();
    const res = await send(
      h,
      installationUpdate(serviceUrl, conv, 'add'),
      `Bearer ${token({ serviceurl: serviceUrl })}`,
    );
    expect(res.status).toBe(403);
    expect(errorOf(res).code).toBe('service_url_not_allowed');
    expect(errorOf(res).message).toMatch(/BOT_SERVICE_URLS/);
    expect(h.app.conversations.get(conv.conversationId)).toBeUndefined();
  });
});

describe('settings', () => {
  const problems = (values: Record<string, string>) => {
    try {
      parseConfig({ BOT_ID, BOT_TYPE: 'MultiTenant', SECRET_BOT_PASSWORD: 'x', ...values });
      return [];
    } catch (error) {
      if (error instanceof ConfigError) return error.problems;
      throw error;
    }
  };

  it('takes the token endpoints and extra connectors, https only (http on loopback)', () => {
    const config = parseConfig({
      BOT_ID,
      BOT_TYPE: 'MultiTenant',
      SECRET_BOT_PASSWORD: 'x',
      BOT_OPENID_METADATA_URL: 'https://login.example.net/v1/.well-known/openidconfiguration',
      BOT_TOKEN_ISSUER: 'https://api.example.net',
      BOT_SERVICE_URLS: 'https://a.example.net/, http://127.0.0.1:4000/',
    });
    expect(config.bot).toMatchObject({
      tokens: {
        openIdMetadataUrl: 'https://login.example.net/v1/.well-known/openidconfiguration',
        tokenIssuer: 'https://api.example.net',
      },
    });
    expect(config.botServiceUrls).toEqual(['https://a.example.net/', 'http://127.0.0.1:4000/']);
    expect(problems({ BOT_OPENID_METADATA_URL: 'http://login.example.net/keys' })[0]).toMatch(
      /^BOT_OPENID_METADATA_URL: expected an https/,
    );
    expect(problems({ BOT_SERVICE_URLS: 'ftp://connector.example.net/' })[0]).toMatch(/^BOT_SERVICE_URLS/);
  });
});
