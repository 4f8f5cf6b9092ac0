import type { SourceStatusRecord } from './activity-sources';
import type { SkuRow, UserCounts } from './directory';
import type { SyncRunRecord } from './sync-run';
import type { SyncHealth } from './sync-schedule';
import type { TenantRecord } from './tenant';

// The status use case reads it (src/usecases/status/tenant-status.ts); the status card draws it (src/cards/status-views.ts).
/** What the status card shows of a tenant, read from one snapshot. */
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
  /** Its schedule and sync health: next scheduled sync, consecutive failures. */
  health?: SyncHealth;
}
