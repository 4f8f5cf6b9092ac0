import { afterAll, describe, expect, it } from 'vitest';
import { dayNumber, lastActiveDay, type DemoUserActivity } from '../demo-tenant/activity';
import { SKU } from '../demo-tenant/constants';
import { generateDemoTenant } from '../demo-tenant/generator';
import type { DemoTenantData, GraphUser } from '../demo-tenant/model';
import { SqliteSourceStatusStore } from '../src/adapters/sqlite/source-status';
import { startHarness, type Harness } from './helpers/harness';

/**
 * Bad report content through the real stack: the demo tenant serves a spoiled CSV download
 * (reportContentFault) and the real sync reads it over HTTPS into SQLite.
 */

const COPILOT_DETAIL = 'getMicrosoft365CopilotUsageUserDetail';
const statusOf = (h: Harness, tenantId: string) =>
  Object.fromEntries(new SqliteSourceStatusStore(h.app.db).list(tenantId).map((s) => [s.source, s]));

/** Copilot seat holders in the report's order (the directory's), with the dates the story gives them. */
function holders(data: DemoTenantData) {
  const activity = data.activity;
  if (!activity) throw new Error('no story');
  const today = dayNumber(activity.today);
  return data.users
    .map((user, i) => ({ user, a: activity.users[i] as DemoUserActivity }))
    .filter((x) => x.user.assignedLicenses.some((l) => l.skuId === SKU.COPILOT))
    .map((x) => ({ user: x.user, last: lastActiveDay(x.user, x.a, 'copilot', today, activity.reportLagDays) }));
}

