import type { WorkerResponse } from './worker-channel';
import type { LicenseGroupRow, SkuRow, UserLicenseRow, UserRow } from '../../domain/directory';
import type { SnapshotChangeSet } from '../../domain/snapshot-changes';
import type { TenantIdentity } from '../../domain/tenant';
import type { PublishOutcome, WrittenCounts } from '../../usecases/sync/ports';
import type { AnalyticsOptions, AnalyticsOutcome } from '../../usecases/analytics/ports';
import type { RecordedDay } from '../../usecases/history/ports';

/** Messages between the sync (main thread) and the snapshot writer thread. */

export type WriterRequest = { id: number; tenantId: string; snapshotId: number } & (
  | { kind: 'users'; users: UserRow[]; licenses: UserLicenseRow[] }
  | { kind: 'skus'; skus: SkuRow[] }
  | { kind: 'groups'; groups: LicenseGroupRow[] }
  | { kind: 'changes' }
  | { kind: 'publish'; outcome: PublishOutcome; identity: TenantIdentity | null }
  | { kind: 'analytics'; now: string; options: AnalyticsOptions; incremental: boolean }
  | { kind: 'discard' }
  | { kind: 'drop'; replacedSnapshotId: number }
  | { kind: 'history'; at: string; historyDays: number }
);

export type WriterValue = WrittenCounts | AnalyticsOutcome | RecordedDay | SnapshotChangeSet | number | null;

export type WriterResponse = WorkerResponse<WriterValue>;
