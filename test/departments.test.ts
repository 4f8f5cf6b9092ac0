import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SKU } from '../demo-tenant/constants';
import { generateDemoTenant } from '../demo-tenant/generator';
import { idleMonthlyCostOf, NO_DEPARTMENT } from '../src/domain/departments';
import { priceOf, totals } from '../src/domain/seat-savings';
import type { DepartmentLine } from '../src/domain/departments';
import { ConnectorRecorder, cardText } from './helpers/connector-recorder';
import { startSyncedHarness, TEST_API_KEY, type Harness } from './helpers/harness';
import { ADMIN, cardAction, channel, message, personal, post } from './helpers/teams-activities';
import { readCsv } from './support/csv-reader';
import { validateCard } from './support/card-validator';

/**
 * Department chargeback against a synced demo tenant: the departments add up to the tenant's own
 * figures, seat holders without a department are a named group, spellings of one department are
 * one, and each sync files its day of the trend (the app's clock is stepped over days).
 */
const DAY_MS = 86_400_000;
const data = generateDemoTenant({ users: 300, seed: 16 });
const holders = data.users.filter((u) => u.assignedLicenses.some((l) => l.skuId === SKU.COPILOT));
if (holders.length < 6) throw new Error('the demo tenant has too few Copilot seat holders');
// Two holders without a department (null and blank), and one department spelled in another case.
holders[0].department = null;
holders[1].department = '  ';
const respelled = holders.find(
  (u, i) => i > 1 && u.department && holders.some((o) => o !== u && o.department === u.department),
);
if (!respelled?.department) throw new Error('no department with two seat holders');
const respelledName = respelled.department;
respelled.department = respelledName.toUpperCase();

const STRANGER = { id: '29:stranger', name: 'Sam Stranger', aadObjectId: '5e6f7a8b-9c0d-4e1f-8a2b-3c4d5e6f7a8b' };
let h: Harness;
let tenantId: string;
let connector: ConnectorRecorder;
let serviceUrl: string;
let now = new Date();
const clock = () => now;

beforeAll(async () => {
  ({ h, tenantId } = await startSyncedHarness({ data, app: { clock }, config: { ADMINS: ADMIN.aadObjectId } }));
  connector = new ConnectorRecorder();
  serviceUrl = await connector.start();
});
afterAll(async () => {
  await h?.close();
  await connector?.stop();
});

/** Sends `text` as `from` and returns the one card the bot answers with, checked valid and under 28 KB. */
async function ask(text: string, from: typeof ADMIN, where = channel()): Promise<Record<string, unknown>> {
  connector.clear();
  expect((await post(h.app.url, { ...message(serviceUrl, where, text), from })).status).toBe(200);
  await connector.waitFor((m) => m.length >= 1);
  const card = connector.messages()[0].activity.attachments?.[0]?.content as Record<string, unknown> | undefined;
  if (!card) throw new Error(`expected a card, got: ${connector.messages()[0].activity.text}`);
  const { errors, bytes } = validateCard(card);
  expect(errors).toEqual([]);
  expect(bytes).toBeLessThan(28 * 1024);
  return card;
}

/** No admin price and no SKU_PRICES: the Copilot list price. */
const listPrice = (skuId: string) => priceOf(skuId, new Map(), new Map());

