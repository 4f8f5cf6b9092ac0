import { dayText } from '../src/domain/time-text';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  COPILOT_APPS,
  DAY_MS,
  activeOn,
  dayNumber,
  dayString,
  lastActiveDay,
  type DemoUserActivity,
} from '../demo-tenant/activity';
import { SKU } from '../demo-tenant/constants';
import { generateDemoTenant } from '../demo-tenant/generator';
import { dailyFigures } from '../demo-tenant/usage-story';
import type { DemoTenantData, GraphUser } from '../demo-tenant/model';
import { SqliteSourceStatusStore } from '../src/adapters/sqlite/source-status';
import { startHarness, startSyncedHarness, TEST_API_KEY, type Harness } from './helpers/harness';
import { ConnectorRecorder, cardText, type RecordedActivity } from './helpers/connector-recorder';
import { message, personal, post } from './helpers/teams-activities';
import { validateCard } from './support/card-validator';

/** Expected report contents, from the demo tenant's story (activity.ts), independently of the sync code and of the demo's report module. */
function story(data: DemoTenantData) {
  const activity = data.activity;
  if (!activity) throw new Error('no story');
  const today = dayNumber(activity.today);
  const lag = activity.reportLagDays;
  return data.users.map((user, i) => ({ user, activity: activity.users[i] as DemoUserActivity, today, lag }));
}

const reportRequests = (h: Harness) =>
  h.demo.server.requests.filter((r) => /\/reports\/|_reportdownload|reportSettings/i.test(r.path));

describe('usage reports: Copilot usage and Microsoft 365 activity per user', () => {
  let h: Harness;
  let tenantId: string;
  let data: DemoTenantData;
  beforeAll(async () => {
    data = generateDemoTenant({ users: 300, seed: 61 });
    ({ h, tenantId } = await startSyncedHarness({ data, config: { REPORTS_REREAD_HOURS: '0' } }));
  });
  afterAll(async () => h?.close());

  it('stores every Copilot seat holder with the dates the story gives, as of the report refresh date', () => {
    const holders = story(data).filter((s) => s.user.assignedLicenses.some((l) => l.skuId === SKU.COPILOT));
    expect(holders.length).toBeGreaterThan(10);
    for (const s of holders) {
      const row = h.app.usage.copilotUser(tenantId, s.user.userPrincipalName.toUpperCase());
      expect(row, s.user.userPrincipalName).toBeDefined();
      expect(row?.lastActivityDate).toBe(lastActiveDay(s.user, s.activity, 'copilot', s.today, s.lag));
      for (const app of COPILOT_APPS)
        expect(row?.apps[app]).toBe(lastActiveDay(s.user, s.activity, 'copilot', s.today, s.lag, app));
      expect(row?.reportRefreshDate).toBe(data.activity?.reportRefreshDate);
      expect(row?.period).toBe('D30');
      expect(row?.concealed).toBe(false);
    }
    // Audit-only users show nothing in the lagged report: unknown there, the audit log tells the rest.
    const auditOnly = holders.find((s) => s.activity.copilot === 'audit_only');
    if (auditOnly)
      expect(h.app.usage.copilotUser(tenantId, auditOnly.user.userPrincipalName)?.lastActivityDate).toBeNull();
    expect(h.app.usage.unmatchedCount(tenantId, 'copilot_usage')).toBe(0);
  });

  it("stores every licensed user's last activity per service", () => {
    const licensed = story(data).filter((s) => s.user.assignedLicenses.length > 0);
    for (const s of licensed) {
      const row = h.app.usage.m365User(tenantId, s.user.userPrincipalName);
      expect(row, s.user.userPrincipalName).toBeDefined();
      const expected = {
        exchange: lastActiveDay(s.user, s.activity, 'm365', s.today, s.lag, 'exchange'),
        oneDrive: lastActiveDay(s.user, s.activity, 'm365', s.today, s.lag, 'oneDrive'),
        sharePoint: lastActiveDay(s.user, s.activity, 'm365', s.today, s.lag, 'sharePoint'),
        teams: lastActiveDay(s.user, s.activity, 'm365', s.today, s.lag, 'teams'),
        yammer: lastActiveDay(s.user, s.activity, 'm365', s.today, s.lag, 'yammer'),
      };
      expect(row?.services).toEqual(expected);
      const dates = Object.values(expected)
        .filter((d): d is string => d !== null)
        .sort();
      expect(row?.lastActivityDate).toBe(dates.at(-1) ?? null);
    }
    const unlicensed = data.users.find((u: GraphUser) => u.assignedLicenses.length === 0);
    if (unlicensed) expect(h.app.usage.m365User(tenantId, unlicensed.userPrincipalName)).toBeUndefined();
  });

  it('records each source as read, with the report date and the endpoint that served it', () => {
    const status = Object.fromEntries(new SqliteSourceStatusStore(h.app.db).list(tenantId).map((s) => [s.source, s]));
    expect(status.copilot_usage).toMatchObject({
      lastOutcome: 'ok',
      asOf: data.activity?.reportRefreshDate,
      servedBy: 'v1.0 /copilot/reports',
      requests: 2,
    });
    expect(status.m365_activity).toMatchObject({
      lastOutcome: 'ok',
      asOf: data.activity?.reportRefreshDate,
      requests: 2,
    });
    expect(status.service_usage).toMatchObject({
      lastOutcome: 'ok',
      asOf: data.activity?.reportRefreshDate,
      requests: 12,
    });
    expect(status.report_settings).toMatchObject({ lastOutcome: 'ok', warnings: [] });
  });

  it('reads each large report as one CSV download (302 to the file), not JSON pages', () => {
    // The two per-user reports and the Copilot trend and summary: each one call answered 302, then its download.
    const detail = reportRequests(h).filter((r) => /UserDetail|UserCount(Trend|Summary)|_reportdownload/i.test(r.path));
    expect(detail.map((r) => r.status).sort()).toEqual([200, 200, 200, 200, 302, 302, 302, 302]);
    void DAY_MS;
  });
});

