import {
  portfolioRow,
  portfolioTotals,
  rankPortfolio,
  syncHealthOf,
  type PortfolioContent,
} from '../../src/domain/portfolio';
import type { CopilotSeatSummary, SkuPrice } from '../../src/domain/seat-savings';
import type { SyncRunRecord } from '../../src/domain/sync-run';
import { DIGEST_RUN, DIGEST_SUMMARY } from './digest-fixtures';

export const PORTFOLIO_NOW = new Date('2026-11-23T07:00:00Z');

const USD: SkuPrice = {
  skuId: 'x',
  amount: 30,
  currency: 'USD',
  source: 'list_price',
  setBy: null,
  setAt: null,
};

/** A summary with `idle` reclaimable seats and a renewal `renewsInDays` from PORTFOLIO_NOW. */
function summaryOf(i: number): CopilotSeatSummary {
  const sku = DIGEST_SUMMARY.skus[0]!;
  const renewal = new Date(PORTFOLIO_NOW.getTime() + (i % 90) * 86_400_000).toISOString().slice(0, 10);
  return {
    ...DIGEST_SUMMARY,
    skus: [
      {
        ...sku,
        reclaimable: { certain: i % 7, probable: i % 3 },
        available: i % 2,
        renewalDate: renewal,
      },
    ],
  };
}

function runs(i: number): SyncRunRecord[] {
  if (i % 11 === 5) return [];
  if (i % 5 === 4)
    return [
      {
        ...DIGEST_RUN,
        status: 'failed',
        errorCode: 'graph_forbidden',
        errorText: 'Consent was revoked: grant it again.',
      },
      { ...DIGEST_RUN, status: 'failed', errorCode: 'graph_forbidden', errorText: 'Consent was revoked.' },
      DIGEST_RUN,
    ];
  return [DIGEST_RUN];
}

/** `count` tenants with a mix of figures: some unpriced, some never synced, some failing. */
export function portfolioContent(count: number, clientId: string | null = null): PortfolioContent {
  const rows = rankPortfolio(
    Array.from({ length: count }, (_, i) =>
      portfolioRow({
        tenant: {
          id: `tenant-${i}`,
          tenantName: `Customer ${String(i).padStart(3, '0')} Holdings with a rather long legal name`,
          domainName: `customer${i}.onmicrosoft.com`,
          mspClientId: clientId,
        },
        summary: i % 11 === 5 ? undefined : summaryOf(i),
        price: () => (i % 13 === 7 ? null : USD),
        health: syncHealthOf(runs(i)),
        now: PORTFOLIO_NOW,
      }),
    ),
  );
  return { rows, totals: portfolioTotals(rows), clientId, generatedAt: PORTFOLIO_NOW.toISOString() };
}
