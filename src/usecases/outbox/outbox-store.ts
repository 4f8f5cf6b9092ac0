/**
 * The outbox port: durable jobs that must be neither lost nor done twice (sync slots, result
 * posts, and next digests, licence removals, webhooks). One row per idempotency key.
 *
 * Every write that finishes an attempt is fenced by (id, attempt): a late answer from an attempt
 * the runner already gave up on (its lease ran out) cannot overwrite what a newer attempt did.
 */
export const JOB_STATUSES = ['pending', 'running', 'done', 'dead'] as const;
export type JobStatus = (typeof JOB_STATUSES)[number];

export interface OutboxJob {
  id: number;
  kind: string;
  idempotencyKey: string;
  /** Seat Steward's tenant id (tenants.id) the job is about, if any. */
  tenantId: string | null;
  /** Parsed JSON; the job kind's schema validates it before its handler sees it. */
  payload: unknown;
  status: JobStatus;
  /** Attempts started so far (a claim counts one, so a crash mid-attempt still counts). */
  attempts: number;
  maxAttempts: number;
  runAfter: string;
  leaseUntil: string | null;
  lastError: string | null;
  createdAt: string;
  updatedAt: string;
  finishedAt: string | null;
}

export interface EnqueueInput {
  kind: string;
  idempotencyKey: string;
  tenantId?: string | null;
  payload: unknown;
  maxAttempts: number;
  runAfter: Date;
}

export interface EnqueueResult {
  job: OutboxJob;
  /** False when a job with this idempotency key already existed (it is returned unchanged). */
  created: boolean;
}

export interface ClaimInput {
  limit: number;
  now: Date;
  leaseUntil: Date;
  /** Kinds already at their concurrency limit in this runner. */
  excludeKinds?: readonly string[];
}

export interface JobListQuery {
  status?: JobStatus;
  kind?: string;
  limit: number;
  offset: number;
}

export interface OutboxStore {
  enqueue(input: EnqueueInput): EnqueueResult;
  get(id: number): OutboxJob | undefined;
  /** Atomically moves up to `limit` due pending jobs to running, counting an attempt each. */
  claim(input: ClaimInput): OutboxJob[];
  setLease(id: number, attempt: number, leaseUntil: Date): boolean;
  complete(id: number, attempt: number, now: Date): boolean;
  /** Back to pending for another attempt at `runAfter`. */
  retry(id: number, attempt: number, runAfter: Date, error: string, now: Date): boolean;
  /** Back to pending without counting the attempt (the job was not ready, or the runner stopped). */
  release(id: number, attempt: number, runAfter: Date, note: string | null, now: Date): boolean;
  /** Makes a pending job due now (its precondition came true early). */
  expedite(id: number, now: Date): boolean;
  dead(id: number, attempt: number, error: string, now: Date): boolean;
  /** Jobs left running by a runner that is gone: re-queued, or dead once out of attempts. */
  recoverRunning(now: Date, reason: string): { requeued: number; dead: number };
  /** An admin's retry of a dead job: pending with a fresh set of attempts. */
  requeueDead(id: number, now: Date): OutboxJob | undefined;
  list(query: JobListQuery): { rows: OutboxJob[]; total: number };
  countByStatus(): Record<JobStatus, number>;
  /** Dead-lettered jobs about one tenant, for its status card. */
  countDead(tenantId: string): number;
  /** Pending or running jobs of a kind, optionally for one tenant. */
  countOpen(kind: string, tenantId: string): number;
  /** When the next pending job is due, if any (to sleep until then). */
  nextRunAfter(excludeKinds?: readonly string[]): Date | undefined;
  /** Done jobs finished before `before` are deleted; their idempotency keys are forgotten with them. */
  pruneDone(before: Date): number;
}
