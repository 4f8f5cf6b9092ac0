import path from 'node:path';
import type { LicenseGroupRow, SkuRow, UserLicenseRow, UserRow } from '../../domain/directory';
import type { SnapshotChangeSet } from '../../domain/snapshot-changes';
import type { TenantIdentity } from '../../domain/tenant';
import type { PublishOutcome, SnapshotSession, SnapshotSink, WrittenCounts } from '../../usecases/sync/ports';
import type { AnalyticsComputer, AnalyticsOptions, AnalyticsOutcome } from '../../usecases/analytics/ports';
import type { HistoryRecorder, RecordedDay } from '../../usecases/history/ports';
import type { Db } from './database';
import { deleteOrphanSnapshots } from './snapshots';
import type { WriterRequest, WriterValue } from './snapshot-worker-protocol';
import { WorkerChannel } from './worker-channel';

/** Pages handed to the writer thread but not yet written; beyond this the sync waits, so memory stays flat. */
const MAX_PAGES_IN_FLIGHT = 3;

type RequestBody = WriterRequest extends infer R
  ? R extends WriterRequest
    ? Omit<R, 'id' | 'tenantId' | 'snapshotId'>
    : never
  : never;

/**
 * The SQLite snapshot sink. Owns the writer thread (started on first use, shared by all
 * tenants' syncs) and hands out one SnapshotWriterHandle per sync.
 */
export class SnapshotWriterThread implements SnapshotSink {
  private current?: WorkerChannel<Omit<WriterRequest, 'id'>, WriterValue>;
  /** Syncs that opened a handle and have not yet published or discarded: the thread holds their state. */
  private openSessions = 0;
  private idleTimer?: NodeJS.Timeout;

  constructor(
    private readonly databaseFile: string,
    /** The main thread's connection, for the start-up sweep (the thread is not running yet). */
    private readonly db: Db,
    /**
     * How long the thread may idle, with no sync open and no request outstanding, before it is
     * stopped. A sync's analytics leave the thread's heap at 100+ MB of mostly garbage that V8 does
     * not collect in a thread with nothing to run; stopping the thread returns it all, and the next
     * sync starts a new one (a few hundred milliseconds).
     */
    private readonly idleMs = 10_000,
  ) {}

  sweepOrphans(): number {
    return deleteOrphanSnapshots(this.db);
  }

  open(tenantId: string, snapshotId: number): SnapshotWriterHandle {
    this.openSessions++;
    let open = true;
    return new SnapshotWriterHandle(
      (body) => this.send({ ...body, tenantId, snapshotId } as Omit<WriterRequest, 'id'>),
      () => {
        if (!open) return;
        open = false;
        this.openSessions--;
        this.retireWhenIdle();
      },
    );
  }

  private send(request: Omit<WriterRequest, 'id'>): Promise<WriterValue> {
    clearTimeout(this.idleTimer);
    const answer = this.channel().send(request);
    void answer.then(
      () => this.retireWhenIdle(),
      () => this.retireWhenIdle(),
    );
    return answer;
  }

  /** Stops the thread once it has idled idleMs with no sync open (a sync between pages keeps it). */
  private retireWhenIdle(): void {
    clearTimeout(this.idleTimer);
    const channel = this.current;
    if (!channel || channel.outstanding > 0 || this.openSessions > 0) return;
    this.idleTimer = setTimeout(() => {
      if (this.current !== channel || channel.outstanding > 0 || this.openSessions > 0) return;
      this.current = undefined;
      void channel.close();
    }, this.idleMs);
    // An idle writer thread never keeps the process alive.
    this.idleTimer.unref();
  }

  /**
   * Seat analytics run on the writer thread too: the snapshot's rows are written there, and a
   * 20,000-seat computation must not hold the event loop that serves the API. Rows whose inputs
   * did not change since the current snapshot are copied; BENCH_ANALYTICS_FULL=1 (read at each
   * computation: bench:analytics sets it for its baseline rounds, never a setting) decides them all.
   */
  analytics(): AnalyticsComputer {
    return {
      compute: async (
        tenantId: string,
        snapshotId: number,
        now: Date,
        options: AnalyticsOptions,
      ): Promise<AnalyticsOutcome> =>
        (await this.send({
          kind: 'analytics',
          tenantId,
          snapshotId,
          now: now.toISOString(),
          options,
          incremental: process.env.BENCH_ANALYTICS_FULL !== '1',
        } as Omit<WriterRequest, 'id'>)) as AnalyticsOutcome,
    };
  }

