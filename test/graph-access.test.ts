import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { demoConnection } from '../src/app/demo-connection';
import { generateDemoTenant } from '../demo-tenant/generator';
import { startDemoTenant, type DemoTenant } from '../demo-tenant/server';
import { createGraphClient, type TenantConnection } from '../src/adapters/graph/graph-client';
import { TenantAccessError } from '../src/domain/tenant-access-error';
import { TenantReader } from '../src/adapters/graph/tenant-reader';
import { trustedDemoCertificate } from './helpers/harness';

/** The real @azure/identity credential and Graph client, over HTTPS, against the demo tenant. */
let demo: DemoTenant;
const data = generateDemoTenant({ users: 2600, seed: 7 });

beforeAll(async () => {
  const cert = await trustedDemoCertificate();
  demo = await startDemoTenant({
    data,
    tls: { cert: cert.cert, key: cert.key },
    pageSizePattern: 'short',
    discoverUnknownTenants: true,
  });
});
afterAll(async () => demo?.close());

const readerFor = (conn: TenantConnection) => new TenantReader(createGraphClient(conn), conn);

async function failureOf(promise: Promise<unknown>): Promise<TenantAccessError> {
  try {
    await promise;
  } catch (error) {
    expect(error).toBeInstanceOf(TenantAccessError);
    return error as TenantAccessError;
  }
  throw new Error('expected a failure');
}

describe('paging', () => {
  it('follows @odata.nextLink across pages, including pages shorter than $top, and never uses $skip', async () => {
    demo.requests.length = 0;
    const pageSizes: number[] = [];
    const ids = new Set<string>();
    const result = await readerFor(demoConnection(demo)).forEachUserPage((users) => {
      pageSizes.push(users.length);
      for (const u of users) ids.add(u.id);
    });
    expect(result.users).toBe(2600);
    expect(ids.size).toBe(2600);
    expect(pageSizes.length).toBeGreaterThanOrEqual(3);
    expect(pageSizes.slice(0, -1).some((n) => n < 999)).toBe(true);
    const userRequests = demo.requests.filter((r) => r.path.startsWith('/v1.0/users'));
    expect(userRequests).toHaveLength(pageSizes.length);
    expect(userRequests.every((r) => !/\$skip=/i.test(r.path))).toBe(true);
    expect(userRequests.slice(1).every((r) => /\$skiptoken=/i.test(r.path))).toBe(true);
    expect(decodeURIComponent(userRequests[0].path)).toContain('$select=id,displayName');
    expect(decodeURIComponent(userRequests[0].path)).toContain('$top=999');
  });

  it('reads group-based licensing with ConsistencyLevel: eventual', async () => {
    const groups = await readerFor(demoConnection(demo)).licenseGroups();
    expect(groups.length).toBeGreaterThan(0);
    expect(groups.every((g) => (g.assignedLicenses ?? []).length > 0)).toBe(true);
  });
});

describe('throttling', () => {
  it('honours Retry-After on 429 and then succeeds', async () => {
    demo.requests.length = 0;
    demo.faults.add({ path: '/v1.0/subscribedSkus', status: 429, retryAfterSeconds: 1, times: 1 });
    const skus = await readerFor(demoConnection(demo)).subscribedSkus();
    expect(skus.length).toBe(data.subscribedSkus.length);
    const calls = demo.requests.filter((r) => r.path.startsWith('/v1.0/subscribedSkus'));
    expect(calls.map((c) => c.status)).toEqual([429, 200]);
    expect(calls[1].startedAt - calls[0].startedAt).toBeGreaterThanOrEqual(950);
  });

  it('honours Retry-After on 503 in the middle of paging', async () => {
    demo.requests.length = 0;
    demo.faults.add({ path: /^\/v1\.0\/users\?.*skiptoken/i, status: 503, retryAfterSeconds: 1, times: 1, skip: 1 });
    const result = await readerFor(demoConnection(demo)).forEachUserPage(() => undefined);
    expect(result.users).toBe(2600);
    expect(demo.requests.filter((r) => r.status === 503)).toHaveLength(1);
  });
});

