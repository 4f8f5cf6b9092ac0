import {
  isActiveAssignment,
  type LicenseGroupRow,
  type SkuRow,
  type UserLicenseRow,
  type UserRow,
} from '../../domain/directory';
import type { WrittenCounts } from '../../usecases/sync/ports';
import { type Db, writeTransaction } from './database';
import { LICENCE_SET_CHUNK, licenceSetKey, readSnapshotChanges } from './snapshot-changes';
import type { SnapshotChangeSet } from '../../domain/snapshot-changes';

const SNAPSHOT_TABLES = [
  'users',
  'user_licenses',
  'skus',
  'license_groups',
  'user_order',
  'snapshot_stats',
  'user_licence_sets',
  'copilot_seats',
  'copilot_candidates',
  'copilot_summaries',
] as const;

/** user_order.filter values: which accounts a list shows. */
export const USER_FILTER = { all: 0, enabled: 1, disabled: 2 } as const;

/** Positions per user_order row (migration 2 uses the same number). */
export const USER_ORDER_CHUNK = 1024;

const ASCII = /^[\x00-\x7f]*$/;

/**
 * Sorts like SQLite's `display_name COLLATE NOCASE, user_id` (NOCASE folds ASCII letters only;
 * NULL names first), so a snapshot's stored order matches the one migration 2 computed in SQL.
 */
