import type { SourceStatusRecord } from '../../domain/activity-sources';
import type { SkuRow, UserCounts } from '../../domain/directory';
import type { SyncRunRecord } from '../../domain/sync-run';
import type { TenantRecord } from '../../domain/tenant';
import type { StorageState } from '../sync/sync-service';
import type { DirectoryReads, SourceStatusReads, SyncRunReads, TenantReads } from './ports';

/** What the status card shows of a tenant, read from one snapshot (the presenter: src/cards/status-views.ts). */
export interface TenantStatus {
  tenant: TenantRecord;
  counts: UserCounts;
  skus: SkuRow[];
  /** The newest finished sync run, if any. */
  lastRun: SyncRunRecord | undefined;
  syncRunning: boolean;
  /** Jobs about this tenant that the outbox dead-lettered. */
  deadJobs: number;
  /** What each activity source last did (none before the first sync that reads them). */
  sources: SourceStatusRecord[];
  /** Seats removed by approved reclaims (not undone, not dry runs), and their monthly price. */
  freed?: { seats: number; monthly: number; currency: string | null };
  /** Why syncs are paused, while the disk is full. */
  storageFull?: string;
}

/**
 * Reads what the status card shows of a tenant from the cache. Finding the tenant a command or a
 * button names is the tenant store's (TenantReads) with the domain's matchTenants.
 */
export class TenantStatusReader {
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

  /** The tenant's status, read from one snapshot. */
  read(tenant: TenantRecord): TenantStatus {
    // One read transaction, so the counts, the SKUs and the last run all describe the same snapshot.
    return this.directory.consistent(() => {
      const storage = this.sync.storageState();
      return {
        tenant: this.tenants.find(tenant.id) ?? tenant,
        counts: this.directory.userCounts(tenant.id),
        skus: this.directory.skus(tenant.id),
        lastRun: this.runs.latestFinished(tenant.id),
        syncRunning: this.sync.isRunning(tenant.id),
        deadJobs: this.failedWork.countDead(tenant.id),
        sources: this.sources.list(tenant.id),
        freed: this.freed?.(tenant.id),
        ...(storage.status === 'full' ? { storageFull: storage.message } : {}),
      };
    });
  }
}