describe('admin-facing errors', () => {
  it('an invalid secret says which setting to fix (AADSTS7000215)', async () => {
    const err = await failureOf(
      readerFor({ ...demoConnection(demo), credential: { kind: 'secret', secret: 'wrong' } }).subscribedSkus(),
    );
    expect(err.code).toBe('invalid_client_secret');
    expect(err.message).toMatch(/Invalid client secret \(AADSTS7000215\).*SECRET_CLIENT_SECRET/);
    expect(err.message).toMatch(/Value \(not its Secret ID\)/);
  });

  it('an unknown app says to check CLIENT_ID (AADSTS700016)', async () => {
    const err = await failureOf(
      readerFor({ ...demoConnection(demo), appClientId: '00000000-1111-2222-3333-444444444444' }).subscribedSkus(),
    );
    expect(err.code).toBe('app_not_found');
    expect(err.message).toMatch(/AADSTS700016.*CLIENT_ID/);
  });

  it('an unknown tenant says to check TENANT_ID (AADSTS90002)', async () => {
    const err = await failureOf(
      readerFor({ ...demoConnection(demo), entraTenantId: '99999999-1111-2222-3333-444444444444' }).subscribedSkus(),
    );
    expect(err.code).toBe('tenant_not_found');
    expect(err.message).toMatch(/AADSTS90002.*TENANT_ID/);
  });

  it('an expired secret says to create a new one (AADSTS7000222)', async () => {
    const cert = await trustedDemoCertificate();
    const expired = await startDemoTenant({
      data: generateDemoTenant({ users: 5, secretExpiresAt: '2025-01-01T00:00:00Z' }),
      tls: { cert: cert.cert, key: cert.key },
    });
    try {
      const err = await failureOf(readerFor(demoConnection(expired)).subscribedSkus());
      expect(err.code).toBe('expired_client_secret');
      expect(err.message).toMatch(/expired \(AADSTS7000222\).*create a new client secret/);
    } finally {
      await expired.close();
    }
  });

  it('a 403 Authorization_RequestDenied lists the permissions to grant and admin consent', async () => {
    demo.faults.add({
      path: '/v1.0/subscribedSkus',
      status: 403,
      code: 'Authorization_RequestDenied',
      message: 'Insufficient privileges to complete the operation.',
    });
    const err = await failureOf(readerFor(demoConnection(demo)).subscribedSkus());
    expect(err.code).toBe('insufficient_privileges');
    expect(err.message).toMatch(
      /Insufficient privileges.*User\.Read\.All, Organization\.Read\.All and Directory\.Read\.All.*Grant admin consent/,
    );
  });

  it("other Graph failures carry Graph's code and message", async () => {
    demo.faults.add({
      path: '/v1.0/subscribedSkus',
      status: 400,
      code: 'Request_BadRequest',
      message: 'Something odd.',
    });
    const err = await failureOf(readerFor(demoConnection(demo)).subscribedSkus());
    expect(err.message).toContain('Graph 400 Request_BadRequest: Something odd.');
  });

  it('a GRAPH_ENDPOINT the tenant does not know as a resource says so (AADSTS500011)', async () => {
    const err = await failureOf(
      readerFor({ ...demoConnection(demo), graphEndpoint: 'https://127.0.0.1:1' }).subscribedSkus(),
    );
    expect(err.code).toBe('graph_resource_not_found');
    expect(err.message).toMatch(/AADSTS500011.*GRAPH_ENDPOINT/);
  });

  it('a request Graph never answers ends at the time limit, as a network error, and frees its caller', async () => {
    // A tenant that hangs must not hold a sync slot: the answer is held back far beyond the limit.
    demo.faults.add({ path: '/v1.0/subscribedSkus', delayMs: 60_000, times: 1 });
    try {
      const conn = demoConnection(demo);
      const reader = new TenantReader(createGraphClient(conn, { requestTimeoutMs: 300 }), conn);
      const err = await failureOf(reader.subscribedSkus());
      expect(err.code).toBe('network_error');
      expect(err.message).toMatch(/ETIMEDOUT: GET .*\/subscribedSkus.* got no answer within 300 ms/);
    } finally {
      demo.faults.clear();
    }
  });

  it('a connection dropped by Graph is a network error naming the endpoints', async () => {
    demo.faults.add({ path: '/v1.0/subscribedSkus', dropConnection: true, times: Infinity });
    try {
      const err = await failureOf(readerFor(demoConnection(demo)).subscribedSkus());
      expect(err.code).toBe('network_error');
      expect(err.message).toContain(demo.url);
    } finally {
      demo.faults.clear();
    }
  });
});
