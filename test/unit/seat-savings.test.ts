import { describe, expect, it } from 'vitest';
import {
  COPILOT_LIST_PRICE,
  formatMoney,
  freedByReclaimsText,
  licenceCosts,
  priceOf,
  savingsOf,
  totals,
  utilizationOf,
  utilizationText,
  type CopilotSeatSummary,
  type SkuPrice,
  type SkuSeatCounts,
} from '../../src/domain/seat-savings';

/** Expected figures are worked out by hand in the comments, never by the code under test. */
const COPILOT = '639dec6b-bb19-468b-871c-c5c441c4b0cb';
const COPILOT_EDU = 'ad9c22b3-52d7-4e7e-973c-88121ea96436';
const OTHER = 'aaaaaaaa-0000-0000-0000-000000000001';

const price = (skuId: string, amount: number, currency = 'USD', source: SkuPrice['source'] = 'config'): SkuPrice => ({
  skuId,
  amount,
  currency,
  source,
  setBy: null,
  setAt: null,
});

function sku(over: Partial<SkuSeatCounts> = {}): SkuSeatCounts {
  return {
    skuId: COPILOT,
    skuPartNumber: 'Microsoft_365_Copilot',
    purchased: 0,
    assigned: 0,
    available: 0,
    byStatus: { active: 0, inactive: 0, unknown: 0 },
    reclaimable: { certain: 0, probable: 0 },
    review: 0,
    excluded: 0,
    renewalDate: null,
    ...over,
  };
}

function summary(skus: SkuSeatCounts[], candidates = { High: 0, Medium: 0, Low: 0 }): CopilotSeatSummary {
  return {
    computedAt: '2025-06-30T06:00:00Z',
    skus,
    candidates,
    reportRefreshDate: '2025-06-27',
    auditCoveredUntil: '2025-06-30T05:00:00Z',
    reportNamesConcealed: false,
    warnings: [],
  };
}

describe('priceOf: admin > config > Copilot list price; null when nobody priced it', () => {
  const admin = new Map([[COPILOT, price(COPILOT, 25, 'USD', 'admin')]]);
  const config = new Map([
    [COPILOT, price(COPILOT, 28)],
    [OTHER, price(OTHER, 12, 'EUR')],
  ]);

  it.each([
    ['admin wins', COPILOT, admin, config, { amount: 25, source: 'admin' }],
    ['config next', COPILOT, new Map(), config, { amount: 28, source: 'config' }],
    ['Copilot list price last', COPILOT_EDU, admin, config, { amount: 30, currency: 'USD', source: 'list_price' }],
    ['SKU id in upper case', COPILOT.toUpperCase(), new Map(), new Map(), { amount: 30, source: 'list_price' }],
    ['a non-Copilot SKU priced in config', OTHER, admin, config, { amount: 12, currency: 'EUR' }],
  ] as const)('%s', (_, skuId, a, c, expected) => {
    expect(priceOf(skuId, a, c)).toMatchObject(expected);
  });

  it('a non-Copilot SKU nobody priced has no price (null, never 0)', () => {
    expect(priceOf(OTHER, admin, new Map())).toBeNull();
  });

  it('the list price is $30', () => {
    expect(COPILOT_LIST_PRICE).toEqual({ amount: 30, currency: 'USD' });
  });
});

describe("licenceCosts: the REST API's cost_per_license and annual_cost", () => {
  it.each([
    [price(COPILOT, 30), 50, { costPerLicense: 30, annualCost: 18000, currency: 'USD' }], // 30 × 12 × 50
    [price(COPILOT, 36.5, 'EUR'), 3, { costPerLicense: 36.5, annualCost: 1314, currency: 'EUR' }], // 36.5 × 12 × 3
    [price(COPILOT, 0.1), 3, { costPerLicense: 0.1, annualCost: 3.6, currency: 'USD' }], // float: 3.5999… rounds to 3.6
    [price(COPILOT, 30), 0, { costPerLicense: 30, annualCost: 0, currency: 'USD' }],
    [null, 50, { costPerLicense: null, annualCost: null, currency: null }],
  ] as const)('%o × %i', (p, purchased, expected) => {
    expect(licenceCosts(p, purchased)).toEqual(expected);
  });
});

