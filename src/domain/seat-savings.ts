/**
 * Copilot seat totals, prices and what reclaiming saves. The stored summary holds counts only;
 * money is worked out when read, from the price book, so a price an admin sets applies at once.
 */
import { KNOWN_COPILOT_SKU_IDS } from './copilot-skus';
import type { ReclaimTier, SeatStatus } from './seat-analytics';
import type { SeatHighlight } from './seat-highlights';
import { productName } from './product-names';
import { dayText } from './time-text';

/** Microsoft's list price of Microsoft 365 Copilot, per user per month. */
export const COPILOT_LIST_PRICE = { amount: 30, currency: 'USD' } as const;

export interface SkuPrice {
  skuId: string;
  /** Per user per month. */
  amount: number;
  currency: string;
  source: 'list_price' | 'config' | 'admin';
  setBy: string | null;
  setAt: string | null;
}

/**
 * The price of a SKU: an admin's (`price` command, REST), else config (SKU_PRICES), else the list
 * price for the Copilot SKUs. Null when nobody priced it: its costs are then null, never 0.
 */
export function priceOf(
  skuId: string,
  admin: ReadonlyMap<string, SkuPrice>,
  config: ReadonlyMap<string, SkuPrice>,
): SkuPrice | null {
  const id = skuId.toLowerCase();
  const set = admin.get(id) ?? config.get(id);
  if (set) return set;
  if (KNOWN_COPILOT_SKU_IDS.includes(id))
    return { skuId: id, ...COPILOT_LIST_PRICE, source: 'list_price', setBy: null, setAt: null };
  return null;
}

/** The REST API's cost_per_license and annual_cost of a SKU (annual = price × 12 × purchased units). */
export function licenceCosts(
  price: SkuPrice | null,
  purchased: number,
): { costPerLicense: number | null; annualCost: number | null; currency: string | null } {
  if (!price) return { costPerLicense: null, annualCost: null, currency: null };
  return { costPerLicense: price.amount, annualCost: round2(price.amount * 12 * purchased), currency: price.currency };
}

/** One Copilot SKU's seats as assessed at a sync. */
export interface SkuSeatCounts {
  skuId: string;
  skuPartNumber: string;
  purchased: number;
  /** Seat holders assessed (one per user holding the SKU). */
  assigned: number;
  available: number;
  byStatus: Record<SeatStatus, number>;
  reclaimable: Record<ReclaimTier, number>;
  review: number;
  excluded: number;
  /** The soonest renewal of an enabled subscription of the SKU, when known. */
  renewalDate: string | null;
}

/** What is stored per sync: counts and dates, no money. */
export interface CopilotSeatSummary {
  computedAt: string;
  skus: SkuSeatCounts[];
  /** Candidates by priority. */
  candidates: { High: number; Medium: number; Low: number };
  reportRefreshDate: string | null;
  auditCoveredUntil: string | null;
  reportNamesConcealed: boolean;
  /** Admin-facing notes on what the figures could not see. */
  warnings: string[];
  /** Seats worth naming in the digest (absent in summaries stored before it existed). */
  highlights?: SeatHighlight[];
}

export interface RenewalStep {
  skuId: string;
  skuPartNumber: string;
  renewalDate: string | null;
  /** Idle seats (reclaimable and unassigned) to give to High and Medium candidates now. */
  reassignNow: number;
  /** Seats to drop at the renewal (or now, with no known renewal date). */
  cutAtRenewal: number;
  /** What the cut saves a month, once in effect; null when the SKU has no price. */
  monthlySavingsAfterCut: number | null;
  advice: string;
}

/**
 * What idle seats are worth, as three figures that are never added together:
 * - seats freed by reclaiming (certain + probable): the licence is free to give, but the
 *   subscription still bills it until it is reduced;
 * - cost avoided: idle seats (freed or never assigned) given to waiting High and Medium candidates
 *   instead of buying them new seats; the tenant keeps paying for those seats;
 * - money saved: the seats left over, cut when each subscription can shrink (its renewal), × price.
 * Only the last is a saving on the bill, and it is the headline.
 */
export interface Savings {
  currency: string | null;
  /** Saved a month once the subscriptions are reduced: Σ seats cut × price; null when a SKU with seats to cut has no price. */
  monthly: number | null;
  annual: number | null;
  /** Reclaimable seats (certain + probable): freed by reclaiming, still paid for until the subscription is reduced. */
  seatsFreed: number;
  /** Purchased seats nobody holds (never assigned, or freed earlier): idle, but not reclaimable. */
  seatsUnassigned: number;
  /** Idle seats the renewal plan gives to waiting High and Medium candidates. */
  seatsReassigned: number;
  /** What buying seatsReassigned new seats would cost a month; null when a SKU giving seats has no price. */
  costAvoidedMonthly: number | null;
  /** Idle seats the renewal plan cuts (the seats behind `monthly`). */
  seatsCut: number;
  prices: Array<{
    skuId: string;
    skuPartNumber: string;
    amount: number | null;
    currency: string | null;
    source: SkuPrice['source'] | null;
  }>;
  renewalPlan: RenewalStep[];
  warnings: string[];
}

