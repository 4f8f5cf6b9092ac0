import { dayText } from '../src/domain/time-text';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  COPILOT_APPS,
  activeInAppOn,
  activeOn,
  dayNumber,
  dayString,
  lastActiveDay,
  type DemoUserActivity,
} from '../demo-tenant/activity';
import { SKU } from '../demo-tenant/constants';
import { generateDemoTenant } from '../demo-tenant/generator';
import type { DemoTenantData } from '../demo-tenant/model';
import { SqliteSourceStatusStore } from '../src/adapters/sqlite/source-status';
import { startHarness, startSyncedHarness, TEST_API_KEY, type Harness } from './helpers/harness';
import { ConnectorRecorder, cardText, type RecordedActivity } from './helpers/connector-recorder';
import { message, personal, post } from './helpers/teams-activities';
import { validateCard } from './support/card-validator';

type Counts = Record<string, { enabled: number; active: number }>;

/** The Copilot adoption the story tells, counted here user by user and day by day (independently of the sync and of the demo's report module). */
function expectedTrend(data: DemoTenantData, days: number) {
  const activity = data.activity;
  if (!activity) throw new Error('no story');
  const today = dayNumber(activity.today);
  const lag = activity.reportLagDays;
  const holders = data.users
    .map((user, i) => ({ user, a: activity.users[i] as DemoUserActivity }))
    .filter((x) => x.user.assignedLicenses.some((l) => l.skuId === SKU.COPILOT));
  const seatOn = (x: (typeof holders)[number], daysAgo: number) =>
    x.a.seatAssignedDaysAgo === null || x.a.seatAssignedDaysAgo <= daysAgo;
  const zero = (): Counts => Object.fromEntries(['any', ...COPILOT_APPS].map((k) => [k, { enabled: 0, active: 0 }]));
  const trend = Array.from({ length: days }, (_, k) => {
    const counts = zero();
    for (const x of holders) {
      if (!seatOn(x, lag + k)) continue;
      for (const key of Object.keys(counts)) (counts[key] as { enabled: number }).enabled++;
      if (!activeOn(x.user, x.a, 'copilot', lag + k, today)) continue;
      (counts.any as { active: number }).active++;
      for (const app of COPILOT_APPS)
        if (activeInAppOn(x.user, x.a, app, lag + k, today)) (counts[app] as { active: number }).active++;
    }
    return { reportDate: dayString(today - lag - k), reportRefreshDate: activity.reportRefreshDate, counts };
  }).reverse();
  const from = dayString(today - lag - days + 1);
  const summary = zero();
  for (const x of holders) {
    if (!seatOn(x, lag)) continue;
    for (const key of Object.keys(summary)) (summary[key] as { enabled: number }).enabled++;
    const last = lastActiveDay(x.user, x.a, 'copilot', today, lag);
    if (last !== null && last >= from) (summary.any as { active: number }).active++;
    for (const app of COPILOT_APPS) {
      const d = lastActiveDay(x.user, x.a, 'copilot', today, lag, app);
      if (d !== null && d >= from) (summary[app] as { active: number }).active++;
    }
  }
  return { trend, summary };
}

const statusOf = (h: Harness, tenantId: string) =>
  Object.fromEntries(new SqliteSourceStatusStore(h.app.db).list(tenantId).map((s) => [s.source, s]));

