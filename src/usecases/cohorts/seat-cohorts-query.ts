import { systemClock, type Clock } from '../../domain/clock';
import { cohortMonths, monthBounds, previousMonth, seatCohorts, type CohortMonth } from '../../domain/seat-cohorts';
import type { CohortReads } from './ports';

/** The most months one request covers (a little over HISTORY_DAYS' default of 400 days). */
export const MAX_COHORT_MONTHS = 24;

export interface SeatCohortReport {
  /** Newest first; the first is the current, partial month. */
  months: CohortMonth[];
  /** The first captured day of the tenant's kept history. */
  historyFrom: string | null;
}

/** Seat cohorts per month of a tenant, from its daily history (see src/domain/seat-cohorts.ts). */
export class SeatCohortsQuery {
  constructor(
    private readonly reads: CohortReads,
    private readonly clock: Clock = systemClock,
  ) {}

  /** The last `count` months (the current one included), newest first; undefined before the tenant's first recorded day. */
  report(tenantId: string, count: number): SeatCohortReport | undefined {
    const now = this.clock();
    const months = cohortMonths(now, Math.max(1, Math.min(MAX_COHORT_MONTHS, count)));
    // The month before the oldest one too: its activity decides retained, reactivated and lapsed.
    const from = monthBounds(previousMonth(months[months.length - 1])).first;
    const to = monthBounds(months[0]).last;
    const inputs = this.reads.inputs(tenantId, from, to);
    if (!inputs) return undefined;
    return { months: seatCohorts(inputs, months, now), historyFrom: inputs.firstCapturedDay };
  }
}
