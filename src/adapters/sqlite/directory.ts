import type { SkuRow, UserCounts, UserWithLicenses } from '../../domain/directory';
import type { DirectoryReads, UserQuery } from '../../usecases/status/ports';
import type { Db } from './database';

interface UserDbRow {
  user_seq: number;
  user_id: string;
  user_principal_name: string;
  display_name: string | null;
  given_name: string | null;
  surname: string | null;
  mail: string | null;
  department: string | null;
  office_location: string | null;
  job_title: string | null;
  account_enabled: number;
  user_type: string | null;
  usage_location: string | null;
  created_at: string | null;
}

interface SkuDbRow {
  sku_id: string;
  sku_part_number: string;
  product_name: string;
  capability_status: string | null;
  applies_to: string | null;
  enabled_units: number;
  suspended_units: number;
  warning_units: number;
  locked_out_units: number;
  consumed_units: number;
  is_copilot: number;
  service_plans: string;
}

/**
 * Read side of the cache. Every query pins the tenant's current snapshot in a
 * subquery, so a reader sees one snapshot even while a sync writes the next.
 */
export class DirectoryReader implements DirectoryReads {
  constructor(private readonly db: Db) {}

  /** Runs several reads against one snapshot (a WAL read transaction). */
  consistent<T>(read: () => T): T {
    return this.db.transaction(read)();
  }

  userCounts(tenantId: string): UserCounts {
    return this.db
      .prepare(
        `WITH snap AS (SELECT current_snapshot_id AS s FROM tenants WHERE id = @t)
         SELECT COUNT(*) AS total,
                COALESCE(SUM(account_enabled), 0) AS enabled,
                COALESCE(SUM(1 - account_enabled), 0) AS disabled,
                COALESCE(SUM(user_type = 'Guest'), 0) AS guests,
                -- Counted by the snapshot writer with the domain's isActiveAssignment rule; the run id is the snapshot id.
                COALESCE((SELECT licensed_users_count FROM sync_runs WHERE id = (SELECT s FROM snap)), 0) AS licensed
         FROM users WHERE tenant_id = @t AND snapshot_id = (SELECT s FROM snap)`,
      )
      .get({ t: tenantId }) as UserCounts;
  }

  skus(tenantId: string): SkuRow[] {
    const rows = this.db
      .prepare(
        `SELECT * FROM skus WHERE tenant_id = ? AND snapshot_id = (SELECT current_snapshot_id FROM tenants WHERE id = ?)
         ORDER BY is_copilot DESC, consumed_units DESC, sku_part_number`,
      )
      .all(tenantId, tenantId) as SkuDbRow[];
    return rows.map((r) => ({
      skuId: r.sku_id,
      skuPartNumber: r.sku_part_number,
      productName: r.product_name,
      capabilityStatus: r.capability_status,
      appliesTo: r.applies_to,
      enabledUnits: r.enabled_units,
      suspendedUnits: r.suspended_units,
      warningUnits: r.warning_units,
      lockedOutUnits: r.locked_out_units,
      consumedUnits: r.consumed_units,
      isCopilot: r.is_copilot === 1,
      servicePlans: JSON.parse(r.service_plans) as SkuRow['servicePlans'],
    }));
  }

  /** The count, the page and its licenses come from one read transaction: one snapshot even if a sync publishes meanwhile. */
  users(tenantId: string, query: UserQuery): { rows: UserWithLicenses[]; total: number } {
    return this.db.transaction(() => this.usersInSnapshot(tenantId, query))();
  }

  private usersInSnapshot(tenantId: string, query: UserQuery): { rows: UserWithLicenses[]; total: number } {
    const where = ['u.tenant_id = @t', 'u.snapshot_id = (SELECT current_snapshot_id FROM tenants WHERE id = @t)'];
    const params: Record<string, string | number> = { t: tenantId, limit: query.limit, offset: query.offset };
    if (query.search) {
      where.push("(u.display_name LIKE @q ESCAPE '\\' OR u.mail LIKE @q ESCAPE '\\' OR u.user_principal_name LIKE @q ESCAPE '\\')");
      params.q = `%${query.search.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
    }
    if (query.accountEnabled !== undefined) {
      where.push('u.account_enabled = @enabled');
      params.enabled = query.accountEnabled ? 1 : 0;
    }
    const whereSql = where.join(' AND ');
    const total = this.db.prepare(`SELECT COUNT(*) FROM users u WHERE ${whereSql}`).pluck().get(params) as number;
    const rows = this.db
      .prepare(`SELECT u.* FROM users u WHERE ${whereSql} ORDER BY u.display_name COLLATE NOCASE, u.user_id LIMIT @limit OFFSET @offset`)
      .all(params) as UserDbRow[];
    if (rows.length === 0) return { rows: [], total };

    const licenseRows = this.db
      .prepare(
        `SELECT l.user_id, l.sku_id, l.assigned_by_group_id, s.sku_part_number, s.product_name
         FROM user_licenses l
         LEFT JOIN skus s ON s.tenant_id = l.tenant_id AND s.snapshot_id = l.snapshot_id AND s.sku_id = l.sku_id
         WHERE l.tenant_id = @t AND l.snapshot_id = (SELECT current_snapshot_id FROM tenants WHERE id = @t)
           AND l.user_seq IN (SELECT value FROM json_each(@seqs))
         ORDER BY l.user_seq, l.sku_id`,
      )
      .all({ t: tenantId, seqs: JSON.stringify(rows.map((r) => r.user_seq)) }) as Array<{
      user_id: string;
      sku_id: string;
      assigned_by_group_id: string;
      sku_part_number: string | null;
      product_name: string | null;
    }>;

    const byUser = new Map<string, UserWithLicenses['licenses']>();
    for (const l of licenseRows) {
      const list = byUser.get(l.user_id) ?? [];
      let entry = list.find((e) => e.skuId === l.sku_id);
      if (!entry) {
        entry = { skuId: l.sku_id, skuPartNumber: l.sku_part_number, productName: l.product_name, assignedByGroupIds: [], direct: false };
        list.push(entry);
      }
      if (l.assigned_by_group_id === '') entry.direct = true;
      else entry.assignedByGroupIds.push(l.assigned_by_group_id);
      byUser.set(l.user_id, list);
    }

    return {
      total,
      rows: rows.map((r) => ({
        userId: r.user_id,
        userPrincipalName: r.user_principal_name,
        displayName: r.display_name,
        givenName: r.given_name,
        surname: r.surname,
        mail: r.mail,
        department: r.department,
        officeLocation: r.office_location,
        jobTitle: r.job_title,
        accountEnabled: r.account_enabled === 1,
        userType: r.user_type,
        usageLocation: r.usage_location,
        createdAt: r.created_at,
        licenses: byUser.get(r.user_id) ?? [],
      })),
    };
  }
}