/**
 * Copilot seat utilization: seat holders active (Copilot use within INACTIVE_DAYS, from the usage
 * report or the audit log) out of assigned seats, as a whole percent. The one definition that the
 * usage, savings and digest cards, the gauge, the REST summary and the exports show.
 */
export interface Utilization {
  active: number;
  assigned: number;
  /** Whole percent; null with no seat assigned. */
  percent: number | null;
}

export function utilizationOf(active: number, assigned: number): Utilization {
  return { active, assigned, percent: assigned === 0 ? null : Math.round((100 * active) / assigned) };
}

/** "16 of 24 (67%)", or why there is no figure: the one format for utilization. */
export function utilizationText(u: Utilization): string {
  const n = (v: number) => v.toLocaleString('en-US');
  return u.percent === null ? 'no Copilot seats assigned' : `${n(u.active)} of ${n(u.assigned)} (${u.percent}%)`;
}

export function totals(summary: CopilotSeatSummary): {
  purchased: number;
  assigned: number;
  available: number;
  active: number;
  inactive: number;
  unknown: number;
  reclaimable: number;
  certain: number;
  probable: number;
  review: number;
  excluded: number;
  /** utilizationOf(active, assigned).percent: whole percent; null with no seats. */
  utilizationRate: number | null;
  utilization: Utilization;
} {
  const sum = (pick: (s: SkuSeatCounts) => number) => summary.skus.reduce((acc, s) => acc + pick(s), 0);
  const assigned = sum((s) => s.assigned);
  const active = sum((s) => s.byStatus.active);
  const certain = sum((s) => s.reclaimable.certain);
  const probable = sum((s) => s.reclaimable.probable);
  return {
    purchased: sum((s) => s.purchased),
    assigned,
    available: sum((s) => s.available),
    active,
    inactive: sum((s) => s.byStatus.inactive),
    unknown: sum((s) => s.byStatus.unknown),
    reclaimable: certain + probable,
    certain,
    probable,
    review: sum((s) => s.review),
    excluded: sum((s) => s.excluded),
    utilizationRate: utilizationOf(active, assigned).percent,
    utilization: utilizationOf(active, assigned),
  };
}

/**
 * Savings and the renewal plan. Idle capacity (reclaimable plus unassigned seats) first goes to High
 * and Medium candidates, since a seat already paid for is best used, taken from the SKUs renewing
 * last; the rest is cut at the SKU's next renewal, when a subscription can shrink (annual
 * commitments cannot mid-term). Only the cut seats count as money saved. Steps are listed by
 * renewal date, unknown dates last.
 */
