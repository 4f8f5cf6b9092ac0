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

/**
 * A Retry-After as a delay from `now`: seconds (a number, or digits as the header sends them) or
 * a moment (a Date, or an HTTP-date). Undefined when it says nothing usable.
 */
export function retryAfterMs(value: number | Date | string | null | undefined, now: Date): number | undefined {
  if (value === null || value === undefined) return undefined;
  if (typeof value === 'number') return Number.isFinite(value) && value >= 0 ? Math.ceil(value * 1000) : undefined;
  if (value instanceof Date) {
    const at = value.getTime();
    return Number.isNaN(at) ? undefined : Math.max(0, at - now.getTime());
  }
  const text = value.trim();
  if (/^\d+$/.test(text)) return Number(text) * 1000;
  // Only a real date: Date.parse also accepts things like "-1" or "1.5".
  if (!/[a-z]/i.test(text)) return undefined;
  const at = Date.parse(text);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now.getTime());
}

/** The wait before the next attempt: the other side's Retry-After exactly when it gave one, else backoff. */
export function retryDelayMs(error: unknown, attempt: number, policy: RetryPolicy, now: Date, random: () => number = Math.random): number {
  if (error instanceof RetryableError) {
    const told = retryAfterMs(error.retryAfter, now);
    if (told !== undefined) return told;
  }
  return backoffDelayMs(attempt, policy, random);
}
