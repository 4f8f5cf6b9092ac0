import { randomUUID } from 'node:crypto';
import type { TenantIdentity, TenantRecord, TenantSettingsChange } from '../../domain/tenant';
import { type Db, writeTransaction } from './database';
import { prepared } from './prepared';

interface TenantRow {
  id: string;
  tenant_id: string;
  client_id: string | null;
  tenant_name: string;
  domain_name: string | null;
  display_name: string | null;
  tenant_type: string;
  source: 'demo' | 'entra';
  sync_enabled: number;
  sync_interval_hours: number | null;
  current_snapshot_id: number | null;
  created_at: string;
  updated_at: string;
}

const toRecord = (r: TenantRow): TenantRecord => ({
  id: r.id,
  entraTenantId: r.tenant_id,
  mspClientId: r.client_id,
  tenantName: r.tenant_name,
  domainName: r.domain_name,
  displayName: r.display_name,
  tenantType: r.tenant_type,
  source: r.source,
  syncEnabled: r.sync_enabled === 1,
  syncIntervalHours: r.sync_interval_hours,
  currentSnapshotId: r.current_snapshot_id,
  createdAt: r.created_at,
  updatedAt: r.updated_at,
});

export class TenantStore {
  /** The last list read, and the tenants_version it was read at (migration 26). */
  private listed: { version: number; records: readonly TenantRecord[] } | null = null;

  constructor(private readonly db: Db) {}

  /** Registers a tenant the first time it is configured; later starts keep its id and history. */
  ensure(input: {
    entraTenantId: string;
    tenantName: string;
    source: 'demo' | 'entra';
    mspClientId?: string | null;
  }): TenantRecord {
    const existing = this.find(input.entraTenantId);
    if (existing) return existing;
    const now = new Date().toISOString();
    prepared(
      this.db,
      `INSERT INTO tenants (id, tenant_id, client_id, tenant_name, source, created_at, updated_at)
         VALUES (?, ?, ?, ?, ?, ?, ?)`,
    ).run(randomUUID(), input.entraTenantId, input.mspClientId ?? null, input.tenantName, input.source, now, now);
    return this.find(input.entraTenantId) as TenantRecord;
  }

  /**
   * Every tenant, by name. Kept in memory until the tenants table changes (its trigger-kept version,
   * which any connection's write moves). Records are frozen since every caller shares them. Inside a
   * transaction the list is read afresh and not kept: a rollback would bring the version back to a
   * number a later, different change reaches again.
   */
  list(): TenantRecord[] {
    const inTransaction = this.db.inTransaction;
    const version = prepared(this.db, 'SELECT version FROM tenants_version WHERE only = 1').pluck().get() as number;
    if (this.listed?.version === version && !inTransaction) return [...this.listed.records];
    const records = (prepared(this.db, 'SELECT * FROM tenants ORDER BY tenant_name, id').all() as TenantRow[]).map(
      (row) => Object.freeze(toRecord(row)),
    );
    this.listed = inTransaction ? null : { version, records };
    return [...records];
  }

  /** Accepts Seat Steward's id or the Entra tenant id (case-insensitive: the column is COLLATE NOCASE). */
  find(idOrEntraTenantId: string): TenantRecord | undefined {
    // No COLLATE on the term: SQLite then scans the table instead of using both unique indexes.
    const row = prepared(this.db, 'SELECT * FROM tenants WHERE id = ? OR tenant_id = ? LIMIT 1').get(
      idOrEntraTenantId,
      idOrEntraTenantId,
    ) as TenantRow | undefined;
    return row ? toRecord(row) : undefined;
  }

  /**
   * Names come from the tenant's own /organization, refreshed by each sync, except the name and
   * domain an admin gave through the REST API (names_from_admin), which the sync keeps.
   */
  updateIdentity(id: string, identity: TenantIdentity): void {
    prepared(
      this.db,
      `UPDATE tenants SET
         tenant_name = CASE names_from_admin WHEN 1 THEN tenant_name ELSE ? END,
         domain_name = CASE names_from_admin WHEN 1 THEN domain_name ELSE ? END,
         display_name = ?, tenant_type = ?, updated_at = ? WHERE id = ?`,
    ).run(
      identity.tenantName,
      identity.domainName,
      identity.displayName,
      identity.tenantType,
      new Date().toISOString(),
      id,
    );
  }

  transaction<T>(work: () => T): T {
    // Nested in another transaction, better-sqlite3 makes this a savepoint.
    return writeTransaction(this.db, work)();
  }

  /** What POST and PATCH /api/v1/m365/tenants set; a given name or domain is kept by later syncs. */
  updateSettings(id: string, settings: TenantSettingsChange): void {
    const now = new Date().toISOString();
    const set: string[] = [];
    const values: Array<string | number | null> = [];
    const column = (name: string, value: string | number | null) => {
      set.push(`${name} = ?`);
      values.push(value);
    };
    if (settings.tenantName !== undefined) column('tenant_name', settings.tenantName);
    if (settings.domainName !== undefined) column('domain_name', settings.domainName);
    if (settings.tenantName !== undefined || settings.domainName !== undefined) column('names_from_admin', 1);
    if (settings.mspClientId !== undefined) column('client_id', settings.mspClientId);
    if (settings.syncEnabled !== undefined) column('sync_enabled', settings.syncEnabled ? 1 : 0);
    if (settings.syncIntervalHours !== undefined) column('sync_interval_hours', settings.syncIntervalHours);
    if (set.length === 0) return;
    column('updated_at', now);
    // Column names come from the fixed list above, never from the caller.
    this.db.prepare(`UPDATE tenants SET ${set.join(', ')} WHERE id = ?`).run(...values, id);
  }
}