describe('Copilot user count trend and summary', () => {
  let h: Harness;
  let tenantId: string;
  let data: DemoTenantData;
  beforeAll(async () => {
    data = generateDemoTenant({ users: 300, seed: 71 });
    ({ h, tenantId } = await startSyncedHarness({ data, config: { REPORTS_REREAD_HOURS: '0' } }));
  });
  afterAll(async () => h?.close());

  it('stores the 30 daily counts and the summary per app that the story gives, from the current endpoint', () => {
    const stored = h.app.usage.copilotTrend(tenantId);
    const want = expectedTrend(data, 30);
    expect(stored?.period).toBe('D30');
    expect(stored?.days).toEqual(want.trend);
    expect(stored?.summary).toEqual(want.summary);
    // The story has active users, new seats and per-app differences: the figures are not trivially equal.
    expect(want.summary.any?.active).toBeGreaterThan(0);
    expect(want.summary.any?.active).toBeLessThan(want.summary.any?.enabled ?? 0);
    expect(new Set(want.trend.map((d) => d.counts.any?.enabled)).size).toBeGreaterThan(1);
    expect(statusOf(h, tenantId).copilot_trend).toMatchObject({
      lastOutcome: 'ok',
      asOf: data.activity?.reportRefreshDate,
      servedBy: 'v1.0 /copilot/reports',
      requests: 4,
    });
  });

  it("falls back to the seed's beta functions (JSON) when the current endpoint answers 404, with the same figures", async () => {
    const other = await startHarness({
      data: generateDemoTenant({ users: 200, seed: 72 }),
      config: { REPORTS_REREAD_HOURS: '0' },
    });
    try {
      const id = other.app.tenants.list()[0].id;
      other.demo.server.faults.add({ path: '/v1.0/copilot/reports/*', status: 404, times: Infinity });
      expect((await other.app.sync.request(id, 'test').done).status).toBe('success');
      expect(statusOf(other, id).copilot_trend).toMatchObject({ lastOutcome: 'ok', servedBy: 'beta /reports (JSON)' });
      const want = expectedTrend(other.demo.server.data, 30);
      expect(other.app.usage.copilotTrend(id)).toEqual({ period: 'D30', days: want.trend, summary: want.summary });
      const json = other.demo.server.requests.filter((r) =>
        /\/beta\/reports\/getMicrosoft365CopilotUserCount/.test(r.path),
      );
      expect(json.map((r) => r.status)).toEqual([200, 200]);
    } finally {
      await other.close();
    }
  });

  it('GET /usage carries the trend as an additive copilot block with its as_of', async () => {
    const res = await fetch(`${h.app.url}/api/v1/m365/tenants/${tenantId}/usage?period=7d`, {
      headers: { authorization: `Bearer ${TEST_API_KEY}` },
    });
    expect(res.status).toBe(200);
    const body = (await res.json()) as {
      period: string;
      copilot: Record<string, unknown> & { daily: Array<Record<string, unknown>>; summary: Record<string, unknown> };
    };
    expect(body.period).toBe('7d');
    const want = expectedTrend(data, 30);
    expect(body.copilot).toMatchObject({
      period: '30d',
      as_of: data.activity?.reportRefreshDate,
      status: 'ok',
      stale: false,
    });
    expect(body.copilot.summary).toEqual({
      enabled_users: want.summary.any?.enabled,
      active_users: want.summary.any?.active,
      active_rate: Math.round(((want.summary.any?.active ?? 0) / (want.summary.any?.enabled ?? 1)) * 1000) / 10,
      apps: Object.fromEntries(
        COPILOT_APPS.map((a) => [
          a,
          { enabled_users: want.summary[a]?.enabled, active_users: want.summary[a]?.active },
        ]),
      ),
    });
    expect(body.copilot.daily).toHaveLength(30);
    const last = want.trend.at(-1);
    expect(body.copilot.daily.at(-1)).toEqual({
      date: last?.reportDate,
      enabled_users: last?.counts.any?.enabled,
      active_users: last?.counts.any?.active,
      apps: Object.fromEntries(
        COPILOT_APPS.map((a) => [
          a,
          { enabled_users: last?.counts[a]?.enabled, active_users: last?.counts[a]?.active },
        ]),
      ),
    });
  });

  it('refused later (403): named permission, the last good trend stays, GET /usage marks it stale with the reason', async () => {
    const d = generateDemoTenant({ users: 120, seed: 73 });
    const other = await startHarness({ data: d, config: { REPORTS_REREAD_HOURS: '0' } });
    try {
      const id = other.app.tenants.list()[0].id;
      expect((await other.app.sync.request(id, 'test').done).status).toBe('success');
      // Figures stored; then the permission goes: the next read is refused and the last good data stays, marked stale.
      for (const path of [
        '/v1.0/copilot/reports/getMicrosoft365CopilotUserCount*',
        '/beta/reports/getMicrosoft365CopilotUserCount*',
      ]) {
        other.demo.server.faults.add({ path, status: 403, code: 'Authorization_RequestDenied', times: Infinity });
      }
      const before = other.app.usage.copilotTrend(id);
      const run = await other.app.sync.request(id, 'test').done;
      expect(run.status).toBe('partial');
      expect(statusOf(other, id).copilot_trend).toMatchObject({
        lastOutcome: 'refused',
        errorCode: 'insufficient_privileges',
      });
      expect(statusOf(other, id).copilot_trend?.message).toContain('Reports.Read.All');
      expect(other.app.usage.copilotTrend(id)).toEqual(before);
      const res = await fetch(`${other.app.url}/api/v1/m365/tenants/${id}/usage`, {
        headers: { authorization: `Bearer ${TEST_API_KEY}` },
      });
      const body = (await res.json()) as {
        copilot: { status: string; stale: boolean; problem: string; summary: unknown };
      };
      expect(body.copilot).toMatchObject({ status: 'refused', stale: true });
      expect(body.copilot.problem).toContain('Reports.Read.All');
      expect(body.copilot.summary).not.toBeNull();
    } finally {
      await other.close();
    }
  });
});

