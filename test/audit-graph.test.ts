import { afterEach, describe, expect, it } from 'vitest';
import { DAY_MS } from '../demo-tenant/activity';
import { auditRecordsIn } from '../demo-tenant/audit-records';
import { generateDemoTenant } from '../demo-tenant/generator';
import type { DemoTenantData } from '../demo-tenant/model';
import { READ_REQUIREMENTS } from '../src/domain/access-requirements';
import { SqliteCopilotInteractionStore } from '../src/adapters/sqlite/copilot-interactions';
import { startHarness, type Harness } from './helpers/harness';

/**
 * Copilot interactions through Graph's audit log query, end to end: the real app syncs the demo
 * tenant over HTTPS into a real SQLite file. Expected figures come from the demo tenant's record
 * generator (what it serves), never from the sync code.
 */
let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

/** Only the Graph source: the Management API is off (no subscription) so its refusal is beside the point. */
function tenant(extra: Partial<DemoTenantData> = {}): DemoTenantData {
  const data = generateDemoTenant({ users: 120, seed: 6 });
  return {
    ...data,
    audit: { subscriptions: {}, pageSize: 50, ...extra.audit },
    ...(extra.app ? { app: extra.app } : {}),
  };
}

const FAST = { AUDIT_POLL_SECONDS: '0.02', AUDIT_QUERY_WAIT_SECONDS: '5', AUDIT_LOOKBACK_DAYS: '30' };

/** Per UPN: the last interaction and its host, and the number of interactions, within [start, end). */
function expected(
  data: DemoTenantData,
  start: number,
  end: number,
): Map<string, { at: string; host: string; count: number }> {
  const out = new Map<string, { at: string; host: string; count: number }>();
  for (const r of auditRecordsIn(data, start, end)) {
    const upn = r.user.userPrincipalName.toLowerCase();
    const at = new Date(r.at).toISOString();
    const prev = out.get(upn);
    if (!prev) out.set(upn, { at, host: r.appHost, count: 1 });
    else {
      prev.count++;
      if (at > prev.at) Object.assign(prev, { at, host: r.appHost });
    }
  }
  return out;
}

function store(harness: Harness): SqliteCopilotInteractionStore {
  return new SqliteCopilotInteractionStore(harness.app.db);
}

async function sync(harness: Harness) {
  const tenantId = harness.app.tenants.list()[0].id;
  const run = await harness.app.sync.request(tenantId, 'test').done;
  return { tenantId, run };
}

function requestsTo(harness: Harness, pattern: RegExp): string[] {
  return harness.demo.server.requests.filter((r) => pattern.test(r.path)).map((r) => `${r.method} ${r.path}`);
}

