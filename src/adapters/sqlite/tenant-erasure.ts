import type { Db } from './database';
import { writeTransaction } from './database';
import type { TenantDataEraser, TenantErasure } from '../../usecases/tenants/ports';

/**
 * Every table whose tenant_id is Seat Steward's tenant id, children before the rows they point at
 * (reclaim items before requests, everything before sync_runs and tenants). A table added later
 * with a tenant_id column must be listed here or in NOT_TENANT_ROWS: test/tenant-admin.test.ts
 * compares both lists with sqlite_master and fails on a table in neither.
 */
export const TENANT_TABLES: readonly string[] = [
  'reclaim_items',
  'reclaim_requests',
  'reclaim_keeps',
  'reclaim_settings',
  'users',
  'user_licenses',
  'skus',
  'license_groups',
  'user_order',
  'snapshot_stats',
  'user_licence_sets',
  'security_observations',
  'copilot_seats',
  'copilot_candidates',
  'copilot_summaries',
  'copilot_usage_users',
  'm365_activity_users',
  'user_mfa',
  'user_sign_ins',
  'audit_cursors',
  'audit_seen_records',
  'copilot_last_interactions',
  'copilot_seat_first_seen',
  'copilot_trend',
  'copilot_department_days',
  'user_history',
  'history_days',
  'history_user_keys',
  'copilot_cohort_months',
  'msp_app_consents',
  'exclusion_group_members',
  'identity_generations',
  'management_content_fetched',
  'report_concealment_restore',
  'report_generations',
  'security_posture',
  'service_usage',
  'sku_prices',
  'source_status',
  'subscriptions',
  'tenant_connections',
  'outbox_jobs',
  'webhook_deliveries',
  'webhook_events',
  'webhook_sequences',
  'sync_runs',
];

/** Tables with a tenant_id column that is not Seat Steward's tenant id, and why they are left alone. */
export const NOT_TENANT_ROWS: Readonly<Record<string, string>> = {
  tenants: "tenant_id is the Microsoft tenant id; the tenant's own row is deleted by its id, last",
  conversations: 'tenant_id is the Teams tenant the chat lives in (the MSP), not a tenant Seat Steward mirrors',
};

/** tenant_connections holds the sealed client secret: deleting the row deletes the secret. */
export class SqliteTenantEraser implements TenantDataEraser {
  constructor(private readonly db: Db) {}

  erase(tenantId: string): TenantErasure {
    // Deleted content is overwritten with zeros, so the sealed secret and the tenant's rows do not
    // linger in free pages; the checkpoint then carries that into the database file.
    const secureDelete = this.db.pragma('secure_delete', { simple: true }) as number;
    this.db.pragma('secure_delete = ON');
    try {
      const outcome = this.eraseRows(tenantId);
      if ('erased' in outcome) this.db.pragma('wal_checkpoint(TRUNCATE)');
      return outcome;
    } finally {
      this.db.pragma(`secure_delete = ${secureDelete === 1 ? 'ON' : 'OFF'}`);
    }
  }

  private eraseRows(tenantId: string): TenantErasure {
    return writeTransaction(this.db, (): TenantErasure => {
      // Checked inside the write transaction, so no job can be claimed between the check and the delete.
      const runningJobs = this.db
        .prepare("SELECT id, kind FROM outbox_jobs WHERE tenant_id = ? AND status = 'running' ORDER BY id")
        .all(tenantId) as Array<{ id: number; kind: string }>;
      if (runningJobs.length > 0) return { runningJobs };
      const erased: Record<string, number> = {};
      // Transitions carry no tenant_id: they go with their items and requests.
      erased.reclaim_transitions = this.db
        .prepare(
          `DELETE FROM reclaim_transitions
             WHERE item_id IN (SELECT id FROM reclaim_items WHERE tenant_id = ?)
                OR request_id IN (SELECT id FROM reclaim_requests WHERE tenant_id = ?)`,
        )
        .run(tenantId, tenantId).changes;
      // Table names come from the fixed list above, never from input.
      for (const table of TENANT_TABLES)
        erased[table] = this.db.prepare(`DELETE FROM ${table} WHERE tenant_id = ?`).run(tenantId).changes;
      erased.tenants = this.db.prepare('DELETE FROM tenants WHERE id = ?').run(tenantId).changes;
      return { erased };
    })();
  }
}
