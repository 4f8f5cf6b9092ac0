/**
 * Department chargeback: what each department's Copilot seats cost, and how much of that idle seats
 * cost. Every figure reuses the one definition the rest of the product uses: a seat is a Copilot seat
 * holder's assessed row (`assigned`), active is the `active` status (Copilot use within
 * INACTIVE_DAYS), idle is a seat to reclaim (certain + probable, what `inactive` and the digest call
 * idle), utilization is `utilizationOf`, and money is seats × the SKU's price (`priceOf`: admin,
 * SKU_PRICES, list price), worked out when read so a price an admin sets applies at once, the trend
 * included.
 */
import { addDays } from './seat-analytics';
import { utilizationOf, type CopilotSeatSummary, type SkuPrice, type Utilization } from './seat-savings';

/** The named group of seat holders whose directory entry has no department: they are counted, never dropped. */
export const NO_DEPARTMENT = '(No department)';

/** How many days of per-sync figures are kept and shown as the trend. */
export const DEPARTMENT_TREND_DAYS = 90;

/** One department's seats of one Copilot SKU, as a sync assessed them. */
export interface DepartmentSkuCounts {
  skuId: string;
  seats: number;
  active: number;
  /** Seats to reclaim (certain + probable). */
  idle: number;
}

/** One department's seat counts (per SKU, since each SKU has its own price). */
export interface DepartmentCounts {
  /** Lower-case name, '' for the no-department group: departments are compared case-insensitively. */
  key: string;
  /** As the directory spells it (one of its spellings), or NO_DEPARTMENT. */
  name: string;
  skus: DepartmentSkuCounts[];
}

/** The key a department is grouped and matched by: case-insensitive; empty or blank is no department. */
export function departmentKey(department: string | null): string {
  return department === null || department.trim() === '' ? '' : department.toLowerCase();
}

/**
 * Groups per-department, per-SKU counts (as a store groups them, possibly in several spellings of
 * one department) into one entry per department key, SKUs added up.
 */
export function groupDepartments(
  rows: Iterable<{ department: string | null } & DepartmentSkuCounts>,
): DepartmentCounts[] {
  const byKey = new Map<string, { name: string; skus: Map<string, DepartmentSkuCounts> }>();
  for (const row of rows) {
    const key = departmentKey(row.department);
    let entry = byKey.get(key);
    if (!entry) {
      entry = { name: key === '' ? NO_DEPARTMENT : (row.department ?? NO_DEPARTMENT), skus: new Map() };
      byKey.set(key, entry);
    }
    const sku = entry.skus.get(row.skuId) ?? { skuId: row.skuId, seats: 0, active: 0, idle: 0 };
    sku.seats += row.seats;
    sku.active += row.active;
    sku.idle += row.idle;
    entry.skus.set(row.skuId, sku);
  }
  return [...byKey].map(([key, e]) => ({ key, name: e.name, skus: [...e.skus.values()] }));
}

/**
 * The prices department money is worked out with: the tenant's price of each SKU held, and one
 * currency. Prices in several currencies are not added up (as savings does), so every cost is then
 * null; so is the cost of a department holding a SKU nobody priced.
 */
export interface CostBasis {
  currency: string | null;
  /** Per lower-case SKU id: the amount per user per month, or null when unpriced or in another currency. */
  amounts: ReadonlyMap<string, number | null>;
  warnings: string[];
}

export function costBasis(
  skus: ReadonlyArray<{ skuId: string; skuPartNumber: string; assigned: number }>,
  price: (skuId: string) => SkuPrice | null,
): CostBasis {
  const warnings: string[] = [];
  // Only SKUs someone holds count: a price in another currency on an unheld SKU changes nothing.
  const prices = skus.filter((s) => s.assigned > 0).map((s) => ({ ...s, price: price(s.skuId) }));
  const currencies = new Set(prices.flatMap((p) => (p.price ? [p.price.currency] : [])));
  const several = currencies.size > 1;
  if (several)
    warnings.push(
      `Prices are in several currencies (${[...currencies].join(', ')}), so department costs are not added up.`,
    );
  for (const p of prices)
    if (!p.price)
      warnings.push(
        `${p.skuPartNumber} has no price, so the departments holding it are not costed. Set one with "price ${p.skuPartNumber} ‹amount›".`,
      );
  return {
    currency: currencies.size === 1 ? [...currencies][0] : null,
    amounts: new Map(prices.map((p) => [p.skuId.toLowerCase(), several ? null : (p.price?.amount ?? null)])),
    warnings,
  };
}

/** Σ count × price over SKUs, a month; null when a SKU with seats counted has no usable price. */
export function monthlyCostOf(
  counts: ReadonlyArray<{ skuId: string; count: number }>,
  basis: CostBasis,
): number | null {
  let total = 0;
  for (const c of counts) {
    if (c.count === 0) continue;
    const amount = basis.amounts.get(c.skuId.toLowerCase());
    if (amount === undefined || amount === null) return null;
    total += c.count * amount;
  }
  return round2(total);
}

/**
 * What the tenant's idle Copilot seats (to reclaim: certain + probable) cost a month at its prices:
 * the figure the departments' idle costs add up to, computed from the sync's summary.
 */
export function idleMonthlyCostOf(
  summary: CopilotSeatSummary,
  price: (skuId: string) => SkuPrice | null,
): { amount: number | null; currency: string | null } {
  const basis = costBasis(summary.skus, price);
  const amount = monthlyCostOf(
    summary.skus.map((s) => ({ skuId: s.skuId, count: s.reclaimable.certain + s.reclaimable.probable })),
    basis,
  );
  return { amount, currency: basis.currency };
}

