import { retryAfterMs } from '../../domain/retry-after';
import { RetryableError } from './job-errors';

export interface RetryPolicy {
  /** The backoff ceiling of the first retry; it doubles with each attempt. */
  baseDelayMs: number;
  /** The ceiling never grows past this. */
  maxDelayMs: number;
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = { baseDelayMs: 2_000, maxDelayMs: 15 * 60_000 };

/**
 * Exponential backoff with full jitter: uniform in [0, min(max, base * 2^(attempt-1))]. Full
 * jitter spreads the retries of many jobs that failed together (a Teams outage) instead of
 * sending them back in waves.
 */
export function backoffDelayMs(attempt: number, policy: RetryPolicy, random: () => number = Math.random): number {
  const n = Number.isFinite(attempt) && attempt >= 1 ? Math.floor(attempt) : 1;
  // 2 ** n reaches Infinity for absurd attempt numbers; min() still lands on the cap.
  const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (n - 1));
  const r = random();
  const unit = Number.isFinite(r) ? Math.min(Math.max(r, 0), 1) : 0;
  return Math.floor(unit * ceiling);
}

/** The wait before the next attempt: the other side's Retry-After exactly when it gave one, else backoff. */
export function retryDelayMs(
  error: unknown,
  attempt: number,
  policy: RetryPolicy,
  now: Date,
  random: () => number = Math.random,
): number {
  if (error instanceof RetryableError) {
    const told = retryAfterMs(error.retryAfter, now);
    if (told !== undefined) return told;
  }
  return backoffDelayMs(attempt, policy, random);
}
