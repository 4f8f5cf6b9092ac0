import type { Logger } from 'pino';
import type { SyncCounts, SyncRunRecord, SyncTrigger } from '../../domain/sync-run';
import type { TenantRecord } from '../../domain/tenant';
import { TenantAccessError } from '../../domain/tenant-access-error';
import type { DirectorySource, SnapshotSession, SnapshotSink, SyncRunRepository, TenantRepository } from './ports';

export interface SyncRequest {
  /** The run as it started (status 'running'). */
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
  logger: Logger;
}

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
  private readonly cleanups = new Set<Promise<unknown>>();

  constructor(private readonly deps: SyncDeps) {}

  /** Clears what a crash mid-sync left behind: runs still 'running' and unpublished snapshot rows. */
  recoverInterrupted(): { interruptedRuns: number; orphanRows: number } {
    const interruptedRuns = this.deps.runs.markInterrupted();
    const orphanRows = this.deps.sink.sweepOrphans();
    return { interruptedRuns, orphanRows };
  }

  isRunning(tenantId: string): boolean {
    return this.running.has(tenantId);
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

    const run = this.deps.runs.start(tenant.id, trigger);
    const done = this.execute(tenant, run).finally(() => this.running.delete(tenant.id));
    this.running.set(tenant.id, { run, done });
    return { run, joined: false, done };
  }

  private async execute(tenant: TenantRecord, run: SyncRunRecord): Promise<SyncRunRecord> {
    const { runs, logger } = this.deps;
    const log = logger.child({ tenant: tenant.entraTenantId, syncRun: run.id });
    const writer = this.deps.sink.open(tenant.id, run.id);
    const warnings: string[] = [];
    const started = Date.now();
    log.info({ trigger: run.trigger }, 'sync started');
    try {
      const source = this.deps.sourceFor(tenant);
      const ctx = `tenant ${tenant.tenantName}`;

      // Missing Organization.Read.All only costs the tenant's display name, so it is a warning.
      const identity = await optional(source.organization(), warnings, `${ctx}: the organization's name and domain were not refreshed`);

      const skus = await source.subscribedSkus();
      await writer.writeSkus(skus);

      // Without Group.Read.All the per-user assignment states still say "inherited"; only group names go missing.
      const groups = await optional(source.licenseGroups(), warnings, `${ctx}: license-assigning groups could not be read, so group names are unknown`);
      await writer.writeGroups(groups ?? []);

      // The sink may store a page while the source downloads and parses the next.
      await source.forEachUserPage((page) => writer.writeUsers(page.users, page.licenses));
      // Counted by the writer from what it stored, so the result card matches the status card.
      const counts: SyncCounts = { ...(await writer.flush()), skus: skus.length, groups: groups?.length ?? 0 };

      const status = warnings.length > 0 ? 'partial' : 'success';
      const replaced = await writer.publish({ runId: run.id, status, counts, warnings }, identity ?? null);
      log.info({ status, ...counts, ms: Date.now() - started }, 'sync finished');
      if (replaced !== null) this.track(writer.drop(replaced), log);
    } catch (error) {
      await this.recordFailure(tenant, run, error, warnings, writer, log, started);
    }
    const unreadable: SyncRunRecord = { ...run, status: 'failed', errorCode: 'internal_error', errorText: 'The sync run record could not be read back.' };
    try {
      return runs.get(run.id) ?? unreadable;
    } catch {
      return unreadable;
    }
  }

  /** Never throws: a sync's promise always settles with its run, whatever else fails (disk full, a dead writer thread). */
  private async recordFailure(
    tenant: TenantRecord,
    run: SyncRunRecord,
    error: unknown,
    warnings: string[],
    writer: SnapshotSession,
    log: Logger,
    started: number,
  ): Promise<void> {
    // The reader already phrased Graph and token failures; anything else failed on our side (configuration, disk, database).
    const problem =
      error instanceof TenantAccessError
        ? error
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
      await writer.discard().catch((discardError: unknown) => log.warn({ err: discardError }, 'could not discard the unpublished snapshot; the start-up sweep will'));
      this.deps.runs.finish(run.id, { status: 'failed', errorCode: problem.code, errorText: problem.message, warnings });
      log.warn({ code: problem.code, err: problem.message, ms: Date.now() - started }, 'sync failed; previous snapshot kept');
    } catch (recordError) {
      log.error({ err: recordError, syncError: problem.message }, 'could not record the failed sync; start-up will mark it interrupted');
    }
  }

  /** Background work (dropping a replaced snapshot) that idle() waits for. */
  private track(work: Promise<void>, log: Logger): void {
    const tracked = work
      .catch((error: unknown) => log.warn({ err: error }, 'could not drop a replaced snapshot; the start-up sweep will'))
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
