import type { Logger } from 'pino';
import { systemClock, type Clock } from '../../domain/clock';
import { READ_REQUIREMENTS } from '../../domain/access-requirements';
import type { SourceId, SourceStatusRecord } from '../../domain/activity-sources';
import type { SyncCounts, SyncRunRecord, SyncTrigger } from '../../domain/sync-run';
import type { TenantRecord } from '../../domain/tenant';
import type { WebhookEventInput } from '../../domain/webhook-events';
import { TenantAccessError } from '../../domain/tenant-access-error';
import { REFUSAL_CODES } from '../../domain/tenant-access-error';
import { DIRECTORY_CHANGE_EVENTS, snapshotChangeEvents } from '../../domain/snapshot-changes';
import { syncCompletedEvent, syncFailedEvent } from '../../domain/sync-events';
import type { AnalyticsComputer, AnalyticsOptions } from '../analytics/ports';
import type { HistoryRecorder } from '../history/ports';
import { hashedEventId } from '../webhooks/event-ids';
import type { WebhookEventLog } from '../webhooks/ports';
import type {
  ActivitySource,
  CacheStorage,
  DirectorySource,
  SnapshotSession,
  SnapshotSink,
  SourceStatusRepository,
  SyncRunRepository,
  TenantRepository,
} from './ports';

export interface SyncRequest {
  /**
   * The run as it started (status 'running'); or, while the disk is full, a run refused before it
   * started (id 0, status 'failed', error code 'storage_full'), which could not be recorded.
   */
  run: SyncRunRecord;
  /** True when the request joined a sync of this tenant that was already running. */
  joined: boolean;
  done: Promise<SyncRunRecord>;
}

export interface SyncDeps {
  tenants: TenantRepository;
  runs: SyncRunRepository;
  /** The directory source of a tenant (credentials differ per tenant). */
  sourceFor: (tenant: TenantRecord) => DirectorySource;
  sink: SnapshotSink;
  /** The activity and posture sources of a tenant, read beside the directory. None when omitted. */
  activitySources?: (tenant: TenantRecord) => ActivitySource[];
  /** Where each source's last attempt is recorded; required with activitySources. */
  sourceStatus?: SourceStatusRepository;
  /** How many activity sources are read at once (default 2), beside the directory. */
  sourceLanes?: number;
  /** The disk the cache lives on: a full one pauses syncs instead of failing the app. */
  storage: CacheStorage;
  logger: Logger;
  /** Seat analytics, computed into the snapshot before it is published. None when omitted. */
  analytics?: { computer: AnalyticsComputer; options: AnalyticsOptions };
  /**
   * Called once a sync's snapshot (and its analytics) is published, with the time the analytics were
   * computed at: the department trend files the day's figures. A failure here is logged, never the sync's.
   */
  published?: (tenantId: string, at: Date) => void;
  /** The time analytics are computed at (tests step it over days). Default: the system's. */
  clock?: Clock;
  /**
   * The daily history per user: recorded once a sync whose analytics were computed is published
   * (HISTORY_DAYS kept). None when omitted. A failure is logged, never the sync's.
   */
  history?: { recorder: HistoryRecorder; historyDays: number };
  /**
   * Where the sync's webhook events go: the directory's changes (before publish), then
   * sync_completed or sync_failed. None when omitted: the changes are then not even computed.
   */
  events?: WebhookEventLog;
  /**
   * Called after a sync's snapshot is published (its sources have landed) with its run id: the
   * security risk events compare what it saw with the previous sync. A failure is logged only.
   */
  observeSecurity?: (tenantId: string, runId: number) => void;
}

/** Whether syncs can write: while the disk is full they are paused and the last snapshot is served read-only. */
export type StorageState = { status: 'ok' } | { status: 'full'; since: string; message: string };

export class UnknownTenantError extends Error {
  constructor(readonly idOrEntraTenantId: string) {
    super(`No tenant "${idOrEntraTenantId}" is registered in Seat Steward.`);
    this.name = 'UnknownTenantError';
  }
}

/**
 * Pulls a tenant from Graph into a new snapshot and publishes it atomically. One sync
 * per tenant at a time: a second request joins the running one.
 */
