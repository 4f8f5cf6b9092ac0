import { ClientSecretCredential } from '@azure/identity';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { FaultInjector, generateDemoTenant, startDemoTenant, type DemoTenant } from '../../demo-tenant';
import { accessToken, trustedCertificate, type GraphCollection, type GraphErrorBody } from './helpers';

describe('FaultInjector matching', () => {
  it('matches pathnames, query prefixes, wildcards, regexes and methods', () => {
    const f = new FaultInjector();
    f.add({ path: '/v1.0/users', status: 500, times: Infinity });
    expect(f.take('GET', '/v1.0/users', '?$top=5')).not.toBeNull();
    expect(f.take('GET', '/v1.0/users/abc', '')).toBeNull();
    f.clear();
    f.add({ path: '/v1.0/users?$select=id', status: 500, times: Infinity });
    expect(f.take('GET', '/v1.0/users', '?$select=id,mail')).not.toBeNull();
    expect(f.take('GET', '/v1.0/users', '?$top=1')).toBeNull();
    f.clear();
    f.add({ path: '/v1.0/*', method: 'post', status: 500, times: Infinity });
    expect(f.take('GET', '/v1.0/groups', '')).toBeNull();
    expect(f.take('POST', '/v1.0/groups', '')).not.toBeNull();
    f.clear();
    f.add({ path: /skiptoken/, status: 500 });
    expect(f.take('GET', '/v1.0/users', '?$top=1')).toBeNull();
    expect(f.take('GET', '/v1.0/users', '?$skiptoken=x')).not.toBeNull();
    expect(f.pending).toBe(0);
    expect(() => f.add({ path: '/x' })).toThrow(/needs a status/);
  });
});

