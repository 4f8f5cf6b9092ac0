/**
 * The portfolio: every tenant a reader may see, ranked by the money its idle Copilot seats cost.
 * Only aggregates: a portfolio never carries a person, so it may cross tenants (per-user data never
 * does). Each figure reuses the one definition of the tenant's own cards (utilization, reclaimable
 * seats, prices); this module only adds the idle cost and the ranking.
 */
import { costBasis, monthlyCostOf } from './departments';
import { totals, utilizationOf, type CopilotSeatSummary, type SkuPrice, type Utilization } from './seat-savings';
import type { SyncHealth } from './sync-schedule';
import type { TenantRecord } from './tenant';

/** "Renewals in the next 60 days": a subscription renewing that soon is the last chance to cut seats before another term. */
export const PORTFOLIO_RENEWAL_DAYS = 60;

/**
 * Idle Copilot seats and what they cost a month: seat holders the analytics call reclaimable
 * (certain + probable) plus purchased seats nobody holds, each at its SKU's price. This is money
 * being paid now for nothing, which is what "money to recover" means; the savings card's monthly
 * figure is the smaller part of it that the renewal plan cuts.
 */
export interface IdleCost {
  idleSeats: number;
  reclaimable: number;
  unassigned: number;
  /** Null when an idle seat's SKU has no price, or the idle SKUs are priced in different currencies. */
  monthly: number | null;
  currency: string | null;
}

export function idleCostOf(summary: CopilotSeatSummary, price: (skuId: string) => SkuPrice | null): IdleCost {
  const idle = summary.skus.map((s) => ({
    skuId: s.skuId,
    reclaimable: s.reclaimable.certain + s.reclaimable.probable,
    unassigned: s.available,
  }));
  // Priced as the departments are (one currency, null rather than a partial sum), over the SKUs with idle seats.
  const basis = costBasis(
    summary.skus.map((s, k) => ({ ...s, assigned: idle[k]!.reclaimable + idle[k]!.unassigned })),
    price,
  );
  const monthly = monthlyCostOf(
    idle.map((s) => ({ skuId: s.skuId, count: s.reclaimable + s.unassigned })),
    basis,
  );
  const reclaimable = idle.reduce((n, s) => n + s.reclaimable, 0);
  const unassigned = idle.reduce((n, s) => n + s.unassigned, 0);
  return {
    idleSeats: reclaimable + unassigned,
    reclaimable,
    unassigned,
    monthly,
    currency: monthly === null ? null : basis.currency,
  };
}

/** The sync health states that need an admin: the tenant's data is getting old. */
export function healthFailing(health: Pick<SyncHealth, 'state'>): boolean {
  return health.state === 'failing' || health.state === 'consent_required' || health.state === 'sign_in_failed';
}

export interface PortfolioRow {
  tenantId: string;
  tenantName: string;
  domainName: string | null;
  mspClientId: string | null;
  /** When the figures were worked out; null before the first analytics (the figures are then null, never 0). */
  asOf: string | null;
  seats: { purchased: number; assigned: number; active: number } | null;
  utilization: Utilization | null;
  idle: IdleCost | null;
  /** High and Medium candidates: the ones the renewal plan gives idle seats to (Low ones are worth watching, not waiting). */
  candidatesWaiting: number | null;
  /** Copilot subscriptions renewing within PORTFOLIO_RENEWAL_DAYS, soonest first. */
  renewals: Array<{ skuPartNumber: string; date: string }>;
  health: SyncHealth;
}

