import type { StoredSeat } from '../../domain/seat-records';
import type { NewerActivityReads, ReclaimSeatReads } from '../../usecases/reclaim/ports';
import type { Db } from './database';
import { prepared } from './prepared';
import { toSeat, type SeatDbRow } from './analytics-reads';

/**
 * The reclaim's reads of the current analytics: seats by holder (for a request) and the newest
 * Copilot activity the cache knows (for the re-check: a sync after the request brings a fresher
 * report row, the audit ingestion a fresher interaction).
 */
export class SqliteReclaimSeats implements ReclaimSeatReads, NewerActivityReads {
  constructor(private readonly db: Db) {}

  private snapshot(tenantId: string): number | undefined {
    return prepared(
      this.db,
      'SELECT s.snapshot_id FROM tenants t JOIN copilot_summaries s ON s.tenant_id = t.id AND s.snapshot_id = t.current_snapshot_id WHERE t.id = ?',
    )
      .pluck()
      .get(tenantId) as number | undefined;
  }

  seatsOf(
    tenantId: string,
    users: readonly string[],
  ): { snapshotId: number; seats: StoredSeat[]; unknown: string[] } | undefined {
    const snapshotId = this.snapshot(tenantId);
    if (snapshotId === undefined) return undefined;
    const byId = prepared(
      this.db,
      'SELECT * FROM copilot_seats INDEXED BY copilot_seats_by_user_id WHERE tenant_id = ? AND snapshot_id = ? AND user_id = ? ORDER BY seq',
    );
    const byUpn = prepared(
      this.db,
      'SELECT * FROM copilot_seats INDEXED BY copilot_seats_by_user WHERE tenant_id = ? AND snapshot_id = ? AND user_principal_name = ? COLLATE NOCASE',
    );
    const seats: StoredSeat[] = [];
    const unknown: string[] = [];
    const seen = new Set<string>();
    for (const raw of users) {
      const key = raw.trim();
      const rows = (
        key.includes('@') ? byUpn.all(tenantId, snapshotId, key) : byId.all(tenantId, snapshotId, key.toLowerCase())
      ) as SeatDbRow[];
      if (rows.length === 0) unknown.push(key);
      for (const row of rows) {
        const id = `${row.user_id}|${row.sku_id}`;
        if (!seen.has(id)) seats.push(toSeat(row));
        seen.add(id);
      }
    }
    return { snapshotId, seats, unknown };
  }

  reclaimable(
    tenantId: string,
    tier: 'certain' | 'probable' | 'all',
    limit: number,
  ): { snapshotId: number; seats: StoredSeat[] } | undefined {
    const snapshotId = this.snapshot(tenantId);
    if (snapshotId === undefined) return undefined;
    const rows = (
      tier === 'all'
        ? prepared(
            this.db,
            "SELECT * FROM copilot_seats INDEXED BY copilot_seats_by_recommendation WHERE tenant_id = ? AND snapshot_id = ? AND recommendation = 'reclaim' ORDER BY tier, seq LIMIT ?",
          ).all(tenantId, snapshotId, limit)
        : prepared(
            this.db,
            "SELECT * FROM copilot_seats INDEXED BY copilot_seats_by_recommendation WHERE tenant_id = ? AND snapshot_id = ? AND recommendation = 'reclaim' AND tier = ? ORDER BY seq LIMIT ?",
          ).all(tenantId, snapshotId, tier, limit)
    ) as SeatDbRow[];
    return { snapshotId, seats: rows.map(toSeat) };
  }

  newerThan(
    tenantId: string,
    userId: string,
    userPrincipalName: string,
    afterDay: string | null,
  ): { at: string; source: 'copilot_usage_report' | 'audit_log' } | null {
    const candidates: Array<{ at: string; source: 'copilot_usage_report' | 'audit_log' }> = [];
    const current = this.seatsOf(tenantId, [userId])?.seats[0];
    if (current?.lastActivityDate && current.lastActivitySource)
      candidates.push({ at: current.lastActivityDate, source: current.lastActivitySource });
    const audit = prepared(this.db, 'SELECT last_at FROM copilot_last_interactions WHERE tenant_id = ? AND upn = ?')
      .pluck()
      .get(tenantId, userPrincipalName.toLowerCase()) as string | undefined;
    if (audit) candidates.push({ at: audit, source: 'audit_log' });
    const newer = candidates
      .filter((c) => afterDay === null || c.at.slice(0, 10) > afterDay.slice(0, 10))
      .sort((a, b) => (a.at < b.at ? 1 : -1));
    return newer[0] ?? null;
  }
}
