import { RECLAIM_STATES, seatMarkKey, seatReclaimMarkText, type SeatReclaimMark } from '../../domain/reclaim';
import type { Logger } from 'pino';
import type { Request, Server } from 'restify';
import { PRIORITIES, RECOMMENDATIONS, SEAT_STATUSES, TIERS } from '../../domain/seat-analytics';
import { either, NO_TENANT, noQuery, paginationSchema, type ApiDoc } from './api-doc';
import { z } from './api-zod';
import { savingsOf, totals, utilizationText, type CopilotSeatSummary, type SkuPrice } from '../../domain/seat-savings';
import type { TenantRecord } from '../../domain/tenant';
import type { AnalyticsReads } from '../../usecases/analytics/ports';
import type { StoredCandidate, StoredSeat } from '../../domain/seat-records';
import type { SyncRunReads, TenantReads } from '../../usecases/status/ports';
import { ApiError } from './api-errors';
import { integer, jsonRoute, parseQuery, tenantFromPath } from './api-route';
import { pagination } from './pagination';

export interface CopilotRouteDeps {
  tenants: TenantReads;
  runs: SyncRunReads;
  analytics: AnalyticsReads;
  /** A tenant's price of each SKU (admin > SKU_PRICES > list price), from the one price service. */
  priceFor: (tenantId: string) => (skuId: string) => SkuPrice | null;
  authorize: (req: Request) => void;
  logger: Logger;
  /** Seats a reclaim is walking (ReclaimApi.marks), marked on every row as on the cards. */
  reclaimMarks?: (
    tenantId: string,
    seats: ReadonlyArray<{ userId: string; skuId: string }>,
    analyticsAsOf: string,
  ) => ReadonlyMap<string, SeatReclaimMark>;
}

const choice = <T extends readonly [string, ...string[]]>(values: T) =>
  z.enum(values, { errorMap: () => ({ message: `expected one of ${values.join(', ')}` }) }).optional();
const department = z
  .string()
  .trim()
  .min(1, 'expected at least 1 character')
  .max(200, 'expected at most 200 characters')
  .optional();

const seatQuery = z
  .object({
    limit: integer('limit', 1, 500, 50),
    offset: integer('offset', 0, 10_000_000, 0),
    status: choice(SEAT_STATUSES),
    recommendation: choice(RECOMMENDATIONS),
    tier: choice(TIERS),
    department,
  })
  .strict();

const candidateQuery = z
  .object({
    limit: integer('limit', 1, 500, 50),
    offset: integer('offset', 0, 10_000_000, 0),
    priority: choice(PRIORITIES),
    department,
  })
  .strict();

const int = z.number().int();
const money = z.number().nullable();
const reclaimableSchema = z.object({ total: int, certain: int, probable: int });

const seatSchema = z
  .object({
    user_id: z.string(),
    user_principal_name: z.string(),
    display_name: z.string().nullable(),
    department: z.string().nullable(),
    sku_id: z.string(),
    sku_part_number: z.string(),
    assigned_via: z.enum(['direct', 'group']),
    assigned_directly: z.boolean(),
    groups: z.array(z.object({ group_id: z.string(), group_name: z.string().nullable() })),
    license_assigned_date: z.string(),
    last_activity_date: z.string().nullable(),
    last_activity_source: z.enum(['copilot_usage_report', 'audit_log']).nullable(),
    last_activity_as_of: z.string().nullable(),
    days_since_last_activity: int.nullable(),
    usage_score: z.number(),
    status: z.enum(SEAT_STATUSES),
    recommendation: z.enum(RECOMMENDATIONS),
    tier: z.enum(TIERS).nullable(),
    account_enabled: z.boolean(),
    reasons: z.array(z.string()),
    reclaim: z
      .object({
        status: z.enum(['in_request', 'removed_not_synced']),
        state: z.enum([...RECLAIM_STATES, 'removed']),
        note: z.string(),
      })
      .nullable()
      .openapi({ description: 'A reclaim walking the seat, or one removed after these analytics; null otherwise.' }),
    as_of: z.string(),
  })
  .openapi('CopilotSeat');

