import { systemClock, type Clock } from '../../domain/clock';
import {
  cohortMonths,
  monthBounds,
  monthOf,
  previousMonth,
  seatCohorts,
  type CohortMonth,
} from '../../domain/seat-cohorts';
import type { CohortMonthsStore, CohortReads } from './ports';

/** The most months one request covers, and the most kept (a little over HISTORY_DAYS' default of 400 days). */
export const MAX_COHORT_MONTHS = 24;

export interface SeatCohortReport {
  /** Newest first; the first is the current, partial month. */
  months: CohortMonth[];
  /** The first captured day of the tenant's kept history. */
  historyFrom: string | null;
  /** When the figures were worked out (after a recorded sync). */
  asOf: string;
}

/** The months `from`..`to` (YYYY-MM), newest first. */
function monthsBetween(from: string, to: string): string[] {
  const out: string[] = [];
  for (let m = to; m >= from && out.length < MAX_COHORT_MONTHS; m = previousMonth(m)) out.push(m);
  return out;
}

/**
 * Works out and stores the seat cohorts of a tenant after a sync's day was recorded (on the snapshot
 * writer thread, beside the recording): `all` (the first sync of a day) every month of the kept
 * history, since a late first use or the prune can change an old month; otherwise this month and
 * the last (activity reported late belongs to last month), which a later sync the same day changes.
 */
export function refreshCohorts(
  deps: { reads: CohortReads; store: CohortMonthsStore },
  request: { tenantId: string; at: Date; all: boolean },
): number {
  const { tenantId, at } = request;
  const first = deps.reads.historyFrom(tenantId);
  if (first === null) return 0;
  const current = monthOf(at.toISOString());
  const oldest = request.all ? monthOf(first) : previousMonth(current);
  const months = monthsBetween(oldest, current);
  if (months.length === 0) return 0;
  // The month before the oldest too: its activity decides retained, reactivated and lapsed.
  const inputs = deps.reads.inputs(
    tenantId,
    monthBounds(previousMonth(months[months.length - 1])).first,
    monthBounds(current).last,
  );
  if (!inputs) return 0;
  deps.store.save(
    tenantId,
    seatCohorts(inputs, months, at),
    at.toISOString(),
    request.all ? months[months.length - 1] : undefined,
  );
  return months.length;
}

/** Seat cohorts per month of a tenant, as last worked out from its daily history (see src/domain/seat-cohorts.ts). */
export class SeatCohortsQuery {
  constructor(
    private readonly reads: CohortReads,
    private readonly store: CohortMonthsStore,
    private readonly clock: Clock = systemClock,
  ) {}

  /**
   * The last `count` months (the current one included), newest first; undefined before the
   * figures were first worked out. A month without history has zeros (captured_days 0); reclaimed
   * seats are counted now, and the current month is marked partial.
   */
  report(tenantId: string, count: number): SeatCohortReport | undefined {
    const now = this.clock();
    const months = cohortMonths(now, Math.max(1, Math.min(MAX_COHORT_MONTHS, count)));
    const oldest = months[months.length - 1];
    const stored = this.store.read(tenantId, oldest, months[0]);
    if (!stored) return undefined;
    const byMonth = new Map(stored.months.map((m) => [m.month, m]));
    const reclaimed = this.reads.reclaimedByMonth(tenantId, monthBounds(oldest).first, monthBounds(months[0]).last);
    const current = months[0];
    return {
      months: months.map((month) => ({
        ...(byMonth.get(month) ?? emptyMonth(month)),
        partial: month === current,
        reclaimed: reclaimed.get(month) ?? 0,
      })),
      historyFrom: this.reads.historyFrom(tenantId),
      asOf: stored.computedAt,
    };
  }
}

function emptyMonth(month: string): CohortMonth {
  return {
    month,
    capturedDays: 0,
    partial: false,
    seatHolders: 0,
    active: 0,
    retained: null,
    reactivated: null,
    lapsed: null,
    reclaimed: 0,
    newlyAssigned: 0,
    firstUse: { used: 0, medianDays: null },
  };
}