export class SyncService {
  private readonly running = new Map<string, { run: SyncRunRecord; done: Promise<SyncRunRecord> }>();
  private readonly runningListeners = new Set<(running: number) => void>();
  private readonly cleanups = new Set<Promise<unknown>>();
  private storage: StorageState = { status: 'ok' };
  /** Failed runs whose outcome could not be written for want of space; written once there is room. */
  private readonly unrecorded = new Map<number, { errorText: string; warnings: string[] }>();

  constructor(private readonly deps: SyncDeps) {}

  /**
   * Clears what a crash mid-sync left behind: runs still 'running' and unpublished snapshot rows.
   * On a full disk this cannot be written: syncs are then paused (see storageState) instead of
   * failing the start, and the clean-up waits for the next sync request.
   */
  recoverInterrupted(): { interruptedRuns: number; orphanRows: number } {
    try {
      const interruptedRuns = this.deps.runs.markInterrupted();
      const orphanRows = this.deps.sink.sweepOrphans();
      if (!this.deps.storage.hasRoom()) this.pause();
      return { interruptedRuns, orphanRows };
    } catch (error) {
      if (!this.deps.storage.isFull(error)) throw error;
      this.pause();
      return { interruptedRuns: 0, orphanRows: 0 };
    }
  }

  storageState(): StorageState {
    return this.storage;
  }

  private pause(): void {
    if (this.storage.status === 'full') return;
    const message = this.deps.storage.fullMessage();
    this.storage = { status: 'full', since: new Date().toISOString(), message };
    this.deps.logger.error({ storage: 'full' }, message);
  }

  /** While paused: writes the clean-up held back. Fails, writing nothing, while the disk is still full. */
  private cleanUpHeldBack(): boolean {
    // The sweep would take rows a running sync is still writing for orphans.
    if (this.running.size > 0) return false;
    const { runs, sink, storage } = this.deps;
    if (!storage.hasRoom()) return false;
    try {
      storage.atomically(() => {
        for (const [id, failure] of this.unrecorded) {
          runs.finish(id, {
            status: 'failed',
            errorCode: 'storage_full',
            errorText: failure.errorText,
            warnings: failure.warnings,
          });
        }
        runs.markInterrupted();
        sink.sweepOrphans();
      });
    } catch (error) {
      if (this.deps.storage.isFull(error)) return false;
      throw error;
    }
    this.unrecorded.clear();
    return true;
  }

  /** A sync asked for while the disk is full: failed at once with the reason, not recorded (that needs space too). */
  private refused(tenant: TenantRecord, trigger: SyncTrigger): SyncRequest {
    const now = new Date().toISOString();
    const errorText = this.storage.status === 'full' ? this.storage.message : this.deps.storage.fullMessage();
    const run: SyncRunRecord = {
      id: 0,
      tenantId: tenant.id,
      trigger,
      startedAt: now,
      finishedAt: now,
      status: 'failed',
      counts: null,
      errorCode: 'storage_full',
      errorText,
      warnings: [],
    };
    this.deps.logger.warn({ tenant: tenant.entraTenantId, trigger }, 'sync refused: the disk holding DATA_DIR is full');
    return { run, joined: false, done: Promise.resolve(run) };
  }

  isRunning(tenantId: string): boolean {
    return this.running.has(tenantId);
  }

  isAnyRunning(): boolean {
    return this.running.size > 0;
  }

  /** Syncs of other tenants running now, and a promise that settles when one of them ends (the sync limit's wait). */
  runningBesides(tenantId: string): { count: number; oneEnds: Promise<unknown> | undefined } {
    const others = [...this.running].filter(([id]) => id !== tenantId).map(([, r]) => r.done);
    return { count: others.length, oneEnds: others.length > 0 ? Promise.race(others) : undefined };
  }

  /** Told how many syncs run each time one starts or ends (the sync limit's tests and benchmarks watch it). */
  onRunningChange(listener: (running: number) => void): () => void {
    this.runningListeners.add(listener);
    return () => this.runningListeners.delete(listener);
  }

