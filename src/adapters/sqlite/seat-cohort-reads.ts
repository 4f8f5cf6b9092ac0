import { monthOf, type CohortInputs, type SeatInterval } from '../../domain/seat-cohorts';
import type { CohortReads } from '../../usecases/cohorts/ports';
import type { Db } from './database';
import { prepared } from './prepared';

interface IntervalRow {
  user_key: number;
  from_day: string;
  to_day: string | null;
  last_activity_date: string | null;
}

/**
 * The seat cohorts' reads: the tenant's captured days, its seat intervals in user order through
 * the partial index of seat intervals (migration 28: only has_copilot = 1 rows, in user and day
 * order, covering what is read, so the reduction per user needs no sort and no table lookup), and
 * reclaim removals.
 */
export class SqliteSeatCohortReads implements CohortReads {
  constructor(private readonly db: Db) {}

  historyFrom(tenantId: string): string | null {
    return prepared(this.db, 'SELECT MIN(day) FROM history_days WHERE tenant_id = ?').pluck().get(tenantId) as
      string | null;
  }

  reclaimedByMonth(tenantId: string, fromDay: string, toDay: string): Map<string, number> {
    // A tenant's removed seats (counted per month here: a handful of rows, no sort in SQLite).
    const reclaimedByMonth = new Map<string, number>();
    const removedAt = prepared(
      this.db,
      `SELECT i.removed_at FROM reclaim_items i INDEXED BY reclaim_items_by_tenant_state
         JOIN reclaim_requests r ON r.id = i.request_id
        WHERE i.tenant_id = ? AND i.state = 'removed' AND r.mode = 'on' AND i.removed_at >= ? AND i.removed_at < ?`,
    )
      .pluck()
      .all(tenantId, fromDay, `${toDay}T99`) as string[];
    for (const at of removedAt) reclaimedByMonth.set(monthOf(at), (reclaimedByMonth.get(monthOf(at)) ?? 0) + 1);
    return reclaimedByMonth;
  }

  inputs(tenantId: string, fromDay: string, toDay: string): CohortInputs | undefined {
    const firstCapturedDay = this.historyFrom(tenantId);
    if (firstCapturedDay === null) return undefined;
    // From the captured day before the range: an interval ending there tells whether a seat held on
    // the range's first captured day is a new one or one held since before.
    const readFrom =
      (prepared(this.db, 'SELECT MAX(day) FROM history_days WHERE tenant_id = ? AND day < ?')
        .pluck()
        .get(tenantId, fromDay) as string | null) ?? fromDay;
    const capturedDays = prepared(
      this.db,
      'SELECT day FROM history_days WHERE tenant_id = ? AND day >= ? AND day <= ? ORDER BY day',
    )
      .pluck()
      .all(tenantId, readFrom, toDay) as string[];
    const reclaimedByMonth = this.reclaimedByMonth(tenantId, fromDay, toDay);
    // Iterated last: nothing else runs on the connection while the rows stream.
    const rows = prepared(
      this.db,
      `SELECT user_key, from_day, to_day, last_activity_date FROM user_history INDEXED BY user_history_seat_intervals
        WHERE tenant_id = ? AND has_copilot = 1 AND from_day <= ? AND (to_day IS NULL OR to_day >= ?)
        ORDER BY user_key, from_day`,
    ).iterate(tenantId, toDay, readFrom) as Iterable<IntervalRow>;
    const seatIntervals = (function* (): Iterable<SeatInterval> {
      for (const r of rows)
        yield { userKey: r.user_key, fromDay: r.from_day, toDay: r.to_day, lastActivityDate: r.last_activity_date };
    })();
    return {
      capturedDays,
      firstCapturedDay,
      seatIntervals,
      reclaimedByMonth,
    };
  }
}
