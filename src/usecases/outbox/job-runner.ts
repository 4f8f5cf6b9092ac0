import type { Logger } from 'pino';
import type { z } from 'zod';
import { systemClock, type Clock } from '../../domain/clock';
import { DEFAULT_RETRY_POLICY, retryDelayMs, type RetryPolicy } from './backoff';
import { NotReadyError, PermanentError } from './job-errors';
import { DEFAULT_JOB_LIMITS, type JobContext, type JobRegistry, type JobType, type RegisteredJob } from './job-type';
import type { EnqueueResult, OutboxJob, OutboxStore } from './outbox-store';

export interface JobRunnerOptions {
  /** Jobs running at once, all kinds together. */
  concurrency: number;
  /** The longest sleep between looks at the outbox; enqueues and finished jobs wake the runner sooner. */
  pollIntervalMs: number;
  retryPolicy: RetryPolicy;
  /** How long stop() waits for running jobs before leaving them to the next start. */
  stopTimeoutMs: number;
  /** How long finished jobs (and so their idempotency keys) are kept. */
  doneRetentionMs: number;
  /** Math.random unless a test pins the jitter. */
  random: () => number;
  /** The time jobs are due, claimed and retried by: the system's unless a test steps it (webhook retries). */
  clock: Clock;
}

export const DEFAULT_RUNNER_OPTIONS: JobRunnerOptions = {
  // Mostly proactive posts, which wait on Teams rather than work: the notifier paces them, and
  // heavy kinds keep their own lower limit (a tenant sync: 2).
  concurrency: 16,
  pollIntervalMs: 5_000,
  retryPolicy: DEFAULT_RETRY_POLICY,
  stopTimeoutMs: 30_000,
  doneRetentionMs: 30 * 24 * 3_600_000,
  random: Math.random,
  clock: systemClock,
};

export interface EnqueueOptions {
  /** Enqueueing a key that exists returns the existing job: the same work is never queued twice. */
  key: string;
  tenantId?: string | null;
  runAfter?: Date;
  maxAttempts?: number;
}

/** What enqueuers (the bot, the scheduler) need from the outbox. */
export interface JobQueue {
  enqueue<S extends z.ZodTypeAny>(type: JobType<S>, payload: z.input<S>, options: EnqueueOptions): EnqueueResult;
}

interface Flight {
  job: OutboxJob;
  entry: RegisteredJob;
  controller: AbortController;
  settled: Promise<void>;
  /**
   * Why the runner stopped waiting for this attempt. After 'lease' a retry is already queued, so
   * the attempt records nothing more. After 'stop' it still records its outcome if it ends before
   * the app closes (a sync the stop waited for), so the next start does not run it again.
   */
  abandoned: false | 'lease' | 'stop';
  stopRequested: boolean;
}

const PRUNE_EVERY_MS = 3_600_000;
/** Keeps a clock or comparison surprise from turning the loop into a busy spin. */
const MIN_SLEEP_MS = 20;
const MAX_ERROR_CHARS = 2_000;

/**
 * Runs outbox jobs: claims due ones up to the concurrency limits, runs each kind's handler,
 * and records the outcome. Retries follow the other side's Retry-After exactly when it sent one,
 * else exponential backoff with full jitter; out of attempts (or on a PermanentError) a job is
 * dead-lettered with its last error for the admin to see and retry.
 */
export class JobRunner implements JobQueue {
  private readonly options: JobRunnerOptions;
  private readonly inFlight = new Map<number, Flight>();
  /** Attempts whose lease ran out but whose handler still runs: they still count toward their kind's limit. */
  private readonly overdue = new Set<Flight>();
  private state: 'new' | 'running' | 'stopping' | 'stopped' = 'new';
  private wakeSleeper?: () => void;
  private wakePending = false;
  private loopDone: Promise<void> = Promise.resolve();
  private stopped?: Promise<void>;
  private lastPrune = 0;

  constructor(
    private readonly store: OutboxStore,
    private readonly registry: JobRegistry,
    private readonly logger: Logger,
    options: Partial<JobRunnerOptions> = {},
  ) {
    this.options = { ...DEFAULT_RUNNER_OPTIONS, ...options };
    const { concurrency, retryPolicy } = this.options;
    if (!(concurrency >= 1)) throw new Error(`The job runner needs a concurrency of at least 1 (got ${concurrency}).`);
    if (!(retryPolicy.baseDelayMs > 0 && retryPolicy.maxDelayMs >= retryPolicy.baseDelayMs)) {
      throw new Error(`Invalid retry policy: base ${retryPolicy.baseDelayMs} ms, max ${retryPolicy.maxDelayMs} ms.`);
    }
  }