  private runningChanged(): void {
    for (const listener of this.runningListeners) {
      try {
        listener(this.running.size);
      } catch (error) {
        this.deps.logger.warn({ err: error }, 'a sync listener failed');
      }
    }
  }

  /** Waits for every running sync and pending snapshot clean-up (for shutdown and benchmarks). */
  async idle(): Promise<void> {
    await Promise.allSettled([...this.running.values()].map((r) => r.done));
    await Promise.allSettled([...this.cleanups]);
  }

  /** The outcome of run `runId` if this process is running it (undefined once it finished, or if it never ran here). */
  whenDone(runId: number): Promise<SyncRunRecord> | undefined {
    for (const current of this.running.values()) if (current.run.id === runId) return current.done;
    return undefined;
  }

  request(idOrEntraTenantId: string, trigger: SyncTrigger): SyncRequest {
    const tenant = this.deps.tenants.find(idOrEntraTenantId);
    if (!tenant) throw new UnknownTenantError(idOrEntraTenantId);
    const current = this.running.get(tenant.id);
    if (current) return { run: current.run, joined: true, done: current.done };

    if (this.storage.status === 'full' && !this.cleanUpHeldBack()) return this.refused(tenant, trigger);
    let run: SyncRunRecord;
    try {
      run = this.deps.runs.start(tenant.id, trigger);
    } catch (error) {
      if (!this.deps.storage.isFull(error)) throw error;
      this.pause();
      return this.refused(tenant, trigger);
    }
    if (this.storage.status === 'full') {
      this.storage = { status: 'ok' };
      this.deps.logger.info('there is room on the disk holding DATA_DIR again: syncs resumed');
    }
    const done = this.execute(tenant, run).finally(() => {
      this.running.delete(tenant.id);
      this.runningChanged();
    });
    this.running.set(tenant.id, { run, done });
    this.runningChanged();
    return { run, joined: false, done };
  }

  private async execute(tenant: TenantRecord, run: SyncRunRecord): Promise<SyncRunRecord> {
    const { runs, logger } = this.deps;
    const log = logger.child({ tenant: tenant.entraTenantId, syncRun: run.id });
    const writer = this.deps.sink.open(tenant.id, run.id);
    const warnings: string[] = [];
    const started = Date.now();
    log.info({ trigger: run.trigger }, 'sync started');
    // Every source runs beside the directory and lands on its own; their outcomes join the run's at the end.
    const sourceWork = this.runSources(tenant, log);
    let sourcesJoined = false;
    try {
      const source = this.deps.sourceFor(tenant);
      const ctx = `tenant ${tenant.tenantName}`;

      // Missing Organization.Read.All only costs the tenant's display name, so it is a warning.
      const identity = await optional(
        source.organization(),
        warnings,
        `${ctx}: the organization's name and domain were not refreshed`,
      );

      const skus = await source.subscribedSkus();
      await writer.writeSkus(skus);

      // Without Group.Read.All the per-user assignment states still say "inherited"; only group names go missing.
      const groups = await optional(
        source.licenseGroups(),
        warnings,
        `${ctx}: license-assigning groups could not be read, so group names are unknown`,
      );
      await writer.writeGroups(groups ?? []);

      // The sink may store a page while the source downloads and parses the next.
      await source.forEachUserPage((page) => writer.writeUsers(page.users, page.licenses));
      // Counted by the writer from what it stored, so the result card matches the status card.
      const counts: SyncCounts = { ...(await writer.flush()), skus: skus.length, groups: groups?.length ?? 0 };
      sourcesJoined = true;
      warnings.push(...(await sourceWork));
      const analyticsAt = (this.deps.clock ?? systemClock)();
      const analysed = await this.computeAnalytics(tenant, run, warnings, log, analyticsAt);
      const baseline = await this.recordChanges(tenant, run, writer, log);

      const status = warnings.length > 0 ? 'partial' : 'success';
      const replaced = await writer.publish({ runId: run.id, status, counts, warnings }, identity ?? null);
      this.afterPublish(tenant, analyticsAt, log);
      // Analytics carried over from an earlier snapshot are not this day's: the day keeps what it had.
      if (analysed) await this.recordHistory(tenant, run, analyticsAt, log);
      log.info({ status, ...counts, ms: Date.now() - started }, 'sync finished');
      if (replaced !== null) this.track(writer.drop(replaced), log);
      this.recordOutcome(log, () => {
        const finished = runs.get(run.id);
        return finished ? [syncCompletedEvent(finished, baseline, Date.now() - started, hashedEventId)] : [];
      });
      this.observeSecurity(tenant, run, log);
    } catch (error) {
      // The sources still land (each records its own outcome) even though the directory failed.
      if (!sourcesJoined) warnings.push(...(await sourceWork));
      const unwritten = await this.recordFailure(tenant, run, error, warnings, writer, log, started);
      if (unwritten) return unwritten;
    }
    const unreadable: SyncRunRecord = {
      ...run,
      status: 'failed',
      errorCode: 'internal_error',
      errorText: 'The sync run record could not be read back.',
    };
    try {
      return runs.get(run.id) ?? unreadable;
    } catch {
      return unreadable;
    }
  }