describe('demo tenant fault injection', () => {
  let tenant: DemoTenant;
  let auth: Record<string, string>;

  beforeAll(async () => {
    tenant = await startDemoTenant({
      data: generateDemoTenant({ users: 50 }),
      tls: await trustedCertificate(),
      control: true,
    });
    auth = { Authorization: `Bearer ${await accessToken(tenant)}` };
  });
  afterEach(() => tenant.faults.clear());
  afterAll(() => tenant?.close());

  it('throttles with 429, Retry-After and a Graph error body, then recovers', async () => {
    tenant.faults.add({ path: '/v1.0/users', status: 429, retryAfterSeconds: 7 });
    const throttled = await fetch(`${tenant.url}/v1.0/users?$top=5`, { headers: auth });
    expect(throttled.status).toBe(429);
    expect(throttled.headers.get('retry-after')).toBe('7');
    const body = (await throttled.json()) as GraphErrorBody;
    expect(body.error.code).toBe('TooManyRequests');
    expect(body.error.innerError['request-id']).toBe(throttled.headers.get('request-id'));
    expect((await fetch(`${tenant.url}/v1.0/users?$top=5`, { headers: auth })).status).toBe(200);
  });

  it('lets requests pass before failing with skip, e.g. the third page', async () => {
    tenant.faults.add({ path: '/v1.0/users', status: 503, skip: 2, code: 'ServiceUnavailable', message: 'Try later.' });
    const statuses: number[] = [];
    let next: string | undefined = `${tenant.url}/v1.0/users?$select=id&$top=10`;
    let retried = false;
    while (next) {
      const res: Response = await fetch(next, { headers: auth });
      statuses.push(res.status);
      if (res.status === 503) {
        expect(((await res.json()) as GraphErrorBody).error).toMatchObject({
          code: 'ServiceUnavailable',
          message: 'Try later.',
        });
        retried = true;
        continue;
      }
      next = ((await res.json()) as GraphCollection<{ id: string }>)['@odata.nextLink'];
    }
    expect(retried).toBe(true);
    expect(statuses).toEqual([200, 200, 503, 200, 200, 200]);
  });

  it('fails repeatedly with times until cleared', async () => {
    tenant.faults.add({ path: '/v1.0/organization', status: 500, times: Infinity });
    for (let i = 0; i < 3; i++)
      expect((await fetch(`${tenant.url}/v1.0/organization`, { headers: auth })).status).toBe(500);
    tenant.faults.clear();
    expect((await fetch(`${tenant.url}/v1.0/organization`, { headers: auth })).status).toBe(200);
  });

  it('drops the connection without an answer', async () => {
    tenant.faults.add({ path: '/v1.0/subscribedSkus', dropConnection: true });
    await expect(fetch(`${tenant.url}/v1.0/subscribedSkus`, { headers: auth })).rejects.toThrow(/fetch failed/);
    expect(tenant.requests.at(-1)).toMatchObject({ path: '/v1.0/subscribedSkus', status: 0 });
    expect((await fetch(`${tenant.url}/v1.0/subscribedSkus`, { headers: auth })).status).toBe(200);
  });

  it('delays responses', async () => {
    tenant.faults.add({ path: '/v1.0/organization', delayMs: 250 });
    const started = Date.now();
    expect((await fetch(`${tenant.url}/v1.0/organization`, { headers: auth })).status).toBe(200);
    expect(Date.now() - started).toBeGreaterThanOrEqual(240);
  });

  it('answers token-endpoint faults in the Entra error shape, which the credential reports', async () => {
    tenant.faults.add({
      path: /\/oauth2\/v2\.0\/token/,
      status: 400,
      code: 'invalid_request',
      message: 'AADSTS900023: Specified tenant identifier is neither a valid DNS name, nor a valid external domain.',
    });
    const cred = new ClientSecretCredential(tenant.tenantId, tenant.clientId, tenant.clientSecret, {
      authorityHost: tenant.url,
      disableInstanceDiscovery: true,
    });
    await expect(cred.getToken('https://graph.microsoft.com/.default')).rejects.toThrow(/AADSTS900023/);
  });

  it('accepts rules over the control endpoint', async () => {
    const add = await fetch(`${tenant.url}/_demo/faults`, {
      method: 'POST',
      body: JSON.stringify([
        { pathRegex: '^/v1\\.0/groups', status: 504, times: null },
        { path: '/v1.0/organization', status: 429, retryAfterSeconds: 2 },
      ]),
    });
    expect(add.status).toBe(201);
    expect(await add.json()).toEqual({ pending: 2 });
    expect((await fetch(`${tenant.url}/v1.0/groups`, { headers: auth })).status).toBe(504);
    expect((await fetch(`${tenant.url}/v1.0/groups`, { headers: auth })).status).toBe(504);
    expect((await fetch(`${tenant.url}/v1.0/organization`, { headers: auth })).headers.get('retry-after')).toBe('2');
    expect((await fetch(`${tenant.url}/_demo/faults`, { method: 'DELETE' })).status).toBe(204);
    expect((await fetch(`${tenant.url}/v1.0/groups`, { headers: auth })).status).toBe(200);
    const bad = await fetch(`${tenant.url}/_demo/faults`, {
      method: 'POST',
      body: JSON.stringify({ path: '/x', status: 'soon' }),
    });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: string }).error).toContain('status');
    const log = (await (await fetch(`${tenant.url}/_demo/requests`)).json()) as { value: Array<{ path: string }> };
    expect(log.value.some((r) => r.path === '/v1.0/organization')).toBe(true);
  });

  it('does not mount the control endpoint unless asked', async () => {
    const plain = await startDemoTenant({ data: generateDemoTenant({ users: 5 }), tls: await trustedCertificate() });
    try {
      const res = await fetch(`${plain.url}/_demo/faults`, {
        method: 'POST',
        body: JSON.stringify({ path: '/v1.0/users', status: 500 }),
      });
      expect(res.status).toBe(404);
      expect(plain.faults.pending).toBe(0);
    } finally {
      await plain.close();
    }
  });
});
