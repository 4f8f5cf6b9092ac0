import { SignedExportLinks } from '../adapters/secrets/signed-export-links';
import { SqliteAnalyticsReads } from '../adapters/sqlite/analytics-reads';
import { SqliteDepartmentSeats } from '../adapters/sqlite/department-seats';
import { SqliteDepartmentTrend } from '../adapters/sqlite/department-trend';
import { SqlitePriceBook } from '../adapters/sqlite/price-book';
import { SqliteSeatCohortReads } from '../adapters/sqlite/seat-cohort-reads';
import { SqliteCohortMonths } from '../adapters/sqlite/cohort-months';
import { SqliteStarSchemaStore } from '../adapters/sqlite/star-schema-store';
import type { AppConfig } from '../config/config';
import type { Clock } from '../domain/clock';
import { copilotSkuMatcher } from '../domain/copilot-skus';
import type { AnalyticsReads } from '../usecases/analytics/ports';
import { PriceService } from '../usecases/analytics/prices';
import { SeatCohortsQuery } from '../usecases/cohorts/seat-cohorts-query';
import { DepartmentChargeback } from '../usecases/departments/department-chargeback';
import { StarSchema } from '../usecases/star-schema/star-schema';
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
  /** Department chargeback: per-department figures and their 90-day trend. */
  departments: DepartmentChargeback;
  /** Seat cohorts per month, from the daily history. */
  cohorts: SeatCohortsQuery;
  /** The Power BI star schema, read from the daily history (CSV, zip and OData feed). */
  star: StarSchema;
}

export function wireAnalytics(
  config: Pick<AppConfig, 'analytics' | 'exports' | 'copilotSkuIds'>,
  core: Pick<Core, 'db'>,
  sync: Pick<Sync, 'directory'>,
  deps: { analytics?: AnalyticsReads; listeningPort: () => number; clock?: Clock },
): Analytics {
  const stored = new SqliteAnalyticsReads(core.db);
  const prices = new SqlitePriceBook(core.db);
  const priceService = new PriceService({
    book: prices,
    skus: (tenantId) => sync.directory.skus(tenantId),
    configPrices: config.analytics.prices,
    currency: config.analytics.priceCurrency,
  });
  return {
    stored,
    reads: deps.analytics ?? stored,
    prices,
    priceService,
    exportLinks: new SignedExportLinks({
      baseUrl: () => config.exports.publicBaseUrl ?? `http://localhost:${deps.listeningPort()}`,
      linkMs: config.exports.linkMs,
    }),
    departments: new DepartmentChargeback({
      seats: new SqliteDepartmentSeats(core.db),
      trend: new SqliteDepartmentTrend(core.db),
      priceFor: (tenantId) => priceService.priceFor(tenantId),
      clock: deps.clock,
    }),
    cohorts: new SeatCohortsQuery(new SqliteSeatCohortReads(core.db), new SqliteCohortMonths(core.db), deps.clock),
    star: new StarSchema({
      store: new SqliteStarSchemaStore(core.db),
      priceFor: (tenantId) => priceService.priceFor(tenantId),
      isCopilotSku: copilotSkuMatcher(config.copilotSkuIds),
    }),
  };
}