const statusOf = (h: Harness, tenantId: string) =>
  Object.fromEntries(new SqliteSourceStatusStore(h.app.db).list(tenantId).map((s) => [s.source, s]));

describe('usage reports: faults', () => {
  let h: Harness | undefined;
  afterAll(async () => h?.close());
  const start = async (config: Record<string, string> = {}, data = generateDemoTenant({ users: 120, seed: 62 })) => {
    await h?.close();
    h = await startHarness({ data, config: { REPORTS_REREAD_HOURS: '0', ...config } });
    return { h, tenantId: h.app.tenants.list()[0].id, data };
  };

  it('falls back to the beta report when the current Copilot endpoint answers 404, and records which served', async () => {
    const { h, tenantId, data } = await start();
    h.demo.server.faults.add({ path: '/v1.0/copilot/reports/*', status: 404, times: Infinity });
    const run = await h.app.sync.request(tenantId, 'test').done;
    expect(run.status).toBe('success');
    expect(statusOf(h, tenantId).copilot_usage).toMatchObject({
      lastOutcome: 'ok',
      servedBy: 'beta /reports',
      requests: 3,
    });
    const holder = data.users.find((u) => u.assignedLicenses.some((l) => l.skuId === SKU.COPILOT)) as GraphUser;
    expect(h.app.usage.copilotUser(tenantId, holder.userPrincipalName)?.reportRefreshDate).toBe(
      data.activity?.reportRefreshDate,
    );
  });

  it('without Reports.Read.All the reports are refused by name, the directory and report settings still land, the sync is partial', async () => {
    const data = generateDemoTenant({ users: 120, seed: 63 });
    data.app.roles = (data.app.roles ?? []).filter((r) => r !== 'Reports.Read.All');
    const { h, tenantId } = await start({}, data);
    const run = await h.app.sync.request(tenantId, 'test').done;
    expect(run.status).toBe('partial');
    const status = statusOf(h, tenantId);
    for (const source of ['copilot_usage', 'copilot_trend', 'm365_activity', 'service_usage']) {
      expect(status[source]).toMatchObject({ lastOutcome: 'refused', errorCode: 'insufficient_privileges' });
      expect(status[source].message).toContain('Reports.Read.All');
    }
    expect(status.report_settings.lastOutcome).toBe('ok');
    // One per refused report; the seat analytics keep their own notes with their figures, not repeated here.
    expect(run.warnings.filter((w) => w.includes('Reports.Read.All'))).toHaveLength(4);
    expect(h.app.directory.userCounts(tenantId).total).toBe(120);
  });

  it('without ReportSettings.Read.All only the setting is refused; the reports land', async () => {
    const data = generateDemoTenant({ users: 120, seed: 64 });
    data.app.roles = (data.app.roles ?? []).filter((r) => r !== 'ReportSettings.Read.All');
    const { h, tenantId } = await start({}, data);
    const run = await h.app.sync.request(tenantId, 'test').done;
    expect(run.status).toBe('partial');
    const status = statusOf(h, tenantId);
    expect(status.report_settings).toMatchObject({ lastOutcome: 'refused', errorCode: 'insufficient_privileges' });
    expect(status.report_settings.message).toContain('ReportSettings.Read.All');
    expect(status.copilot_usage.lastOutcome).toBe('ok');
    expect(status.m365_activity.lastOutcome).toBe('ok');
  });

  it('honours a 429 Retry-After on a report and then reads it', async () => {
    const { h, tenantId } = await start();
    h.demo.server.faults.add({
      path: '/v1.0/reports/getOffice365ActiveUserDetail*',
      status: 429,
      retryAfterSeconds: 1,
    });
    const run = await h.app.sync.request(tenantId, 'test').done;
    expect(run.status).toBe('success');
    const calls = h.demo.server.requests.filter((r) => r.path.includes('getOffice365ActiveUserDetail'));
    expect(calls.map((c) => c.status)).toEqual([429, 302]);
    expect((calls[1]?.startedAt ?? 0) - (calls[0]?.startedAt ?? 0)).toBeGreaterThanOrEqual(1000);
  });

  it('a spent report budget (long Retry-After) fails the report at once with the budget named; the others land', async () => {
    const { h, tenantId } = await start();
    h.demo.server.faults.add({
      path: '/v1.0/copilot/reports/getMicrosoft365CopilotUsageUserDetail*',
      status: 429,
      retryAfterSeconds: 540,
    });
    h.demo.server.faults.add({
      path: '/beta/reports/getMicrosoft365CopilotUsageUserDetail*',
      status: 429,
      retryAfterSeconds: 540,
    });
    const run = await h.app.sync.request(tenantId, 'test').done;
    expect(run.status).toBe('partial');
    const status = statusOf(h, tenantId);
    expect(status.copilot_usage).toMatchObject({ lastOutcome: 'failed', errorCode: 'report_budget_exhausted' });
    expect(status.copilot_usage.message).toContain('540');
    expect(status.m365_activity.lastOutcome).toBe('ok');
  });

  it('a truncated download keeps the previous report whole', async () => {
    const { h, tenantId, data } = await start();
    expect((await h.app.sync.request(tenantId, 'test').done).status).toBe('success');
    const holder = data.users.find((u) => u.assignedLicenses.some((l) => l.skuId === SKU.COPILOT)) as GraphUser;
    const before = h.app.usage.copilotUser(tenantId, holder.userPrincipalName);
    const count = (table: string) => h.app.db.prepare(`SELECT COUNT(*) FROM ${table}`).pluck().get() as number;
    const rowsBefore = [count('copilot_usage_users'), count('m365_activity_users')];
    h.demo.server.data.reportDownloadFault = 'truncate';
    const run = await h.app.sync.request(tenantId, 'test').done;
    expect(run.status).toBe('partial');
    const status = statusOf(h, tenantId);
    expect(status.copilot_usage).toMatchObject({ lastOutcome: 'failed', errorCode: 'report_download_failed' });
    expect(status.copilot_usage.message).toContain('previous report is kept');
    expect(status.copilot_usage.lastSuccessAt).not.toBeNull();
    expect(h.app.usage.copilotUser(tenantId, holder.userPrincipalName)).toEqual(before);
    // No half-written generation is left beside the served one.
    expect([count('copilot_usage_users'), count('m365_activity_users')]).toEqual(rowsBefore);
  });

  it('does not read a report again while no newer one can exist (Sync now three times: one read)', async () => {
    const { h, tenantId } = await start({ REPORTS_REREAD_HOURS: '6' });
    for (let i = 0; i < 3; i++) expect((await h.app.sync.request(tenantId, 'test').done).status).toBe('success');
    // Usage reports only: MFA registration details also live under /reports/ but are not a usage report.
    const calls = h.demo.server.requests.filter(
      (r) => /\/reports\//.test(r.path) && !r.path.includes('/authenticationMethods/'),
    );
    expect(calls.filter((c) => c.path.includes('UserDetail'))).toHaveLength(2);
    expect(calls.filter((c) => c.path.includes('CopilotUserCount'))).toHaveLength(2);
    expect(calls.filter((c) => !c.path.includes('UserDetail') && !c.path.includes('CopilotUserCount'))).toHaveLength(
      12,
    );
    expect(statusOf(h, tenantId).copilot_usage).toMatchObject({ lastOutcome: 'not_newer', requests: 0 });
  });
});

