import type { CohortInputs } from '../../domain/seat-cohorts';

/** What the seat cohorts read from the daily history and the reclaim records. */
export interface CohortReads {
  /**
   * The history of `fromDay`..`toDay` (UTC days): the captured days from the one before `fromDay`
   * on, the seat intervals that reach into the range, and the reclaim removals per month in it.
   * Undefined when the tenant has no history yet.
   */
  inputs(tenantId: string, fromDay: string, toDay: string): CohortInputs | undefined;
}
