import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SKU } from '../demo-tenant/constants';
import { generateDemoTenant } from '../demo-tenant/generator';
import { idleMonthlyCostOf, NO_DEPARTMENT } from '../src/domain/departments';
import { priceOf, totals } from '../src/domain/seat-savings';
import type { DepartmentLine } from '../src/usecases/departments/department-chargeback';
import { startSyncedHarness, type Harness } from './helpers/harness';

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

let h: Harness;
let tenantId: string;
let now = new Date();
const clock = () => now;

beforeAll(async () => {
  ({ h, tenantId } = await startSyncedHarness({ data, app: { clock } }));
});
afterAll(async () => h?.close());

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
    const later = h.app.db
      .prepare('SELECT DISTINCT day FROM copilot_department_days WHERE tenant_id = ? ORDER BY day')
      .pluck()
      .all(tenantId);
    expect(later).toEqual([tomorrow, now.toISOString().slice(0, 10)]);
  });
});
