import type { Db } from '../../src/adapters/sqlite/database';
import { SnapshotWriter, deleteOrphanSnapshots, deleteSnapshot } from '../../src/adapters/sqlite/snapshots';
import { SyncRunStore } from '../../src/adapters/sqlite/sync-runs';
import { TenantStore } from '../../src/adapters/sqlite/tenants';
import type { SnapshotSession, SnapshotSink } from '../../src/usecases/sync/ports';

/** The SQLite snapshot sink without the writer thread: same SQL, same connection, for use-case tests. */
export class InlineSnapshotSink implements SnapshotSink {
  constructor(private readonly db: Db) {}

  sweepOrphans(): number {
    return deleteOrphanSnapshots(this.db);
  }

  open(tenantId: string, snapshotId: number): SnapshotSession {
    const writer = new SnapshotWriter(this.db, tenantId, snapshotId);
    const runs = new SyncRunStore(this.db);
    const tenants = new TenantStore(this.db);
    const written = { users: 0, licensedUsers: 0, licenseAssignments: 0 };
    return {
      writeSkus: async (skus) => writer.writeSkus(skus),
      writeGroups: async (groups) => writer.writeGroups(groups),
      writeUsers: async (users, licenses) => {
        const counts = writer.writeUsers(users, licenses);
        written.users += counts.users;
        written.licensedUsers += counts.licensedUsers;
        written.licenseAssignments += counts.licenseAssignments;
      },
      flush: async () => ({ ...written }),
      publish: async (outcome, identity) =>
        writer.publish(() => {
          runs.finish(outcome.runId, { status: outcome.status, counts: outcome.counts, warnings: outcome.warnings });
          if (identity) tenants.updateIdentity(tenantId, identity);
        }),
      discard: async () => writer.discard(),
      drop: async (replaced) => deleteSnapshot(this.db, tenantId, replaced),
    };
  }
}
