import type { SyncHealth } from '../../domain/sync-schedule';
import type { TenantRecord } from '../../domain/tenant';
import type { TenantStatus } from '../../domain/tenant-status';
import type { StorageState } from '../sync/sync-service';
import type { DirectoryReads, SourceStatusReads, SyncRunReads, TenantReads } from './ports';

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
    /** Its sync health and next scheduled sync (absent: not shown). */
    private readonly health?: (tenant: TenantRecord) => SyncHealth,
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
        health: this.health?.(this.tenants.find(tenant.id) ?? tenant),
        ...(storage.status === 'full' ? { storageFull: storage.message } : {}),
      };
    });
  }
}
