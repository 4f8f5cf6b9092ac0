import { afterEach, describe, expect, it } from 'vitest';
import { auditRecordsIn } from '../demo-tenant/audit-records';
import { generateDemoTenant } from '../demo-tenant/generator';
import { MANAGEMENT_RESOURCE } from '../demo-tenant/constants';
import type { DemoTenantData } from '../demo-tenant/model';
import { HttpManagementActivityApi } from '../src/adapters/graph/management-activity-api';
import { createCredential } from '../src/adapters/graph/graph-client';
import { SqliteCopilotInteractionStore } from '../src/adapters/sqlite/copilot-interactions';
import { TenantAccessError } from '../src/domain/tenant-access-error';
import { AuditManagementSource } from '../src/usecases/audit/audit-management-source';
import { startHarness, startTestDemoTenant, type Harness } from './helpers/harness';

/**
 * Copilot interactions through the Office 365 Management Activity API: the real app against the
 * demo tenant's API, with tokens for https://manage.office.com. Expected figures come from the
 * demo tenant's record generator.
 */
let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

const HOUR = 3_600_000;
const DAY = 86_400_000;
/** Graph's audit log query refused (no AuditLogsQuery.Read.All): only the Management API stores interactions. */
function tenant(audit: DemoTenantData['audit'] = {}): DemoTenantData {
  const data = generateDemoTenant({ users: 80, seed: 9 });
  data.app = {
    ...data.app,
    roles: ['User.Read.All', 'Organization.Read.All', 'Directory.Read.All', 'Group.Read.All', 'ActivityFeed.Read'],
  };
  return { ...data, audit: { contentPageSize: 20, ...audit } };
}

const CONFIG = { AUDIT_LOOKBACK_DAYS: '3', AUDIT_POLL_SECONDS: '0.02' };

async function sync(harness: Harness) {
  const tenantId = harness.app.tenants.list()[0].id;
  const run = await harness.app.sync.request(tenantId, 'test').done;
  const status = harness.app.db
    .prepare("SELECT * FROM source_status WHERE tenant_id = ? AND source = 'audit_management'")
    .get(tenantId) as Record<string, string>;
  return { tenantId, run, status };
}

/** Blobs are per hour and published when the hour ends: content up to the last full hour before `at`. */
function expectedCounts(data: DemoTenantData, from: number, at: number): Map<string, number> {
  const out = new Map<string, number>();
  for (const r of auditRecordsIn(data, Math.floor(from / HOUR) * HOUR, Math.floor(at / HOUR) * HOUR)) {
    const upn = r.user.userPrincipalName.toLowerCase();
    out.set(upn, (out.get(upn) ?? 0) + 1);
  }
  return out;
}