const candidateSchema = z
  .object({
    rank: int,
    user_id: z.string(),
    user_principal_name: z.string(),
    display_name: z.string().nullable(),
    department: z.string().nullable(),
    m365_activity_score: z.number(),
    recommended_priority: z.enum(PRIORITIES),
    copilot_chat: z.object({ last_at: z.string(), interactions: int }).nullable(),
    reasons: z.array(z.string()),
    as_of: z.string(),
  })
  .openapi('CopilotCandidate');

const seatPageSchema = z.object({ data: z.array(seatSchema), pagination: paginationSchema, as_of: z.string() });
const candidatePageSchema = z.object({
  data: z.array(candidateSchema),
  pagination: paginationSchema,
  as_of: z.string(),
});

export const summarySchema = z
  .object({
    tenant_id: z.string(),
    purchased: int,
    assigned: int,
    available: int,
    active: int,
    inactive: int,
    unknown: int,
    utilization_rate: z.number().nullable(),
    utilization_text: z.string().nullable(),
    reclaimable: reclaimableSchema,
    review: int,
    excluded: int,
    candidates: z.object({ High: int, Medium: int, Low: int }),
    estimated_monthly_savings: money,
    estimated_annual_savings: money,
    seats_freed: int,
    seats_unassigned: int,
    seats_reassigned: int,
    cost_avoided_monthly: money,
    seats_cut: int,
    currency: z.string().nullable(),
    prices: z.array(
      z.object({
        sku_id: z.string(),
        sku_part_number: z.string(),
        amount: money,
        currency: z.string().nullable(),
        source: z.enum(['list_price', 'config', 'admin']).nullable(),
      }),
    ),
    skus: z.array(
      z.object({
        sku_id: z.string(),
        sku_part_number: z.string(),
        purchased: int,
        assigned: int,
        available: int,
        active: int,
        inactive: int,
        unknown: int,
        reclaimable: reclaimableSchema,
        review: int,
        excluded: int,
        renewal_date: z.string().nullable(),
      }),
    ),
    renewal_plan: z.array(
      z.object({
        sku_id: z.string(),
        sku_part_number: z.string(),
        renewal_date: z.string().nullable(),
        reassign_now: int,
        cut_at_renewal: int,
        monthly_savings_after_cut: money,
        advice: z.string(),
      }),
    ),
    as_of: z.object({
      analytics: z.string(),
      report_refresh_date: z.string().nullable(),
      audit_covered_until: z.string().nullable(),
      directory: z.string().nullable(),
    }),
    report_names_concealed: z.boolean(),
    warnings: z.array(z.string()),
  })
  .openapi('CopilotSummary');

const NOT_COMPUTED = either(NO_TENANT, {
  description: 'No seat analytics yet (analytics_not_available): run a sync.',
  codes: ['analytics_not_available'],
});

export function documentCopilotRoutes(doc: ApiDoc): void {
  doc.route({
    method: 'get',
    path: '/api/v1/m365/tenants/:id/copilot/seats',
    tag: 'Copilot',
    summary: 'Copilot seats with their last activity, usage score, status and recommendation',
    query: seatQuery,
    responses: { 200: { description: 'A page of seats.', content: seatPageSchema } },
    errors: { 404: NOT_COMPUTED },
  });
  doc.route({
    method: 'get',
    path: '/api/v1/m365/tenants/:id/copilot/candidates',
    tag: 'Copilot',
    summary: 'Users without a seat who would use one, best first',
    query: candidateQuery,
    responses: { 200: { description: 'A page of candidates.', content: candidatePageSchema } },
    errors: { 404: NOT_COMPUTED },
  });
  doc.route({
    method: 'get',
    path: '/api/v1/m365/tenants/:id/copilot/summary',
    tag: 'Copilot',
    summary: 'Seat counts, utilization and savings at current prices, with the renewal plan',
    query: noQuery,
    responses: { 200: { description: 'The summary.', content: summarySchema } },
    errors: { 404: NOT_COMPUTED },
  });
}