  /**
   * Re-queues what a previous process left running, then starts the loop. The instance lock
   * (one process per DATA_DIR) is what makes every 'running' row at this point an orphan.
   */
  start(): { requeued: number; dead: number } {
    if (this.state !== 'new') throw new Error('The job runner was already started.');
    const recovered = this.store.recoverRunning(
      this.options.clock(),
      'Seat Steward stopped while this attempt ran (a crash, a kill, or a stop that outlasted its wait).',
    );
    if (recovered.requeued > 0 || recovered.dead > 0)
      this.logger.warn(recovered, 'jobs interrupted by the last stop were re-queued');
    this.state = 'running';
    this.loopDone = this.loop();
    return recovered;
  }

  enqueue<S extends z.ZodTypeAny>(type: JobType<S>, payload: z.input<S>, options: EnqueueOptions): EnqueueResult {
    if (!this.registry.get(type.kind)) throw new Error(`No handler is registered for job kind "${type.kind}".`);
    const parsed = type.payload.safeParse(payload);
    if (!parsed.success) throw new Error(`Invalid payload for job kind "${type.kind}": ${parsed.error.message}`);
    const result = this.store.enqueue({
      kind: type.kind,
      idempotencyKey: options.key,
      tenantId: options.tenantId ?? null,
      payload: parsed.data,
      maxAttempts: options.maxAttempts ?? type.maxAttempts,
      runAfter: options.runAfter ?? this.options.clock(),
    });
    if (result.created) {
      this.logger.debug({ job: result.job.id, kind: type.kind, key: options.key }, 'job enqueued');
      this.wake();
    }
    return result;
  }

  /** An admin's retry of a dead job. Undefined when the job does not exist or is not dead. */
  retryDead(id: number): OutboxJob | undefined {
    const job = this.store.requeueDead(id, this.options.clock());
    if (job) {
      this.logger.info({ job: id, kind: job.kind }, 'dead job re-queued by an admin');
      this.wake();
    }
    return job;
  }

  /** Looks at the outbox now instead of at the next poll. */
  wake(): void {
    if (this.wakeSleeper) this.wakeSleeper();
    else this.wakePending = true;
  }

