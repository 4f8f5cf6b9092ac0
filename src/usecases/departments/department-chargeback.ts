import {
  compareByIdleCost,
  costBasis,
  DEPARTMENT_TREND_DAYS,
  departmentFigures,
  departmentTotals,
  trendDayOf,
  trendFirstDay,
  totalsTrend,
  trendPoint,
  type DepartmentReport,
  type DepartmentTrendPoint,
} from '../../domain/departments';
import { systemClock, type Clock } from '../../domain/clock';
import type { SkuPrice } from '../../domain/seat-savings';
import type { DepartmentSeatReads, DepartmentTrendStore } from './ports';

export interface DepartmentChargebackDeps {
  seats: DepartmentSeatReads;
  trend: DepartmentTrendStore;
  /** The tenant's price of each SKU (admin > SKU_PRICES > list price), from the one price service. */
  priceFor: (tenantId: string) => (skuId: string) => SkuPrice | null;
  /** Today, for the trend window (the sync files days by the same clock). Default: the system's. */
  clock?: Clock;
}

/**
 * Files the tenant's current per-department counts under the UTC day of `at` (a later sync the same
 * day replaces them) and forgets days older than the trend window. Called once a sync's analytics
 * are published; returns how many departments were filed (0 with no analytics).
 */
export function recordDepartmentDay(
  deps: Pick<DepartmentChargebackDeps, 'seats' | 'trend'>,
  tenantId: string,
  at: Date,
): number {
  const current = deps.seats.current(tenantId);
  if (!current) return 0;
  const day = trendDayOf(at);
  deps.trend.record(tenantId, day, current.snapshotId, current.departments, trendFirstDay(day));
  return current.departments.length;
}

/** Department chargeback: figures of the current analytics, and the daily trend each sync files. */
export class DepartmentChargeback {
  constructor(private readonly deps: DepartmentChargebackDeps) {}

  /** Undefined when the tenant has no seat analytics yet. `trend: false` skips reading the trend (the digest). */
  report(tenantId: string, options: { trend?: boolean } = {}): DepartmentReport | undefined {
    const now = (this.deps.clock ?? systemClock)();
    const current = this.deps.seats.current(tenantId);
    if (!current) return undefined;
    const basis = costBasis(current.skus, this.deps.priceFor(tenantId));
    const trendFrom = trendFirstDay(trendDayOf(now));
    const trends = new Map<string, DepartmentTrendPoint[]>();
    const days = options.trend === false ? [] : this.deps.trend.days(tenantId, trendFrom);
    for (const day of days) {
      const points = trends.get(day.counts.key) ?? [];
      points.push(trendPoint(day, basis));
      trends.set(day.counts.key, points);
    }
    const figures = current.departments.map((d) => departmentFigures(d, basis));
    return {
      asOf: current.asOf,
      currency: basis.currency,
      departments: figures.sort(compareByIdleCost).map((f) => ({ ...f, trend: trends.get(f.key) ?? [] })),
      totals: departmentTotals(figures),
      totalsTrend: totalsTrend(days, basis),
      trendFrom,
      trendDays: DEPARTMENT_TREND_DAYS,
      warnings: basis.warnings,
    };
  }
}
