import type { ExclusionGroupStore } from '../../usecases/analytics/exclusion-groups-source';
import { type Db, writeTransaction } from './database';
import { prepared } from './prepared';

/** Members of the EXCLUDE_GROUPS groups as last read (exclusion_group_members). */
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
