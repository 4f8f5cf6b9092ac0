import { describe, expect, it } from 'vitest';
import {
  addressClassOf,
  deliveryVerdict,
  endpointWants,
  WEBHOOK_MAX_ATTEMPTS,
  webhookRetryDelayMs,
  webhookRetrySchedule,
} from '../../src/domain/webhook-delivery';

/** The webhook delivery rules on their own: the retry schedule, the verdicts, the scope. */
describe('webhook retry schedule', () => {
  it('spreads ten attempts over about three days, never waiting more than 24 h', () => {
    const waits = webhookRetrySchedule();
    expect(waits).toHaveLength(WEBHOOK_MAX_ATTEMPTS - 1);
    expect(waits.slice(0, 3)).toEqual([15_000, 60_000, 240_000]);
    const total = waits.reduce((a, b) => a + b, 0);
    expect(total / 3_600_000).toBeGreaterThan(66);
    expect(total / 3_600_000).toBeLessThan(78);
    for (let attempt = 1; attempt < WEBHOOK_MAX_ATTEMPTS; attempt++) {
      const nominal = waits[attempt - 1];
      expect(webhookRetryDelayMs(attempt, () => 0)).toBe(Math.round(nominal * 0.75));
      expect(webhookRetryDelayMs(attempt, () => 1)).toBe(Math.min(24 * 3_600_000, Math.round(nominal * 1.25)));
    }
  });
});

describe('delivery verdict', () => {
  it('2xx delivered, 410 gone, everything else retried', () => {
    expect([200, 202, 204, 299].map(deliveryVerdict)).toEqual(['delivered', 'delivered', 'delivered', 'delivered']);
    expect(deliveryVerdict(410)).toBe('gone');
    expect([301, 400, 404, 429, 500, 503].map(deliveryVerdict)).toEqual(Array(6).fill('retry'));
  });
});

describe('address classes', () => {
  it('only plain unicast is public', () => {
    expect(addressClassOf('unicast')).toBe('public');
    expect(addressClassOf('carrierGradeNat')).toBe('carrier-grade NAT');
    expect(addressClassOf('6to4')).toBe('reserved');
    expect(addressClassOf('teredo')).toBe('reserved');
  });
});

describe('endpoint scope', () => {
  const base = { events: ['m365.user.created'], tenantIds: [], clientIds: [], ownerClients: null };
  it('no scope = every tenant; a listed tenant or client narrows it; an owner key limits it to its clients', () => {
    expect(endpointWants(base, 'm365.user.created', 't1', null)).toBe(true);
    expect(endpointWants(base, 'm365.user.deleted', 't1', null)).toBe(false);
    expect(endpointWants({ ...base, tenantIds: ['t2'] }, 'm365.user.created', 't1', null)).toBe(false);
    expect(endpointWants({ ...base, tenantIds: ['t2'], clientIds: ['c1'] }, 'm365.user.created', 't1', 'C1')).toBe(
      true,
    );
    expect(endpointWants({ ...base, ownerClients: ['c1'] }, 'm365.user.created', 't1', null)).toBe(false);
    expect(endpointWants({ ...base, ownerClients: ['c1'] }, 'm365.user.created', 't1', 'c2')).toBe(false);
    expect(endpointWants({ ...base, ownerClients: ['*'] }, 'm365.user.created', 't1', 'c2')).toBe(true);
  });
});