  /**
   * After stop(): waits (up to timeoutMs) for the attempts the stop stopped waiting for, so those
   * that end while the app closes (a sync close() waits for) record their outcome before the
   * database closes.
   */
  async settled(timeoutMs: number): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      Promise.allSettled([...this.inFlight.values()].map((f) => f.settled)),
      new Promise<void>((resolve) => (timer = setTimeout(resolve, timeoutMs))),
    ]);
    clearTimeout(timer);
  }

  /**
   * Stops claiming, asks running handlers to give up (they are re-run later without losing an
   * attempt) and waits for them up to stopTimeoutMs. Jobs still running then stay 'running' in
   * the outbox and are re-queued by the next start.
   */
  stop(timeoutMs = this.options.stopTimeoutMs): Promise<void> {
    if (this.state === 'new') this.state = 'stopped';
    if (this.state === 'running') this.stopped = this.drain(timeoutMs);
    return this.stopped ?? Promise.resolve();
  }

  private async drain(timeoutMs: number): Promise<void> {
    this.state = 'stopping';
    this.wake();
    const flights = [...this.inFlight.values()];
    for (const flight of flights) {
      flight.stopRequested = true;
      flight.controller.abort(new Error('Seat Steward is stopping.'));
    }
    let timer: NodeJS.Timeout | undefined;
    const timedOut = await Promise.race([
      Promise.allSettled(flights.map((f) => f.settled)).then(() => false),
      new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(true), timeoutMs))),
    ]);
    clearTimeout(timer);
    if (timedOut) {
      for (const flight of this.inFlight.values()) {
        flight.abandoned = 'stop';
        this.logger.warn(
          { job: flight.job.id, kind: flight.job.kind },
          'job still running at stop; unless it ends while the app closes, the next start runs it again',
        );
      }
    }
    await this.loopDone;
    this.state = 'stopped';
  }

  private async loop(): Promise<void> {
    while (this.state === 'running') {
      let sleepMs = this.options.pollIntervalMs;
      try {
        this.prune();
        this.fill();
        sleepMs = this.untilNextDue();
      } catch (error) {
        this.logger.error({ err: error }, 'the job runner could not read the outbox; it tries again shortly');
      }
      await this.sleep(sleepMs);
    }
  }

  private sleep(ms: number): Promise<void> {
    if (this.wakePending) {
      this.wakePending = false;
      return Promise.resolve();
    }
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.wakeSleeper = undefined;
        resolve();
      };
      const timer = setTimeout(done, ms);
      timer.unref();
      this.wakeSleeper = done;
    });
  }

  private prune(): void {
    const now = this.options.clock().getTime();
    if (now - this.lastPrune < PRUNE_EVERY_MS) return;
    this.lastPrune = now;
    const removed = this.store.pruneDone(new Date(now - this.options.doneRetentionMs));
    if (removed > 0) this.logger.info({ removed }, 'old finished jobs removed from the outbox');
  }

  private saturatedKinds(): string[] {
    const running = new Map<string, number>();
    for (const f of [...this.inFlight.values(), ...this.overdue])
      running.set(f.job.kind, (running.get(f.job.kind) ?? 0) + 1);
    return [...running]
      .filter(([kind, n]) => n >= (this.registry.get(kind)?.type.concurrency ?? Number.POSITIVE_INFINITY))
      .map(([kind]) => kind);
  }

  /** Claims one job at a time, so each claim sees the per-kind limits the previous one changed. */
  private fill(): void {
    while (this.state === 'running' && this.inFlight.size < this.options.concurrency) {
      const now = this.options.clock();
      const [job] = this.store.claim({
        limit: 1,
        now,
        // Provisional until launch() sets the kind's own lease.
        leaseUntil: new Date(now.getTime() + DEFAULT_JOB_LIMITS.timeoutMs),
        excludeKinds: this.saturatedKinds(),
      });
      if (!job) return;
      this.launch(job, now);
    }
  }

  private untilNextDue(): number {
    if (this.inFlight.size >= this.options.concurrency) return this.options.pollIntervalMs;
    const next = this.store.nextRunAfter(this.saturatedKinds());
    if (!next) return this.options.pollIntervalMs;
    return Math.min(
      this.options.pollIntervalMs,
      Math.max(MIN_SLEEP_MS, next.getTime() - this.options.clock().getTime()),
    );
  }

  private launch(job: OutboxJob, claimedAt: Date): void {
    const log = this.logger.child({ job: job.id, kind: job.kind, attempt: job.attempts });
    const entry = this.registry.get(job.kind);
    if (!entry) {
      this.write(log, () =>
        this.store.dead(
          job.id,
          job.attempts,
          `No handler for job kind "${job.kind}" in this version of Seat Steward; the job may come from another version.`,
          this.options.clock(),
        ),
      );
      log.error('job dead-lettered: unknown kind');
      return;
    }
    const prepared = entry.prepare(job.payload);
    if (!prepared.ok) {
      this.write(log, () => this.store.dead(job.id, job.attempts, prepared.problem, this.options.clock()));
      log.error({ problem: prepared.problem }, 'job dead-lettered: invalid payload');
      return;
    }

    const timeoutMs = entry.type.timeoutMs;
    this.write(log, () => this.store.setLease(job.id, job.attempts, new Date(claimedAt.getTime() + timeoutMs)));
    const controller = new AbortController();
    const ctx: JobContext = {
      jobId: job.id,
      idempotencyKey: job.idempotencyKey,
      tenantId: job.tenantId,
      attempt: job.attempts,
      maxAttempts: job.maxAttempts,
      signal: controller.signal,
      logger: log,
    };
    const flight: Flight = {
      job,
      entry,
      controller,
      settled: Promise.resolve(),
      abandoned: false,
      stopRequested: false,
    };
    const lease = setTimeout(() => this.leaseExpired(flight, timeoutMs, log), timeoutMs);
    lease.unref();
    this.inFlight.set(job.id, flight);
    flight.settled = Promise.resolve()
      .then(() => prepared.run(ctx))
      .then(
        () => this.succeeded(flight, log),
        (error: unknown) => this.failed(flight, error, log),
      )
      .finally(() => {
        clearTimeout(lease);
        if (this.inFlight.get(job.id) === flight) this.inFlight.delete(job.id);
        this.overdue.delete(flight);
        this.wake();
      });
  }

  private succeeded(flight: Flight, log: Logger): void {
    if (flight.abandoned === 'lease') {
      log.warn('job finished after its lease ran out; the retry already queued runs it again');
      return;
    }
    this.write(log, () => this.store.complete(flight.job.id, flight.job.attempts, this.options.clock()));
    log.debug('job done');
  }

  private failed(flight: Flight, error: unknown, log: Logger): void {
    const { job } = flight;
    const message = describe(error);
    if (flight.abandoned === 'lease') {
      log.warn({ err: message }, 'job failed after its lease ran out');
      return;
    }
    const now = this.options.clock();
    if (error instanceof PermanentError) {
      this.write(log, () => this.store.dead(job.id, job.attempts, message, now));
      log.error({ err: message }, 'job dead-lettered: permanent failure');
      return;
    }
    if (error instanceof NotReadyError) {
      const runAfter = new Date(now.getTime() + Math.max(0, error.retryAfterMs));
      this.write(log, () => this.store.release(job.id, job.attempts, runAfter, null, now));
      log.debug({ reason: message, retryInMs: error.retryAfterMs }, 'job not ready yet');
      // The precondition may come true long before the fallback delay (a sync this process runs).
      error.until
        ?.catch(() => undefined)
        .then(() => {
          if (this.state !== 'running') return;
          if (this.store.expedite(job.id, this.options.clock())) this.wake();
        })
        .catch((expediteError: unknown) => log.warn({ err: expediteError }, 'could not make a waiting job due'));
      return;
    }
    if (flight.stopRequested) {
      this.write(log, () => this.store.release(job.id, job.attempts, now, `Interrupted by a stop: ${message}`, now));
      log.info({ err: message }, 'job interrupted by the stop; it runs again at the next start');
      return;
    }
    this.retryOrBury(job, message, error, now, log);
  }

  private leaseExpired(flight: Flight, timeoutMs: number, log: Logger): void {
    if (flight.abandoned || this.inFlight.get(flight.job.id) !== flight) return;
    flight.abandoned = 'lease';
    this.inFlight.delete(flight.job.id);
    this.overdue.add(flight);
    flight.controller.abort(new Error('The attempt ran out of time.'));
    const message = `The attempt did not finish within ${durationText(timeoutMs)} (its lease), so it was abandoned.`;
    this.retryOrBury(flight.job, message, undefined, this.options.clock(), log);
    this.wake();
  }

  private retryOrBury(job: OutboxJob, message: string, error: unknown, now: Date, log: Logger): void {
    if (job.attempts >= job.maxAttempts) {
      const last = `Gave up after ${job.attempts} attempt${job.attempts === 1 ? '' : 's'}. Last error: ${message}`;
      this.write(log, () => this.store.dead(job.id, job.attempts, last, now));
      log.error({ err: message }, 'job dead-lettered: out of attempts');
      return;
    }
    const delayMs = retryDelayMs(error, job.attempts, this.options.retryPolicy, now, this.options.random);
    this.write(log, () => this.store.retry(job.id, job.attempts, new Date(now.getTime() + delayMs), message, now));
    log.warn({ err: message, retryInMs: delayMs }, 'job failed; retrying');
  }

  /** Outbox writes for one job: a failure (disk full, database closed) leaves the row for the next start. */
  private write(log: Logger, fn: () => unknown): void {
    try {
      fn();
    } catch (error) {
      log.error({ err: error }, 'could not record the job outcome; the next start re-runs the job');
    }
  }
}

function durationText(ms: number): string {
  return ms < 1_000 ? `${ms} ms` : ms < 120_000 ? `${Math.round(ms / 1_000)} s` : `${Math.round(ms / 60_000)} min`;
}

function describe(error: unknown): string {
  const text = error instanceof Error ? error.message || error.name : String(error);
  return text.length > MAX_ERROR_CHARS ? `${text.slice(0, MAX_ERROR_CHARS - 1)}…` : text;
}