export function portfolioRow(input: {
  tenant: Pick<TenantRecord, 'id' | 'tenantName' | 'domainName' | 'mspClientId'>;
  summary: CopilotSeatSummary | undefined;
  price: (skuId: string) => SkuPrice | null;
  health: SyncHealth;
  now: Date;
}): PortfolioRow {
  const { tenant, summary, now } = input;
  const base = {
    tenantId: tenant.id,
    tenantName: tenant.tenantName,
    domainName: tenant.domainName,
    mspClientId: tenant.mspClientId,
    health: input.health,
  };
  if (!summary)
    return { ...base, asOf: null, seats: null, utilization: null, idle: null, candidatesWaiting: null, renewals: [] };
  const t = totals(summary);
  const today = now.toISOString().slice(0, 10);
  const horizon = new Date(now.getTime() + PORTFOLIO_RENEWAL_DAYS * 86_400_000).toISOString().slice(0, 10);
  return {
    ...base,
    asOf: summary.computedAt,
    seats: { purchased: t.purchased, assigned: t.assigned, active: t.active },
    utilization: utilizationOf(t.active, t.assigned),
    idle: idleCostOf(summary, input.price),
    candidatesWaiting: summary.candidates.High + summary.candidates.Medium,
    renewals: summary.skus
      .filter((s) => s.renewalDate !== null && s.renewalDate >= today && s.renewalDate <= horizon)
      .map((s) => ({ skuPartNumber: s.skuPartNumber, date: s.renewalDate as string }))
      .sort((a, b) => a.date.localeCompare(b.date)),
  };
}

/**
 * Most money to recover first; then most idle seats (unpriced tenants still rank by seats); tenants
 * without figures last; ties by name, so the order is stable from one day to the next.
 */
export function rankPortfolio(rows: readonly PortfolioRow[]): PortfolioRow[] {
  return [...rows].sort(
    (a, b) =>
      (b.idle?.monthly ?? -1) - (a.idle?.monthly ?? -1) ||
      (b.idle?.idleSeats ?? -1) - (a.idle?.idleSeats ?? -1) ||
      a.tenantName.localeCompare(b.tenantName) ||
      a.tenantId.localeCompare(b.tenantId),
  );
}

/** The portfolio's totals: seats add up; money adds up per currency (never across currencies). */
export interface PortfolioTotals {
  tenants: number;
  withFigures: number;
  failing: number;
  idleSeats: number;
  assigned: number;
  active: number;
  utilization: Utilization;
  idleMonthly: Array<{ currency: string; amount: number }>;
  /** Tenants with idle seats whose cost could not be worked out (no price, or mixed currencies). */
  unpricedTenants: number;
  candidatesWaiting: number;
  renewalsSoon: number;
}

export function portfolioTotals(rows: readonly PortfolioRow[]): PortfolioTotals {
  const money = new Map<string, number>();
  let idleSeats = 0;
  let assigned = 0;
  let active = 0;
  let unpriced = 0;
  let candidates = 0;
  let renewals = 0;
  for (const row of rows) {
    if (row.idle) {
      idleSeats += row.idle.idleSeats;
      if (row.idle.monthly !== null && row.idle.currency !== null)
        money.set(row.idle.currency, (money.get(row.idle.currency) ?? 0) + row.idle.monthly);
      else if (row.idle.idleSeats > 0) unpriced++;
    }
    assigned += row.seats?.assigned ?? 0;
    active += row.seats?.active ?? 0;
    candidates += row.candidatesWaiting ?? 0;
    renewals += row.renewals.length;
  }
  return {
    tenants: rows.length,
    withFigures: rows.filter((r) => r.seats !== null).length,
    failing: rows.filter((r) => healthFailing(r.health)).length,
    idleSeats,
    assigned,
    active,
    utilization: utilizationOf(active, assigned),
    idleMonthly: [...money]
      .map(([currency, amount]) => ({ currency, amount: Math.round(amount * 100) / 100 }))
      .sort((a, b) => b.amount - a.amount),
    unpricedTenants: unpriced,
    candidatesWaiting: candidates,
    renewalsSoon: renewals,
  };
}

/** What the portfolio card and route show: the ranked rows (all of them; the card shows the top) and the totals. */
export interface PortfolioContent {
  rows: PortfolioRow[];
  totals: PortfolioTotals;
  /** The MSP client the portfolio is narrowed to, when it is. */
  clientId: string | null;
  generatedAt: string;
}
