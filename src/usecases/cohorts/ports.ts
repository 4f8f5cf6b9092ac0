import type { CohortInputs, CohortMonth } from '../../domain/seat-cohorts';

/** What the seat cohorts read from the daily history and the reclaim records. */
export interface CohortReads {
  /**
   * The history of `fromDay`..`toDay` (UTC days): the captured days from the one before `fromDay`
   * on, the seat intervals that reach into the range, and the reclaim removals per month in it.
   * Undefined when the tenant has no history yet.
   */
  inputs(tenantId: string, fromDay: string, toDay: string): CohortInputs | undefined;
  /** The first captured day of the tenant's kept history; null without history. */
  historyFrom(tenantId: string): string | null;
  /** Seats removed through the reclaim workflow and not undone, per month (YYYY-MM), removed in `fromDay`..`toDay`. */
  reclaimedByMonth(tenantId: string, fromDay: string, toDay: string): Map<string, number>;
}

/** The cohort figures as last worked out, per month (reclaimed and partial are read live). */
export interface StoredCohorts {
  computedAt: string;
  months: CohortMonth[];
}

/** Where the figures of each month are kept between their computation (after a recorded sync) and the reads. */
export interface CohortMonthsStore {
  /** Stores `months` (replacing those months' figures); with `keepFrom`, forgets months before it (pruned history). */
  save(tenantId: string, months: readonly CohortMonth[], computedAt: string, keepFrom?: string): void;
  /** The stored months in `fromMonth`..`toMonth`; undefined when none were ever computed for the tenant. */
  read(tenantId: string, fromMonth: string, toMonth: string): StoredCohorts | undefined;
}
