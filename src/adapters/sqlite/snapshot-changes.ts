import { directoryChanges, type SnapshotChangeSet, type UserHoldings } from '../../domain/snapshot-changes';
import type { Db } from './database';

/** Users per user_licence_sets row. */
export const LICENCE_SET_CHUNK = 1024;

/**
 * A short fingerprint of the SKUs a user holds in effect and how ("skuid/groupid" parts, '' for
 * direct): equal sets give equal fingerprints whatever the order Graph listed them in. 53 bits of
 * a string hash (cyrb53): a changed user hidden by a collision is a 1-in-2^53 chance.
 */
export function licenceFingerprint(parts: readonly string[] | undefined): string {
  if (!parts || parts.length === 0) return '';
  const text = [...new Set(parts)].sort().join(',');
  let h1 = 0xdeadbeef;
  let h2 = 0x41c6ce57;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    h1 = Math.imul(h1 ^ c, 2654435761);
    h2 = Math.imul(h2 ^ c, 1597334677);
  }
  h1 = Math.imul(h1 ^ (h1 >>> 16), 2246822507) ^ Math.imul(h2 ^ (h2 >>> 13), 3266489909);
  h2 = Math.imul(h2 ^ (h2 >>> 16), 2246822507) ^ Math.imul(h1 ^ (h1 >>> 13), 3266489909);
  return (4294967296 * (2097151 & h2) + (h1 >>> 0)).toString(36);
}

/**
 * What a new (not yet published) snapshot changes against the tenant's published one. Run on the
 * writer thread before the publish, while both snapshots' rows are there. `newSets`: the new
 * snapshot's [user id, fingerprint] pairs, which the writer collected while storing the pages.
 * The published snapshot's pairs are read from user_licence_sets (a few JSON rows, not 100,000
 * users' licence rows), and only the users whose fingerprint differs, or who appeared or went,
 * are read in full; the domain rule (directoryChanges) then decides what counts as a change.
 */
export function readSnapshotChanges(
  db: Db,
  tenantId: string,
  snapshotId: number,
  newSets: readonly string[],
): SnapshotChangeSet {
  const from = db.prepare('SELECT current_snapshot_id FROM tenants WHERE id = ?').pluck().get(tenantId) as
    number | null | undefined;
  if (from === null || from === undefined || from === snapshotId) return { baseline: true };
  const candidates = changedUsers(db, tenantId, from, snapshotId, newSets);
  db.exec('CREATE TEMP TABLE IF NOT EXISTS changed_users (user_id TEXT PRIMARY KEY) WITHOUT ROWID');
  try {
    db.exec('DELETE FROM temp.changed_users');
    db.prepare('INSERT OR IGNORE INTO temp.changed_users (user_id) SELECT value FROM json_each(?)').run(
      JSON.stringify([...candidates]),
    );
    // CROSS JOIN keeps the few changed users as the outer loop (an index lookup each), never a scan of the snapshot.
    const read = db.prepare(
      `SELECT u.user_id, u.user_principal_name, u.display_name, l.sku_id, l.assigned_by_group_id, l.state
         FROM temp.changed_users c
         CROSS JOIN users u INDEXED BY users_by_object_id ON u.tenant_id = @t AND u.snapshot_id = @s AND u.user_id = c.user_id
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
    const changes =
      candidates.size === 0 ? { users: [], licences: [] } : directoryChanges(holdingsOf(from), holdingsOf(snapshotId));
    const skuPartNumbers: Record<string, string> = {};
    // The new snapshot's names win: the old one is read first.
    for (const s of [from, snapshotId])
      for (const row of db
        .prepare('SELECT sku_id, sku_part_number FROM skus WHERE tenant_id = ? AND snapshot_id = ?')
        .all(tenantId, s) as Array<{ sku_id: string; sku_part_number: string }>)
        skuPartNumbers[row.sku_id.toLowerCase()] = row.sku_part_number;
    return { baseline: false, fromSnapshotId: from, changes, skuPartNumbers };
  } finally {
    db.exec('DELETE FROM temp.changed_users');
  }
}

/** The ids of users created, deleted or whose licences (in effect, and how) may have changed. */
function changedUsers(
  db: Db,
  tenantId: string,
  from: number,
  snapshotId: number,
  newSets: readonly string[],
): Set<string> {
  const chunks = db
    .prepare('SELECT entries FROM user_licence_sets WHERE tenant_id = ? AND snapshot_id = ? ORDER BY chunk')
    .pluck()
    .all(tenantId, from) as string[];
  const oldUsers = db
    .prepare('SELECT users FROM snapshot_stats WHERE tenant_id = ? AND snapshot_id = ?')
    .pluck()
    .get(tenantId, from) as number | undefined;
  if (chunks.length === 0 && (oldUsers ?? 0) > 0) return changedUsersInSql(db, tenantId, from, snapshotId);
  const changed = new Set<string>();
  // Graph lists users in the same order from one sync to the next, so the two lists are walked in
  // step; a map of the rest is built only from the first place they part (a user created or deleted).
  let i = 0;
  let chunk = 0;
  let pairs: string[] = chunks.length > 0 ? (JSON.parse(chunks[0]) as string[]) : [];
  let at = 0;
  const nextOld = (): boolean => {
    while (at >= pairs.length) {
      if (++chunk >= chunks.length) return false;
      pairs = JSON.parse(chunks[chunk]) as string[];
      at = 0;
    }
    return true;
  };
  for (; i < newSets.length && nextOld() && pairs[at] === newSets[i]; i += 2, at += 2)
    if (pairs[at + 1] !== newSets[i + 1]) changed.add(newSets[i]);
  if (i >= newSets.length && !nextOld()) return changed;
  const old = new Map<string, string>();
  for (; nextOld(); at += 2) old.set(pairs[at], pairs[at + 1]);
  for (; i < newSets.length; i += 2) {
    const id = newSets[i];
    if (old.get(id) !== newSets[i + 1]) changed.add(id);
    old.delete(id);
  }
  // Left over: users the new snapshot no longer has.
  for (const id of old.keys()) changed.add(id);
  return changed;
}

/**
 * For a published snapshot written before user_licence_sets existed (the first sync after the
 * upgrade): the same narrowing as a set difference in SQL, slower (about a second at 100,000 users), once.
 */
function changedUsersInSql(db: Db, tenantId: string, from: number, snapshotId: number): Set<string> {
  const ids = db
    .prepare(
      `WITH n AS (SELECT user_id, sku_id, assigned_by_group_id, state FROM user_licenses WHERE tenant_id = @t AND snapshot_id = @n),
            o AS (SELECT user_id, sku_id, assigned_by_group_id, state FROM user_licenses WHERE tenant_id = @t AND snapshot_id = @o),
            nu AS (SELECT user_id FROM users WHERE tenant_id = @t AND snapshot_id = @n),
            ou AS (SELECT user_id FROM users WHERE tenant_id = @t AND snapshot_id = @o)
       SELECT user_id FROM (SELECT * FROM n EXCEPT SELECT * FROM o)
       UNION SELECT user_id FROM (SELECT * FROM o EXCEPT SELECT * FROM n)
       UNION SELECT user_id FROM (SELECT user_id FROM nu EXCEPT SELECT user_id FROM ou)
       UNION SELECT user_id FROM (SELECT user_id FROM ou EXCEPT SELECT user_id FROM nu)`,
    )
    .pluck()
    .all({ t: tenantId, n: snapshotId, o: from }) as string[];
  return new Set(ids);
}