describe('bad report input', () => {
  let h: Harness | undefined;
  afterAll(async () => h?.close());
  const start = async (seed: number) => {
    await h?.close();
    const data = generateDemoTenant({ users: 150, seed });
    h = await startHarness({ data, config: { REPORTS_REREAD_HOURS: '0' } });
    return { h, tenantId: h.app.tenants.list()[0].id, data };
  };
  const storedRows = (h: Harness, tenantId: string) =>
    h.app.db.prepare('SELECT COUNT(*) FROM copilot_usage_users WHERE tenant_id = ?').pluck().get(tenantId) as number;

  it('malformed dates: those rows are left out and counted in a warning; their users are unknown, never inactive; the rest are stored', async () => {
    const { h, tenantId, data } = await start(81);
    data.reportContentFault = { report: COPILOT_DETAIL, kind: 'malformed_dates' };
    const run = await h.app.sync.request(tenantId, 'test').done;
    const all = holders(data);
    const bad = all.filter((_, i) => i % 5 === 1);
    const good = all.filter((_, i) => i % 5 !== 1);
    expect(bad.length).toBeGreaterThan(2);
    const warning = run.warnings.find((w) => w.includes('Copilot usage report') && w.includes('malformed'));
    expect(warning).toContain(`: ${bad.length} row(s)`);
    expect(warning).toContain('21/11/2026');
    expect(warning).toContain('unknown, not inactive');
    // Any warning makes the sync partial; the source itself read fine.
    expect(run.status).toBe('partial');
    for (const x of bad)
      expect(h.app.usage.copilotUser(tenantId, x.user.userPrincipalName), x.user.userPrincipalName).toBeUndefined();
    for (const x of good)
      expect(h.app.usage.copilotUser(tenantId, x.user.userPrincipalName)?.lastActivityDate).toBe(x.last);
    expect(statusOf(h, tenantId).copilot_usage).toMatchObject({
      lastOutcome: 'ok',
      asOf: data.activity?.reportRefreshDate,
    });
    expect(statusOf(h, tenantId).copilot_usage?.warnings.join(' ')).toContain('malformed');
  });

  it('malformed dates in the Microsoft 365 active user report: counted once per row, however many of its dates are bad', async () => {
    const { h, tenantId, data } = await start(86);
    data.reportContentFault = { report: 'getOffice365ActiveUserDetail', kind: 'malformed_dates' };
    const run = await h.app.sync.request(tenantId, 'test').done;
    const licensed = data.users.filter((u) => u.assignedLicenses.length > 0);
    const bad = licensed.filter((_, i) => i % 5 === 1);
    expect(bad.length).toBeGreaterThan(2);
    const warning = run.warnings.find((w) => w.includes('Microsoft 365 active user report') && w.includes('malformed'));
    expect(warning).toContain(`: ${bad.length} row(s)`);
    for (const u of bad) expect(h.app.usage.m365User(tenantId, u.userPrincipalName)).toBeUndefined();
    for (const u of licensed.filter((_, i) => i % 5 !== 1))
      expect(h.app.usage.m365User(tenantId, u.userPrincipalName)).toBeDefined();
    expect(statusOf(h, tenantId).m365_activity?.lastOutcome).toBe('ok');
  });

  it('an unknown column is ignored with a warning naming it; every row is stored', async () => {
    const { h, tenantId, data } = await start(82);
    data.reportContentFault = { report: COPILOT_DETAIL, kind: 'unknown_column' };
    const run = await h.app.sync.request(tenantId, 'test').done;
    // Any warning makes the sync partial; the source itself read fine.
    expect(run.status).toBe('partial');
    expect(run.warnings.find((w) => w.includes('does not know'))).toContain('copilotagentslastactivitydate');
    for (const x of holders(data))
      expect(h.app.usage.copilotUser(tenantId, x.user.userPrincipalName)?.lastActivityDate).toBe(x.last);
  });

  it('a missing key column stores nothing and keeps the previous report; the source fails with the column named', async () => {
    const { h, tenantId, data } = await start(83);
    expect((await h.app.sync.request(tenantId, 'test').done).status).toBe('success');
    const holder = holders(data)[0] as { user: GraphUser };
    const before = h.app.usage.copilotUser(tenantId, holder.user.userPrincipalName);
    expect(before).toBeDefined();
    const rowsBefore = storedRows(h, tenantId);
    data.reportContentFault = { report: COPILOT_DETAIL, kind: 'missing_column' };
    const run = await h.app.sync.request(tenantId, 'test').done;
    expect(run.status).toBe('partial');
    const status = statusOf(h, tenantId).copilot_usage;
    expect(status).toMatchObject({ lastOutcome: 'failed', errorCode: 'report_format_changed' });
    expect(status?.message).toContain('userprincipalname');
    expect(status?.message).toContain('previous report is kept');
    expect(h.app.usage.copilotUser(tenantId, holder.user.userPrincipalName)).toEqual(before);
    expect(storedRows(h, tenantId)).toBe(rowsBefore);
    // The other reports of the same sync still land.
    expect(statusOf(h, tenantId).m365_activity?.lastOutcome).toBe('ok');
  });

  it('an empty report is stored (nobody in it) with a warning; its users are unknown, not inactive', async () => {
    const { h, tenantId, data } = await start(84);
    expect((await h.app.sync.request(tenantId, 'test').done).status).toBe('success');
    data.reportContentFault = { report: COPILOT_DETAIL, kind: 'empty' };
    const run = await h.app.sync.request(tenantId, 'test').done;
    // Any warning makes the sync partial; the source itself read fine.
    expect(run.status).toBe('partial');
    expect(run.warnings.find((w) => w.includes('Copilot usage report'))).toContain('was empty');
    expect(statusOf(h, tenantId).copilot_usage).toMatchObject({ lastOutcome: 'ok' });
    for (const x of holders(data)) expect(h.app.usage.copilotUser(tenantId, x.user.userPrincipalName)).toBeUndefined();
    expect(storedRows(h, tenantId)).toBe(0);
  });

  it('the Copilot trend: malformed report dates leave those days out with a warning; the other days are stored', async () => {
    const { h, tenantId, data } = await start(85);
    data.reportContentFault = { report: 'getMicrosoft365CopilotUserCountTrend', kind: 'malformed_dates' };
    const run = await h.app.sync.request(tenantId, 'test').done;
    // Any warning makes the sync partial; the source itself read fine.
    expect(run.status).toBe('partial');
    expect(run.warnings.find((w) => w.includes('user count trend'))).toContain('6 row(s)');
    const trend = h.app.usage.copilotTrend(tenantId);
    expect(trend?.days).toHaveLength(24);
    const activity = data.activity as NonNullable<DemoTenantData['activity']>;
    const laterSeats = activity.users.filter((u) => (u.seatAssignedDaysAgo ?? 0) > activity.reportLagDays).length;
    expect(trend?.summary?.any?.enabled).toBe(holders(data).length - laterSeats);
  });
});
