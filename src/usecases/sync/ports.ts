import type { LicenseGroupRow, SkuRow, UserLicenseRow, UserRow } from '../../domain/directory';
import type { FinishedSyncStatus, SyncCounts, SyncRunRecord, SyncTrigger } from '../../domain/sync-run';
import type { TenantIdentity, TenantRecord } from '../../domain/tenant';

/**
 * Where a sync reads a tenant's directory from (Microsoft Graph in production). Failures are
 * thrown as TenantAccessError, already phrased for the admin.
 */
export interface DirectorySource {
  /** Undefined when the tenant has no organization object (never in practice). */
  organization(): Promise<TenantIdentity | undefined>;
  subscribedSkus(): Promise<SkuRow[]>;
  licenseGroups(): Promise<LicenseGroupRow[]>;
  /** Streams the users page by page; the next page may already be downloading while onPage runs. */
  forEachUserPage(onPage: (page: { users: UserRow[]; licenses: UserLicenseRow[] }) => Promise<void>): Promise<void>;
}

/** What one snapshot holds once its pages are written, as the sink counted it (duplicates dropped). */
export interface WrittenCounts {
  users: number;
  /** Users with at least one assignment in effect (domain rule isActiveAssignment). */
  licensedUsers: number;
  licenseAssignments: number;
}

export interface PublishOutcome {
  runId: number;
  status: Exclude<FinishedSyncStatus, 'failed'>;
  counts: SyncCounts;
  warnings: string[];
}

/**
 * One snapshot being written. Nothing is visible to readers until publish(), which flips the
 * tenant to it and records the run's outcome in one step.
 */
export interface SnapshotSession {
  writeSkus(skus: SkuRow[]): Promise<void>;
  writeGroups(groups: LicenseGroupRow[]): Promise<void>;
  /** May return before the page is stored (back-pressure bounds how far behind it runs). */
  writeUsers(users: UserRow[], licenses: UserLicenseRow[]): Promise<void>;
  /** Waits for every page written so far. */
  flush(): Promise<WrittenCounts>;
  /** Returns the snapshot it replaced, for drop(). */
  publish(outcome: PublishOutcome, identity: TenantIdentity | null): Promise<number | null>;
  discard(): Promise<void>;
  drop(replacedSnapshotId: number): Promise<void>;
}

/** Where snapshots are written (SQLite, on a writer thread, in production). */
export interface SnapshotSink {
  open(tenantId: string, snapshotId: number): SnapshotSession;
  /** Removes what a crash mid-sync left behind; returns how many rows. */
  sweepOrphans(): number;
}

export interface TenantRepository {
  find(idOrEntraTenantId: string): TenantRecord | undefined;
  list(): TenantRecord[];
}

export interface SyncRunRepository {
  start(tenantId: string, trigger: SyncTrigger): SyncRunRecord;
  get(id: number): SyncRunRecord | undefined;
  finish(id: number, outcome: { status: FinishedSyncStatus; counts?: SyncCounts; errorCode?: string; errorText?: string; warnings?: string[] }): void;
  /** Marks runs a crash left 'running' as failed/interrupted; returns how many. */
  markInterrupted(): number;
}

/** The disk the cache is written to. */
export interface CacheStorage {
  /** True when an error means the disk has no room left. */
  isFull(error: unknown): boolean;
  /** What an admin reads while syncs are paused for want of space: where, and what to free. */
  fullMessage(): string;
  /** Runs the writes all or none. */
  atomically(write: () => void): void;
}
