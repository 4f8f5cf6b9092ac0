import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Client } from '@microsoft/microsoft-graph-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GraphAuditLogQueryApi } from '../src/adapters/graph/audit-log-query-api';
import { TenantAccessError } from '../src/domain/tenant-access-error';

/**
 * What a Graph audit log query answer may hold that the adapter must not trust. The "Graph" here
 * is a plain HTTP server answering fixed bodies, so the adapter's own checks are what is tested.
 */
const GOOD = {
  id: 'rec-1',
  createdDateTime: '2026-11-20T10:00:00Z',
  userPrincipalName: 'Ada@Contoso.com',
  auditData: { CopilotEventData: { AppHost: 'Word' } },
};
let body = '{}';
let server: http.Server;
let endpoint: string;

beforeAll(async () => {
  server = http.createServer((_req, res) => {
    res.writeHead(200, { 'Content-Type': 'application/json' });
    res.end(body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => new Promise<void>((resolve) => server.close(() => resolve())));

function api(): GraphAuditLogQueryApi {
  const client = Client.init({
    authProvider: (done) => done(null, 'token'),
    baseUrl: endpoint,
    customHosts: new Set(['127.0.0.1']),
  });
  return new GraphAuditLogQueryApi(client, {
    entraTenantId: 't',
    appClientId: 'a',
    credential: { kind: 'secret', secret: 's' },
    graphEndpoint: endpoint,
    authorityHost: endpoint,
  });
}

describe('Graph audit log query answers that are not what the reference shows', () => {
  it('skips nulls, numbers and records whose auditData is not an object, and keeps the good record', async () => {
    body = JSON.stringify({
      value: [null, 42, { ...GOOD, id: 'rec-2', auditData: 'text' }, GOOD],
      '@odata.nextLink': `${endpoint}/next`,
    });
    const page = await api().recordsPage('q1', null);
    expect(page.records).toEqual([
      { id: 'rec-2', upn: 'ada@contoso.com', at: '2026-11-20T10:00:00.000Z', appHost: null },
      { id: 'rec-1', upn: 'ada@contoso.com', at: '2026-11-20T10:00:00.000Z', appHost: 'Word' },
    ]);
    expect(page.skipped).toBe(2);
    expect(page.nextLink).toBe(`${endpoint}/next`);
  });

  it('a page without its value list is an error (taking it for empty would end the query early), not a TypeError', async () => {
    for (const answer of ['null', '{}', '{"value": 3}', '{"value": [], "@odata.nextLink": 7}']) {
      body = answer;
      const error = await api()
        .recordsPage('q1', null)
        .catch((e: unknown) => e);
      expect(error, answer).toBeInstanceOf(TenantAccessError);
      expect((error as TenantAccessError).code).toBe('graph_bad_response');
      expect((error as TenantAccessError).message).toContain(endpoint);
    }
  });

  it('a created query without an id is an error, never a query polled as ""', async () => {
    body = JSON.stringify({ status: 'notStarted' });
    const error = await api()
      .createQuery('2026-11-20T00:00:00Z', '2026-11-21T00:00:00Z')
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TenantAccessError);
    expect((error as TenantAccessError).message).toMatch(/without an id/);
    body = 'null';
    expect(
      await api()
        .getQuery('q1')
        .catch((e: unknown) => e),
    ).toBeInstanceOf(TenantAccessError);
  });
});