function notComputed(tenant: TenantRecord): ApiError {
  const why =
    tenant.currentSnapshotId === null
      ? 'the tenant has not been synced yet'
      : 'the last sync did not compute them (see its warnings in GET /sync-runs)';
  return new ApiError(
    404,
    'analytics_not_available',
    `No seat analytics for tenant ${tenant.tenantName}: ${why}. Run a sync (POST /api/v1/m365/tenants/${tenant.id}/sync) and try again.`,
  );
}

function seatJson(s: StoredSeat, asOf: string, mark: SeatReclaimMark | undefined): z.infer<typeof seatSchema> {
  return {
    user_id: s.userId,
    user_principal_name: s.userPrincipalName,
    display_name: s.displayName,
    department: s.department,
    sku_id: s.skuId,
    sku_part_number: s.skuPartNumber,
    // The same contract as GET .../reclaims (assigned_via, group_id, group_name): an enum to filter on,
    // and the groups by id and name, since removing a group-inherited seat means removing the user
    // from the group. A seat can come both ways: assigned_directly says whether it is also direct.
    assigned_via: s.groups.length === 0 ? 'direct' : 'group',
    assigned_directly: s.direct,
    groups: s.groups.map((g) => ({ group_id: g.groupId, group_name: g.displayName })),
    license_assigned_date: s.licenseAssignedDate,
    last_activity_date: s.lastActivityDate,
    last_activity_source: s.lastActivitySource,
    last_activity_as_of: s.lastActivityAsOf,
    days_since_last_activity: s.daysSinceLastActivity,
    usage_score: s.usageScore,
    status: s.status,
    recommendation: s.recommendation,
    tier: s.tier,
    account_enabled: s.accountEnabled,
    reasons: s.reasons,
    // in_request (an open request walks the seat) or removed_not_synced (removed after these analytics); null otherwise.
    reclaim: mark
      ? {
          status: mark.kind,
          state: mark.kind === 'in_request' ? mark.state : 'removed',
          note: seatReclaimMarkText(mark),
        }
      : null,
    as_of: asOf,
  };
}

function candidateJson(c: StoredCandidate, asOf: string): z.infer<typeof candidateSchema> {
  return {
    rank: c.rank,
    user_id: c.userId,
    user_principal_name: c.userPrincipalName,
    display_name: c.displayName,
    department: c.department,
    m365_activity_score: c.m365ActivityScore,
    recommended_priority: c.priority,
    copilot_chat: c.copilotChat ? { last_at: c.copilotChat.lastAt, interactions: c.copilotChat.interactions } : null,
    reasons: c.reasons,
    as_of: asOf,
  };
}