describe('audit_graph: Copilot interactions from the Graph audit log query', () => {
  it("stores each user's last interaction and app host as served, and audit_only users are newer than the report", async () => {
    const data = tenant();
    h = await startHarness({ data, config: FAST });
    const before = Date.now();
    const { tenantId, run } = await sync(h);
    const after = Date.now();
    const status = h.app.db
      .prepare("SELECT * FROM source_status WHERE tenant_id = ? AND source = 'audit_graph'")
      .get(tenantId) as { last_outcome: string; as_of: string; served_by: string };
    expect(status.last_outcome).toBe('ok');
    expect(status.served_by).toBe('/v1.0/security/auditLog/queries');
    const end = Date.parse(status.as_of);
    expect(end).toBeGreaterThanOrEqual(before);
    expect(end).toBeLessThanOrEqual(after);
    const want = expected(data, end - 30 * DAY_MS, end);
    expect(want.size).toBeGreaterThan(5);
    const got = store(h).listLastInteractions(tenantId);
    expect(
      new Map(got.map((g) => [g.upn, { at: g.lastInteractionAt, host: g.appHost, count: g.interactions }])),
    ).toEqual(new Map([...want].map(([upn, w]) => [upn, { at: w.at, host: w.host, count: w.count }])));
    expect(got.every((g) => g.source === 'audit_graph')).toBe(true);
    expect(run.warnings.some((w) => w.startsWith(`${READ_REQUIREMENTS.audit_graph.label}:`))).toBe(false);

    // audit_only: the report (refreshed two days ago) shows nothing, the audit log shows interactions after it.
    const activity = data.activity!;
    const refresh = Date.parse(`${activity.reportRefreshDate}T23:59:59.999Z`);
    const auditOnly = data.users.filter((_, i) => activity.users[i]?.copilot === 'audit_only');
    expect(auditOnly.length).toBeGreaterThan(0);
    for (const user of auditOnly) {
      const last = store(h).lastInteraction(tenantId, user.userPrincipalName);
      const w = want.get(user.userPrincipalName.toLowerCase());
      // Active yesterday and today: unless today's interactions are all later than now, there is one after the refresh.
      expect(last?.lastInteractionAt).toBe(w?.at);
      expect(Date.parse(last!.lastInteractionAt)).toBeGreaterThan(refresh);
    }
  });

  it("keeps Copilot Chat users without a seat (the story's unlicensedChat), judged against the published directory", async () => {
    const data = tenant();
    h = await startHarness({ data, config: FAST });
    const { tenantId } = await sync(h);
    // The first sync reads the audit log beside the directory, before a snapshot exists to judge by; the second judges.
    await sync(h);
    const flagged = store(h)
      .listUnlicensedChatUsers(tenantId)
      .map((u) => u.upn)
      .sort();
    const end = Date.now();
    const chatWithin = expected(data, end - 30 * DAY_MS, end);
    const story = data.users
      .filter((u, i) => data.activity!.users[i]?.unlicensedChat && chatWithin.has(u.userPrincipalName.toLowerCase()))
      .map((u) => u.userPrincipalName.toLowerCase())
      .sort();
    expect(story.length).toBeGreaterThan(0);
    expect(flagged).toEqual(story);
  });

  it('a second sync covers from the end of the first less the overlap, and stores no record twice', async () => {
    const data = tenant();
    h = await startHarness({ data, config: { ...FAST, AUDIT_OVERLAP_MINUTES: '1440' } });
    const { tenantId } = await sync(h);
    const first = h.app.db
      .prepare("SELECT as_of FROM source_status WHERE tenant_id = ? AND source = 'audit_graph'")
      .pluck()
      .get(tenantId) as string;
    const counts = new Map(
      store(h)
        .listLastInteractions(tenantId)
        .map((g) => [g.upn, g.interactions]),
    );
    h.demo.server.requests.length = 0;
    await sync(h);
    const creates = requestsTo(h, /\/security\/auditLog\/queries$/).filter((r) => r.startsWith('POST'));
    expect(creates).toHaveLength(1);
    const second = h.app.db
      .prepare("SELECT as_of FROM source_status WHERE tenant_id = ? AND source = 'audit_graph'")
      .pluck()
      .get(tenantId) as string;
    // The second window re-reads a whole day of the first (demo records fall in working hours, so a
    // shorter overlap can be empty at night): the records there are served again but counted once.
    const overlap = auditRecordsIn(data, Date.parse(first) - 1440 * 60_000, Date.parse(first));
    expect(overlap.length).toBeGreaterThan(0);
    const newer = expected(data, Date.parse(first), Date.parse(second));
    for (const g of store(h).listLastInteractions(tenantId))
      expect(g.interactions).toBe((counts.get(g.upn) ?? 0) + (newer.get(g.upn)?.count ?? 0));
    const all = expected(
      data,
      Date.parse(second) - 30 * DAY_MS - (Date.parse(second) - Date.parse(first)),
      Date.parse(second),
    );
    const seen = h.app.db
      .prepare('SELECT COUNT(*) FROM audit_seen_records WHERE tenant_id = ?')
      .pluck()
      .get(tenantId) as number;
    expect(seen).toBe([...all.values()].reduce((n, w) => n + w.count, 0));
  });

  it('a query still running when the sync stops waiting is resumed (same query id) by the next sync', async () => {
    const data = tenant({ audit: { queryPolls: 4 } });
    h = await startHarness({ data, config: { ...FAST, AUDIT_QUERY_WAIT_SECONDS: '0.05', AUDIT_POLL_SECONDS: '0.04' } });
    const { tenantId, run } = await sync(h);
    // Not a failure: the audit log source adds no warning while its query runs on.
    expect(run.warnings.filter((w) => w.startsWith(`${READ_REQUIREMENTS.audit_graph.label}:`))).toEqual([]);
    const status1 = h.app.db
      .prepare("SELECT last_outcome FROM source_status WHERE tenant_id = ? AND source = 'audit_graph'")
      .pluck()
      .get(tenantId);
    expect(status1).toBe('not_newer');
    const pending = store(h).cursor(tenantId, 'audit_graph').pendingQuery;
    expect(pending?.queryId).toMatch(/^[0-9a-f-]{36}$/);
    expect(store(h).listLastInteractions(tenantId)).toEqual([]);

    // Each sync polls a little; the query succeeds after four polls, within a few syncs.
    for (let i = 0; i < 6 && store(h).cursor(tenantId, 'audit_graph').pendingQuery; i++) await sync(h);
    const creates = requestsTo(h, /\/security\/auditLog\/queries$/).filter((r) => r.startsWith('POST'));
    expect(creates).toHaveLength(1);
    const polled = new Set(requestsTo(h, /\/security\/auditLog\/queries\/[^/]+$/).map((r) => r.split('/').pop()));
    expect([...polled]).toEqual([pending!.queryId]);
    expect(store(h).cursor(tenantId, 'audit_graph')).toEqual({ coveredUntil: pending!.windowEnd, pendingQuery: null });
    const want = expected(data, Date.parse(pending!.windowStart), Date.parse(pending!.windowEnd));
    expect(
      store(h)
        .listLastInteractions(tenantId)
        .map((g) => [g.upn, g.lastInteractionAt]),
    ).toEqual([...want].map(([upn, w]) => [upn, w.at]).sort((a, b) => (a[0]! < b[0]! ? -1 : 1)));
  });

  it('a crash between pages resumes from the last committed page: no duplicates, nothing lost', async () => {
    const data = tenant();
    h = await startHarness({ data, config: FAST });
    const tenantId = h.app.tenants.list()[0].id;
    // The fourth page fails (500 is not retried): pages 1-3 are committed with the cursor after them.
    h.demo.server.faults.add({ method: 'GET', path: /\/records\?\$skiptoken=/, status: 500, times: Infinity, skip: 2 });
    await sync(h);
    const cursor = store(h).cursor(tenantId, 'audit_graph');
    expect(cursor.pendingQuery?.nextLink).toMatch(/skiptoken/);
    expect(cursor.coveredUntil).toBeNull();
    h.demo.server.faults.clear();
    await sync(h);
    const pending = cursor.pendingQuery!;
    const want = expected(data, Date.parse(pending.windowStart), Date.parse(pending.windowEnd));
    const got = store(h).listLastInteractions(tenantId);
    expect(got.map((g) => [g.upn, g.interactions])).toEqual(
      [...want].map(([upn, w]) => [upn, w.count]).sort((a, b) => (String(a[0]) < String(b[0]) ? -1 : 1)),
    );
  });

  it('without AuditLogsQuery.Read.All the source is refused, naming the permission, and the rest of the sync lands', async () => {
    const data = tenant();
    data.app = {
      ...data.app,
      roles: ['User.Read.All', 'Organization.Read.All', 'Directory.Read.All', 'Group.Read.All', 'ActivityFeed.Read'],
    };
    h = await startHarness({ data, config: FAST });
    const { tenantId, run } = await sync(h);
    expect(run.status).toBe('partial');
    const status = h.app.db
      .prepare(
        "SELECT last_outcome, error_code, message FROM source_status WHERE tenant_id = ? AND source = 'audit_graph'",
      )
      .get(tenantId) as Record<string, string>;
    expect(status).toMatchObject({ last_outcome: 'refused', error_code: 'insufficient_privileges' });
    expect(status.message).toMatch(/AuditLogsQuery\.Read\.All/);
    expect(run.warnings.join('\n')).toMatch(/AuditLogsQuery\.Read\.All/);
  });
});
