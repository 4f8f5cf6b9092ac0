import type { Db } from '../../src/adapters/sqlite/database';

/**
 * Daily history written straight into a real SQLite file, exactly as migration 25 means it, for the
 * star-schema tests while the recorder (another part of issue 17) is not on this branch:
 * - history_user_keys: one key per tenant and Entra user, never reused;
 * - history_days: one row per captured UTC day (its snapshot);
 * - user_history: runs of days with the same values, a run covering every captured day from
 *   from_day to to_day (both included; NULL: still current). A changed value closes the open run on
 *   the previous captured day and opens one on the new day; a user missing from a day closes theirs.
 */
export interface HistoryUserDay {
  userId: string;
  hasCopilot: boolean;
  copilotStatus: 'active' | 'inactive' | 'unknown' | null;
  usageScore: number | null;
  lastActivityDate: string | null;
  licenses: string[];
  department: string | null;
}

interface OpenRun {
  user_key: number;
  from_day: string;
  has_copilot: number;
  copilot_status: string | null;
  usage_score: number | null;
  last_activity_date: string | null;
  licenses: string;
  department: string | null;
}

export class HistoryFixture {
  constructor(
    private readonly db: Db,
    private readonly tenantId: string,
  ) {}

  userKey(userId: string): number {
    this.db
      .prepare('INSERT OR IGNORE INTO history_user_keys (tenant_id, user_id) VALUES (?, ?)')
      .run(this.tenantId, userId);
    return this.db
      .prepare('SELECT user_key FROM history_user_keys WHERE tenant_id = ? AND user_id = ?')
      .pluck()
      .get(this.tenantId, userId) as number;
  }

  /** Records one captured day, after every day recorded so far. */
  recordDay(day: string, users: readonly HistoryUserDay[], snapshotId = 1): void {
    const last = this.db.prepare('SELECT MAX(day) FROM history_days WHERE tenant_id = ?').pluck().get(this.tenantId) as
      string | null;
    if (last !== null && day <= last) throw new Error(`history fixture: ${day} is not after the last day ${last}`);
    this.db.transaction(() => {
      this.db
        .prepare('INSERT INTO history_days (tenant_id, day, snapshot_id, captured_at) VALUES (?, ?, ?, ?)')
        .run(this.tenantId, day, snapshotId, `${day}T06:00:00.000Z`);
      const open = new Map(
        (
          this.db
            .prepare('SELECT * FROM user_history WHERE tenant_id = ? AND to_day IS NULL')
            .all(this.tenantId) as OpenRun[]
        ).map((r) => [r.user_key, r]),
      );
      const close = this.db.prepare(
        'UPDATE user_history SET to_day = ? WHERE tenant_id = ? AND user_key = ? AND from_day = ?',
      );
      const insert = this.db.prepare(
        `INSERT INTO user_history (tenant_id, user_key, from_day, to_day, has_copilot, copilot_status, usage_score,
                                   last_activity_date, licenses, department)
         VALUES (?, ?, ?, NULL, ?, ?, ?, ?, ?, ?)`,
      );
      for (const u of users) {
        const key = this.userKey(u.userId);
        const licenses = JSON.stringify([...u.licenses].sort());
        const run = open.get(key);
        open.delete(key);
        if (
          run &&
          run.has_copilot === (u.hasCopilot ? 1 : 0) &&
          run.copilot_status === u.copilotStatus &&
          run.usage_score === u.usageScore &&
          run.last_activity_date === u.lastActivityDate &&
          run.licenses === licenses &&
          run.department === u.department
        )
          continue;
        if (run) close.run(last, this.tenantId, key, run.from_day);
        insert.run(
          this.tenantId,
          key,
          day,
          u.hasCopilot ? 1 : 0,
          u.copilotStatus,
          u.usageScore,
          u.lastActivityDate,
          licenses,
          u.department,
        );
      }
      // Users not in the directory that day: their run ends on the previous captured day.
      for (const run of open.values()) close.run(last, this.tenantId, run.user_key, run.from_day);
    })();
  }

  /**
   * The users of the tenant's current snapshot as the recorder would take them from the analytics
   * just computed: the seat's status, score and last activity for Copilot seat holders (their
   * first seat when they hold several), the SKUs held, the department.
   */
  usersFromAnalytics(): HistoryUserDay[] {
    const snapshotId = this.db
      .prepare('SELECT current_snapshot_id FROM tenants WHERE id = ?')
      .pluck()
      .get(this.tenantId) as number;
    const users = this.db
      .prepare(
        'SELECT user_seq, user_id, department FROM users WHERE tenant_id = ? AND snapshot_id = ? ORDER BY user_seq',
      )
      .all(this.tenantId, snapshotId) as Array<{ user_seq: number; user_id: string; department: string | null }>;
    const licenses = new Map<number, Set<string>>();
    for (const l of this.db
      .prepare('SELECT user_seq, sku_id FROM user_licenses WHERE tenant_id = ? AND snapshot_id = ?')
      .all(this.tenantId, snapshotId) as Array<{ user_seq: number; sku_id: string }>) {
      const set = licenses.get(l.user_seq) ?? new Set<string>();
      set.add(l.sku_id.toLowerCase());
      licenses.set(l.user_seq, set);
    }
    const seats = new Map<string, { status: string; usage_score: number; last_activity_date: string | null }>();
    for (const s of this.db
      .prepare(
        'SELECT user_id, status, usage_score, last_activity_date FROM copilot_seats WHERE tenant_id = ? AND snapshot_id = ? ORDER BY seq',
      )
      .all(this.tenantId, snapshotId) as Array<{
      user_id: string;
      status: string;
      usage_score: number;
      last_activity_date: string | null;
    }>)
      if (!seats.has(s.user_id)) seats.set(s.user_id, s);
    return users.map((u) => {
      const seat = seats.get(u.user_id);
      return {
        userId: u.user_id,
        hasCopilot: seat !== undefined,
        copilotStatus: (seat?.status ?? null) as HistoryUserDay['copilotStatus'],
        usageScore: seat?.usage_score ?? null,
        lastActivityDate: seat?.last_activity_date?.slice(0, 10) ?? null,
        licenses: [...(licenses.get(u.user_seq) ?? [])],
        department: u.department,
      };
    });
  }
}