  /**
   * After the directory and every source have landed, so the decisions see this sync's data. A
   * failure costs the analytics only: the sync is partial, and the computer carries the previous
   * analytics (with their own, older as-of date) into the new snapshot, so they stay served.
   */
  private async computeAnalytics(
    tenant: TenantRecord,
    run: SyncRunRecord,
    warnings: string[],
    log: Logger,
    now: Date,
  ): Promise<boolean> {
    const analytics = this.deps.analytics;
    if (!analytics) return false;
    try {
      const outcome = await analytics.computer.compute(tenant.id, run.id, now, analytics.options);
      for (const w of outcome.warnings) if (!warnings.includes(w)) warnings.push(w);
      log.info(
        { seats: outcome.seats, candidates: outcome.candidates, decided: outcome.decided, ms: outcome.ms },
        'seat analytics computed',
      );
      return true;
    } catch (error) {
      if (this.deps.storage.isFull(error)) throw error;
      const message = error instanceof Error ? error.message : String(error);
      log.warn({ err: message }, 'seat analytics were not computed');
      warnings.push(
        `Seat analytics were not computed: ${message}. The seat, candidate and savings figures are unavailable until a sync computes them; if this repeats, check the log and free disk space.`,
      );
      return false;
    }
  }

  /** The published snapshot is this day's history; a failure costs the day's row only (the next sync files it). */
  private async recordHistory(tenant: TenantRecord, run: SyncRunRecord, at: Date, log: Logger): Promise<void> {
    const history = this.deps.history;
    if (!history) return;
    try {
      const outcome = await history.recorder.record({
        tenantId: tenant.id,
        snapshotId: run.id,
        at,
        historyDays: history.historyDays,
      });
      if (!outcome.recorded)
        log.warn({ day: outcome.day }, 'daily history not recorded: a later day is already recorded');
      else log.info(outcome, 'daily history recorded');
    } catch (error) {
      if (this.deps.storage.isFull(error)) this.pause();
      log.warn({ err: error }, 'the daily history of this sync was not recorded; the next sync records its day');
    }
  }

  /**
   * Hands the events of what this sync changed to the event log, BEFORE the snapshot is published:
   * if the sync then fails (or the process dies), the next sync compares with the same published
   * snapshot, finds the same changes, and their ids (derived from that snapshot) make the log keep
   * them once; recorded after the publish, a crash in between would lose them. For the same reason
   * a failure here fails the sync (the previous snapshot stays), rather than losing the changes.
   * Returns whether this was the tenant's baseline (its first snapshot: no changes reported).
   */
  private async recordChanges(
    tenant: TenantRecord,
    run: SyncRunRecord,
    writer: SnapshotSession,
    log: Logger,
  ): Promise<boolean> {
    const events = this.deps.events;
    // No webhook wants them: not worked out (the licence sets are still stored for a later comparison).
    if (!events?.wants(tenant.id, DIRECTORY_CHANGE_EVENTS)) return tenant.currentSnapshotId === null;
    const t0 = Date.now();
    const set = await writer.changes();
    const recorded = snapshotChangeEvents(tenant.id, run.id, set, new Date().toISOString(), hashedEventId);
    events.record(recorded);
    log.info({ baseline: set.baseline, events: recorded.length, ms: Date.now() - t0 }, 'directory changes recorded');
    return set.baseline;
  }