describe('department figures', () => {
  it('add up to the tenant figures, with the no-department group and one entry per department whatever its case', () => {
    const report = h.app.departments.report(tenantId);
    if (!report) throw new Error('no department report');
    const stored = h.app.analytics.summary(tenantId);
    if (!stored) throw new Error('no summary');
    const t = totals(stored.summary);
    expect(report.totals.seats).toBe(t.assigned);
    expect(report.totals.active).toBe(t.active);
    expect(report.totals.idle).toBe(t.reclaimable);
    const departments = report.departments;
    const sum = (pick: (d: DepartmentLine) => number) => departments.reduce((acc, d) => acc + pick(d), 0);
    expect(sum((d) => d.seats)).toBe(t.assigned);
    expect(sum((d) => d.idle)).toBe(t.reclaimable);
    // The list price ($30) applies: the idle money is the tenant's, to the cent.
    const idle = idleMonthlyCostOf(stored.summary, listPrice);
    expect(idle.amount).toBe(t.reclaimable * 30);
    expect(report.totals.idleMonthlyCost).toBe(idle.amount);
    expect(Math.round(sum((d) => d.idleMonthlyCost ?? 0) * 100) / 100).toBe(idle.amount);
    expect(report.totals.monthlyCost).toBe(t.assigned * 30);
    expect(report.currency).toBe('USD');

    const none = report.departments.find((d) => d.name === NO_DEPARTMENT);
    expect(none?.seats).toBe(2);
    const names = report.departments.map((d) => d.name.toLowerCase());
    expect(new Set(names).size).toBe(names.length);
    const merged = report.departments.find((d) => d.name.toLowerCase() === respelledName.toLowerCase());
    expect(merged?.seats).toBe(
      holders.filter((u) => u.department?.toLowerCase() === respelledName.toLowerCase()).length,
    );

    // Most idle money first.
    const costs = report.departments.map((d) => d.idleMonthlyCost ?? -1);
    expect(costs).toEqual([...costs].sort((a, b) => b - a));
  });
});

describe('departments command', () => {
  it('answers anyone, in a channel too, with the departments adding up to the tenant (aggregates, no names)', async () => {
    const stored = h.app.analytics.summary(tenantId);
    if (!stored) throw new Error('no summary');
    const t = totals(stored.summary);
    const report = h.app.departments.report(tenantId);
    if (!report) throw new Error('no department report');
    const card = await ask('departments', STRANGER);
    const text = cardText(card);
    expect(text).toContain('Copilot seats by department');
    expect(text).toContain(`${report.departments.length} departments**: ${t.assigned} seats, ${t.reclaimable} idle`);
    expect(text).toContain(`Idle seats cost $${(t.reclaimable * 30).toLocaleString('en-US')} a month`);
    expect(text).toContain(NO_DEPARTMENT);
    // The department with most idle money is the first row; nobody's name is on the card.
    expect(text.indexOf(report.departments[0].name)).toBeLessThan(text.indexOf(report.departments[1].name));
    for (const u of holders) expect(text).not.toContain(u.userPrincipalName);
    // One day of trend so far: no chart yet, each row says "new".
    expect(JSON.stringify(card)).not.toContain('Chart.Line');
    expect(text).toContain('new');
  });

  it('takes a tenant by name and answers a hint for an unknown one', async () => {
    const name = h.app.tenants.list()[0].tenantName;
    expect(cardText(await ask(`departments ${name}`, ADMIN, personal()))).toContain(
      `${name} · Copilot seats by department`,
    );
    connector.clear();
    await post(h.app.url, { ...message(serviceUrl, personal(), 'departments nosuchtenant'), from: ADMIN });
    await connector.waitFor((m) => m.length >= 1);
    expect(connector.messages()[0].activity.text).toContain('No tenant matches "nosuchtenant"');
  });
});

const api = (path: string, key: string | null = TEST_API_KEY) =>
  fetch(`${h.app.url}/api/v1/m365/tenants/${path}`, { headers: key ? { Authorization: `Bearer ${key}` } : {} });

interface DepartmentJson {
  department: string;
  no_department: boolean;
  seats: number;
  active: number;
  idle: number;
  utilization_rate: number | null;
  monthly_cost: number | null;
  idle_monthly_cost: number | null;
  trend: Array<{
    date: string;
    seats: number;
    active: number;
    idle: number;
    utilization: number | null;
    idle_monthly_cost: number | null;
  }>;
}

