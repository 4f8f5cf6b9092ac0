import type { CopilotDayStatus, HistoryRun } from '../../domain/star-schema';
import type { RunCursor, StarPerson, StarSchemaStore, StarSku } from '../../usecases/star-schema/ports';
import type { Db } from './database';
import { prepared } from './prepared';

interface RunDbRow {
  user_key: number;
  from_day: string;
  to_day: string | null;
  has_copilot: number;
  copilot_status: CopilotDayStatus | null;
  usage_score: number | null;
  last_activity_date: string | null;
  licenses: string;
  department: string | null;
}

interface PersonDbRow {
  user_id: string;
  in_directory: number;
  user_principal_name: string | null;
  display_name: string | null;
  mail: string | null;
  job_title: string | null;
  office_location: string | null;
  account_enabled: number | null;
}

/**
 * The daily history tables (migration 25) read for the star schema: runs by primary key range
 * (tenant, user key, first day), keyset-paged so a page costs its rows whatever its depth; people
 * one by one by primary key and the directory's object-id index.
 */
export class SqliteStarSchemaStore implements StarSchemaStore {
  constructor(private readonly db: Db) {}

  capturedDays(tenantId: string): string[] {
    return prepared(this.db, 'SELECT day FROM history_days WHERE tenant_id = ? ORDER BY day')
      .pluck()
      .all(tenantId) as string[];
  }

  runs(tenantId: string, after: RunCursor | null, limit: number): HistoryRun[] {
    const rows = prepared(
      this.db,
      `SELECT user_key, from_day, to_day, has_copilot, copilot_status, usage_score, last_activity_date, licenses, department
         FROM user_history
        WHERE tenant_id = ? AND (user_key, from_day) > (?, ?)
        ORDER BY user_key, from_day
        LIMIT ?`,
    ).all(tenantId, after?.userKey ?? -1, after?.fromDay ?? '', limit) as RunDbRow[];
    return rows.map((r) => ({
      userKey: r.user_key,
      fromDay: r.from_day,
      toDay: r.to_day,
      hasCopilot: r.has_copilot === 1,
      copilotStatus: r.copilot_status,
      usageScore: r.usage_score,
      lastActivityDate: r.last_activity_date,
      licenses: JSON.parse(r.licenses) as string[],
      department: r.department,
    }));
  }

  people(tenantId: string, userKeys: readonly number[]): Map<number, StarPerson> {
    const snapshotId = prepared(this.db, 'SELECT current_snapshot_id FROM tenants WHERE id = ?')
      .pluck()
      .get(tenantId) as number | null | undefined;
    const lookup = prepared(
      this.db,
      // Named, because without statistics the planner prefers the key's (tenant, snapshot) range: a scan of the snapshot.
      `SELECT k.user_id, u.user_id IS NOT NULL AS in_directory, u.user_principal_name, u.display_name, u.mail,
              u.job_title, u.office_location, u.account_enabled
         FROM history_user_keys k
         LEFT JOIN users u INDEXED BY users_by_object_id
           ON u.tenant_id = k.tenant_id AND u.snapshot_id = ? AND u.user_id = k.user_id
        WHERE k.user_key = ? AND k.tenant_id = ?
        LIMIT 1`,
    );
    const people = new Map<number, StarPerson>();
    for (const userKey of userKeys) {
      const r = lookup.get(snapshotId ?? -1, userKey, tenantId) as PersonDbRow | undefined;
      if (!r) continue;
      people.set(userKey, {
        userKey,
        userId: r.user_id,
        inDirectory: r.in_directory === 1,
        userPrincipalName: r.user_principal_name,
        displayName: r.display_name,
        mail: r.mail,
        jobTitle: r.job_title,
        officeLocation: r.office_location,
        accountEnabled: r.account_enabled === null ? null : r.account_enabled === 1,
      });
    }
    return people;
  }

  skus(tenantId: string): StarSku[] {
    const rows = prepared(
      this.db,
      `SELECT sku_id, sku_part_number, is_copilot FROM skus
        WHERE tenant_id = ? AND snapshot_id = (SELECT current_snapshot_id FROM tenants WHERE id = ?)
        ORDER BY sku_id`,
    ).all(tenantId, tenantId) as Array<{
      sku_id: string;
      sku_part_number: string;
      is_copilot: number;
    }>;
    return rows.map((r) => ({
      skuId: r.sku_id,
      skuPartNumber: r.sku_part_number,
      isCopilot: r.is_copilot === 1,
    }));
  }
}