  /** The daily history is recorded on the writer thread too: it compares every user of the snapshot. */
  history(): HistoryRecorder {
    return {
      record: async (request) =>
        (await this.send({
          kind: 'history',
          tenantId: request.tenantId,
          snapshotId: request.snapshotId,
          at: request.at.toISOString(),
          historyDays: request.historyDays,
        } as Omit<WriterRequest, 'id'>)) as RecordedDay,
    };
  }

  async close(): Promise<void> {
    clearTimeout(this.idleTimer);
    const current = this.current;
    this.current = undefined;
    if (current) await current.close();
  }

  private channel(): WorkerChannel<Omit<WriterRequest, 'id'>, WriterValue> {
    if (this.current) return this.current;
    const channel: WorkerChannel<Omit<WriterRequest, 'id'>, WriterValue> = new WorkerChannel(
      path.join(__dirname, 'snapshot-worker-entry.js'),
      {
        workerData: { file: this.databaseFile },
        // The heap holds a few pages plus the snapshot's user-id set (about 100 bytes a user); a small
        // young generation makes it collect early instead of growing the process's RSS.
        resourceLimits: { maxOldGenerationSizeMb: 256, maxYoungGenerationSizeMb: 8 },
        name: 'the snapshot writer thread',
        onDeath: () => {
          if (this.current === channel) this.current = undefined;
        },
      },
    );
    this.current = channel;
    return channel;
  }
}

/** One sync's view of the writer thread: the SnapshotWriter operations, asynchronous. */
export class SnapshotWriterHandle implements SnapshotSession {
  private readonly inFlight: Array<Promise<unknown>> = [];
  private readonly written: WrittenCounts = { users: 0, licensedUsers: 0, licenseAssignments: 0 };
  /** Whether anything reached the writer thread: a sync that failed before writing has nothing to discard. */
  private touched = false;
  private readonly send: (body: RequestBody) => Promise<WriterValue>;

  /** `ended`: called once the thread holds nothing more of this sync (published or discarded). */
  constructor(
    send: (body: RequestBody) => Promise<WriterValue>,
    private readonly ended: () => void = () => undefined,
  ) {
    this.send = (body) => {
      this.touched = true;
      return send(body);
    };
  }

  /** Resolves once the page is queued; waits only when the thread is MAX_PAGES_IN_FLIGHT pages behind. */
  async writeUsers(users: UserRow[], licenses: UserLicenseRow[]): Promise<void> {
    const page = this.send({ kind: 'users', users, licenses }).then((value) => {
      const counts = value as WrittenCounts;
      this.written.users += counts.users;
      this.written.licensedUsers += counts.licensedUsers;
      this.written.licenseAssignments += counts.licenseAssignments;
    });
    // Keep a rejection observed until flush() reports it.
    page.catch(() => undefined);
    this.inFlight.push(page);
    if (this.inFlight.length >= MAX_PAGES_IN_FLIGHT) await this.inFlight.shift();
  }

  /** Waits for every queued page; returns what the snapshot holds. */
  async flush(): Promise<WrittenCounts> {
    while (this.inFlight.length > 0) await this.inFlight.shift();
    return { ...this.written };
  }

  async writeSkus(skus: SkuRow[]): Promise<void> {
    await this.send({ kind: 'skus', skus });
  }

  async writeGroups(groups: LicenseGroupRow[]): Promise<void> {
    await this.send({ kind: 'groups', groups });
  }

  /** What this snapshot changes against the published one (call after flush, before publish). */
  async changes(): Promise<SnapshotChangeSet> {
    await this.flush();
    return (await this.send({ kind: 'changes' })) as SnapshotChangeSet;
  }

  /** Flips the tenant to this snapshot and records the run's outcome in the same transaction; returns the replaced snapshot. */
  async publish(outcome: PublishOutcome, identity: TenantIdentity | null): Promise<number | null> {
    await this.flush();
    const replaced = (await this.send({ kind: 'publish', outcome, identity })) as number | null;
    this.ended();
    return replaced;
  }

  async discard(): Promise<void> {
    try {
      // Without this a tenant whose sign-in fails would start the writer thread at every slot to delete nothing.
      if (!this.touched) return;
      await Promise.allSettled(this.inFlight.splice(0));
      await this.send({ kind: 'discard' });
    } finally {
      this.ended();
    }
  }

  async drop(replacedSnapshotId: number): Promise<void> {
    await this.send({ kind: 'drop', replacedSnapshotId });
  }
}
