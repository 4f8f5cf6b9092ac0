import { historyDayOf, historyFirstDay } from '../../domain/usage-history';
import { refreshCohorts } from '../cohorts/seat-cohorts-query';
import type { CohortMonthsStore, CohortReads } from '../cohorts/ports';
import type { RecordedDay, UserHistoryStore } from './ports';

/**
 * Files the users of a tenant's just-published snapshot under the UTC day of `at` (the time its
 * analytics were computed at, as the department trend files them), then, after the first sync of
 * that day, forgets what is older than `historyDays` days (HISTORY_DAYS), for every tenant: a daily
 * prune for as long as any tenant syncs, without a schedule of its own. Then works out the tenant's
 * seat cohorts from the history (every month after the first sync of a day, else the last two).
 */
export function recordHistoryDay(
  store: UserHistoryStore,
  request: { tenantId: string; snapshotId: number; at: Date; historyDays: number },
  cohorts?: { reads: CohortReads; store: CohortMonthsStore },
): RecordedDay {
  const day = historyDayOf(request.at);
  const outcome = store.recordDay({
    tenantId: request.tenantId,
    snapshotId: request.snapshotId,
    day,
    capturedAt: request.at.toISOString(),
  });
  const firstOfDay = outcome.recorded && !outcome.replacedDay;
  const pruned = firstOfDay ? store.prune(historyFirstDay(day, request.historyDays)) : null;
  const cohortMonths =
    cohorts && outcome.recorded
      ? refreshCohorts(cohorts, { tenantId: request.tenantId, at: request.at, all: firstOfDay })
      : 0;
  return { ...outcome, pruned, cohortMonths };
}
