import {
  portfolioRow,
  portfolioTotals,
  rankPortfolio,
  type PortfolioContent,
  type PortfolioRow,
} from '../../domain/portfolio';
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

/**
 * How long a tenant's row is kept between portfolio requests. Working a row out reads its summary,
 * prices and sync runs (about 0.2 ms): 500 tenants made every card cost 100 ms of the event loop,
 * so 20 readers queued for seconds. A new snapshot or a changed tenant row replaces it at once; a
 * price set or a failed sync shows within this time.
 */
export const PORTFOLIO_ROW_TTL_MS = 30_000;

/** How many ranked portfolios (one per set of tenants a reader may see, and client) are kept. */
const KEPT_CONTENTS = 16;

/** The portfolio of the tenants given (the caller decides which a reader may see), optionally of one MSP client. */
export class PortfolioQuery {
  private readonly kept = new Map<string, { key: string; at: number; row: PortfolioRow }>();
  /**
   * Ranked portfolios by the rows they were made of: 20 readers asking for the same 500 tenants
   * share one ranking and one set of totals (and, by object identity, the card and JSON made of it)
   * until a row changes or the oldest of its rows is due again.
   */
  private readonly contents = new Map<string, { until: number; content: PortfolioContent }>();

  constructor(private readonly deps: PortfolioDeps) {}

  content(options: { tenants?: readonly TenantRecord[]; clientId?: string | null }, now: Date): PortfolioContent {
    const clientId = options.clientId?.toLowerCase() ?? null;
    const tenants = (options.tenants ?? this.deps.tenants.list()).filter(
      (t) => clientId === null || t.mspClientId?.toLowerCase() === clientId,
    );
    const at = now.getTime();
    this.forgetOld(at);
    const contentKey = `${clientId}\n${tenants.map((t) => `${t.id}|${rowKeyOf(t)}`).join('\n')}`;
    const same = this.contents.get(contentKey);
    if (same && at < same.until && at >= Date.parse(same.content.generatedAt)) return same.content;

    const kept = tenants.map((tenant) => this.rowOf(tenant, now));
    const rows = rankPortfolio(kept.map((k) => k.row));
    const content: PortfolioContent = { rows, totals: portfolioTotals(rows), clientId, generatedAt: now.toISOString() };
    const oldestRow = Math.min(at, ...kept.map((k) => k.at));
    this.contents.delete(contentKey);
    this.contents.set(contentKey, { until: oldestRow + PORTFOLIO_ROW_TTL_MS, content });
    for (const key of this.contents.keys()) {
      if (this.contents.size <= KEPT_CONTENTS) break;
      this.contents.delete(key);
    }
    return content;
  }

  private rowOf(tenant: TenantRecord, now: Date): { at: number; row: PortfolioRow } {
    const key = rowKeyOf(tenant);
    const at = now.getTime();
    const kept = this.kept.get(tenant.id);
    if (kept && kept.key === key && at >= kept.at && at - kept.at < PORTFOLIO_ROW_TTL_MS) return kept;
    const row = portfolioRow({
      tenant,
      summary: this.deps.analytics.summary(tenant.id)?.summary,
      price: this.deps.priceFor(tenant.id),
      health: this.deps.health(tenant),
      now,
    });
    const fresh = { key, at, row };
    this.kept.set(tenant.id, fresh);
    return fresh;
  }

  /** Rows of deleted tenants (and long-unread ones) do not stay in memory. */
  private forgetOld(at: number): void {
    for (const [id, kept] of this.kept) if (at - kept.at >= 10 * PORTFOLIO_ROW_TTL_MS) this.kept.delete(id);
  }
}

/** What the tenants row says changes the row at once: a sync published, names, client or schedule changed. */
function rowKeyOf(tenant: TenantRecord): string {
  return `${tenant.currentSnapshotId}|${tenant.updatedAt}|${tenant.mspClientId}|${tenant.syncEnabled}|${tenant.syncIntervalHours}`;
}