describe('REST route and CSV export', () => {
  it('GET …/copilot/departments: every department with its figures and trend, adding up to the summary', async () => {
    const summary = (await (await api(`${tenantId}/copilot/summary`)).json()) as {
      assigned: number;
      active: number;
      reclaimable: { total: number };
      currency: string;
    };
    const res = await api(`${tenantId}/copilot/departments`);
    expect(res.status).toBe(200);
    const body = (await res.json()) as {
      currency: string;
      data: DepartmentJson[];
      totals: { seats: number; active: number; idle: number; idle_monthly_cost: number; utilization_text: string };
      trend_days: number;
      as_of: string;
    };
    expect(body.currency).toBe(summary.currency);
    expect(body.totals).toMatchObject({
      seats: summary.assigned,
      active: summary.active,
      idle: summary.reclaimable.total,
      idle_monthly_cost: summary.reclaimable.total * 30,
    });
    const sum = (pick: (d: DepartmentJson) => number) => body.data.reduce((acc, d) => acc + pick(d), 0);
    expect(sum((d) => d.seats)).toBe(summary.assigned);
    expect(sum((d) => d.active)).toBe(summary.active);
    expect(sum((d) => d.idle)).toBe(summary.reclaimable.total);
    expect(sum((d) => d.idle_monthly_cost ?? 0)).toBeCloseTo(summary.reclaimable.total * 30, 2);
    expect(body.data.filter((d) => d.no_department)).toEqual([
      expect.objectContaining({ department: NO_DEPARTMENT, seats: 2 }),
    ]);
    expect(body.trend_days).toBe(90);
    const today = now.toISOString().slice(0, 10);
    for (const d of body.data)
      expect(d.trend).toEqual([
        {
          date: today,
          seats: d.seats,
          active: d.active,
          idle: d.idle,
          utilization: d.utilization_rate,
          idle_monthly_cost: d.idle_monthly_cost,
        },
      ]);

    expect((await api(`${tenantId}/copilot/departments`, null)).status).toBe(401);
    expect((await api('no-such-tenant/copilot/departments')).status).toBe(404);
    expect((await api(`${tenantId}/copilot/departments?limit=5`)).status).toBe(400);
  });

  it('GET …/exports/departments.csv: one row per department, the same figures as the route', async () => {
    const json = (await (await api(`${tenantId}/copilot/departments`)).json()) as { data: DepartmentJson[] };
    const res = await api(`${tenantId}/exports/departments.csv`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/csv; charset=utf-8');
    expect(res.headers.get('content-disposition')).toMatch(
      /attachment; filename=".+-departments-\d{4}-\d{2}-\d{2}\.csv"/,
    );
    // ignoreBOM keeps the byte order mark in the text (a plain decode drops it silently).
    const text = new TextDecoder('utf-8', { ignoreBOM: true }).decode(await res.arrayBuffer());
    expect(text.charCodeAt(0)).toBe(0xfeff);
    const [header, ...rows] = readCsv(text.slice(1));
    expect(header).toEqual([
      'Department',
      'CopilotSeats',
      'Active',
      'Idle',
      'UtilizationPercent',
      'MonthlyCost',
      'IdleMonthlyCost',
      'Currency',
      'AsOf',
    ]);
    expect(rows.map((r) => r.slice(0, 7))).toEqual(
      json.data.map((d) => [
        d.department,
        String(d.seats),
        String(d.active),
        String(d.idle),
        d.utilization_rate === null ? '' : String(d.utilization_rate),
        String(d.monthly_cost),
        String(d.idle_monthly_cost),
      ]),
    );
    expect(rows.every((r) => r[7] === 'USD')).toBe(true);
  });

  it("the card's Export CSV button (admins only) posts a signed link to the same CSV", async () => {
    const card = await ask('departments', ADMIN);
    const button = ((card.actions ?? []) as Array<{ type: string; verb: string; title: string; data: unknown }>).find(
      (a) => a.verb === 'export.link',
    );
    expect(button?.title).toBe('Export CSV (departments)');
    expect(JSON.stringify(card)).not.toContain('/exports/');
    connector.clear();
    const pressed = await post(h.app.url, {
      ...cardAction(serviceUrl, channel(), 'export.link', button?.data),
      from: ADMIN,
    });
    expect(pressed.body).toMatchObject({ statusCode: 200 });
    await connector.waitFor((m) => m.length >= 1);
    const linkCard = connector.messages()[0].activity.attachments?.[0]?.content as Record<string, unknown>;
    expect(validateCard(linkCard).errors).toEqual([]);
    expect(cardText(linkCard)).toContain('CSV export of Copilot seats by department');
    const url = ((linkCard.actions ?? []) as Array<{ url?: string }>)[0]?.url ?? '';
    const res = await fetch(url);
    expect(res.status).toBe(200);
    const csv = new TextDecoder().decode(await res.arrayBuffer());
    const direct = new TextDecoder().decode(await (await api(`${tenantId}/exports/departments.csv`)).arrayBuffer());
    expect(csv).toBe(direct);

    const others = await ask('departments', STRANGER);
    expect(JSON.stringify(others)).not.toContain('export.link');
    expect(cardText(others)).toContain('Only Seat Steward admins get the CSV export');
  });
});

describe('daily digest', () => {
  it('digest now names the three departments whose idle seats cost most, and stays a valid card under 28 KB', async () => {
    const report = h.app.departments.report(tenantId);
    if (!report) throw new Error('no department report');
    const c = personal();
    connector.clear();
    expect((await post(h.app.url, { ...message(serviceUrl, c, 'digest now'), from: ADMIN })).status).toBe(200);
    const digests = () =>
      connector
        .messages()
        .filter(
          (m) =>
            m.conversationId === c.conversationId &&
            cardText(m.activity.attachments?.[0]?.content).includes('Copilot digest'),
        );
    await connector.waitFor(() => digests().length === 1, 30_000);
    const card = digests()[0].activity.attachments?.[0]?.content as Record<string, unknown>;
    const { errors, bytes } = validateCard(card);
    expect(errors).toEqual([]);
    expect(bytes).toBeLessThan(28 * 1024);
    const text = cardText(card);
    const withIdle = report.departments.filter((d) => d.idle > 0);
    expect(withIdle.length).toBeGreaterThan(3);
    expect(text).toContain(
      `Idle seats by department ($${(report.totals.idleMonthlyCost ?? 0).toLocaleString('en-US')} a month in all): the 3 costing most of ${withIdle.length}.`,
    );
    for (const d of withIdle.slice(0, 3)) expect(text).toContain(`**${d.name}** · ${d.idle} of ${d.seats} seat`);
    expect(text).not.toContain(`**${withIdle[3].name}** · `);
  });
});

describe('department trend', () => {
  it('files one day per sync day (the last sync of a day wins) and keeps 90 days', async () => {
    const first = h.app.departments.report(tenantId);
    const today = now.toISOString().slice(0, 10);
    for (const d of first?.departments ?? []) expect(d.trend.map((p) => p.date)).toEqual([today]);

    now = new Date(now.getTime() + DAY_MS);
    expect((await h.app.sync.request(tenantId, 'test').done).status).not.toBe('failed');
    // A second sync the same day replaces that day's row.
    expect((await h.app.sync.request(tenantId, 'test').done).status).not.toBe('failed');
    const tomorrow = now.toISOString().slice(0, 10);
    const second = h.app.departments.report(tenantId);
    if (!second) throw new Error('no department report');
    for (const d of second.departments) {
      expect(d.trend.map((p) => p.date)).toEqual([today, tomorrow]);
      const last = d.trend.at(-1);
      expect(last).toMatchObject({
        seats: d.seats,
        active: d.active,
        idle: d.idle,
        idleMonthlyCost: d.idleMonthlyCost,
      });
      expect(last?.utilization).toBe(d.utilization.percent);
    }
    const rows = h.app.db
      .prepare('SELECT day, COUNT(*) AS n FROM copilot_department_days WHERE tenant_id = ? GROUP BY day')
      .all(tenantId) as Array<{ day: string; n: number }>;
    expect(rows.map((r) => r.day)).toEqual([today, tomorrow]);

    // 90 days on, the first day is out of the window and deleted.
    now = new Date(now.getTime() + 89 * DAY_MS);
    expect((await h.app.sync.request(tenantId, 'test').done).status).not.toBe('failed');
    // The card draws the idle seats of all departments per day, and each row's trend column says how they moved.
    const card = await ask('departments', ADMIN);
    const chart = JSON.stringify(card).includes('"Chart.Line"');
    expect(chart).toBe(true);
    const later = h.app.db
      .prepare('SELECT DISTINCT day FROM copilot_department_days WHERE tenant_id = ? ORDER BY day')
      .pluck()
      .all(tenantId);
    expect(later).toEqual([tomorrow, now.toISOString().slice(0, 10)]);
  });
});
