import { describe, expect, it } from 'vitest';
import { deliveryError } from '../../src/adapters/teams/notifier';
import { retryDelayMs } from '../../src/usecases/outbox/backoff';
import { PermanentError, RetryableError } from '../../src/usecases/outbox/job-errors';

/** Shaped as the connector client (@azure/core-rest-pipeline RestError) throws them, as observed against a local connector. */
function restError(status: number | undefined, options: { code?: string; retryAfter?: string; message?: string } = {}) {
  const headers = new Map<string, string>(
    options.retryAfter === undefined ? [] : [['retry-after', options.retryAfter]],
  );
  return Object.assign(new Error(options.message ?? 'connector said no'), {
    name: 'RestError',
    code: options.code,
    statusCode: status,
    response:
      status === undefined
        ? undefined
        : { status, headers: { get: (name: string) => headers.get(name.toLowerCase()) } },
  });
}

const reference = { serviceUrl: 'https://smba.trafficmanager.net/emea/', conversation: { id: '19:abc@thread.tacv2' } };
const policy = { baseDelayMs: 2_000, maxDelayMs: 60_000 };
const now = new Date('2025-03-01T12:00:00.000Z');

describe('deliveryError: what a failed Teams post means for its retry', () => {
  it.each([
    [429, '7', 7_000],
    [503, '0', 0],
    [503, 'Sat, 01 Mar 2025 12:00:30 GMT', 30_000],
  ])('%s with Retry-After %s is retryable after exactly that', (status, header, delay) => {
    const error = deliveryError(
      restError(status, { retryAfter: header, code: 'Throttled' }),
      'sync result of Contoso',
      reference,
    );
    expect(error).toBeInstanceOf(RetryableError);
    expect(error.message).toMatch(
      new RegExp(`Teams could not take the sync result of Contoso right now \\(${status} Throttled`),
    );
    expect(retryDelayMs(error, 1, policy, now, () => 0.5)).toBe(delay);
  });

  it.each([500, 502, 503, 504, 408])('%s without Retry-After is retryable with backoff', (status) => {
    const error = deliveryError(restError(status), 'sync result of Contoso', reference);
    expect(error).toBeInstanceOf(RetryableError);
    expect(retryDelayMs(error, 2, policy, now, () => 0.5)).toBe(2_000);
  });

  it('401 is retryable and names the bot settings to check', () => {
    const error = deliveryError(restError(401), 'sync result of Contoso', reference);
    expect(error).toBeInstanceOf(RetryableError);
    expect(error.message).toMatch(/BOT_ID, SECRET_BOT_PASSWORD/);
  });

  it.each([403, 404])('%s (bot removed, chat gone) is permanent and says how to get posts again', (status) => {
    const error = deliveryError(
      restError(status, { code: 'BotNotInConversationRoster' }),
      'sync result of Contoso',
      reference,
    );
    expect(error).toBeInstanceOf(PermanentError);
    expect(error.message).toMatch(
      /for conversation 19:abc@thread.tacv2 .*BotNotInConversationRoster.*bot was removed.*Add Seat Steward there again/,
    );
  });

  it('another 4xx (a malformed post) is permanent: the same post would fail again', () => {
    const error = deliveryError(
      restError(400, { code: 'BadArgument', message: 'Activity too large' }),
      'sync result of Contoso',
      reference,
    );
    expect(error).toBeInstanceOf(PermanentError);
    expect(error.message).toContain('400 BadArgument: Activity too large');
  });

  it.each(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'ENOTFOUND', 'REQUEST_SEND_ERROR'])(
    'a network failure (%s) is retryable and names the connector',
    (code) => {
      const error = deliveryError(
        restError(undefined, { code, message: 'connect failed' }),
        'sync result of Contoso',
        reference,
      );
      expect(error).toBeInstanceOf(RetryableError);
      expect(error.message).toContain('https://smba.trafficmanager.net/emea/');
    },
  );

  it('anything else is passed on as it is (the outbox retries it with backoff)', () => {
    const bug = new TypeError('cannot read properties of undefined');
    expect(deliveryError(bug, 'x', reference)).toBe(bug);
    expect(deliveryError('a string', 'x', reference).message).toBe('a string');
  });
});
