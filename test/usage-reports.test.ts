import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { COPILOT_APPS, DAY_MS, dayNumber, lastActiveDay, type DemoUserActivity } from '../demo-tenant/activity';
import { SKU } from '../demo-tenant/constants';
import { generateDemoTenant } from '../demo-tenant/generator';
import type { DemoTenantData, GraphUser } from '../demo-tenant/model';
import { SqliteSourceStatusStore } from '../src/adapters/sqlite/source-status';
import { startHarness, TEST_API_KEY, type Harness } from './helpers/harness';

/** Expected report contents, from the demo tenant's story (activity.ts), independently of the sync code and of the demo's report module. */
function story(data: DemoTenantData) {
  const activity = data.activity;
  if (!activity) throw new Error('no story');
  const today = dayNumber(activity.today);
  const lag = activity.reportLagDays;
  return data.users.map((user, i) => ({ user, activity: activity.users[i] as DemoUserActivity, today, lag }));
}

const reportRequests = (h: Harness) => h.demo.server.requests.filter((r) => /\/reports\/|_reportdownload|reportSettings/i.test(r.path));

describe('usage reports: Copilot usage and Microsoft 365 activity per user', () => {
  let h: Harness;
  let tenantId: string;
  let data: DemoTenantData;
  beforeAll(async () => {
    data = generateDemoTenant({ users: 300, seed: 61 });
    h = await startHarness({ data, config: { REPORTS_REREAD_HOURS: '0' } });
    tenantId = h.app.tenants.list()[0].id;
    const run = await h.app.sync.request(tenantId, 'test').done;
    expect(run.warnings).toEqual([]);
    expect(run.status).toBe('success');
  });
  afterAll(async () => h?.close());

  it('stores every Copilot seat holder with the dates the story gives, as of the report refresh date', () => {
    const holders = story(data).filter((s) => s.user.assignedLicenses.some((l) => l.skuId === SKU.COPILOT));
    expect(holders.length).toBeGreaterThan(10);
    for (const s of holders) {
      const row = h.app.usage.copilotUser(tenantId, s.user.userPrincipalName.toUpperCase());
      expect(row, s.user.userPrincipalName).toBeDefined();
      expect(row?.lastActivityDate).toBe(lastActiveDay(s.user, s.activity, 'copilot', s.today, s.lag));
      for (const app of COPILOT_APPS) expect(row?.apps[app]).toBe(lastActiveDay(s.user, s.activity, 'copilot', s.today, s.lag, app));
      expect(row?.reportRefreshDate).toBe(data.activity?.reportRefreshDate);
      expect(row?.period).toBe('D30');
      expect(row?.concealed).toBe(false);
    }
    // Audit-only users show nothing in the lagged report: unknown there, the audit log tells the rest.
    const auditOnly = holders.find((s) => s.activity.copilot === 'audit_only');
    if (auditOnly) expect(h.app.usage.copilotUser(tenantId, auditOnly.user.userPrincipalName)?.lastActivityDate).toBeNull();
    expect(h.app.usage.unmatchedCount(tenantId, 'copilot_usage')).toBe(0);
  });

  it('stores every licensed user\'s last activity per service', () => {
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
      const dates = Object.values(expected).filter((d): d is string => d !== null).sort();
      expect(row?.lastActivityDate).toBe(dates.at(-1) ?? null);
    }
    const unlicensed = data.users.find((u: GraphUser) => u.assignedLicenses.length === 0);
    if (unlicensed) expect(h.app.usage.m365User(tenantId, unlicensed.userPrincipalName)).toBeUndefined();
  });

  it('records each source as read, with the report date and the endpoint that served it', () => {
    const status = Object.fromEntries(new SqliteSourceStatusStore(h.app.db).list(tenantId).map((s) => [s.source, s]));
    expect(status.copilot_usage).toMatchObject({ lastOutcome: 'ok', asOf: data.activity?.reportRefreshDate, servedBy: 'v1.0 /copilot/reports', requests: 2 });
    expect(status.m365_activity).toMatchObject({ lastOutcome: 'ok', asOf: data.activity?.reportRefreshDate, requests: 2 });
    expect(status.service_usage).toMatchObject({ lastOutcome: 'ok', asOf: data.activity?.reportRefreshDate, requests: 12 });
    expect(status.report_settings).toMatchObject({ lastOutcome: 'ok', warnings: [] });
  });

  it('reads each large report as one CSV download (302 to the file), not JSON pages', () => {
    const detail = reportRequests(h).filter((r) => /UserDetail|_reportdownload/i.test(r.path));
    expect(detail.map((r) => r.status).sort()).toEqual([200, 200, 302, 302]);
    void DAY_MS;
  });
});

export { story, reportRequests };
void TEST_API_KEY;