export function userOrderKey(displayName: string | null, userId: string): string {
  let name = '0';
  if (displayName !== null) {
    // For ASCII, toLowerCase() is NOCASE's folding, and several times faster than the replace.
    name = `1${ASCII.test(displayName) ? displayName.toLowerCase() : displayName.replace(/[A-Z]+/g, (m) => m.toLowerCase())}`;
  }
  // NUL sorts before any character of a name, so "Ann" sorts before "Anna" as in SQL.
  return `${name}\u0000${userId}`;
}

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
  /** userOrderKey per user_seq (seqs count up from 0), sorted once at publish to write user_order. */
  private readonly orderKeys: string[] = [];
  /** 1 or 0 per user_seq (seqs count up from 0). */
  private readonly enabledBySeq: number[] = [];
  private readonly stats = { enabled: 0, guests: 0, licensed: 0 };
  /** Per user_seq: [user id, licence set key], flat, written at publish (user_licence_sets). */
  private readonly licenceSets: string[] = [];
  /** Per user_seq: [UPN, display name], flat: the users a sync changed are named without reading them back. */
  private readonly identities: Array<string | null> = [];

  constructor(
    private readonly db: Db,
    readonly tenantId: string,
    readonly snapshotId: number,
  ) {
    this.insertUser = db.prepare(
      `INSERT INTO users (tenant_id, snapshot_id, user_seq, user_id, user_principal_name, display_name, given_name, surname, mail,
         department, office_location, job_title, account_enabled, user_type, usage_location, created_at, on_premises_sync_enabled)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    this.insertLicense = db.prepare(
      `INSERT OR IGNORE INTO user_licenses (tenant_id, snapshot_id, user_seq, sku_id, assigned_by_group_id, user_id, state, error, disabled_plans, assigned_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
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
    this.writeUsersTx = writeTransaction(db, (users: UserRow[], licenses: UserLicenseRow[]): WrittenCounts => {
      const t = this.tenantId;
      const s = this.snapshotId;
      const seqOf = new Map<string, number>();
      for (const u of users) {
        if (this.seen.has(u.userId)) continue;
        this.seen.add(u.userId);
        const seq = this.nextSeq++;
        seqOf.set(u.userId, seq);
        this.identities.push(u.userPrincipalName, u.displayName);
        this.insertUser.run(
          t,
          s,
          seq,
          u.userId,
          u.userPrincipalName,
          u.displayName,
          u.givenName,
          u.surname,
          u.mail,
          u.department,
          u.officeLocation,
          u.jobTitle,
          u.accountEnabled ? 1 : 0,
          u.userType,
          u.usageLocation,
          u.createdAt,
          u.onPremisesSyncEnabled === null ? null : u.onPremisesSyncEnabled ? 1 : 0,
        );
        this.orderKeys.push(userOrderKey(u.displayName, u.userId));
        this.enabledBySeq[seq] = u.accountEnabled ? 1 : 0;
        if (u.accountEnabled) this.stats.enabled++;
        if (u.userType === 'Guest') this.stats.guests++;
      }
      const licensed = new Set<number>();
      let licenseAssignments = 0;
      const held = new Map<number, string[]>();
      for (const l of licenses) {
        const seq = seqOf.get(l.userId);
        if (seq === undefined) continue;
        if (isActiveAssignment(l.state)) {
          const parts = held.get(seq);
          const part = `${l.skuId.toLowerCase()}/${l.assignedByGroupId}`;
          if (parts) parts.push(part);
          else held.set(seq, [part]);
        }
        licenseAssignments += this.insertLicense.run(
          t,
          s,
          seq,
          l.skuId,
          l.assignedByGroupId,
          l.userId,
          l.state,
          l.error,
          l.disabledPlans.length === 0 ? '[]' : JSON.stringify(l.disabledPlans),
          l.assignedAt,
        ).changes;
        if (isActiveAssignment(l.state)) licensed.add(seq);
      }
      // A user's licenses arrive on the user's own page (later copies are skipped), so pages never double-count.
      this.stats.licensed += licensed.size;
      for (const [userId, seq] of seqOf) this.licenceSets.push(userId, licenceSetKey(held.get(seq)));
      return { users: seqOf.size, licensedUsers: licensed.size, licenseAssignments };
    });
  }

  /** Returns what the page added (users listed twice across pages are skipped). */
  writeUsers(users: UserRow[], licenses: UserLicenseRow[]): WrittenCounts {
    return this.writeUsersTx(users, licenses);
  }

  writeSkus(skus: SkuRow[]): void {
    writeTransaction(this.db, () => {
      for (const s of skus) {
        this.insertSku.run(
          this.tenantId,
          this.snapshotId,
          s.skuId,
          s.skuPartNumber,
          s.productName,
          s.capabilityStatus,
          s.appliesTo,
          s.enabledUnits,
          s.suspendedUnits,
          s.warningUnits,
          s.lockedOutUnits,
          s.consumedUnits,
          s.isCopilot ? 1 : 0,
          JSON.stringify(s.servicePlans),
        );
      }
    })();
  }

  writeGroups(groups: LicenseGroupRow[]): void {
    writeTransaction(this.db, () => {
      for (const g of groups)
        this.insertGroup.run(this.tenantId, this.snapshotId, g.groupId, g.displayName, JSON.stringify(g.skuIds));
    })();
  }

  /**
   * Makes this snapshot the tenant's current one, in one transaction with `alsoInTransaction`
   * (the sync run's outcome), so the pointer and the record never disagree. Returns the
   * snapshot it replaced, which the caller drops (deleteSnapshot) once nobody needs it.
   */
  publish(alsoInTransaction: () => void): number | null {
    const previous = writeTransaction(this.db, () => {
      this.writeOrderAndStats();
      const prev = this.db
        .prepare('SELECT current_snapshot_id FROM tenants WHERE id = ?')
        .pluck()
        .get(this.tenantId) as number | null;
      this.db
        .prepare('UPDATE tenants SET current_snapshot_id = ?, updated_at = ? WHERE id = ?')
        .run(this.snapshotId, new Date().toISOString(), this.tenantId);
      alsoInTransaction();
      return prev;
    })();
    return previous !== null && previous !== this.snapshotId ? previous : null;
  }

  /**
   * Stores the list order and the counts readers need, so no request sorts or counts the
   * snapshot. Sorting keys collected while writing costs far less than re-reading the users.
   */
  private writeOrderAndStats(): void {
    const keys = this.orderKeys;
    // Keys are unique (they end in the user id), so the comparison never returns 0.
    const sorted = Array.from(keys.keys()).sort((a, b) => (keys[a] < keys[b] ? -1 : 1));
    const byFilter: number[][] = [sorted, [], []];
    for (const seq of sorted)
      byFilter[this.enabledBySeq[seq] === 1 ? USER_FILTER.enabled : USER_FILTER.disabled].push(seq);
    const insertOrder = this.db.prepare(
      'INSERT INTO user_order (tenant_id, snapshot_id, filter, chunk, user_seqs) VALUES (?, ?, ?, ?, ?)',
    );
    byFilter.forEach((seqs, filter) => {
      for (let chunk = 0; chunk * USER_ORDER_CHUNK < seqs.length; chunk++) {
        const part = seqs.slice(chunk * USER_ORDER_CHUNK, (chunk + 1) * USER_ORDER_CHUNK);
        insertOrder.run(this.tenantId, this.snapshotId, filter, chunk, JSON.stringify(part));
      }
    });
    const insertSet = this.db.prepare(
      'INSERT INTO user_licence_sets (tenant_id, snapshot_id, chunk, entries) VALUES (?, ?, ?, ?)',
    );
    const perChunk = LICENCE_SET_CHUNK * 2;
    for (let chunk = 0; chunk * perChunk < this.licenceSets.length; chunk++)
      insertSet.run(
        this.tenantId,
        this.snapshotId,
        chunk,
        JSON.stringify(this.licenceSets.slice(chunk * perChunk, (chunk + 1) * perChunk)),
      );
    this.db
      .prepare(
        'INSERT INTO snapshot_stats (tenant_id, snapshot_id, users, enabled, guests, licensed) VALUES (?, ?, ?, ?, ?, ?)',
      )
      .run(
        this.tenantId,
        this.snapshotId,
        this.orderKeys.length,
        this.stats.enabled,
        this.stats.guests,
        this.stats.licensed,
      );
  }

  /** What this snapshot changes against the tenant's published one (before publish()). */
  changes(): SnapshotChangeSet {
    return readSnapshotChanges(this.db, this.tenantId, this.snapshotId, {
      sets: this.licenceSets,
      identities: this.identities,
    });
  }

  /** Throws the half-written snapshot away; the current one was never touched. */
  discard(): void {
    deleteSnapshot(this.db, this.tenantId, this.snapshotId);
  }
}

/** Drops a snapshot's rows; never the tenant's current one, whatever the caller believes. */
export function deleteSnapshot(db: Db, tenantId: string, snapshotId: number): void {
  writeTransaction(db, () => {
    const current = db.prepare('SELECT current_snapshot_id FROM tenants WHERE id = ?').pluck().get(tenantId) as
      number | null | undefined;
    if (current === snapshotId) return;
    for (const table of SNAPSHOT_TABLES)
      db.prepare(`DELETE FROM ${table} WHERE tenant_id = ? AND snapshot_id = ?`).run(tenantId, snapshotId);
  })();
}

/** Removes snapshot rows no tenant points at: leftovers of a sync that was killed mid-way. */
export function deleteOrphanSnapshots(db: Db): number {
  let removed = 0;
  writeTransaction(db, () => {
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
