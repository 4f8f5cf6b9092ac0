import type { ExclusionGroupStore } from '../../usecases/analytics/exclusion-groups-source';
import type { AccessGroupMembers } from '../../usecases/access/ports';
import { type Db, writeTransaction } from './database';
import { prepared } from './prepared';

/**
 * Members of groups as last read at sync (exclusion_group_members): the EXCLUDE_GROUPS groups of
 * every tenant, and in the MSP's own tenant the groups that access grants name.
 */
export class SqliteExclusionGroupStore implements ExclusionGroupStore {
  constructor(private readonly db: Db) {}

  replaceMembers(tenantId: string, groupId: string, userIds: readonly string[], at: Date): void {
    const insert = prepared(
      this.db,
      'INSERT OR IGNORE INTO exclusion_group_members (tenant_id, group_id, user_id, read_at) VALUES (?, ?, ?, ?)',
    );
    writeTransaction(this.db, () => {
      prepared(this.db, 'DELETE FROM exclusion_group_members WHERE tenant_id = ? AND group_id = ?').run(
        tenantId,
        groupId.toLowerCase(),
      );
      for (const id of userIds) insert.run(tenantId, groupId.toLowerCase(), id.toLowerCase(), at.toISOString());
    })();
  }
}

/** Members of the groups access grants name, as read in the MSP's own tenants (the environment's). */
export class SqliteAccessGroupMembers implements AccessGroupMembers {
  constructor(
    private readonly db: Db,
    /** Seat Steward ids of the environment's tenants: a customer tenant's groups never grant access. */
    private readonly homeTenantIds: () => readonly string[],
  ) {}

  groupsOf(userId: string, groupIds: readonly string[]): string[] {
    // No DISTINCT or ORDER BY: each would sort in a temporary b-tree; the same group can only repeat
    // across the environment's tenants (the demo's several), and a Set is cheaper.
    const rows = prepared(
      this.db,
      `SELECT group_id FROM exclusion_group_members
        WHERE user_id = ? AND tenant_id IN (SELECT value FROM json_each(?)) AND group_id IN (SELECT value FROM json_each(?))`,
    )
      .pluck()
      .all(userId.toLowerCase(), JSON.stringify(this.homeTenantIds()), JSON.stringify(groupIds)) as string[];
    return [...new Set(rows)].sort();
  }

  membersOf(groupId: string): string[] {
    const rows = prepared(
      this.db,
      `SELECT user_id FROM exclusion_group_members
        WHERE tenant_id IN (SELECT value FROM json_each(?)) AND group_id = ?`,
    )
      .pluck()
      .all(JSON.stringify(this.homeTenantIds()), groupId.toLowerCase()) as string[];
    return [...new Set(rows)].sort();
  }
}
