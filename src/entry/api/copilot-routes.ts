import { seatMarkKey, seatReclaimMarkText, type SeatReclaimMark } from '../../domain/reclaim';
import type { Logger } from 'pino';
import type { Request, Server } from 'restify';
import { z } from 'zod';
import { PRIORITIES, RECOMMENDATIONS, SEAT_STATUSES, TIERS } from '../../domain/seat-analytics';
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

function seatJson(s: StoredSeat, asOf: string, mark: SeatReclaimMark | undefined) {
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

function candidateJson(c: StoredCandidate, asOf: string) {
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
) {
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
      return {
        data: page.rows.map((s) => seatJson(s, page.asOf, marks?.get(seatMarkKey(s)))),
        pagination: pagination(q.limit, q.offset, page.total),
        as_of: page.asOf,
      };
    }),
  );

  server.get(
    '/api/v1/m365/tenants/:id/copilot/candidates',
    handle((req) => {
      const tenant = tenantFromPath(deps.tenants, req);
      const q = parseQuery(candidateQuery, req);
      const page = deps.analytics.candidates(tenant.id, q);
      if (!page) throw notComputed(tenant);
      return {
        data: page.rows.map((c) => candidateJson(c, page.asOf)),
        pagination: pagination(q.limit, q.offset, page.total),
        as_of: page.asOf,
      };
    }),
  );

  server.get(
    '/api/v1/m365/tenants/:id/copilot/summary',
    handle((req) => {
      const tenant = tenantFromPath(deps.tenants, req);
      parseQuery(z.object({}).strict(), req);
      const stored = deps.analytics.summary(tenant.id);
      if (!stored) throw notComputed(tenant);
      const directoryAsOf = deps.runs.get(stored.snapshotId)?.finishedAt ?? null;
      return summaryJson(tenant.id, stored.summary, deps.priceFor(tenant.id), directoryAsOf);
    }),
  );
}
