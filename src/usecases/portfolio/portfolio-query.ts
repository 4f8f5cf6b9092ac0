import {
  portfolioRow,
  portfolioTotals,
  rankPortfolio,
  syncHealthOf,
  type PortfolioContent,
} from '../../domain/portfolio';
import type { SkuPrice } from '../../domain/seat-savings';
import type { SyncRunRecord } from '../../domain/sync-run';
import type { TenantRecord } from '../../domain/tenant';
import type { AnalyticsReads } from '../analytics/ports';
import type { TenantReads } from '../status/ports';

export interface PortfolioDeps {
  tenants: TenantReads;
  analytics: Pick<AnalyticsReads, 'summary'>;
  priceFor: (tenantId: string) => (skuId: string) => SkuPrice | null;
  /** A tenant's newest sync runs, newest first (enough to count the failures since the last success). */
  recentRuns: (tenantId: string) => SyncRunRecord[];
}

/** How many runs back the failure count looks: "10 or more" is as alarming as any larger number. */
export const HEALTH_RUNS = 10;

/** The portfolio of the tenants given (the caller decides which a reader may see), optionally of one MSP client. */
export class PortfolioQuery {
  constructor(private readonly deps: PortfolioDeps) {}

  content(options: { tenants?: readonly TenantRecord[]; clientId?: string | null }, now: Date): PortfolioContent {
    const clientId = options.clientId?.toLowerCase() ?? null;
    const tenants = (options.tenants ?? this.deps.tenants.list()).filter(
      (t) => clientId === null || t.mspClientId?.toLowerCase() === clientId,
    );
    const rows = rankPortfolio(
      tenants.map((tenant) =>
        portfolioRow({
          tenant,
          summary: this.deps.analytics.summary(tenant.id)?.summary,
          price: this.deps.priceFor(tenant.id),
          health: syncHealthOf(this.deps.recentRuns(tenant.id)),
          now,
        }),
      ),
    );
    return { rows, totals: portfolioTotals(rows), clientId, generatedAt: now.toISOString() };
  }
}
