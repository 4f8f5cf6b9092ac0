import { portfolioRow, portfolioTotals, rankPortfolio, type PortfolioContent } from '../../domain/portfolio';
import type { SkuPrice } from '../../domain/seat-savings';
import type { SyncHealth } from '../../domain/sync-schedule';
import type { TenantRecord } from '../../domain/tenant';
import type { AnalyticsReads } from '../analytics/ports';
import type { TenantReads } from '../status/ports';

export interface PortfolioDeps {
  tenants: TenantReads;
  analytics: Pick<AnalyticsReads, 'summary'>;
  priceFor: (tenantId: string) => (skuId: string) => SkuPrice | null;
  /** The tenant's sync health (the one the tenant list and the status card show). */
  health: (tenant: TenantRecord) => SyncHealth;
}

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
          health: this.deps.health(tenant),
          now,
        }),
      ),
    );
    return { rows, totals: portfolioTotals(rows), clientId, generatedAt: now.toISOString() };
  }
}
