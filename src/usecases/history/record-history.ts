import { historyDayOf, historyFirstDay } from '../../domain/usage-history';
import type { HistoryDayOutcome, HistoryPruneOutcome, UserHistoryStore } from './ports';

/**
 * Files the users of a tenant's just-published snapshot under the UTC day of `at` (the time its
 * analytics were computed at, as the department trend files them), then, after the first sync of
 * that day, forgets what is older than `historyDays` days (HISTORY_DAYS), for every tenant: a daily
 * prune for as long as any tenant syncs, without a schedule of its own.
 */
export function recordHistoryDay(
  store: UserHistoryStore,
  request: { tenantId: string; snapshotId: number; at: Date; historyDays: number },
): HistoryDayOutcome & { pruned: HistoryPruneOutcome | null } {
  const day = historyDayOf(request.at);
  const outcome = store.recordDay({
    tenantId: request.tenantId,
    snapshotId: request.snapshotId,
    day,
    capturedAt: request.at.toISOString(),
  });
  const pruned =
    outcome.recorded && !outcome.replacedDay ? store.prune(historyFirstDay(day, request.historyDays)) : null;
  return { ...outcome, pruned };
}
