import type { TenantStatusView } from '../cards/view-models';
import type { DirectoryReader } from '../store/directory';
import type { SyncRunStore } from '../store/sync-runs';
import type { TenantRecord, TenantStore } from '../store/tenants';
import type { SyncService } from '../sync/sync-service';
import { tenantStatusView } from './status-views';

/** Gathers what the status card shows for a tenant from the cache. */
export class StatusService {
  constructor(
    private readonly tenants: TenantStore,
    private readonly directory: DirectoryReader,
    private readonly runs: SyncRunStore,
    private readonly sync: SyncService,
  ) {}

  /** Tenants matching a name, domain or id fragment typed after a command; all of them when empty. */
  matchTenants(query: string): TenantRecord[] {
    const all = this.tenants.list();
    const q = query.trim().toLowerCase();
    if (!q) return all;
    return all.filter((t) =>
      [t.id, t.tenantId, t.tenantName, t.domainName ?? '', t.displayName ?? ''].some((field) => field.toLowerCase().includes(q)),
    );
  }

  view(tenant: TenantRecord, now = new Date()): TenantStatusView {
    // One read transaction, so the counts, the SKUs and the last run all describe the same snapshot.
    return this.directory.consistent(() => {
      const current = this.tenants.find(tenant.id) ?? tenant;
      const view = tenantStatusView({
        tenant: current,
        counts: this.directory.userCounts(tenant.id),
        skus: this.directory.skus(tenant.id),
        lastRun: this.runs.latestFinished(tenant.id),
        syncRunning: this.sync.isRunning(tenant.id),
        now,
      });
      // Syncs paused for a full disk: the card says why the data stops getting fresher and what to do.
      const storage = this.sync.storageState();
      if (storage.status !== 'full' || view.lastSyncErrorText === storage.message) return view;
      return { ...view, lastSyncErrorText: [storage.message, view.lastSyncErrorText].filter((t) => t !== '').join('\n\n') };
    });
  }
}
