import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SKU } from '../demo-tenant/constants';
import { generateDemoTenant } from '../demo-tenant/generator';
import { idleMonthlyCostOf, NO_DEPARTMENT } from '../src/domain/departments';
import { priceOf, totals } from '../src/domain/seat-savings';
import type { DepartmentLine } from '../src/domain/departments';
import { ConnectorRecorder, cardText } from './helpers/connector-recorder';
import { startSyncedHarness, type Harness } from './helpers/harness';
import { ADMIN, channel, message, personal, post } from './helpers/teams-activities';
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
    const report = h.app.departments.report(tenantId, now);
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
    const report = h.app.departments.report(tenantId, now);
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

describe('department trend', () => {
  it('files one day per sync day (the last sync of a day wins) and keeps 90 days', async () => {
    const first = h.app.departments.report(tenantId, now);
    const today = now.toISOString().slice(0, 10);
    for (const d of first?.departments ?? []) expect(d.trend.map((p) => p.date)).toEqual([today]);

    now = new Date(now.getTime() + DAY_MS);
    expect((await h.app.sync.request(tenantId, 'test').done).status).not.toBe('failed');
    // A second sync the same day replaces that day's row.
    expect((await h.app.sync.request(tenantId, 'test').done).status).not.toBe('failed');
    const tomorrow = now.toISOString().slice(0, 10);
    const second = h.app.departments.report(tenantId, now);
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
