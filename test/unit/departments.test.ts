import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../../src/adapters/sqlite/database';
import { SqliteDepartmentTrend } from '../../src/adapters/sqlite/department-trend';
import {
  compareByIdleCost,
  costBasis,
  departmentFigures,
  departmentKey,
  groupDepartments,
  idleChangeText,
  NO_DEPARTMENT,
  trendFirstDay,
  type DepartmentCounts,
} from '../../src/domain/departments';
import type { SkuPrice } from '../../src/domain/seat-savings';

const COPILOT = 'copilot-sku';
const OTHER = 'other-sku';
const price = (amount: number, currency = 'USD'): SkuPrice => ({
  skuId: '',
  amount,
  currency,
  source: 'admin',
  setBy: null,
  setAt: null,
});
const prices =
  (table: Record<string, SkuPrice | null>) =>
  (skuId: string): SkuPrice | null =>
    table[skuId] ?? null;
const skus = [
  { skuId: COPILOT, skuPartNumber: 'Microsoft_365_Copilot', assigned: 10 },
  { skuId: OTHER, skuPartNumber: 'Copilot_Other', assigned: 2 },
];

describe('department grouping', () => {
  it('merges spellings of a department case-insensitively and puts missing or blank departments in one named group', () => {
    const grouped = groupDepartments([
      { department: 'Sales', skuId: COPILOT, seats: 3, active: 1, idle: 2 },
      { department: 'SALES', skuId: COPILOT, seats: 1, active: 1, idle: 0 },
      { department: 'sales', skuId: OTHER, seats: 1, active: 0, idle: 1 },
      { department: null, skuId: COPILOT, seats: 1, active: 0, idle: 1 },
      { department: '  ', skuId: COPILOT, seats: 2, active: 1, idle: 0 },
    ]);
    expect(grouped).toEqual([
      {
        key: 'sales',
        name: 'Sales',
        skus: [
          { skuId: COPILOT, seats: 4, active: 2, idle: 2 },
          { skuId: OTHER, seats: 1, active: 0, idle: 1 },
        ],
      },
      { key: '', name: NO_DEPARTMENT, skus: [{ skuId: COPILOT, seats: 3, active: 1, idle: 1 }] },
    ]);
    expect(departmentKey('Ärzte')).toBe(departmentKey('ÄRZTE'));
  });
});

describe('department money', () => {
  const sales: DepartmentCounts = {
    key: 'sales',
    name: 'Sales',
    skus: [
      { skuId: COPILOT, seats: 4, active: 1, idle: 3 },
      { skuId: OTHER, seats: 2, active: 2, idle: 0 },
    ],
  };

  it('costs seats and idle seats at each SKU price, and utilization by the one rule', () => {
    const f = departmentFigures(sales, costBasis(skus, prices({ [COPILOT]: price(30), [OTHER]: price(12.5) })));
    expect(f).toMatchObject({ seats: 6, active: 3, idle: 3, monthlyCost: 145, idleMonthlyCost: 90 });
    expect(f.utilization).toEqual({ active: 3, assigned: 6, percent: 50 });
  });

  it('is null, never 0, when a SKU the department holds has no price, and says how to set one', () => {
    const basis = costBasis(skus, prices({ [COPILOT]: price(30) }));
    const f = departmentFigures(sales, basis);
    expect(f.monthlyCost).toBeNull();
    // Its idle seats are all of the priced SKU, so their cost is known.
    expect(f.idleMonthlyCost).toBe(90);
    expect(basis.warnings.join(' ')).toContain('price Copilot_Other');
  });

  it('adds nothing up across currencies', () => {
    const basis = costBasis(skus, prices({ [COPILOT]: price(30), [OTHER]: price(10, 'EUR') }));
    expect(basis.currency).toBeNull();
    expect(departmentFigures(sales, basis)).toMatchObject({ monthlyCost: null, idleMonthlyCost: null });
    expect(basis.warnings[0]).toContain('several currencies (USD, EUR)');
    // A SKU nobody holds does not count.
    const held = costBasis(
      [skus[0], { ...skus[1], assigned: 0 }],
      prices({ [COPILOT]: price(30), [OTHER]: price(10, 'EUR') }),
    );
    expect(held.currency).toBe('USD');
  });

  it('orders by idle cost, uncosted departments after costed ones, then by idle seats and name', () => {
    const line = (name: string, idle: number, cost: number | null) => ({
      key: name.toLowerCase(),
      name,
      seats: 10,
      active: 10 - idle,
      idle,
      utilization: { active: 10 - idle, assigned: 10, percent: (10 - idle) * 10 },
      monthlyCost: cost === null ? null : 300,
      idleMonthlyCost: cost,
    });
    const sorted = [line('B', 1, 30), line('A', 1, 30), line('C', 5, null), line('D', 2, 60)].sort(compareByIdleCost);
    expect(sorted.map((d) => d.name)).toEqual(['D', 'A', 'B', 'C']);
  });
});

describe('department trend', () => {
  const point = (idle: number) => ({
    date: '2026-11-01',
    seats: 9,
    active: 9 - idle,
    idle,
    utilization: 0,
    idleMonthlyCost: 0,
  });

  it('says how idle seats moved over the window', () => {
    expect(idleChangeText([point(2), point(5)])).toBe('+3');
    expect(idleChangeText([point(5), point(4), point(2)])).toBe('−3');
    expect(idleChangeText([point(2), point(2)])).toBe('±0');
    expect(idleChangeText([point(2)])).toBe('');
    expect(trendFirstDay('2026-12-06')).toBe('2026-09-08');
  });

  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'seat-steward-departments-'));
  const db = openDatabase(path.join(dir, 'cache.db'));
  afterAll(() => {
    db.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('files one set of rows per day: a later sync that day replaces them (a department gone is gone), older days are dropped', () => {
    const trend = new SqliteDepartmentTrend(db);
    const dept = (name: string, idle: number): DepartmentCounts => ({
      key: name.toLowerCase(),
      name,
      skus: [{ skuId: COPILOT, seats: 5, active: 5 - idle, idle }],
    });
    trend.record('t1', '2026-09-01', 1, [dept('Sales', 1)], '2026-06-01');
    trend.record('t1', '2026-12-05', 2, [dept('Sales', 2), dept('HR', 1)], '2026-09-07');
    trend.record('t1', '2026-12-05', 3, [dept('Sales', 3)], '2026-09-07');
    trend.record('t2', '2026-12-05', 4, [dept('Other', 3)], '2026-09-07');
    expect(trend.days('t1', '2000-01-01')).toEqual([
      {
        day: '2026-12-05',
        counts: { key: 'sales', name: 'Sales', skus: [{ skuId: COPILOT, seats: 5, active: 2, idle: 3 }] },
      },
    ]);
    expect(trend.days('t2', '2026-12-06')).toEqual([]);
  });
});