describe('the usage card shows Copilot adoption', () => {
  let h: Harness;
  let connector: ConnectorRecorder;
  let serviceUrl: string;
  let data: DemoTenantData;
  beforeAll(async () => {
    data = generateDemoTenant({ users: 150, seed: 74 });
    h = await startHarness({ data });
    connector = new ConnectorRecorder();
    serviceUrl = await connector.start();
  });
  afterAll(async () => {
    await h?.close();
    await connector?.stop();
  });

  it('usage, savings, the digest and GET copilot/summary show one Copilot utilization in one format; usage 7d names its own window; valid cards under 28 KB', async () => {
    const tenantId = h.app.tenants.list()[0].id;
    expect((await h.app.sync.request(tenantId, 'test').done).status).toBe('success');
    const cardOf = async (command: string) => {
      connector.clear();
      await post(h.app.url, message(serviceUrl, personal(), command));
      await connector.waitFor((m) => m.some((x) => (x.activity.attachments ?? []).length > 0));
      const withCard = connector.messages().find((x) => (x.activity.attachments ?? []).length > 0) as RecordedActivity;
      const card = (withCard.activity.attachments ?? [])[0]?.content as Record<string, unknown>;
      expect(validateCard(card).errors).toEqual([]);
      expect(Buffer.byteLength(JSON.stringify(card))).toBeLessThan(28 * 1024);
      return card;
    };
    const res = await fetch(`${h.app.url}/api/v1/m365/tenants/${tenantId}/copilot/summary`, {
      headers: { authorization: `Bearer ${TEST_API_KEY}` },
    });
    const summary = (await res.json()) as {
      active: number;
      assigned: number;
      utilization_rate: number;
      utilization_text: string;
    };
    const figure = `${summary.active.toLocaleString('en-US')} of ${summary.assigned.toLocaleString('en-US')} (${Math.round((100 * summary.active) / summary.assigned)}%)`;
    expect(summary.utilization_rate).toBe(Math.round((100 * summary.active) / summary.assigned));
    expect(summary.utilization_text).toBe(figure);

    const usage = cardText(await cardOf('usage 7d'));
    expect(usage).toContain(`Copilot seat utilization**: ${figure}`);
    expect(usage).not.toMatch(/Copilot seats active in the last 30 days/);
    expect(usage).toContain('in the 30 days before');
    expect(usage).toContain('this window does not follow the period above');
    expect(usage).toContain(`Daily count as of ${dayText(data.activity?.reportRefreshDate ?? '')}`);

    expect(cardText(await cardOf('savings'))).toContain(`${figure} seat holders active`);
    const digest = await cardOf('digest now');
    expect(cardText(digest)).toContain(`Utilization ${figure}`);
    const gauge = JSON.stringify(digest).match(/"type":"Chart.Gauge"[^}]*"value":([\d.]+)/);
    expect(Number(gauge?.[1])).toBe(summary.utilization_rate);
  });
});