describe('totals: utilization rate = active / assigned, whole percent (one definition for every card and route)', () => {
  it.each([
    [0, 0, null],
    [0, 10, 0],
    [10, 10, 100],
    [2, 3, 67],
    [16, 24, 67],
    [15, 24, 63],
    [1, 3, 33],
    [1, 8, 13], // 12.5 rounds half up
    [999, 1000, 100],
  ] as const)('%i active of %i assigned → %s', (active, assigned, rate) => {
    expect(
      totals(summary([sku({ assigned, byStatus: { active, inactive: assigned - active, unknown: 0 } })]))
        .utilizationRate,
    ).toBe(rate);
  });

  it('sums every Copilot SKU', () => {
    const t = totals(
      summary([
        sku({
          purchased: 100,
          assigned: 90,
          available: 10,
          byStatus: { active: 60, inactive: 25, unknown: 5 },
          reclaimable: { certain: 8, probable: 12 },
          review: 6,
          excluded: 4,
        }),
        sku({
          skuId: COPILOT_EDU,
          purchased: 20,
          assigned: 10,
          available: 10,
          byStatus: { active: 3, inactive: 6, unknown: 1 },
          reclaimable: { certain: 5, probable: 1 },
          review: 1,
          excluded: 0,
        }),
      ]),
    );
    expect(t).toEqual({
      purchased: 120,
      assigned: 100,
      available: 20,
      active: 63,
      inactive: 31,
      unknown: 6,
      reclaimable: 26,
      certain: 13,
      probable: 13,
      review: 7,
      excluded: 4,
      utilizationRate: 63,
      utilization: { active: 63, assigned: 100, percent: 63 },
    });
  });

  it('reads "16 of 24 (67%)" in the one format every card uses', () => {
    expect(utilizationText(utilizationOf(16, 24))).toBe('16 of 24 (67%)');
    expect(utilizationText(utilizationOf(1234, 2000))).toBe('1,234 of 2,000 (62%)');
    expect(utilizationText(utilizationOf(0, 0))).toBe('no Copilot seats assigned');
  });

  it('no SKUs at all: zeros and a null rate', () => {
    expect(totals(summary([]))).toMatchObject({ assigned: 0, active: 0, utilizationRate: null });
  });
});

describe('savingsOf: three figures kept apart (seats freed, cost avoided, money saved at renewal)', () => {
  it('the money saved counts only the seats cut, never the seats given to candidates, and never mixes unassigned seats with reclaimable ones', () => {
    // 7 reclaimable (4 certain, 3 probable) + 5 never assigned = 12 idle; 3 High + 2 Medium wait.
    // 5 go to candidates (avoids buying 5 × $30 = $150), 7 are cut at renewal: 7 × $30 = $210 a month.
    const s = savingsOf(
      summary(
        [
          sku({
            purchased: 24,
            assigned: 19,
            available: 5,
            reclaimable: { certain: 4, probable: 3 },
            renewalDate: '2027-03-01',
          }),
        ],
        { High: 3, Medium: 2, Low: 40 },
      ),
      () => price(COPILOT, 30),
    );
    expect(s).toMatchObject({
      seatsFreed: 7,
      seatsUnassigned: 5,
      seatsReassigned: 5,
      costAvoidedMonthly: 150,
      seatsCut: 7,
      monthly: 210,
      annual: 2520,
      currency: 'USD',
    });
    // All 12 idle × $30 = $360 would count the candidates' seats as savings.
    expect(s.monthly).not.toBe(360);
  });

  it('with every idle seat going to candidates, nothing is saved on the bill', () => {
    const s = savingsOf(
      summary([sku({ available: 1, reclaimable: { certain: 2, probable: 0 } })], { High: 9, Medium: 0, Low: 0 }),
      () => price(COPILOT, 30),
    );
    expect(s).toMatchObject({
      seatsFreed: 2,
      seatsUnassigned: 1,
      seatsReassigned: 3,
      costAvoidedMonthly: 90,
      seatsCut: 0,
      monthly: 0,
    });
  });

  it('seats freed by reclaims are said as freed and still paid, never "saved"', () => {
    expect(freedByReclaimsText({ seats: 1, monthly: 31.5, currency: 'USD' })).toBe(
      '1 Copilot seat freed by reclaims to date; still paid for until the subscription is reduced, then $31.50 a month less.',
    );
    expect(freedByReclaimsText({ seats: 2, monthly: 0, currency: null })).toBe(
      '2 Copilot seats freed by reclaims to date; still paid for until the subscription is reduced.',
    );
  });
});

