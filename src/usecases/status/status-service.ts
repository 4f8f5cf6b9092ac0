import type { TenantStatusView } from '../../cards/view-models';
import { matchTenants, type TenantRecord } from '../../domain/tenant';
import type { StorageState } from '../sync/sync-service';
import type { DirectoryReads, SourceStatusReads, SyncRunReads, TenantReads } from './ports';
import { tenantStatusView } from './status-views';

/** Gathers what the status card shows for a tenant from the cache. */
export class StatusService {
  constructor(
    private readonly tenants: TenantReads,
    private readonly directory: DirectoryReads,
    private readonly runs: SyncRunReads,
    private readonly sync: { isRunning(tenantId: string): boolean; storageState(): StorageState },
    private readonly failedWork: { countDead(tenantId: string): number },
    private readonly sources: SourceStatusReads,
    /** Seats freed by reclaims to date, for the card (absent: not shown). */
    private readonly freed?: (tenantId: string) => { seats: number; monthly: number; currency: string | null },
  ) {}

  /** Tenants matching a name, domain or id fragment typed after a command; all of them when empty. */
  matchTenants(query: string): TenantRecord[] {
    return matchTenants(this.tenants.list(), query);
  }

  find(idOrEntraTenantId: string): TenantRecord | undefined {
    return this.tenants.find(idOrEntraTenantId);
  }

  list(): TenantRecord[] {
    return this.tenants.list();
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
        deadJobs: this.failedWork.countDead(tenant.id),
        sources: this.sources.list(tenant.id),
        freed: this.freed?.(tenant.id),
        now,
      });
      // Syncs paused for a full disk: the card says why the data stops getting fresher and what to do.
      const storage = this.sync.storageState();
      if (storage.status !== 'full' || view.lastSyncErrorText === storage.message) return view;
      return { ...view, lastSyncErrorText: [storage.message, view.lastSyncErrorText].filter((t) => t !== '').join('\n\n') };
    });
  }
}
