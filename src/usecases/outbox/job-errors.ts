/**
 * How a job handler tells the runner what its failure means. Anything else a handler throws is
 * treated as transient: retried with backoff until the job's attempts run out.
 */

/** Transient: try again later, exactly after `retryAfter` when the other side said when. */
export class RetryableError extends Error {
  /** Seconds, the moment to try again, or a Retry-After header's text (either of those). */
  readonly retryAfter?: number | Date | string;

  constructor(message: string, options: { retryAfter?: number | Date | string; cause?: unknown } = {}) {
    super(message, { cause: options.cause });
    this.name = 'RetryableError';
    this.retryAfter = options.retryAfter;
  }
}

/** Retrying cannot help (the chat is gone, the tenant was removed): the job is dead-lettered at once. */
export class PermanentError extends Error {
  constructor(message: string, options: { cause?: unknown } = {}) {
    super(message, { cause: options.cause });
    this.name = 'PermanentError';
  }
}

/**
 * The job's precondition does not hold yet (the sync it reports on is still running). The job
 * goes back to pending without using up an attempt, and runs again after `retryAfterMs`, or as
 * soon as `until` settles when the precondition is something this process can wait for.
 */
export class NotReadyError extends Error {
  readonly retryAfterMs: number;
  readonly until?: Promise<unknown>;

  constructor(message: string, options: { retryAfterMs: number; until?: Promise<unknown> }) {
    super(message);
    this.name = 'NotReadyError';
    this.retryAfterMs = options.retryAfterMs;
    this.until = options.until;
  }
}
