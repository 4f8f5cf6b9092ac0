import { isActiveAssignment, type LicenseGroupRow, type SkuRow, type UserLicenseRow, type UserRow } from '../../domain/directory';
import type { WrittenCounts } from '../../usecases/sync/ports';
import type { Db } from './database';

const SNAPSHOT_TABLES = ['users', 'user_licenses', 'skus', 'license_groups'] as const;

/**
 * Writes one snapshot of a tenant's directory beside the current one. Nothing written
 * here is visible to readers until publish() flips the tenant's pointer; a sync that dies
 * half-way leaves rows no tenant points at, which discard() or the start-up sweep removes.
 */
export class SnapshotWriter {
  private readonly insertUser;
  private readonly insertLicense;
  private readonly insertSku;
  private readonly insertGroup;
  private readonly writeUsersTx;
  private nextSeq = 0;
  /** Graph can list a user twice while the directory changes under a paged read; the first copy wins. */
  private readonly seen = new Set<string>();

  constructor(
    private readonly db: Db,
    readonly tenantId: string,
    readonly snapshotId: number,
  ) {
    this.insertUser = db.prepare(
      `INSERT INTO users (tenant_id, snapshot_id, user_seq, user_id, user_principal_name, display_name, given_name, surname, mail,
         department, office_location, job_title, account_enabled, user_type, usage_location, created_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    this.insertLicense = db.prepare(
      `INSERT OR IGNORE INTO user_licenses (tenant_id, snapshot_id, user_seq, sku_id, assigned_by_group_id, user_id, state, error, disabled_plans)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    this.insertSku = db.prepare(
      `INSERT INTO skus (tenant_id, snapshot_id, sku_id, sku_part_number, product_name, capability_status, applies_to,
         enabled_units, suspended_units, warning_units, locked_out_units, consumed_units, is_copilot, service_plans)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    this.insertGroup = db.prepare(
      'INSERT INTO license_groups (tenant_id, snapshot_id, group_id, display_name, sku_ids) VALUES (?, ?, ?, ?, ?)',
    );
    // One transaction per Graph page keeps commits few without holding a write lock for the whole sync.
    this.writeUsersTx = db.transaction((users: UserRow[], licenses: UserLicenseRow[]): WrittenCounts => {
      const t = this.tenantId;
      const s = this.snapshotId;
      const seqOf = new Map<string, number>();
      for (const u of users) {
        if (this.seen.has(u.userId)) continue;
        this.seen.add(u.userId);
        const seq = this.nextSeq++;
        seqOf.set(u.userId, seq);
        this.insertUser.run(t, s, seq, u.userId, u.userPrincipalName, u.displayName, u.givenName, u.surname, u.mail, u.department,
          u.officeLocation, u.jobTitle, u.accountEnabled ? 1 : 0, u.userType, u.usageLocation, u.createdAt);
      }
      const licensed = new Set<number>();
      let licenseAssignments = 0;
      for (const l of licenses) {
        const seq = seqOf.get(l.userId);
        if (seq === undefined) continue;
        licenseAssignments += this.insertLicense.run(t, s, seq, l.skuId, l.assignedByGroupId, l.userId, l.state, l.error,
          l.disabledPlans.length === 0 ? '[]' : JSON.stringify(l.disabledPlans)).changes;
        if (isActiveAssignment(l.state)) licensed.add(seq);
      }
      return { users: seqOf.size, licensedUsers: licensed.size, licenseAssignments };
    });
  }

  /** Returns what the page added (users listed twice across pages are skipped). */
  writeUsers(users: UserRow[], licenses: UserLicenseRow[]): WrittenCounts {
    return this.writeUsersTx(users, licenses);
  }

  writeSkus(skus: SkuRow[]): void {
    this.db.transaction(() => {
      for (const s of skus) {
        this.insertSku.run(this.tenantId, this.snapshotId, s.skuId, s.skuPartNumber, s.productName, s.capabilityStatus, s.appliesTo,
          s.enabledUnits, s.suspendedUnits, s.warningUnits, s.lockedOutUnits, s.consumedUnits, s.isCopilot ? 1 : 0,
          JSON.stringify(s.servicePlans));
      }
    })();
  }

  writeGroups(groups: LicenseGroupRow[]): void {
    this.db.transaction(() => {
      for (const g of groups) this.insertGroup.run(this.tenantId, this.snapshotId, g.groupId, g.displayName, JSON.stringify(g.skuIds));
    })();
  }

  /**
   * Makes this snapshot the tenant's current one, in one transaction with `alsoInTransaction`
   * (the sync run's outcome), so the pointer and the record never disagree. Returns the
   * snapshot it replaced, which the caller drops (deleteSnapshot) once nobody needs it.
   */
  publish(alsoInTransaction: () => void): number | null {
    const previous = this.db.transaction(() => {
      const prev = this.db.prepare('SELECT current_snapshot_id FROM tenants WHERE id = ?').pluck().get(this.tenantId) as number | null;
      this.db.prepare('UPDATE tenants SET current_snapshot_id = ?, updated_at = ? WHERE id = ?').run(this.snapshotId, new Date().toISOString(), this.tenantId);
      alsoInTransaction();
      return prev;
    })();
    return previous !== null && previous !== this.snapshotId ? previous : null;
  }

  /** Throws the half-written snapshot away; the current one was never touched. */
  discard(): void {
    deleteSnapshot(this.db, this.tenantId, this.snapshotId);
  }
}

/** Drops a snapshot's rows; never the tenant's current one, whatever the caller believes. */
export function deleteSnapshot(db: Db, tenantId: string, snapshotId: number): void {
  db.transaction(() => {
    const current = db.prepare('SELECT current_snapshot_id FROM tenants WHERE id = ?').pluck().get(tenantId) as number | null | undefined;
    if (current === snapshotId) return;
    for (const table of SNAPSHOT_TABLES) db.prepare(`DELETE FROM ${table} WHERE tenant_id = ? AND snapshot_id = ?`).run(tenantId, snapshotId);
  })();
}

/** Removes snapshot rows no tenant points at: leftovers of a sync that was killed mid-way. */
export function deleteOrphanSnapshots(db: Db): number {
  let removed = 0;
  db.transaction(() => {
    for (const table of SNAPSHOT_TABLES) {
      removed += db
        .prepare(
          `DELETE FROM ${table} WHERE NOT EXISTS (
             SELECT 1 FROM tenants t WHERE t.id = ${table}.tenant_id AND t.current_snapshot_id = ${table}.snapshot_id)`,
        )
        .run().changes;
    }
  })();
  return removed;
}
