import type { CheckedReadId } from '../../domain/access-requirements';
import type { LicenseGroupRow, SkuRow, UserLicenseRow, UserRow } from '../../domain/directory';
import type { SourceId, SourceOutcome, SourceStatusRecord, SyncType } from '../../domain/activity-sources';
import type { FinishedSyncStatus, SyncCounts, SyncRunRecord, SyncTrigger } from '../../domain/sync-run';
import type { SnapshotChangeSet } from '../../domain/snapshot-changes';
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
  /**
   * What this snapshot changes against the tenant's published one (users created or deleted,
   * licences assigned or unassigned); a baseline when none is published. After flush, before publish.
   */
  changes(): Promise<SnapshotChangeSet>;
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
  finish(
    id: number,
    outcome: {
      status: FinishedSyncStatus;
      counts?: SyncCounts;
      errorCode?: string;
      errorText?: string;
      warnings?: string[];
    },
  ): void;
  /** Marks runs a crash left 'running' as failed/interrupted; returns how many. */
  markInterrupted(): number;
}

/** A tenant's sync history, as its schedule and health need it. */
export interface SyncHistoryReads {
  get(id: number): SyncRunRecord | undefined;
  /** Runs newer than `afterRunId` (all when null), newest first, at most `limit`. */
  since(tenantId: string, afterRunId: number | null, limit: number): SyncRunRecord[];
}

/** The disk the cache is written to. */
export interface CacheStorage {
  /** True when an error means the disk has no room left. */
  isFull(error: unknown): boolean;
  /** What an admin reads while syncs are paused for want of space: where, and what to free. */
  fullMessage(): string;
  /**
   * False while the disk is (nearly) full, even when nothing has failed yet: with activity sources
   * cleaning up after themselves, a restart may have nothing to write that would fail first.
   */
  hasRoom(): boolean;
  /** Runs the writes all or none. */
  atomically(write: () => void): void;
}

/** What a source knows when it runs: the clock and what it recorded last time (for incremental and "not newer" reads). */
export interface SourceRunContext {
  now: Date;
  previous: SourceStatusRecord | undefined;
}

export interface SourceRunResult {
  /** 'not_newer' when it skipped the read because no newer data can exist yet; its stored data stays. */
  outcome: 'ok' | 'not_newer';
  /** The data's own date (e.g. reportRefreshDate). */
  asOf: string | null;
  /** Which endpoint served it. */
  servedBy: string | null;
  requests: number;
  /** Admin-facing notes that make the sync partial (e.g. report names concealed, rows matching nobody). */
  warnings: string[];
}

/**
 * One activity or posture source of a tenant (a Graph report, the audit log, the Management
 * Activity API...). It reads and stores on its own and replaces its stored data only on success,
 * so a failure keeps the last good data. Failures are thrown as TenantAccessError, with a
 * requirement when a permission or a licence is missing.
 */
export interface ActivitySource {
  readonly id: SourceId;
  /** What it contributes to the REST API's `sync_types`. */
  readonly syncTypes: readonly SyncType[];
  run(ctx: SourceRunContext): Promise<SourceRunResult>;
  /** The smallest call that proves the source is readable (the `check` command); throws like run(). */
  probe(): Promise<void>;
  /**
   * For a source that reads with several permissions: one probe per permission, each its own
   * `check` line, so one that works does not hide one that is refused. Unset = probe() alone.
   */
  probes?(): ReadProbe[];
}

/** The smallest call that proves one read (one permission) works; throws like run(). */
export interface ReadProbe {
  id: CheckedReadId;
  run(): Promise<void>;
}

export interface SourceAttempt {
  tenantId: string;
  source: SourceId;
  at: string;
  outcome: SourceOutcome;
  asOf?: string | null;
  servedBy?: string | null;
  errorCode?: string | null;
  message?: string | null;
  requests?: number;
  warnings?: string[];
}

/** Per tenant and source: the last attempt, and when and from where data was last stored. */
export interface SourceStatusRepository {
  get(tenantId: string, source: SourceId): SourceStatusRecord | undefined;
  list(tenantId: string): SourceStatusRecord[];
  /** A refused or failed attempt keeps lastSuccessAt, asOf and servedBy of the data still stored. */
  record(attempt: SourceAttempt): void;
}
