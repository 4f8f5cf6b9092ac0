import { addDays } from '../../domain/seat-analytics';
import type { HistoryDayOutcome, HistoryPruneOutcome, UserHistoryStore } from '../../usecases/history/ports';
import { type Db, writeTransaction } from './database';
import { prepared } from './prepared';

/** The later of two ISO days or date-times, as a day; NULL when both are. */
const LATER_DAY = (a: string, b: string) =>
  `CASE WHEN ${a} IS NULL THEN substr(${b}, 1, 10) WHEN ${b} IS NULL OR substr(${a}, 1, 10) >= substr(${b}, 1, 10) THEN substr(${a}, 1, 10) ELSE substr(${b}, 1, 10) END`;

/**
 * The day's values of every user of a snapshot, one row per user id, in a temporary table private
 * to this connection (the writer thread's). Built in one statement inside SQLite (at 100,000 users
 * no row reaches JavaScript) and before the write transaction: it reads only the published
 * snapshot, which no longer changes, so the write lock is held for the comparison alone.
 *
 * - has_copilot: the user holds a Copilot seat in the snapshot's seat analytics (an assignment in
 *   effect of a Copilot SKU).
 * - copilot_status, usage_score: the seat's, as the analytics decided them that day. A user holding
 *   several Copilot SKUs gets the best of their seats: active over unknown over inactive, the highest
 *   score (their activity is the same; only a young seat can differ).
 * - last_activity_date: the day of the user's latest Copilot evidence. For a seat holder, the seat's
 *   (the usage report's last activity or the audit log's last interaction, the later); for anyone
 *   else the same two sources read directly (Copilot Chat needs no seat).
 * - licenses: the sorted, distinct SKU ids of the user's assignments in effect (isActiveAssignment).
 * - department: Entra's, trimmed; NULL when empty.
 */
const DAY_VALUES = `
  INSERT OR IGNORE INTO temp.history_day_values
    (user_id, has_copilot, copilot_status, usage_score, last_activity_date, licenses, department)
  SELECT u.user_id,
         s.user_id IS NOT NULL,
         s.status,
         s.score,
         CASE WHEN s.user_id IS NOT NULL THEN s.last_activity ELSE ${LATER_DAY('r.last_activity_date', 'i.last_at')} END,
         (SELECT json_group_array(sku_id ORDER BY sku_id) FROM (
            SELECT DISTINCT l.sku_id FROM user_licenses l
             WHERE l.tenant_id = u.tenant_id AND l.snapshot_id = u.snapshot_id AND l.user_seq = u.user_seq
               AND (l.state IS NULL OR l.state IN ('Active', 'ActiveWithError')))),
         NULLIF(trim(u.department), '')
    FROM users u
    LEFT JOIN (
      SELECT user_id,
             CASE WHEN MAX(status = 'active') THEN 'active' WHEN MAX(status = 'unknown') THEN 'unknown' ELSE 'inactive' END AS status,
             MAX(usage_score) AS score,
             MAX(last_activity_date) AS last_activity
        FROM copilot_seats
       WHERE tenant_id = @tenant AND snapshot_id = @snapshot
       GROUP BY user_id
    ) s ON s.user_id = u.user_id
    LEFT JOIN copilot_usage_users r ON r.tenant_id = u.tenant_id AND r.generation = @generation AND r.upn = lower(u.user_principal_name)
    LEFT JOIN copilot_last_interactions i ON i.tenant_id = u.tenant_id AND i.upn = lower(u.user_principal_name)
   WHERE u.tenant_id = @tenant AND u.snapshot_id = @snapshot`;

/** The open interval has exactly the day's values (IS: NULL equals NULL). */
const SAME_VALUES = `d.has_copilot = h.has_copilot AND d.copilot_status IS h.copilot_status AND d.usage_score IS h.usage_score
  AND d.last_activity_date IS h.last_activity_date AND d.licenses = h.licenses AND d.department IS h.department`;

/**
 * The daily history of migration 25. Intervals cover captured days (history_days): from_day is the
 * first captured day with the values, to_day the last (NULL while they are still current), so a user
 * whose values do not change costs no write. A user is absent from the history on a captured day no
 * interval of theirs covers (not in that snapshot).
 */
// INDEXED BY throughout: without statistics the planner would read a tenant's whole history by its
// primary key for "the intervals open" or "those starting on a day", which grow by the day.
export class SqliteUserHistory implements UserHistoryStore {
  constructor(private readonly db: Db) {}

