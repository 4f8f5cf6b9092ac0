import { SignedExportLinks } from '../adapters/secrets/signed-export-links';
import { SqliteAnalyticsReads } from '../adapters/sqlite/analytics-reads';
import { SqlitePriceBook } from '../adapters/sqlite/price-book';
import type { AppConfig } from '../config/config';
import type { AnalyticsReads } from '../usecases/analytics/ports';
import { PriceService } from '../usecases/analytics/prices';
import type { Core } from './wire-core';
import type { Sync } from './wire-sync';

/** Seat analytics as stored by the sync, prices, and the signed CSV links that export them. */
export interface Analytics {
  /** The stored analytics. */
  stored: SqliteAnalyticsReads;
  /** What every feature reads: the stored analytics, or the ones a test put in their place. */
  reads: AnalyticsReads;
  prices: SqlitePriceBook;
  priceService: PriceService;
  exportLinks: SignedExportLinks;
}

export function wireAnalytics(
  config: Pick<AppConfig, 'analytics' | 'exports'>,
  core: Pick<Core, 'db'>,
  sync: Pick<Sync, 'directory'>,
  deps: { analytics?: AnalyticsReads; listeningPort: () => number },
): Analytics {
  const stored = new SqliteAnalyticsReads(core.db);
  const prices = new SqlitePriceBook(core.db);
  return {
    stored,
    reads: deps.analytics ?? stored,
    prices,
    priceService: new PriceService({
      book: prices,
      skus: (tenantId) => sync.directory.skus(tenantId),
      configPrices: config.analytics.prices,
      currency: config.analytics.priceCurrency,
    }),
    exportLinks: new SignedExportLinks({
      baseUrl: () => config.exports.publicBaseUrl ?? `http://localhost:${deps.listeningPort()}`,
      linkMs: config.exports.linkMs,
    }),
  };
}
