import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HttpManagementActivityApi } from '../src/adapters/graph/management-activity-api';
import { TenantAccessError } from '../src/domain/tenant-access-error';

/**
 * What the Management Activity API's JSON may hold that the adapter must not trust: nulls and
 * numbers where objects belong, and a 200 that is not JSON (a proxy's HTML page). The API here is
 * a plain HTTP server answering fixed bodies, so the adapter's own parsing is what is tested.
 */
const TENANT = '11111111-2222-3333-4444-555555555555';
const GOOD = {
  Id: 'rec-1',
  RecordType: 261,
  Operation: 'CopilotInteraction',
  UserId: 'Ada@Contoso.com',
  CreationTime: '2025-03-01T10:00:00',
  CopilotEventData: { AppHost: 'Word' },
};
let bodies: Record<string, string> = {};
let server: http.Server;
let endpoint: string;

beforeAll(async () => {
  server = http.createServer((req, res) => {
    const key = Object.keys(bodies).find((k) => req.url?.includes(k));
    res.writeHead(200, { 'Content-Type': 'application/json' });
    res.end(key ? bodies[key] : '[]');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => new Promise<void>((resolve) => server.close(() => resolve())));

function api(): HttpManagementActivityApi {
  const conn = {
    entraTenantId: TENANT,
    appClientId: 'app',
    credential: { kind: 'secret' as const, secret: 's' },
    graphEndpoint: endpoint,
    authorityHost: endpoint,
  };
  return new HttpManagementActivityApi(conn, endpoint, {
    credential: { getToken: async () => ({ token: 't', expiresOnTimestamp: Date.now() + 3_600_000 }) },
    sleep: async () => {},
  });
}

describe('Management Activity API bodies that are not what the reference shows', () => {
  it('skips nulls and non-objects in a content blob and keeps the good record', async () => {
    bodies = { '/blob/1': JSON.stringify([null, 42, 'text', GOOD]) };
    const got = await api().fetchContent(`${endpoint}/blob/1`);
    expect(got.records).toEqual([
      { id: 'rec-1', upn: 'ada@contoso.com', at: '2025-03-01T10:00:00.000Z', appHost: 'Word' },
    ]);
  });

  it('skips nulls in the content list and the subscription list', async () => {
    bodies = {
      '/subscriptions/content': JSON.stringify([
        null,
        {
          contentType: 'Audit.General',
          contentId: 'c1',
          contentUri: `${endpoint}/blob/1`,
          contentCreated: '2025-03-01T10:00:00.000Z',
        },
      ]),
      '/subscriptions/list': JSON.stringify([null, { contentType: 'Audit.General', status: 'enabled' }]),
    };
    const listed = await api().listContent('Audit.General', '2025-03-01T00:00:00Z', '2025-03-02T00:00:00Z', null);
    expect(listed.blobs.map((b) => b.contentId)).toEqual(['c1']);
    expect(await api().listSubscriptions()).toEqual([{ contentType: 'Audit.General', status: 'enabled' }]);
  });

  it('a 200 that is not JSON is an admin-facing error naming the endpoint, not a parser exception', async () => {
    bodies = { '/subscriptions/list': '<html>Sign in to the proxy</html>' };
    const error = await api()
      .listSubscriptions()
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TenantAccessError);
    expect((error as TenantAccessError).message).toContain(endpoint);
    expect((error as TenantAccessError).message).toMatch(/MANAGEMENT_API_ENDPOINT/);
  });
});
