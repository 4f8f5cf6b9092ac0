import { describe, expect, it } from 'vitest';
import { backoffDelayMs, retryDelayMs, type RetryPolicy } from '../../src/usecases/outbox/backoff';
import { RetryableError } from '../../src/usecases/outbox/job-errors';

const policy: RetryPolicy = { baseDelayMs: 1_000, maxDelayMs: 60_000 };
const now = new Date('2025-03-01T12:00:00.000Z');

/** The ceiling full jitter draws under: base doubling per attempt, capped. */
const ceiling = (attempt: number) => Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (attempt - 1));

describe('backoffDelayMs (exponential, full jitter, capped)', () => {
  it('stays within [0, min(cap, base * 2^(attempt-1))] for every attempt and jitter value', () => {
    const draws = [0, 1e-9, 0.25, 0.5, 0.75, 0.999_999_999, 1];
    for (let attempt = 1; attempt <= 64; attempt++) {
      for (const r of draws) {
        const d = backoffDelayMs(attempt, policy, () => r);
        expect(Number.isInteger(d)).toBe(true);
        expect(d).toBeGreaterThanOrEqual(0);
        expect(d).toBeLessThanOrEqual(ceiling(attempt));
        expect(d).toBe(Math.floor(r * ceiling(attempt)));
      }
    }
  });

  it('doubles the ceiling per attempt until the cap, then holds it', () => {
    const top = (attempt: number) => backoffDelayMs(attempt, policy, () => 1);
    expect([1, 2, 3, 4, 5, 6, 7, 8].map(top)).toEqual([1_000, 2_000, 4_000, 8_000, 16_000, 32_000, 60_000, 60_000]);
    expect(top(1_000)).toBe(60_000);
    expect(top(Number.MAX_SAFE_INTEGER)).toBe(60_000);
  });

  it('is jittered: many draws spread over the range instead of landing on one value', () => {
    const seen = new Set<number>();
    for (let i = 0; i < 500; i++) seen.add(backoffDelayMs(10, policy));
    expect(seen.size).toBeGreaterThan(100);
    for (const d of seen) expect(d).toBeLessThanOrEqual(60_000);
    expect(Math.min(...seen)).toBeLessThan(30_000);
    expect(Math.max(...seen)).toBeGreaterThan(30_000);
  });

  it.each([0, -3, Number.NaN, Number.NEGATIVE_INFINITY, 0.5])('treats attempt %s as the first', (attempt) => {
    expect(backoffDelayMs(attempt, policy, () => 1)).toBe(1_000);
  });

  it.each([Number.NaN, -1, 2, Number.POSITIVE_INFINITY])('clamps a broken random source (%s) into range', (r) => {
    const d = backoffDelayMs(3, policy, () => r);
    expect(d).toBeGreaterThanOrEqual(0);
    expect(d).toBeLessThanOrEqual(4_000);
  });
});

describe('retryDelayMs', () => {
  it("honours a RetryableError's Retry-After exactly, without jitter, even past the backoff cap", () => {
    expect(retryDelayMs(new RetryableError('busy', { retryAfter: 3 }), 1, policy, now, () => 0)).toBe(3_000);
    expect(retryDelayMs(new RetryableError('busy', { retryAfter: 3_600 }), 9, policy, now, () => 0)).toBe(3_600_000);
    expect(
      retryDelayMs(
        new RetryableError('busy', { retryAfter: new Date(now.getTime() + 2_500) }),
        1,
        policy,
        now,
        () => 0,
      ),
    ).toBe(2_500);
  });

  it('falls back to backoff without a usable Retry-After, and for any other error', () => {
    expect(retryDelayMs(new RetryableError('busy'), 3, policy, now, () => 0.5)).toBe(2_000);
    expect(retryDelayMs(new RetryableError('busy', { retryAfter: -1 }), 3, policy, now, () => 0.5)).toBe(2_000);
    expect(retryDelayMs(new Error('boom'), 3, policy, now, () => 0.5)).toBe(2_000);
    expect(retryDelayMs('not even an error', 20, policy, now, () => 1)).toBe(60_000);
  });
});