interface UsageJson {
  generated_at: string;
  summary: { total_active_users: number };
  services: Record<string, unknown>;
  trends: unknown;
  sources: { service_usage: unknown };
  error: { code: string };
}

describe('GET /usage', () => {
  let h: Harness;
  let tenantId: string;
  let data: DemoTenantData;
  beforeAll(async () => {
    data = generateDemoTenant({ users: 400, seed: 65 });
    h = await startHarness({ data });
    tenantId = h.app.tenants.list()[0].id;
    expect((await h.app.sync.request(tenantId, 'test').done).status).toBe('success');
  });
  afterAll(async () => h?.close());

  const get = async (p: string) => {
    const res = await fetch(`${h.app.url}${p}`, { headers: { authorization: `Bearer ${TEST_API_KEY}` } });
    return { status: res.status, body: (await res.json()) as UsageJson };
  };

  /** What the story says for a period of `days`, counted here user by user and day by day. */
  function expected(days: number) {
    const s = story(data).filter((x) => x.user.assignedLicenses.length > 0);
    const { today, lag } = s[0] as ReturnType<typeof story>[number];
    const refreshDay = today - lag;
    const from = dayString(refreshDay - days + 1);
    const services = ['exchange', 'oneDrive', 'sharePoint', 'teams', 'yammer'] as const;
    const active = Object.fromEntries([...services, 'any'].map((k) => [k, 0])) as Record<string, number>;
    for (const x of s) {
      let any = false;
      for (const svc of services) {
        const d = lastActiveDay(x.user, x.activity, 'm365', today, lag, svc);
        if (d !== null && d >= from) {
          active[svc]++;
          any = true;
        }
      }
      if (any) active.any++;
    }
    const dailyActive = Array.from(
      { length: 180 },
      (_, k) => s.filter((x) => activeOn(x.user, x.activity, 'm365', lag + k, today)).length,
    );
    const perDay = Array.from({ length: days }, (_, k) =>
      dailyFigures(
        { refreshDate: dayString(refreshDay), refreshDay, users: [], dailyActive, licensedUsers: s.length },
        k,
      ),
    );
    const sum = (f: (d: (typeof perDay)[number]) => number) => perDay.reduce((t, d) => t + f(d), 0);
    const gb = (bytes: number) => Math.round((bytes / 1024 ** 3) * 10) / 10;
    return {
      summary: {
        total_active_users: active.any,
        total_inactive_users: s.length - active.any,
        activity_rate: Math.round((active.any / s.length) * 1000) / 10,
      },
      services: {
        exchange: {
          active_users: active.exchange,
          emails_sent: sum((d) => d.emailsSent),
          emails_received: sum((d) => d.emailsReceived),
          mailbox_usage_gb: gb(perDay[0]!.mailboxStorageBytes),
        },
        sharepoint: {
          active_users: active.sharePoint,
          files_created: null,
          files_shared: sum((d) => d.sharePointSharedInternally + d.sharePointSharedExternally),
          storage_used_gb: gb(perDay[0]!.sharePointStorageBytes),
        },
        teams: {
          active_users: active.teams,
          meetings_held: sum((d) => d.meetings),
          messages_sent: sum((d) => d.teamChatMessages + d.privateChatMessages),
          calls_made: sum((d) => d.calls),
        },
        onedrive: {
          active_users: active.oneDrive,
          files_synced: sum((d) => d.oneDriveSynced),
          storage_used_gb: gb(perDay[0]!.oneDriveStorageBytes),
        },
      },
      trends: { daily_active_users: perDay.map((d, k) => ({ date: d.reportDate, count: dailyActive[k] })).reverse() },
    };
  }

  it("answers the REST API contract's shape with the figures the demo tenant's story gives, as of the report date", async () => {
    for (const [period, days] of [
      ['30d', 30],
      ['7d', 7],
      ['180d', 180],
    ] as const) {
      const { status, body } = await get(`/api/v1/m365/tenants/${tenantId}/usage?period=${period}`);
      expect(status).toBe(200);
      const want = expected(days);
      expect(body).toMatchObject({ tenant_id: tenantId, period, as_of: data.activity?.reportRefreshDate });
      expect(body.summary).toEqual(want.summary);
      expect(body.services).toEqual(want.services);
      expect(body.trends).toEqual(want.trends);
      expect(body.summary.total_active_users).toBeGreaterThan(0);
      expect(Date.parse(body.generated_at)).not.toBeNaN();
      expect(body.sources.service_usage).toMatchObject({
        status: 'ok',
        report_refresh_date: data.activity?.reportRefreshDate,
        stale: false,
      });
    }
  });

  it('filters by service, and refuses a bad period or service with the 400 shape', async () => {
    const one = await get(`/api/v1/m365/tenants/${tenantId}/usage?period=90d&service=teams`);
    expect(one.status).toBe(200);
    expect(Object.keys(one.body.services)).toEqual(['teams']);
    expect(one.body.services.teams).toEqual(expected(90).services.teams);
    for (const bad of ['period=31d', 'service=yammer', 'period=30d&foo=1']) {
      const r = await get(`/api/v1/m365/tenants/${tenantId}/usage?${bad}`);
      expect(r.status).toBe(400);
      expect(r.body.error.code).toBe('invalid_parameter');
    }
    expect((await get(`/api/v1/m365/tenants/nope/usage`)).status).toBe(404);
  });
});

