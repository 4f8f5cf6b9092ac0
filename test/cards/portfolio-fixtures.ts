import { portfolioRow, portfolioTotals, rankPortfolio, type PortfolioContent } from '../../src/domain/portfolio';
import type { CopilotSeatSummary, SkuPrice } from '../../src/domain/seat-savings';
import type { SyncHealth } from '../../src/domain/sync-schedule';
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

function health(i: number): SyncHealth {
  const base = { nextSync: null, schedule: { kind: 'cron' } as const };
  if (i % 11 === 5) return { ...base, state: 'never_synced', lastSuccess: null, consecutiveFailures: 0, reason: null };
  if (i % 5 === 4)
    return {
      ...base,
      state: 'consent_required',
      lastSuccess: DIGEST_RUN.finishedAt,
      consecutiveFailures: 2,
      reason: { code: 'graph_forbidden', message: 'Consent was revoked: grant it again.' },
    };
  return { ...base, state: 'healthy', lastSuccess: DIGEST_RUN.finishedAt, consecutiveFailures: 0, reason: null };
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
        health: health(i),
        now: PORTFOLIO_NOW,
      }),
    ),
  );
  return { rows, totals: portfolioTotals(rows), clientId, generatedAt: PORTFOLIO_NOW.toISOString() };
}
