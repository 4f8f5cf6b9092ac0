import { candidatesCountsOnly, inactiveCountsOnly } from '../../../cards/seat-list-privacy';
import { systemClock } from '../../../domain/clock';
import { renderCard, type AdaptiveCardJson } from '../../../cards/render';
import {
  candidatesView,
  inactiveView,
  SEAT_PAGE_SIZE,
  type CandidatesView,
  type InactiveFilter,
  type InactiveView,
} from '../../../cards/seat-views';
import type { SeatReclaimMark } from '../../../domain/reclaim';
import type { TenantRecord } from '../../../domain/tenant';
import type { AnalyticsReads, SeatQuery } from '../../../usecases/analytics/ports';
import type { TenantReads } from '../../../usecases/status/ports';
import type { AdminCheck } from '../admin-gate';
import type { Actor } from '../bot-types';
import { errorCard } from '../error-card';
import { listShownHere, sendToPersonalChat, type ListPlace, type PerUserListDeps } from './per-user-lists';

/*
 * The seat lists (`inactive`, `candidates`) and their page buttons: one page for where it was
 * asked, or the card saying why there is none.
 */

export interface SeatListDeps {
  tenants: TenantReads;
  analytics: AnalyticsReads;
  isAdmin: AdminCheck;
  /** RECLAIM_NUDGE: the inactive card's "ask each holder first" toggle starts on. */
  askHoldersFirst?: boolean;
  now?: () => Date;
  /** Where the lists may name people (per-user-lists.ts); without it they are shown wherever asked. */
  lists?: PerUserListDeps;
  /** Seats a reclaim is walking (ReclaimApi.marks): marked on the list, not offered again. */
  reclaimMarks?: (
    tenantId: string,
    seats: ReadonlyArray<{ userId: string; skuId: string }>,
    analyticsAsOf: string,
  ) => ReadonlyMap<string, SeatReclaimMark>;
}

/** Page buttons carry a page number; one past any real list keeps a forged number from becoming a huge OFFSET. */
export const MAX_LIST_PAGE = 100_000;

const QUERY: Record<InactiveFilter, Pick<SeatQuery, 'recommendation' | 'tier'>> = {
  all: { recommendation: 'reclaim' },
  certain: { recommendation: 'reclaim', tier: 'certain' },
  probable: { recommendation: 'reclaim', tier: 'probable' },
  review: { recommendation: 'review' },
};

/** Before the first sync of this version there is nothing to list: say what to do rather than show zeros. */
export function noAnalyticsCard(tenantName: string): AdaptiveCardJson {
  return errorCard(
    `${tenantName}: no seat analytics yet`,
    'Seat analytics are worked out by each sync, and this tenant has none yet. Type **sync**, wait for the result, then ask again.',
  );
}

export function noSuchPageCard(page: number, total: number, command: string): AdaptiveCardJson {
  const pages = Math.max(1, Math.ceil(total / SEAT_PAGE_SIZE));
  return errorCard(
    'That page does not exist',
    `Page ${page} is past the end: the list has ${pages === 1 ? '1 page' : `${pages} pages`} now (it changes with every sync). Type **${command}** for the first page.`,
  );
}

/** One page of `inactive` as a view, or the card saying why there is none (no per-user data in either). */
function inactivePage(
  deps: SeatListDeps,
  tenant: TenantRecord,
  filter: InactiveFilter,
  page: number,
  notice?: { text: string; error: boolean },
): { view: InactiveView } | { card: AdaptiveCardJson } {
  const stored = deps.analytics.summary(tenant.id);
  const seats =
    stored &&
    deps.analytics.seats(tenant.id, { ...QUERY[filter], offset: (page - 1) * SEAT_PAGE_SIZE, limit: SEAT_PAGE_SIZE });
  if (!stored || !seats) return { card: noAnalyticsCard(tenant.tenantName) };
  if (page > 1 && seats.rows.length === 0)
    return { card: noSuchPageCard(page, seats.total, inactiveCommandText(filter)) };
  const now = (deps.now ?? systemClock)();
  const marks = deps.reclaimMarks?.(tenant.id, seats.rows, seats.asOf);
  return {
    view: inactiveView({
      tenantId: tenant.id,
      tenantName: tenant.tenantName,
      filter,
      page,
      summary: stored.summary,
      seats,
      now,
      notice,
      askHoldersFirst: deps.askHoldersFirst,
      marks,
    }),
  };
}

const inactiveCommandText = (filter: InactiveFilter): string => (filter === 'all' ? 'inactive' : `inactive ${filter}`);

/**
 * The page for where it was asked: the list itself in a personal chat or the chosen approvals
 * chat; elsewhere the counts, with the list posted to the admin's personal chat.
 */
export async function inactivePageFor(
  deps: SeatListDeps,
  tenant: TenantRecord,
  filter: InactiveFilter,
  page: number,
  place: ListPlace,
  actor: Actor,
  notice?: { text: string; error: boolean },
): Promise<AdaptiveCardJson> {
  const found = inactivePage(deps, tenant, filter, page, notice);
  if ('card' in found) return found.card;
  const list = renderCard('inactive', found.view);
  if (!deps.lists || listShownHere(deps.lists, tenant.id, place)) return list;
  const note = await sendToPersonalChat(
    deps.lists,
    actor,
    [list],
    inactiveCommandText(filter),
    `the ${tenant.tenantName} inactive list`,
  );
  return renderCard('inactive', inactiveCountsOnly(found.view, note));
}

/** One page of `candidates` as a view, or the card saying why there is none. */
function candidatesPage(
  deps: SeatListDeps,
  tenant: TenantRecord,
  page: number,
): { view: CandidatesView } | { card: AdaptiveCardJson } {
  const stored = deps.analytics.summary(tenant.id);
  const candidates =
    stored && deps.analytics.candidates(tenant.id, { offset: (page - 1) * SEAT_PAGE_SIZE, limit: SEAT_PAGE_SIZE });
  if (!stored || !candidates) return { card: noAnalyticsCard(tenant.tenantName) };
  if (page > 1 && candidates.rows.length === 0) return { card: noSuchPageCard(page, candidates.total, 'candidates') };
  const now = (deps.now ?? systemClock)();
  return {
    view: candidatesView({
      tenantId: tenant.id,
      tenantName: tenant.tenantName,
      page,
      summary: stored.summary,
      candidates,
      now,
    }),
  };
}

/** The page for where it was asked (see inactivePageFor): names only where per-user lists go. */
export async function candidatesPageFor(
  deps: SeatListDeps,
  tenant: TenantRecord,
  page: number,
  place: ListPlace,
  actor: Actor,
): Promise<AdaptiveCardJson> {
  const found = candidatesPage(deps, tenant, page);
  if ('card' in found) return found.card;
  const list = renderCard('candidates', found.view);
  if (!deps.lists || listShownHere(deps.lists, tenant.id, place)) return list;
  const note = await sendToPersonalChat(
    deps.lists,
    actor,
    [list],
    'candidates',
    `the ${tenant.tenantName} candidates list`,
  );
  return renderCard('candidates', candidatesCountsOnly(found.view, note));
}
