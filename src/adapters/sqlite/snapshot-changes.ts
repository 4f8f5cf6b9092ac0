import { directoryChanges, type SnapshotChangeSet, type UserHoldings } from '../../domain/snapshot-changes';
import type { Db } from './database';

/**
 * What a new (not yet published) snapshot changes against the tenant's published one. Run on the
 * writer thread while both snapshots' rows are there. SQL narrows 100,000 users to the few whose
 * rows differ (a set difference over the licence rows and the user ids, which SQLite does in
 * sorted passes without a round-trip per user); only those users are read into JavaScript, where
 * the domain rule (directoryChanges) decides what counts as a change.
 */
export function readSnapshotChanges(db: Db, tenantId: string, snapshotId: number): SnapshotChangeSet {
  const from = db.prepare('SELECT current_snapshot_id FROM tenants WHERE id = ?').pluck().get(tenantId) as
    number | null | undefined;
  if (from === null || from === undefined || from === snapshotId) return { baseline: true };
  const p = { t: tenantId, n: snapshotId, o: from };
  db.exec('CREATE TEMP TABLE IF NOT EXISTS changed_users (user_id TEXT PRIMARY KEY) WITHOUT ROWID');
  try {
    db.exec('DELETE FROM temp.changed_users');
    db.prepare(
      `WITH n AS (SELECT user_id, sku_id, assigned_by_group_id, state FROM user_licenses WHERE tenant_id = @t AND snapshot_id = @n),
            o AS (SELECT user_id, sku_id, assigned_by_group_id, state FROM user_licenses WHERE tenant_id = @t AND snapshot_id = @o),
            nu AS (SELECT user_id FROM users WHERE tenant_id = @t AND snapshot_id = @n),
            ou AS (SELECT user_id FROM users WHERE tenant_id = @t AND snapshot_id = @o)
       INSERT INTO temp.changed_users (user_id)
       SELECT user_id FROM (SELECT * FROM n EXCEPT SELECT * FROM o)
       UNION SELECT user_id FROM (SELECT * FROM o EXCEPT SELECT * FROM n)
       UNION SELECT user_id FROM (SELECT user_id FROM nu EXCEPT SELECT user_id FROM ou)
       UNION SELECT user_id FROM (SELECT user_id FROM ou EXCEPT SELECT user_id FROM nu)`,
    ).run(p);
    const read = db.prepare(
      `SELECT u.user_id, u.user_principal_name, u.display_name, l.sku_id, l.assigned_by_group_id, l.state
         FROM temp.changed_users c
         JOIN users u ON u.tenant_id = @t AND u.snapshot_id = @s AND u.user_id = c.user_id
         LEFT JOIN user_licenses l ON l.tenant_id = u.tenant_id AND l.snapshot_id = u.snapshot_id AND l.user_seq = u.user_seq`,
    );
    const holdingsOf = (s: number): UserHoldings[] => {
      const byUser = new Map<string, UserHoldings>();
      for (const row of read.all({ t: tenantId, s }) as Array<{
        user_id: string;
        user_principal_name: string;
        display_name: string | null;
        sku_id: string | null;
        assigned_by_group_id: string | null;
        state: string | null;
      }>) {
        let user = byUser.get(row.user_id);
        if (!user) {
          user = {
            userId: row.user_id,
            userPrincipalName: row.user_principal_name,
            displayName: row.display_name,
            licences: [],
          };
          byUser.set(row.user_id, user);
        }
        if (row.sku_id !== null)
          user.licences.push({
            skuId: row.sku_id,
            assignedByGroupId: row.assigned_by_group_id ?? '',
            state: row.state,
          });
      }
      return [...byUser.values()];
    };
    const changes = directoryChanges(holdingsOf(from), holdingsOf(snapshotId));
    const skuPartNumbers: Record<string, string> = {};
    // The new snapshot's names win: read the old one first.
    for (const row of db
      .prepare(
        'SELECT sku_id, sku_part_number FROM skus WHERE tenant_id = ? AND snapshot_id = ? UNION ALL SELECT sku_id, sku_part_number FROM skus WHERE tenant_id = ? AND snapshot_id = ?',
      )
      .all(tenantId, from, tenantId, snapshotId) as Array<{ sku_id: string; sku_part_number: string }>)
      skuPartNumbers[row.sku_id.toLowerCase()] = row.sku_part_number;
    return { baseline: false, fromSnapshotId: from, changes, skuPartNumbers };
  } finally {
    db.exec('DELETE FROM temp.changed_users');
  }
}