describe('savingsOf: seats cut × price (no candidates waiting: every idle seat is cut)', () => {
  it('one priced SKU', () => {
    const s = savingsOf(summary([sku({ reclaimable: { certain: 4, probable: 3 } })]), () => price(COPILOT, 30));
    expect(s).toMatchObject({ currency: 'USD', monthly: 210, annual: 2520, warnings: [] }); // 7 × 30, × 12
    expect(s.prices).toEqual([
      { skuId: COPILOT, skuPartNumber: 'Microsoft_365_Copilot', amount: 30, currency: 'USD', source: 'config' },
    ]);
  });

  it('cents survive: 3 × 36.33 = 108.99 a month, 1307.88 a year', () => {
    expect(
      savingsOf(summary([sku({ reclaimable: { certain: 3, probable: 0 } })]), () => price(COPILOT, 36.33)),
    ).toMatchObject({ monthly: 108.99, annual: 1307.88 });
  });

  it('nothing reclaimable saves 0 (a real zero: the seats are priced)', () => {
    expect(savingsOf(summary([sku()]), () => price(COPILOT, 30))).toMatchObject({
      monthly: 0,
      annual: 0,
      currency: 'USD',
    });
  });

  it('an unpriced SKU with reclaimable seats makes the total null, never 0, and says how to price it', () => {
    const s = savingsOf(
      summary([
        sku({ reclaimable: { certain: 2, probable: 0 } }),
        sku({ skuId: OTHER, skuPartNumber: 'COPILOT_X', reclaimable: { certain: 0, probable: 5 } }),
      ]),
      (id) => (id === COPILOT ? price(COPILOT, 30) : null),
    );
    expect(s).toMatchObject({ monthly: null, annual: null });
    expect(s.prices[1]).toEqual({
      skuId: OTHER,
      skuPartNumber: 'COPILOT_X',
      amount: null,
      currency: null,
      source: null,
    });
    expect(s.warnings).toEqual([
      'COPILOT X has no price, so its 5 idle seat(s) are not costed. Set one with "price COPILOT_X ‹amount›".',
    ]);
  });

  it('an unpriced SKU with nothing reclaimable does not spoil the total', () => {
    const s = savingsOf(
      summary([sku({ reclaimable: { certain: 2, probable: 0 } }), sku({ skuId: OTHER, skuPartNumber: 'COPILOT_X' })]),
      (id) => (id === COPILOT ? price(COPILOT, 30) : null),
    );
    expect(s).toMatchObject({ monthly: 60, annual: 720, currency: 'USD', warnings: [] });
  });

  it('mixed currencies among the SKUs with reclaimable seats are not added up', () => {
    const s = savingsOf(
      summary([
        sku({ reclaimable: { certain: 2, probable: 0 } }),
        sku({ skuId: COPILOT_EDU, skuPartNumber: 'EDU', reclaimable: { certain: 1, probable: 0 } }),
      ]),
      (id) => (id === COPILOT ? price(id, 30, 'USD') : price(id, 25, 'EUR')),
    );
    expect(s).toMatchObject({ monthly: null, annual: null, currency: null });
    expect(s.warnings).toEqual(['Prices are in several currencies (USD, EUR), so they are not added up.']);
  });

  it('a SKU in another currency with nothing reclaimable does not stop the total', () => {
    const s = savingsOf(
      summary([sku({ reclaimable: { certain: 2, probable: 0 } }), sku({ skuId: COPILOT_EDU, skuPartNumber: 'EDU' })]),
      (id) => (id === COPILOT ? price(id, 30, 'USD') : price(id, 25, 'EUR')),
    );
    expect(s).toMatchObject({ monthly: 60, annual: 720, currency: 'USD', warnings: [] });
  });
});

