import { directoryChanges, type SnapshotChangeSet, type UserHoldings } from '../../domain/snapshot-changes';
import type { Db } from './database';

/** Users per user_licence_sets row. */
export const LICENCE_SET_CHUNK = 1024;

/**
 * The SKUs a user holds in effect and how, as one string: "skuid/groupid" parts ('' for direct),
 * sorted and joined by ",", so equal sets give equal keys whatever order Graph listed them in;
 * '' for none. Stored per user with each snapshot (user_licence_sets), it is both what the next
 * sync compares and what it reports from, so neither snapshot's licence rows are read back.
 */
export function licenceSetKey(parts: readonly string[] | undefined): string {
  if (!parts || parts.length === 0) return '';
  return [...new Set(parts)].sort().join(',');
}

function licencesOf(key: string): UserHoldings['licences'] {
  if (key === '') return [];
  return key.split(',').map((part) => {
    const slash = part.indexOf('/');
    return { skuId: part.slice(0, slash), assignedByGroupId: part.slice(slash + 1), state: 'Active' };
  });
}

/** The new snapshot as the writer collected it, per user_seq: [user id, licence set key] and [UPN, display name]. */
export interface NewSnapshotSets {
  sets: readonly string[];
  identities: ReadonlyArray<string | null>;
}

/**
 * What a new (not yet published) snapshot changes against the tenant's published one. Run on the
 * writer thread before the publish. The published snapshot's licence sets are a few JSON rows
 * (user_licence_sets), the new one's are in memory: the two are compared user by user, and only
 * the users that differ are turned into holdings for the domain rule (directoryChanges), which
 * decides what counts as a change. Only deleted users are read back (their names).
 */
export function readSnapshotChanges(
  db: Db,
  tenantId: string,
  snapshotId: number,
  current: NewSnapshotSets,
): SnapshotChangeSet {
  const from = db.prepare('SELECT current_snapshot_id FROM tenants WHERE id = ?').pluck().get(tenantId) as
    number | null | undefined;
  if (from === null || from === undefined || from === snapshotId) return { baseline: true };
  const chunks = db
    .prepare('SELECT entries FROM user_licence_sets WHERE tenant_id = ? AND snapshot_id = ? ORDER BY chunk')
    .pluck()
    .all(tenantId, from) as string[];
  const oldUsers = db
    .prepare('SELECT users FROM snapshot_stats WHERE tenant_id = ? AND snapshot_id = ?')
    .pluck()
    .get(tenantId, from) as number | undefined;
  const changes =
    chunks.length === 0 && (oldUsers ?? 0) > 0
      ? changesInSql(db, tenantId, from, snapshotId)
      : changesFromSets(db, tenantId, from, chunks, current);
  const skuPartNumbers: Record<string, string> = {};
  // The new snapshot's names win: the old one is read first.
  for (const s of [from, snapshotId])
    for (const row of db
      .prepare('SELECT sku_id, sku_part_number FROM skus WHERE tenant_id = ? AND snapshot_id = ?')
      .all(tenantId, s) as Array<{ sku_id: string; sku_part_number: string }>)
      skuPartNumbers[row.sku_id.toLowerCase()] = row.sku_part_number;
  return { baseline: false, fromSnapshotId: from, changes, skuPartNumbers };
}

function changesFromSets(
  db: Db,
  tenantId: string,
  from: number,
  chunks: readonly string[],
  current: NewSnapshotSets,
): ReturnType<typeof directoryChanges> {
  const { sets, identities } = current;
  const before: UserHoldings[] = [];
  const after: UserHoldings[] = [];
  const now = (i: number): UserHoldings => ({
    userId: sets[i],
    userPrincipalName: identities[i] as string,
    displayName: identities[i + 1],
    licences: licencesOf(sets[i + 1]),
  });
  // Named from the new snapshot when the user is in it; a deleted user is read back below.
  const was = (id: string, key: string, named?: UserHoldings): UserHoldings => ({
    userId: id,
    userPrincipalName: named?.userPrincipalName ?? '',
    displayName: named?.displayName ?? null,
    licences: licencesOf(key),
  });
  // Graph lists users in the same order from one sync to the next, so the two lists are walked in
  // step; a map of the rest is built only from the first place they part (a user created or deleted).
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
  let i = 0;
  for (; i < sets.length && nextOld() && pairs[at] === sets[i]; i += 2, at += 2) {
    if (pairs[at + 1] === sets[i + 1]) continue;
    const user = now(i);
    after.push(user);
    before.push(was(sets[i], pairs[at + 1], user));
  }
  const old = new Map<string, string>();
  for (; nextOld(); at += 2) old.set(pairs[at], pairs[at + 1]);
  for (; i < sets.length; i += 2) {
    const key = old.get(sets[i]);
    if (key === sets[i + 1]) {
      old.delete(sets[i]);
      continue;
    }
    const user = now(i);
    after.push(user);
    if (key !== undefined) before.push(was(sets[i], key, user));
    old.delete(sets[i]);
  }
  // Left over: users the new snapshot no longer has, named from the published one.
  const named = db.prepare(
    'SELECT user_principal_name, display_name FROM users INDEXED BY users_by_object_id WHERE tenant_id = ? AND snapshot_id = ? AND user_id = ?',
  );
  for (const [id, key] of old) {
    const row = named.get(tenantId, from, id) as
      { user_principal_name: string; display_name: string | null } | undefined;
    before.push(
      was(id, key, {
        userId: id,
        userPrincipalName: row?.user_principal_name ?? id,
        displayName: row?.display_name ?? null,
        licences: [],
      }),
    );
  }
  return directoryChanges(before, after);
}

/**
 * For a published snapshot written before user_licence_sets existed (the first sync after the
 * upgrade): the users that differ found by a set difference in SQL, and read from both snapshots;
 * slower (about a second at 100,000 users), once.
 */
function changesInSql(db: Db, tenantId: string, from: number, snapshotId: number): ReturnType<typeof directoryChanges> {
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
  const read = db.prepare(
    `SELECT u.user_id, u.user_principal_name, u.display_name, l.sku_id, l.assigned_by_group_id, l.state
       FROM json_each(@ids) c
       CROSS JOIN users u INDEXED BY users_by_object_id ON u.tenant_id = @t AND u.snapshot_id = @s AND u.user_id = c.value
       LEFT JOIN user_licenses l ON l.tenant_id = u.tenant_id AND l.snapshot_id = u.snapshot_id AND l.user_seq = u.user_seq`,
  );
  const holdingsOf = (s: number): UserHoldings[] => {
    const byUser = new Map<string, UserHoldings>();
    for (const row of read.all({ ids: JSON.stringify(ids), t: tenantId, s }) as Array<{
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
        user.licences.push({ skuId: row.sku_id, assignedByGroupId: row.assigned_by_group_id ?? '', state: row.state });
    }
    return [...byUser.values()];
  };
  return ids.length === 0 ? { users: [], licences: [] } : directoryChanges(holdingsOf(from), holdingsOf(snapshotId));
}