  /** sync_completed and sync_failed: the run's outcome is already written, so a failure here is only logged. */
  private recordOutcome(log: Logger, build: () => WebhookEventInput[]): void {
    const events = this.deps.events;
    if (!events) return;
    try {
      events.record(build());
    } catch (error) {
      if (this.deps.storage.isFull(error)) this.pause();
      log.warn({ err: error }, "the webhook event of this sync's outcome was not recorded");
    }
  }

  private observeSecurity(tenant: TenantRecord, run: SyncRunRecord, log: Logger): void {
    try {
      this.deps.observeSecurity?.(tenant.id, run.id);
    } catch (error) {
      if (this.deps.storage.isFull(error)) this.pause();
      log.warn({ err: error }, 'the security risks of this sync were not compared; the next sync compares them');
    }
  }

  /** The snapshot is live whatever happens here: a failure to file what follows from it costs only that. */
  private afterPublish(tenant: TenantRecord, at: Date, log: Logger): void {
    try {
      this.deps.published?.(tenant.id, at);
    } catch (error) {
      if (this.deps.storage.isFull(error)) this.pause();
      log.warn({ err: error }, 'the department trend of this sync was not recorded; the next sync records its day');
    }
  }

  /**
   * Never throws: a sync's promise always settles with its run, whatever else fails (disk full, a
   * dead writer thread). Returns the failed run when even that could not be written (disk full).
   */
  private async recordFailure(
    tenant: TenantRecord,
    run: SyncRunRecord,
    error: unknown,
    warnings: string[],
    writer: SnapshotSession,
    log: Logger,
    started: number,
  ): Promise<SyncRunRecord | undefined> {
    const full = this.deps.storage.isFull(error);
    if (full) this.pause();
    // The reader already phrased Graph and token failures; anything else failed on our side (configuration, disk, database).
    const problem =
      error instanceof TenantAccessError
        ? error
        : full
          ? new TenantAccessError('storage_full', this.deps.storage.fullMessage())
          : new TenantAccessError(
              'internal_error',
              `The sync failed inside Seat Steward: ${error instanceof Error ? error.message : String(error)}. If this is a database error, check free disk space and that DATA_DIR is writable.`,
            );
    try {
      // If the writer thread died after committing the flip, the snapshot is live: the run succeeded.
      if (this.deps.tenants.find(tenant.id)?.currentSnapshotId === run.id) {
        log.warn({ err: problem.message }, 'sync reported an error after its snapshot was published; keeping it');
        return;
      }
      await writer
        .discard()
        .catch((discardError: unknown) =>
          log.warn({ err: discardError }, 'could not discard the unpublished snapshot; the start-up sweep will'),
        );
      this.deps.runs.finish(run.id, {
        status: 'failed',
        errorCode: problem.code,
        errorText: problem.message,
        warnings,
      });
      log.warn(
        { code: problem.code, err: problem.message, ms: Date.now() - started },
        'sync failed; previous snapshot kept',
      );
      this.recordOutcome(log, () => [
        syncFailedEvent(
          {
            run,
            errorCode: problem.code,
            reason: problem.message,
            requirement: problem.requirement,
            failedAt: new Date().toISOString(),
            durationMs: Date.now() - started,
          },
          hashedEventId,
        ),
      ]);
    } catch (recordError) {
      if (this.deps.storage.isFull(recordError)) {
        this.pause();
        this.unrecorded.set(run.id, { errorText: problem.message, warnings });
        log.warn(
          { code: problem.code, err: problem.message },
          'sync failed; its outcome is written once the disk has room',
        );
        return {
          ...run,
          status: 'failed',
          finishedAt: new Date().toISOString(),
          errorCode: problem.code,
          errorText: problem.message,
          warnings,
        };
      }
      log.error(
        { err: recordError, syncError: problem.message },
        'could not record the failed sync; start-up will mark it interrupted',
      );
    }
    return undefined;
  }