describe('the usage command', () => {
  let h: Harness;
  let connector: ConnectorRecorder;
  let serviceUrl: string;
  let data: DemoTenantData;
  beforeAll(async () => {
    data = generateDemoTenant({ users: 150, seed: 66 });
    h = await startHarness({ data });
    connector = new ConnectorRecorder();
    serviceUrl = await connector.start();
  });
  afterAll(async () => {
    await h?.close();
    await connector?.stop();
  });

  const ask = async (text: string) => {
    connector.clear();
    await post(h.app.url, message(serviceUrl, personal(), text));
    await connector.waitFor((m) => m.length >= 1);
    return connector.messages()[0] as RecordedActivity;
  };

  it('says the figures are not available before a sync, then shows them with the report date', async () => {
    const before = await ask('usage 7d');
    const first = (before.activity.attachments ?? [])[0]?.content as Record<string, unknown>;
    expect(validateCard(first).errors).toEqual([]);
    expect(cardText(first)).toContain('not available');
    const tenantId = h.app.tenants.list()[0].id;
    expect((await h.app.sync.request(tenantId, 'test').done).status).toBe('success');
    const reply = await ask('usage 7d');
    const card = (reply.activity.attachments ?? [])[0]?.content as Record<string, unknown>;
    expect(validateCard(card).errors).toEqual([]);
    const text = cardText(card);
    expect(text).toContain(`As of ${dayText(data.activity?.reportRefreshDate ?? '')}`);
    const stored = h.app.usage.serviceUsage(tenantId, '7d');
    expect(text).toContain(stored?.services.exchange.emails_sent.toLocaleString('en-US'));
    expect(text).toContain('last 7 days');
    const wrong = await ask('usage 45d');
    expect(wrong.activity.text).toContain('7d, 30d, 90d, 180d');
  });
});
