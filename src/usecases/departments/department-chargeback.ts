import {
  compareByIdleCost,
  costBasis,
  DEPARTMENT_TREND_DAYS,
  departmentFigures,
  departmentTotals,
  trendDayOf,
  trendFirstDay,
  trendPoint,
  type DepartmentFigures,
  type DepartmentTrendPoint,
} from '../../domain/departments';
import type { SkuPrice } from '../../domain/seat-savings';
import type { DepartmentSeatReads, DepartmentTrendStore } from './ports';

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
  /** The first day of the trend window. */
  trendFrom: string;
  trendDays: number;
  warnings: string[];
}

export interface DepartmentChargebackDeps {
  seats: DepartmentSeatReads;
  trend: DepartmentTrendStore;
  /** The tenant's price of each SKU (admin > SKU_PRICES > list price), from the one price service. */
  priceFor: (tenantId: string) => (skuId: string) => SkuPrice | null;
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
  report(tenantId: string, now: Date, options: { trend?: boolean } = {}): DepartmentReport | undefined {
    const current = this.deps.seats.current(tenantId);
    if (!current) return undefined;
    const basis = costBasis(current.skus, this.deps.priceFor(tenantId));
    const trendFrom = trendFirstDay(trendDayOf(now));
    const trends = new Map<string, DepartmentTrendPoint[]>();
    if (options.trend !== false)
      for (const day of this.deps.trend.days(tenantId, trendFrom)) {
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
      trendFrom,
      trendDays: DEPARTMENT_TREND_DAYS,
      warnings: basis.warnings,
    };
  }
}
