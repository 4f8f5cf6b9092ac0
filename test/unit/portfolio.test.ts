import { describe, expect, it } from 'vitest';
import { idleCostOf, portfolioRow, portfolioTotals, rankPortfolio } from '../../src/domain/portfolio';
import type { CopilotSeatSummary, SkuPrice, SkuSeatCounts } from '../../src/domain/seat-savings';
import type { SyncHealth } from '../../src/domain/sync-schedule';

const price = (amount: number, currency = 'USD'): SkuPrice => ({
  skuId: 'x',
  amount,
  currency,
  source: 'admin',
  setBy: null,
  setAt: null,
});

function sku(
  id: string,
  idle: { certain: number; probable: number; available: number },
  renewalDate: string | null = null,
): SkuSeatCounts {
  return {
    skuId: id,
    skuPartNumber: id.toUpperCase(),
    purchased: 20,
    assigned: 20 - idle.available,
    available: idle.available,
    byStatus: { active: 5, inactive: 10, unknown: 5 - idle.available },
    reclaimable: { certain: idle.certain, probable: idle.probable },
    review: 0,
    excluded: 0,
    renewalDate,
  };
}

const summary = (...skus: SkuSeatCounts[]): CopilotSeatSummary => ({
  computedAt: '2026-12-01T06:00:00.000Z',
  skus,
  candidates: { High: 1, Medium: 2, Low: 3 },
  reportRefreshDate: null,
  auditCoveredUntil: null,
  reportNamesConcealed: false,
  warnings: [],
});

const NEVER: SyncHealth = {
  state: 'never_synced',
  lastSuccess: null,
  consecutiveFailures: 0,
  reason: null,
  nextSync: null,
  schedule: { kind: 'cron' },
};

describe('idle cost', () => {
  it('counts reclaimable and unassigned seats at each SKU’s price', () => {
    const cost = idleCostOf(
      summary(sku('a', { certain: 2, probable: 1, available: 4 }), sku('b', { certain: 1, probable: 0, available: 0 })),
      (id) => (id === 'a' ? price(30) : price(20)),
    );
    expect(cost).toEqual({ idleSeats: 8, reclaimable: 4, unassigned: 4, monthly: 7 * 30 + 20, currency: 'USD' });
  });

  it('is null, never a partial sum, when an idle SKU has no price or the prices are in two currencies', () => {
    const two = summary(
      sku('a', { certain: 1, probable: 0, available: 0 }),
      sku('b', { certain: 1, probable: 0, available: 0 }),
    );
    expect(idleCostOf(two, (id) => (id === 'a' ? price(30) : null))).toMatchObject({
      idleSeats: 2,
      monthly: null,
      currency: null,
    });
    expect(idleCostOf(two, (id) => (id === 'a' ? price(30) : price(28, 'EUR')))).toMatchObject({
      monthly: null,
      currency: null,
    });
    // An unpriced SKU with no idle seat does not matter.
    const one = summary(
      sku('a', { certain: 1, probable: 0, available: 0 }),
      sku('b', { certain: 0, probable: 0, available: 0 }),
    );
    expect(idleCostOf(one, (id) => (id === 'a' ? price(30) : null))).toMatchObject({ monthly: 30, currency: 'USD' });
  });
});

describe('ranking', () => {
  const now = new Date('2026-12-06T12:00:00Z');
  const row = (id: string, idle: number, p: SkuPrice | null, renewal: string | null = null) =>
    portfolioRow({
      tenant: { id, tenantName: id, domainName: null, mspClientId: null },
      summary: summary(sku(id, { certain: idle, probable: 0, available: 0 }, renewal)),
      price: () => p,
      health: NEVER,
      now,
    });

  it('puts the most money first, then unpriced tenants by idle seats, then tenants without figures', () => {
    const none = portfolioRow({
      tenant: { id: 'z', tenantName: 'a-first-by-name', domainName: null, mspClientId: null },
      summary: undefined,
      price: () => null,
      health: NEVER,
      now,
    });
    const ranked = rankPortfolio([
      none,
      row('cheap', 10, price(1)),
      row('unpriced', 9, null),
      row('dear', 2, price(30)),
    ]);
    expect(ranked.map((r) => r.tenantId)).toEqual(['dear', 'cheap', 'unpriced', 'z']);
  });

  it('lists renewals within 60 days only, and adds money up per currency', () => {
    expect(row('soon', 1, price(30), '2027-01-20').renewals).toEqual([{ skuPartNumber: 'SOON', date: '2027-01-20' }]);
    expect(row('late', 1, price(30), '2027-03-01').renewals).toEqual([]);
    expect(row('past', 1, price(30), '2026-11-01').renewals).toEqual([]);
    const totals = portfolioTotals([
      row('a', 2, price(30)),
      row('b', 1, price(20, 'EUR')),
      row('c', 3, price(30)),
      row('d', 4, null),
    ]);
    expect(totals.idleMonthly).toEqual([
      { currency: 'USD', amount: 150 },
      { currency: 'EUR', amount: 20 },
    ]);
    expect(totals).toMatchObject({ idleSeats: 10, unpricedTenants: 1, tenants: 4 });
  });
});