describe('audit_management: the Office 365 Management Activity API', () => {
  it('lists Audit.General content (following NextPageUri), fetches each blob once and keeps its CopilotInteraction records', async () => {
    const data = tenant();
    h = await startHarness({ data, config: CONFIG });
    const { tenantId, status } = await sync(h);
    expect(status.last_outcome).toBe('ok');
    const asOf = Date.parse(status.as_of);
    const want = expectedCounts(data, asOf - 3 * DAY, asOf);
    expect(want.size).toBeGreaterThan(2);
    const store = new SqliteCopilotInteractionStore(h.app.db);
    const got = store.listLastInteractions(tenantId);
    expect(new Map(got.map((g) => [g.upn, g.interactions]))).toEqual(want);
    expect(got.every((g) => g.source === 'audit_management')).toBe(true);
    // 3 days of hourly blobs in pages of 20: the listing followed NextPageUri.
    const listings = h.demo.server.requests.filter((r) => /subscriptions\/content/.test(r.path));
    expect(listings.some((r) => /nextPage=/.test(r.path))).toBe(true);
    const blobs = h.demo.server.requests.filter((r) => /activity\/feed\/audit\//.test(r.path)).map((r) => r.path);
    expect(new Set(blobs).size).toBe(blobs.length);

    // The next sync lists from the end of the first less the overlap, and fetches no blob again.
    h.demo.server.requests.length = 0;
    await sync(h);
    const again = h.demo.server.requests.filter((r) => /activity\/feed\/audit\//.test(r.path)).map((r) => r.path);
    expect(again.filter((p) => blobs.includes(p))).toEqual([]);
    const total = [
      ...new Map(store.listLastInteractions(tenantId).map((g) => [g.upn, g.interactions])).values(),
    ].reduce((a, b) => a + b, 0);
    const seen = h.app.db.prepare('SELECT COUNT(*) FROM audit_seen_records WHERE tenant_id = ?').pluck().get(tenantId);
    expect(seen).toBe(total);
  });

  it('a crash between blobs resumes with the next blob: nothing fetched or counted twice', async () => {
    const data = tenant();
    h = await startHarness({ data, config: CONFIG });
    h.demo.server.faults.add({
      method: 'GET',
      path: /activity\/feed\/audit\//,
      status: 400,
      code: 'AF50000',
      skip: 10,
      times: Infinity,
    });
    const first = await sync(h);
    expect(first.status.last_outcome).toBe('failed');
    const fetchedBefore = h.app.db.prepare('SELECT COUNT(*) FROM management_content_fetched').pluck().get();
    expect(fetchedBefore).toBe(10);
    h.demo.server.faults.clear();
    h.demo.server.requests.length = 0;
    const { tenantId, status } = await sync(h);
    expect(status.last_outcome).toBe('ok');
    const refetched = h.demo.server.requests.filter((r) => /activity\/feed\/audit\//.test(r.path)).length;
    const fetchedAfter = h.app.db.prepare('SELECT COUNT(*) FROM management_content_fetched').pluck().get() as number;
    expect(refetched).toBe(fetchedAfter - 10);
    const counts = new Map(
      new SqliteCopilotInteractionStore(h.app.db).listLastInteractions(tenantId).map((g) => [g.upn, g.interactions]),
    );
    expect(counts).toEqual(expectedCounts(data, Date.parse(status.as_of) - 3 * DAY, Date.parse(status.as_of)));
  });

  it('no subscription (AF20022) or a disabled one (AF20023): refused with what the admin must do', async () => {
    h = await startHarness({ data: tenant({ subscriptions: {} }), config: CONFIG });
    const missing = await sync(h);
    expect(missing.status).toMatchObject({ last_outcome: 'refused', error_code: 'management_subscription_missing' });
    expect(missing.status.message).toMatch(/AF20022/);
    expect(missing.status.message).toMatch(/audit start Audit\.General/);
    expect(missing.run.status).toBe('partial');
    await h.close();

    h = await startHarness({ data: tenant({ subscriptions: { 'Audit.General': 'disabled' } }), config: CONFIG });
    const disabled = await sync(h);
    expect(disabled.status).toMatchObject({ last_outcome: 'refused', error_code: 'management_subscription_disabled' });
    expect(disabled.status.message).toMatch(/AF20023/);
  });

  it('without ActivityFeed.Read: refused, naming the Office 365 Management APIs permission', async () => {
    const data = tenant();
    data.app = { ...data.app, roles: ['User.Read.All', 'Organization.Read.All', 'Directory.Read.All'] };
    h = await startHarness({ data, config: CONFIG });
    const { status } = await sync(h);
    expect(status).toMatchObject({ last_outcome: 'refused', error_code: 'insufficient_privileges' });
    expect(status.message).toMatch(/ActivityFeed\.Read/);
    expect(status.message).toMatch(/Office 365 Management APIs/);
  });

  it('uses tokens for https://manage.office.com: a Graph token is refused by the API, a Management token by Graph', async () => {
    const demo = await startTestDemoTenant(tenant());
    try {
      const credential = createCredential(demo.connection);
      const graphToken = (await credential.getToken(`${demo.server.url}/.default`))!.token;
      const manageToken = (await credential.getToken(`${MANAGEMENT_RESOURCE}/.default`))!.token;
      const feed = `${demo.server.url}/api/v1.0/${demo.server.tenantId}/activity/feed/subscriptions/list`;
      expect((await fetch(feed, { headers: { Authorization: `Bearer ${graphToken}` } })).status).toBe(401);
      const ok = await fetch(feed, { headers: { Authorization: `Bearer ${manageToken}` } });
      expect(ok.status).toBe(200);
      expect(await ok.json()).toEqual([{ contentType: 'Audit.General', status: 'enabled', webhook: null }]);
      expect(
        (await fetch(`${demo.server.url}/v1.0/users`, { headers: { Authorization: `Bearer ${manageToken}` } })).status,
      ).toBe(401);
      expect(
        (await fetch(`${demo.server.url}/v1.0/users?$top=1`, { headers: { Authorization: `Bearer ${graphToken}` } }))
          .status,
      ).toBe(200);

      // probe(): the smallest call, and it names what is missing.
      const api = new HttpManagementActivityApi(demo.connection, demo.server.url);
      await expect(api.listSubscriptions()).resolves.toEqual([{ contentType: 'Audit.General', status: 'enabled' }]);
      await api.stopSubscription('Audit.General');
      const source = new AuditManagementSource({
        tenantId: 't',
        api,
        store: undefined as never,
        overlapMs: 0,
        lookbackMs: DAY,
      });
      const refused = await source.probe().then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(refused).toBeInstanceOf(TenantAccessError);
      expect((refused as TenantAccessError).code).toBe('management_subscription_disabled');
      await api.startSubscription('Audit.General');
      await expect(source.probe()).resolves.toBeUndefined();
    } finally {
      await demo.close();
    }
  });
});
