import type { Logger } from 'pino';
import type { z } from 'zod';

export interface JobLimits {
  /** Attempts before the job is dead-lettered. */
  maxAttempts: number;
  /** How long one attempt may run (its lease) before the runner abandons it and retries. */
  timeoutMs: number;
  /** How many jobs of this kind one runner runs at once (so slow kinds cannot starve quick ones). */
  concurrency: number;
}

/** A kind of job and the shape of its payload; enqueuers and the handler share it. */
export interface JobType<S extends z.ZodTypeAny> extends JobLimits {
  kind: string;
  payload: S;
}

export const DEFAULT_JOB_LIMITS: JobLimits = {
  maxAttempts: 8,
  timeoutMs: 5 * 60_000,
  concurrency: Number.POSITIVE_INFINITY,
};

export function defineJobType<S extends z.ZodTypeAny>(
  kind: string,
  payload: S,
  limits: Partial<JobLimits> = {},
): JobType<S> {
  return { kind, payload, ...DEFAULT_JOB_LIMITS, ...limits };
}

/**
 * What a handler knows about its attempt. Jobs run at least once (a crash after the work but
 * before it is recorded runs it again), so handlers must be idempotent: the idempotency key and
 * the attempt number are here for them to make it so.
 */
export interface JobContext {
  jobId: number;
  idempotencyKey: string;
  tenantId: string | null;
  /** 1 for the first attempt. */
  attempt: number;
  maxAttempts: number;
  /** Aborted when the runner stops or the attempt's lease runs out: give up, the job runs again. */
  signal: AbortSignal;
  logger: Logger;
}

export type JobHandler<S extends z.ZodTypeAny> = (payload: z.output<S>, ctx: JobContext) => Promise<void>;

export type PreparedJob = { ok: true; run: (ctx: JobContext) => Promise<void> } | { ok: false; problem: string };

export interface RegisteredJob {
  type: JobLimits & { kind: string };
  /** Validates a stored payload against the kind's schema before anything runs. */
  prepare(payload: unknown): PreparedJob;
}

/** kind -> handler. A stored job whose kind is not here is dead-lettered with that reason. */
export class JobRegistry {
  private readonly entries = new Map<string, RegisteredJob>();

  on<S extends z.ZodTypeAny>(type: JobType<S>, handle: JobHandler<S>): this {
    if (this.entries.has(type.kind)) throw new Error(`Job kind "${type.kind}" has two handlers.`);
    this.entries.set(type.kind, {
      type,
      prepare(payload) {
        const parsed = type.payload.safeParse(payload);
        if (!parsed.success) {
          const issues = parsed.error.issues.map((i) => `${i.path.join('.') || 'payload'}: ${i.message}`).join('; ');
          return {
            ok: false,
            problem: `The payload does not fit job kind "${type.kind}" (${issues}). It was written by another version of Seat Steward or edited by hand, so it cannot run.`,
          };
        }
        const value = parsed.data as z.output<S>;
        return { ok: true, run: (ctx) => handle(value, ctx) };
      },
    });
    return this;
  }

  get(kind: string): RegisteredJob | undefined {
    return this.entries.get(kind);
  }
}