/** The seat summary with money: counts stored at sync, prices applied now (admin > config > list price). */
export function summaryJson(
  tenantId: string,
  summary: CopilotSeatSummary,
  price: (skuId: string) => SkuPrice | null,
  directoryAsOf: string | null,
): z.infer<typeof summarySchema> {
  const t = totals(summary);
  const savings = savingsOf(summary, price);
  return {
    tenant_id: tenantId,
    purchased: t.purchased,
    assigned: t.assigned,
    available: t.available,
    active: t.active,
    inactive: t.inactive,
    unknown: t.unknown,
    utilization_rate: t.utilizationRate,
    utilization_text: t.utilizationRate === null ? null : utilizationText(t.utilization),
    reclaimable: { total: t.reclaimable, certain: t.certain, probable: t.probable },
    review: t.review,
    excluded: t.excluded,
    candidates: summary.candidates,
    estimated_monthly_savings: savings.monthly,
    estimated_annual_savings: savings.annual,
    seats_freed: savings.seatsFreed,
    seats_unassigned: savings.seatsUnassigned,
    seats_reassigned: savings.seatsReassigned,
    cost_avoided_monthly: savings.costAvoidedMonthly,
    seats_cut: savings.seatsCut,
    currency: savings.currency,
    prices: savings.prices.map((p) => ({
      sku_id: p.skuId,
      sku_part_number: p.skuPartNumber,
      amount: p.amount,
      currency: p.currency,
      source: p.source,
    })),
    skus: summary.skus.map((s) => ({
      sku_id: s.skuId,
      sku_part_number: s.skuPartNumber,
      purchased: s.purchased,
      assigned: s.assigned,
      available: s.available,
      active: s.byStatus.active,
      inactive: s.byStatus.inactive,
      unknown: s.byStatus.unknown,
      reclaimable: {
        total: s.reclaimable.certain + s.reclaimable.probable,
        certain: s.reclaimable.certain,
        probable: s.reclaimable.probable,
      },
      review: s.review,
      excluded: s.excluded,
      renewal_date: s.renewalDate,
    })),
    renewal_plan: savings.renewalPlan.map((r) => ({
      sku_id: r.skuId,
      sku_part_number: r.skuPartNumber,
      renewal_date: r.renewalDate,
      reassign_now: r.reassignNow,
      cut_at_renewal: r.cutAtRenewal,
      monthly_savings_after_cut: r.monthlySavingsAfterCut,
      advice: r.advice,
    })),
    as_of: {
      analytics: summary.computedAt,
      report_refresh_date: summary.reportRefreshDate,
      audit_covered_until: summary.auditCoveredUntil,
      directory: directoryAsOf,
    },
    report_names_concealed: summary.reportNamesConcealed,
    warnings: [...summary.warnings, ...savings.warnings],
  };
}

/** Copilot seat analytics of the tenant's current snapshot: seats, candidates and the summary with savings. */
export function registerCopilotRoutes(server: Server, deps: CopilotRouteDeps): void {
  const handle = jsonRoute(deps);

  server.get(
    '/api/v1/m365/tenants/:id/copilot/seats',
    handle((req) => {
      const tenant = tenantFromPath(deps.tenants, req);
      const q = parseQuery(seatQuery, req);
      const page = deps.analytics.seats(tenant.id, q);
      if (!page) throw notComputed(tenant);
      // page.asOf is the analytics' computedAt: a seat removed after it is marked as not synced yet.
      const marks = deps.reclaimMarks?.(tenant.id, page.rows, page.asOf);
      const body: z.infer<typeof seatPageSchema> = {
        data: page.rows.map((s) => seatJson(s, page.asOf, marks?.get(seatMarkKey(s)))),
        pagination: pagination(q.limit, q.offset, page.total),
        as_of: page.asOf,
      };
      return body;
    }),
  );

  server.get(
    '/api/v1/m365/tenants/:id/copilot/candidates',
    handle((req) => {
      const tenant = tenantFromPath(deps.tenants, req);
      const q = parseQuery(candidateQuery, req);
      const page = deps.analytics.candidates(tenant.id, q);
      if (!page) throw notComputed(tenant);
      const body: z.infer<typeof candidatePageSchema> = {
        data: page.rows.map((c) => candidateJson(c, page.asOf)),
        pagination: pagination(q.limit, q.offset, page.total),
        as_of: page.asOf,
      };
      return body;
    }),
  );

  server.get(
    '/api/v1/m365/tenants/:id/copilot/summary',
    handle((req) => {
      const tenant = tenantFromPath(deps.tenants, req);
      parseQuery(noQuery, req);
      const stored = deps.analytics.summary(tenant.id);
      if (!stored) throw notComputed(tenant);
      const directoryAsOf = deps.runs.get(stored.snapshotId)?.finishedAt ?? null;
      return summaryJson(tenant.id, stored.summary, deps.priceFor(tenant.id), directoryAsOf);
    }),
  );
}