/** A department's (or a tenant's) chargeback figures. */
export interface DepartmentFigures {
  key: string;
  name: string;
  seats: number;
  active: number;
  idle: number;
  utilization: Utilization;
  /** All its Copilot seats a month; null when not costed (see CostBasis). */
  monthlyCost: number | null;
  /** What its idle seats cost a month; null when not costed. */
  idleMonthlyCost: number | null;
}

export function departmentFigures(counts: DepartmentCounts, basis: CostBasis): DepartmentFigures {
  const sum = (pick: (s: DepartmentSkuCounts) => number) => counts.skus.reduce((acc, s) => acc + pick(s), 0);
  const seats = sum((s) => s.seats);
  const active = sum((s) => s.active);
  return {
    key: counts.key,
    name: counts.name,
    seats,
    active,
    idle: sum((s) => s.idle),
    utilization: utilizationOf(active, seats),
    monthlyCost: monthlyCostOf(
      counts.skus.map((s) => ({ skuId: s.skuId, count: s.seats })),
      basis,
    ),
    idleMonthlyCost: monthlyCostOf(
      counts.skus.map((s) => ({ skuId: s.skuId, count: s.idle })),
      basis,
    ),
  };
}

/** The tenant's figures: the departments added up (a cost is null when any department's is). */
export function departmentTotals(departments: readonly DepartmentFigures[]): DepartmentFigures {
  const seats = departments.reduce((acc, d) => acc + d.seats, 0);
  const active = departments.reduce((acc, d) => acc + d.active, 0);
  const money = (pick: (d: DepartmentFigures) => number | null) =>
    departments.some((d) => pick(d) === null) ? null : round2(departments.reduce((acc, d) => acc + (pick(d) ?? 0), 0));
  return {
    key: '*',
    name: 'All departments',
    seats,
    active,
    idle: departments.reduce((acc, d) => acc + d.idle, 0),
    utilization: utilizationOf(active, seats),
    monthlyCost: money((d) => d.monthlyCost),
    idleMonthlyCost: money((d) => d.idleMonthlyCost),
  };
}

/** Most idle money first (uncosted ones by idle seats after the costed), then most idle seats, then name. */
export function compareByIdleCost(a: DepartmentFigures, b: DepartmentFigures): number {
  const costA = a.idleMonthlyCost ?? -1;
  const costB = b.idleMonthlyCost ?? -1;
  return costB - costA || b.idle - a.idle || a.name.localeCompare(b.name, 'en');
}

/** One day of a department's trend: the last sync of that (UTC) day. */
export interface DepartmentDay {
  day: string;
  counts: DepartmentCounts;
}

/** A trend point, costed at today's prices like every other figure. */
export interface DepartmentTrendPoint {
  date: string;
  seats: number;
  active: number;
  idle: number;
  /** Whole percent; null with no seats. */
  utilization: number | null;
  idleMonthlyCost: number | null;
}

export function trendPoint(day: DepartmentDay, basis: CostBasis): DepartmentTrendPoint {
  const f = departmentFigures(day.counts, basis);
  return {
    date: day.day,
    seats: f.seats,
    active: f.active,
    idle: f.idle,
    utilization: f.utilization.percent,
    idleMonthlyCost: f.idleMonthlyCost,
  };
}

/** The tenant's trend: each day's departments added up (departmentTotals), oldest first. */
export function totalsTrend(days: readonly DepartmentDay[], basis: CostBasis): DepartmentTrendPoint[] {
  const byDay = new Map<string, DepartmentFigures[]>();
  for (const d of days) {
    const figures = byDay.get(d.day) ?? [];
    figures.push(departmentFigures(d.counts, basis));
    byDay.set(d.day, figures);
  }
  return [...byDay]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([date, figures]) => {
      const t = departmentTotals(figures);
      return {
        date,
        seats: t.seats,
        active: t.active,
        idle: t.idle,
        utilization: t.utilization.percent,
        idleMonthlyCost: t.idleMonthlyCost,
      };
    });
}

/** The UTC day a sync's figures are filed under (the last sync of a day wins). */
export function trendDayOf(at: Date): string {
  return at.toISOString().slice(0, 10);
}

/** The first day kept: DEPARTMENT_TREND_DAYS days, today included. */
export function trendFirstDay(today: string): string {
  return addDays(today, -(DEPARTMENT_TREND_DAYS - 1));
}

/** "+3", "−2" or "±0": how idle seats moved since the first day of the trend. */
export function idleChangeText(points: readonly DepartmentTrendPoint[]): string {
  if (points.length < 2) return '';
  const change = (points.at(-1)?.idle ?? 0) - (points[0]?.idle ?? 0);
  return change > 0 ? `+${change}` : change < 0 ? `−${-change}` : '±0';
}

export interface DepartmentLine extends DepartmentFigures {
  /** One point per day with a sync, oldest first, over the last DEPARTMENT_TREND_DAYS days (empty when not asked for). */
  trend: DepartmentTrendPoint[];
}

/** A tenant's department chargeback: every department (none dropped), most idle money first, and the totals. */
export interface DepartmentReport {
  /** When the analytics were computed. */
  asOf: string;
  currency: string | null;
  departments: DepartmentLine[];
  /** The departments added up: the tenant's seats, active, idle and idle cost. */
  totals: DepartmentFigures;
  /** The departments added up, per day with a sync, oldest first. */
  totalsTrend: DepartmentTrendPoint[];
  /** The first day of the trend window. */
  trendFrom: string;
  trendDays: number;
  warnings: string[];
}

function round2(n: number): number {
  return Math.round(n * 100) / 100;
}