describe('savingsOf: the renewal plan', () => {
  it('idle seats (reclaimable + unassigned) go to High and Medium candidates first, the rest is cut at renewal', () => {
    // 5 reclaimable + 2 unassigned = 7 idle; 3 High + 1 Medium = 4 wanting (Low ones wait) → reassign 4, cut 3 = $90 a month.
    const s = savingsOf(
      summary([sku({ available: 2, reclaimable: { certain: 3, probable: 2 }, renewalDate: '2025-09-01' })], {
        High: 3,
        Medium: 1,
        Low: 9,
      }),
      () => price(COPILOT, 30),
    );
    expect(s.renewalPlan).toEqual([
      {
        skuId: COPILOT,
        skuPartNumber: 'Microsoft_365_Copilot',
        renewalDate: '2025-09-01',
        reassignNow: 4,
        cutAtRenewal: 3,
        monthlySavingsAfterCut: 90,
        advice:
          'Microsoft 365 Copilot: give 4 idle seat(s) to waiting High and Medium candidates now (no new seats to buy; these seats stay paid for); cut 3 seat(s) at the 1 Sep 2025 renewal (saves $90 a month from then).',
      },
    ]);
  });

  it('more candidates than idle seats: reassign all, cut nothing', () => {
    const s = savingsOf(
      summary([sku({ reclaimable: { certain: 2, probable: 0 } })], { High: 5, Medium: 0, Low: 0 }),
      () => price(COPILOT, 30),
    );
    expect(s.renewalPlan[0]).toMatchObject({
      reassignNow: 2,
      cutAtRenewal: 0,
      monthlySavingsAfterCut: 0,
      advice:
        'Microsoft 365 Copilot: give 2 idle seat(s) to waiting High and Medium candidates now (no new seats to buy; these seats stay paid for).',
    });
  });

  it('no idle seats', () => {
    expect(savingsOf(summary([sku()]), () => price(COPILOT, 30)).renewalPlan[0]).toMatchObject({
      reassignNow: 0,
      cutAtRenewal: 0,
      advice: 'Microsoft 365 Copilot: no idle seats.',
    });
  });

  it('no renewal date: cut now; an unpriced SKU has null savings, never 0', () => {
    const s = savingsOf(
      summary([sku({ skuId: OTHER, skuPartNumber: 'COPILOT_X', reclaimable: { certain: 1, probable: 0 } })]),
      () => null,
    );
    expect(s.renewalPlan[0]).toMatchObject({
      cutAtRenewal: 1,
      monthlySavingsAfterCut: null,
      advice: 'COPILOT X: cut 1 seat(s) now (no renewal date is known).',
    });
  });

  it('steps are listed by renewal date, unknown dates last', () => {
    const s = savingsOf(
      summary([
        sku({ skuId: 'c', skuPartNumber: 'C', renewalDate: null }),
        sku({ skuId: 'b', skuPartNumber: 'B', renewalDate: '2026-03-01' }),
        sku({ skuId: 'a', skuPartNumber: 'A', renewalDate: '2025-08-01' }),
      ]),
      () => price('x', 30),
    );
    expect(s.renewalPlan.map((r) => r.skuPartNumber)).toEqual(['A', 'B', 'C']);
  });

  it('reassigns from the SKU renewing last and cuts at the soonest renewal, where a cut saves money soonest', () => {
    // A renews in a month, B in ten: both have 3 idle seats; 3 candidates wait. Giving them B's seats
    // (paid for ten more months anyway) and cutting A's 3 next month saves $90 a month from August.
    const s = savingsOf(
      summary(
        [
          sku({ skuId: 'a', skuPartNumber: 'A', reclaimable: { certain: 3, probable: 0 }, renewalDate: '2025-08-01' }),
          sku({ skuId: 'b', skuPartNumber: 'B', reclaimable: { certain: 3, probable: 0 }, renewalDate: '2026-04-01' }),
        ],
        { High: 2, Medium: 1, Low: 0 },
      ),
      () => price('x', 30),
    );
    expect(
      s.renewalPlan.map((r) => [r.skuPartNumber, r.reassignNow, r.cutAtRenewal, r.monthlySavingsAfterCut]),
    ).toEqual([
      ['A', 0, 3, 90],
      ['B', 3, 0, 0],
    ]);
  });

  it('a SKU with no known renewal date can be cut now, so its seats are reassigned last', () => {
    const s = savingsOf(
      summary(
        [
          sku({ skuId: 'n', skuPartNumber: 'N', reclaimable: { certain: 2, probable: 0 }, renewalDate: null }),
          sku({ skuId: 'a', skuPartNumber: 'A', reclaimable: { certain: 2, probable: 0 }, renewalDate: '2025-08-01' }),
        ],
        { High: 3, Medium: 0, Low: 0 },
      ),
      () => price('x', 30),
    );
    // 3 wanting: A's 2 first, then 1 of N's; N keeps 1 to cut now.
    expect(s.renewalPlan.map((r) => [r.skuPartNumber, r.reassignNow, r.cutAtRenewal])).toEqual([
      ['A', 2, 0],
      ['N', 1, 1],
    ]);
  });

  it('the plan never reassigns more than the candidates waiting, nor more than the idle seats, across SKUs', () => {
    for (let wanting = 0; wanting <= 12; wanting++) {
      const s = savingsOf(
        summary(
          [
            sku({
              skuId: 'a',
              skuPartNumber: 'A',
              available: 1,
              reclaimable: { certain: 2, probable: 1 },
              renewalDate: '2025-08-01',
            }),
            sku({
              skuId: 'b',
              skuPartNumber: 'B',
              available: 0,
              reclaimable: { certain: 1, probable: 2 },
              renewalDate: '2026-01-01',
            }),
          ],
          { High: wanting, Medium: 0, Low: 4 },
        ),
        () => price('x', 30),
      );
      const reassigned = s.renewalPlan.reduce((n, r) => n + r.reassignNow, 0);
      const cut = s.renewalPlan.reduce((n, r) => n + r.cutAtRenewal, 0);
      expect(reassigned).toBe(Math.min(wanting, 7));
      expect(reassigned + cut).toBe(7);
    }
  });
});

describe('formatMoney', () => {
  it.each([
    [30, 'USD', '$30'],
    [12.5, 'USD', '$12.50'],
    [1234.56, 'EUR', '€1,234.56'],
    [5, null, '5.00'],
    [5, 'XYZ', 'XYZ 5'],
  ] as const)('%d %s → %s', (amount, currency, text) => {
    expect(formatMoney(amount, currency).replace(/\u00a0/g, ' ')).toBe(text);
  });
});
