import { describe, expect, it } from 'vitest';
import { MAX_RETRY_AFTER_MS, retryAfterMs } from '../../src/domain/retry-after';
import { outcomeOf } from '../../src/adapters/graph/licence-graph';

const now = new Date('2025-03-01T12:00:00.000Z');

describe('retryAfterMs', () => {
  it.each<[string, number | Date | string | null | undefined, number | undefined]>([
    ['whole seconds', 120, 120_000],
    ['zero', 0, 0],
    ['fractional seconds, rounded up', 1.5, 1_500],
    ['header digits', '30', 30_000],
    ['header digits with spaces', ' 7 ', 7_000],
    ['an HTTP-date in the future', 'Sat, 01 Mar 2025 12:00:42 GMT', 42_000],
    ['an HTTP-date in the past', 'Sat, 01 Mar 2025 11:00:00 GMT', 0],
    ['a Date in the future', new Date('2025-03-01T12:05:00.000Z'), 300_000],
    ['a Date in the past', new Date('2025-03-01T11:59:00.000Z'), 0],
    ['an invalid Date', new Date('nope'), undefined],
    ['negative seconds', -5, undefined],
    ['negative header', '-5', undefined],
    ['a decimal header', '1.5', undefined],
    ['garbage', 'soon', undefined],
    ['empty', '', undefined],
    ['NaN', Number.NaN, undefined],
    ['Infinity', Number.POSITIVE_INFINITY, undefined],
    ['null', null, undefined],
    ['absent', undefined, undefined],
  ])('%s', (_label, value, expected) => {
    expect(retryAfterMs(value, now)).toBe(expected);
  });
});

describe('retryAfterMs clamping', () => {
  it('caps a long wait at the maximum, whether seconds, a header or a date', () => {
    expect(retryAfterMs(10 * 86_400, now)).toBe(MAX_RETRY_AFTER_MS);
    expect(retryAfterMs('864000', now)).toBe(MAX_RETRY_AFTER_MS);
    expect(retryAfterMs('Sat, 01 Mar 2036 12:00:00 GMT', now)).toBe(MAX_RETRY_AFTER_MS);
  });

  it("takes a caller's own ceiling", () => {
    expect(retryAfterMs(120, now, 30_000)).toBe(30_000);
    expect(retryAfterMs('20', now, 30_000)).toBe(20_000);
    expect(retryAfterMs('Sat, 01 Mar 2025 12:01:00 GMT', now, 30_000)).toBe(30_000);
  });
});

describe("a $batch item's Retry-After (the licence graph)", () => {
  const change = { key: 'k', kind: 'remove_licence', userId: 'u', skuId: 's' } as const;
  const throttled = (headers: Record<string, string>) => outcomeOf(change, { id: '1', status: 429, headers }, now);

  it('reads seconds and an HTTP-date alike, under any header case', () => {
    expect(throttled({ 'Retry-After': '7' })).toMatchObject({ meaning: 'retry_later', retryAfterSeconds: 7 });
    expect(throttled({ 'retry-after': 'Sat, 01 Mar 2025 12:00:30 GMT' })).toMatchObject({
      meaning: 'retry_later',
      retryAfterSeconds: 30,
    });
  });

  it('leaves the wait to backoff when the header is absent or unusable', () => {
    expect(throttled({})).not.toHaveProperty('retryAfterSeconds');
    expect(throttled({ 'Retry-After': 'soon' })).not.toHaveProperty('retryAfterSeconds');
  });
});