  recordDay(request: { tenantId: string; snapshotId: number; day: string; capturedAt: string }): HistoryDayOutcome {
    const { tenantId, snapshotId, day, capturedAt } = request;
    this.db.exec(`CREATE TEMP TABLE IF NOT EXISTS history_day_values (
      user_id TEXT PRIMARY KEY, has_copilot INTEGER NOT NULL, copilot_status TEXT, usage_score INTEGER,
      last_activity_date TEXT, licenses TEXT NOT NULL, department TEXT)`);
    const generation =
      (prepared(this.db, "SELECT generation FROM report_generations WHERE tenant_id = ? AND report = 'copilot_usage'")
        .pluck()
        .get(tenantId) as number | undefined) ?? -1;
    prepared(this.db, 'DELETE FROM temp.history_day_values').run();
    const users = prepared(this.db, DAY_VALUES).run({ tenant: tenantId, snapshot: snapshotId, generation }).changes;
    try {
      return writeTransaction(this.db, (): HistoryDayOutcome => {
        const latest = prepared(this.db, 'SELECT MAX(day) FROM history_days WHERE tenant_id = ?')
          .pluck()
          .get(tenantId) as string | null;
        if (latest !== null && latest > day)
          return { day, recorded: false, replacedDay: false, users: 0, opened: 0, closed: 0 };
        // The last captured day before this one: where intervals that end now are closed.
        const previous = prepared(this.db, 'SELECT MAX(day) FROM history_days WHERE tenant_id = ? AND day < ?')
          .pluck()
          .get(tenantId, day) as string | null;
        const replacedDay = latest === day;
        if (replacedDay) {
          // An earlier sync today opened intervals at `day` and closed others at `previous`: undone, so
          // this sync's values replace the day's as if it were the first.
          prepared(
            this.db,
            'DELETE FROM user_history INDEXED BY user_history_by_day WHERE tenant_id = ? AND from_day = ?',
          ).run(tenantId, day);
          if (previous !== null)
            prepared(
              this.db,
              'UPDATE user_history INDEXED BY user_history_open SET to_day = NULL WHERE tenant_id = ? AND to_day = ?',
            ).run(tenantId, previous);
        }
        prepared(
          this.db,
          `INSERT OR IGNORE INTO history_user_keys (tenant_id, user_id)
           SELECT @tenant, user_id FROM temp.history_day_values`,
        ).run({ tenant: tenantId });
        // Open intervals whose user is missing or has other values today end on the last captured day before it.
        const closed = prepared(
          this.db,
          `UPDATE user_history AS h INDEXED BY user_history_open SET to_day = max(h.from_day, @closeDay)
            WHERE h.tenant_id = @tenant AND h.to_day IS NULL
              AND NOT EXISTS (SELECT 1 FROM history_user_keys k JOIN temp.history_day_values d ON d.user_id = k.user_id
                               WHERE k.user_key = h.user_key AND ${SAME_VALUES})`,
        ).run({ tenant: tenantId, closeDay: previous ?? addDays(day, -1) }).changes;
        // Users left without an open interval (new, back, or changed) start one today.
        const opened = prepared(
          this.db,
          `INSERT INTO user_history
             (tenant_id, user_key, from_day, to_day, has_copilot, copilot_status, usage_score, last_activity_date, licenses, department)
           SELECT @tenant, k.user_key, @day, NULL, d.has_copilot, d.copilot_status, d.usage_score, d.last_activity_date, d.licenses, d.department
             FROM temp.history_day_values d
             JOIN history_user_keys k ON k.tenant_id = @tenant AND k.user_id = d.user_id
            WHERE NOT EXISTS (SELECT 1 FROM user_history h WHERE h.tenant_id = @tenant AND h.user_key = k.user_key AND h.to_day IS NULL)`,
        ).run({ tenant: tenantId, day }).changes;
        prepared(
          this.db,
          `INSERT INTO history_days (tenant_id, day, snapshot_id, captured_at) VALUES (?, ?, ?, ?)
           ON CONFLICT (tenant_id, day) DO UPDATE SET snapshot_id = excluded.snapshot_id, captured_at = excluded.captured_at`,
        ).run(tenantId, day, snapshotId, capturedAt);
        return { day, recorded: true, replacedDay, users, opened, closed };
      })();
    } finally {
      prepared(this.db, 'DELETE FROM temp.history_day_values').run();
    }
  }

  prune(firstDay: string): HistoryPruneOutcome {
    return writeTransaction(this.db, (): HistoryPruneOutcome => {
      const out: HistoryPruneOutcome = { intervalsDeleted: 0, intervalsTrimmed: 0, daysDeleted: 0 };
      // Every tenant, not only those with history days: an interval outlives the days it covers.
      const tenants = prepared(this.db, 'SELECT id FROM tenants').pluck().all() as string[];
      for (const tenantId of tenants) {
        out.intervalsDeleted += prepared(
          this.db,
          'DELETE FROM user_history INDEXED BY user_history_open WHERE tenant_id = ? AND to_day < ?',
        ).run(tenantId, firstDay).changes;
        // What is left starting before the cutoff spans it (or is still open): it keeps its part from the cutoff.
        out.intervalsTrimmed += prepared(
          this.db,
          'UPDATE user_history INDEXED BY user_history_by_day SET from_day = ? WHERE tenant_id = ? AND from_day < ?',
        ).run(firstDay, tenantId, firstDay).changes;
        out.daysDeleted += prepared(this.db, 'DELETE FROM history_days WHERE tenant_id = ? AND day < ?').run(
          tenantId,
          firstDay,
        ).changes;
      }
      return out;
    })();
  }
}