  /**
   * Runs every activity source concurrently, recording each outcome. Never throws: a failed or
   * refused source becomes a warning (the sync is then partial) and its last good data stays.
   */
  private async runSources(tenant: TenantRecord, log: Logger): Promise<string[]> {
    const { activitySources, sourceStatus } = this.deps;
    if (!activitySources || !sourceStatus) return [];
    let sources: ActivitySource[];
    try {
      sources = activitySources(tenant);
    } catch (error) {
      return [`Activity sources were not read: ${error instanceof Error ? error.message : String(error)}`];
    }
    const runOne = async (source: ActivitySource, previous: SourceStatusRecord | undefined): Promise<string[]> => {
      const started = Date.now();
      try {
        const result = await source.run({ now: new Date(), previous });
        sourceStatus.record({ tenantId: tenant.id, source: source.id, at: new Date().toISOString(), ...result });
        log.info(
          {
            source: source.id,
            outcome: result.outcome,
            asOf: result.asOf,
            requests: result.requests,
            ms: Date.now() - started,
          },
          'source read',
        );
        return result.warnings;
      } catch (error) {
        const problem =
          error instanceof TenantAccessError
            ? error
            : new TenantAccessError(
                'internal_error',
                `Seat Steward failed while storing ${source.id}: ${error instanceof Error ? error.message : String(error)}`,
              );
        const outcome = REFUSAL_CODES.has(problem.code) ? 'refused' : 'failed';
        const kept = previous?.lastSuccessAt
          ? ` The data read ${previous.lastSuccessAt.slice(0, 10)} is kept and shown as stale.`
          : '';
        try {
          sourceStatus.record({
            tenantId: tenant.id,
            source: source.id,
            at: new Date().toISOString(),
            outcome,
            errorCode: problem.code,
            message: problem.message,
          });
        } catch (recordError) {
          log.warn({ err: recordError, source: source.id }, 'could not record the outcome of a source');
        }
        log.warn({ source: source.id, code: problem.code, err: problem.message }, 'source not read');
        return [`${sourceLabel(source.id)}: ${problem.message}${kept}`];
      }
    };
    // Longest first (by the requests each made last time, which is what its time goes on against a
    // remote Graph), in a few lanes: the sync takes about as long as its slowest source while only a
    // few pages are parsed and held at once, which bounds memory.
    const queue = sources
      .map((source) => ({ source, previous: safely(() => sourceStatus.get(tenant.id, source.id)) }))
      .sort((a, b) => (b.previous?.requests ?? 0) - (a.previous?.requests ?? 0));
    const results: string[][] = [];
    const lane = async (): Promise<void> => {
      for (let next = queue.shift(); next; next = queue.shift()) results.push(await runOne(next.source, next.previous));
    };
    await Promise.all(Array.from({ length: Math.max(1, this.deps.sourceLanes ?? 2) }, lane));
    return results.flat();
  }

  /** Background work (dropping a replaced snapshot) that idle() waits for. */
  private track(work: Promise<void>, log: Logger): void {
    const tracked = work
      .catch((error: unknown) => {
        if (this.deps.storage.isFull(error)) this.pause();
        log.warn({ err: error }, 'could not drop a replaced snapshot; the start-up sweep will');
      })
      .finally(() => this.cleanups.delete(tracked));
    this.cleanups.add(tracked);
  }
}

/** Runs a step whose failure downgrades the sync to partial instead of failing it, for 403s only. */
async function optional<T>(step: Promise<T>, warnings: string[], what: string): Promise<T | undefined> {
  try {
    return await step;
  } catch (error) {
    if (error instanceof TenantAccessError && error.code === 'insufficient_privileges') {
      warnings.push(`${what}. ${error.message}`);
      return undefined;
    }
    throw error;
  }
}

function safely<T>(read: () => T): T | undefined {
  try {
    return read();
  } catch {
    return undefined;
  }
}

function sourceLabel(id: SourceId): string {
  return READ_REQUIREMENTS[id].label;
}
