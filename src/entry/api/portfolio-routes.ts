import type { Logger } from 'pino';
import type { Request, Server } from 'restify';
import type { PortfolioRow } from '../../domain/portfolio';
import type { PortfolioQuery } from '../../usecases/portfolio/portfolio-query';
import type { TenantReads } from '../../usecases/status/ports';
import { keySeesTenant } from './api-auth';
import { jsonRoute, parseQuery } from './api-route';
import { GUID } from '../../domain/guid';
import type { ApiDoc } from './api-doc';
import { z } from './api-zod';

export interface PortfolioRouteDeps {
  portfolio: Pick<PortfolioQuery, 'content'>;
  tenants: TenantReads;
  authorize: (req: Request) => void;
  logger: Logger;
}

const portfolioQuery = z.object({ client_id: z.string().regex(GUID, 'expected a UUID').optional() }).strict();

const int = z.number().int();
const rowSchema = z.object({
  rank: int,
  id: z.string(),
  client_id: z.string().nullable(),
  tenant_name: z.string(),
  domain_name: z.string().nullable(),
  as_of: z.string().nullable(),
  purchased_seats: int.nullable(),
  assigned_seats: int.nullable(),
  active_seats: int.nullable(),
  utilization_rate: z.number().nullable(),
  idle_seats: int.nullable(),
  reclaimable_seats: int.nullable(),
  unassigned_seats: int.nullable(),
  idle_monthly_cost: z.number().nullable(),
  currency: z.string().nullable(),
  candidates_waiting: int.nullable(),
  renewals_next_60_days: z.array(z.object({ sku_part_number: z.string(), renewal_date: z.string() })),
  sync_health: z.object({
    state: z.string(),
    last_success: z.string().nullable(),
    consecutive_failures: int,
    reason: z.object({ code: z.string(), message: z.string() }).nullable(),
    next_sync: z.string().nullable(),
  }),
});

const portfolioSchema = z
  .object({
    client_id: z.string().nullable(),
    generated_at: z.string(),
    totals: z.object({
      tenants: int,
      tenants_with_figures: int,
      tenants_failing: int,
      idle_seats: int,
      assigned_seats: int,
      active_seats: int,
      utilization_rate: z.number().nullable(),
      idle_monthly_cost: z
        .array(z.object({ currency: z.string(), amount: z.number() }))
        .openapi({ description: 'Per currency: amounts in different currencies are never added.' }),
      unpriced_tenants: int,
      candidates_waiting: int,
      renewals_next_60_days: int,
    }),
    data: z.array(rowSchema),
  })
  .openapi('Portfolio');

export function documentPortfolioRoutes(doc: ApiDoc): void {
  doc.route({
    method: 'get',
    path: '/api/v1/m365/portfolio',
    tag: 'Portfolio',
    summary: "Every tenant's Copilot figures side by side (or one MSP client's), most idle money first",
    query: portfolioQuery,
    responses: { 200: { description: 'The portfolio.', content: portfolioSchema } },
  });
}

/** GET /api/v1/m365/portfolio: the figures of the `portfolio` card, for every tenant (or one MSP client's). */
export function registerPortfolioRoutes(server: Server, deps: PortfolioRouteDeps): void {
  const handle = jsonRoute(deps);
  server.get(
    '/api/v1/m365/portfolio',
    handle((req) => {
      const query = parseQuery(portfolioQuery, req);
      const content = deps.portfolio.content(
        { tenants: deps.tenants.list().filter((t) => keySeesTenant(req, t)), clientId: query.client_id ?? null },
        new Date(),
      );
      const t = content.totals;
      const body: z.infer<typeof portfolioSchema> = {
        client_id: content.clientId,
        generated_at: content.generatedAt,
        totals: {
          tenants: t.tenants,
          tenants_with_figures: t.withFigures,
          tenants_failing: t.failing,
          idle_seats: t.idleSeats,
          assigned_seats: t.assigned,
          active_seats: t.active,
          utilization_rate: t.utilization.percent,
          idle_monthly_cost: t.idleMonthly,
          unpriced_tenants: t.unpricedTenants,
          candidates_waiting: t.candidatesWaiting,
          renewals_next_60_days: t.renewalsSoon,
        },
        data: content.rows.map((row, i) => rowJson(row, i + 1)),
      };
      return body;
    }),
  );
}

function rowJson(row: PortfolioRow, rank: number): z.infer<typeof rowSchema> {
  return {
    rank,
    id: row.tenantId,
    client_id: row.mspClientId,
    tenant_name: row.tenantName,
    domain_name: row.domainName,
    as_of: row.asOf,
    purchased_seats: row.seats?.purchased ?? null,
    assigned_seats: row.seats?.assigned ?? null,
    active_seats: row.seats?.active ?? null,
    utilization_rate: row.utilization?.percent ?? null,
    idle_seats: row.idle?.idleSeats ?? null,
    reclaimable_seats: row.idle?.reclaimable ?? null,
    unassigned_seats: row.idle?.unassigned ?? null,
    idle_monthly_cost: row.idle?.monthly ?? null,
    currency: row.idle?.currency ?? null,
    candidates_waiting: row.candidatesWaiting,
    renewals_next_60_days: row.renewals.map((r) => ({ sku_part_number: r.skuPartNumber, renewal_date: r.date })),
    sync_health: {
      state: row.health.state,
      last_success: row.health.lastSuccess,
      consecutive_failures: row.health.consecutiveFailures,
      reason: row.health.reason,
      next_sync: row.health.nextSync,
    },
  };
}