export function savingsOf(summary: CopilotSeatSummary, price: (skuId: string) => SkuPrice | null): Savings {
  const warnings: string[] = [];
  const prices = summary.skus.map((s) => {
    const p = price(s.skuId);
    return {
      skuId: s.skuId,
      skuPartNumber: s.skuPartNumber,
      amount: p?.amount ?? null,
      currency: p?.currency ?? null,
      source: p?.source ?? null,
    };
  });

  // Reassign from the SKU whose cut is furthest off (the latest renewal), since those seats are paid
  // for until then anyway; the soonest renewals, and SKUs with no known date (cut now), keep their
  // idle seats to cut, where cutting saves money soonest.
  let wanting = summary.candidates.High + summary.candidates.Medium;
  const reassign = new Map<SkuSeatCounts, number>();
  for (const s of [...summary.skus].sort((a, b) => (b.renewalDate ?? '').localeCompare(a.renewalDate ?? ''))) {
    const n = Math.min(reclaimableOf(s) + s.available, wanting);
    reassign.set(s, n);
    wanting -= n;
  }
  const cutOf = (s: SkuSeatCounts) => reclaimableOf(s) + s.available - (reassign.get(s) ?? 0);

  // Only SKUs with idle seats are added up: a price in another currency elsewhere changes nothing.
  const currencies = new Set(
    prices
      .filter((p, i) => p.amount !== null && reclaimableOf(summary.skus[i]) + summary.skus[i].available > 0)
      .map((p) => p.currency),
  );
  const anyPriced = prices.find((p) => p.amount !== null);
  if (currencies.size === 0 && anyPriced) currencies.add(anyPriced.currency);
  let monthly: number | null = 0;
  let avoided: number | null = 0;
  for (const [i, s] of summary.skus.entries()) {
    const cut = cutOf(s);
    const given = reassign.get(s) ?? 0;
    if (cut === 0 && given === 0) continue;
    const p = prices[i];
    if (p.amount === null) {
      warnings.push(
        `${productName(s.skuPartNumber)} has no price, so its ${cut + given} idle seat(s) are not costed. Set one with "price ${s.skuPartNumber} ‹amount›".`,
      );
      if (cut > 0) monthly = null;
      if (given > 0) avoided = null;
      continue;
    }
    if (monthly !== null) monthly += cut * p.amount;
    if (avoided !== null) avoided += given * p.amount;
  }
  if (currencies.size > 1) {
    warnings.push(`Prices are in several currencies (${[...currencies].join(', ')}), so they are not added up.`);
    monthly = null;
    avoided = null;
  }
  const currency = currencies.size === 1 ? ([...currencies][0] ?? null) : null;

  const renewalPlan = summary.skus
    .map((s, i) => ({ s, p: prices[i] }))
    .sort((a, b) => (a.s.renewalDate ?? '9999').localeCompare(b.s.renewalDate ?? '9999'))
    .map(({ s, p }): RenewalStep => {
      const reassignNow = reassign.get(s) ?? 0;
      const cut = cutOf(s);
      const saves = p.amount === null ? null : round2(cut * p.amount);
      const money = saves === null ? '' : ` (saves ${formatMoney(saves, p.currency)} a month from then)`;
      const when = s.renewalDate ? `at the ${dayText(s.renewalDate)} renewal` : 'now (no renewal date is known)';
      const parts: string[] = [];
      if (reassignNow > 0)
        parts.push(
          `give ${reassignNow} idle seat(s) to waiting High and Medium candidates now (no new seats to buy; these seats stay paid for)`,
        );
      if (cut > 0) parts.push(`cut ${cut} seat(s) ${when}${money}`);
      const name = productName(s.skuPartNumber);
      return {
        skuId: s.skuId,
        skuPartNumber: s.skuPartNumber,
        renewalDate: s.renewalDate,
        reassignNow,
        cutAtRenewal: cut,
        monthlySavingsAfterCut: saves,
        advice: parts.length > 0 ? `${name}: ${parts.join('; ')}.` : `${name}: no idle seats.`,
      };
    });
  const sum = (pick: (s: SkuSeatCounts) => number) => summary.skus.reduce((acc, s) => acc + pick(s), 0);
  return {
    currency,
    monthly: monthly === null ? null : round2(monthly),
    annual: monthly === null ? null : round2(monthly * 12),
    seatsFreed: sum(reclaimableOf),
    seatsUnassigned: sum((s) => s.available),
    seatsReassigned: sum((s) => reassign.get(s) ?? 0),
    costAvoidedMonthly: avoided === null ? null : round2(avoided),
    seatsCut: sum(cutOf),
    prices,
    renewalPlan,
    warnings,
  };
}

/**
 * Seats freed by executed reclaims, said truthfully: a freed seat is still billed until the
 * subscription is reduced, so its price is what it will save from then, not money saved now.
 */
export function freedByReclaimsText(freed: { seats: number; monthly: number; currency: string | null }): string {
  const seatsText = `${freed.seats.toLocaleString('en-US')} Copilot seat${freed.seats === 1 ? '' : 's'} freed by reclaims to date`;
  return `${seatsText}; ${stillPaidText(freed.currency ? freed.monthly : null, freed.currency)}.`;
}

/** What a freed seat costs until the subscription is reduced, and what it saves after (`monthly` null: not priced). */
export function stillPaidText(monthly: number | null, currency: string | null): string {
  const paid = 'still paid for until the subscription is reduced';
  return monthly === null || currency === null ? paid : `${paid}, then ${formatMoney(monthly, currency)} a month less`;
}

export function formatMoney(amount: number, currency: string | null): string {
  if (!currency) return amount.toFixed(2);
  try {
    return new Intl.NumberFormat('en-US', {
      style: 'currency',
      currency,
      maximumFractionDigits: amount % 1 === 0 ? 0 : 2,
    }).format(amount);
  } catch {
    return `${amount.toFixed(2)} ${currency}`;
  }
}

function reclaimableOf(s: SkuSeatCounts): number {
  return s.reclaimable.certain + s.reclaimable.probable;
}

function round2(n: number): number {
  return Math.round(n * 100) / 100;
}
