import { randomUUID } from 'node:crypto';
import type { TenantIdentity, TenantRecord } from '../../domain/tenant';
import type { Db } from './database';
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

  list(): TenantRecord[] {
    return (prepared(this.db, 'SELECT * FROM tenants ORDER BY tenant_name, id').all() as TenantRow[]).map(toRecord);
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

  /** Names come from the tenant's own /organization, refreshed by each sync. */
  updateIdentity(id: string, identity: TenantIdentity): void {
    prepared(
      this.db,
      'UPDATE tenants SET tenant_name = ?, domain_name = ?, display_name = ?, tenant_type = ?, updated_at = ? WHERE id = ?',
    ).run(
      identity.tenantName,
      identity.domainName,
      identity.displayName,
      identity.tenantType,
      new Date().toISOString(),
      id,
    );
  }
}
