import type { SeatReclaimMark } from '../../../domain/reclaim';
import { systemClock } from '../../../domain/clock';
import { renderCard, type AdaptiveCardJson } from '../../../cards/render';
import { inactiveCountsOnly } from '../../../cards/seat-list-privacy';
import { INACTIVE_FILTERS, inactiveView, SEAT_PAGE_SIZE, type InactiveFilter, type InactiveView } from '../../../cards/seat-views';
import type { TenantRecord } from '../../../domain/tenant';
import type { AnalyticsReads, SeatQuery } from '../../../usecases/analytics/ports';
import type { StatusService } from '../../../usecases/status/status-service';
import { adminRefusalCard, type AdminCheck } from '../admin-gate';
import type { Actor, BotCommand, CommandReply } from '../bot-types';
import { listShownHere, sendToPersonalChat, type ListPlace, type PerUserListDeps } from '../per-user-lists';
import { errorCard } from '../error-card';
import { tenantsNamed } from './tenant-argument';

export interface SeatListDeps {
  status: StatusService;
  analytics: AnalyticsReads;
  isAdmin: AdminCheck;
  /** RECLAIM_NUDGE: the inactive card's "ask each holder first" toggle starts on. */
  askHoldersFirst?: boolean;
  now?: () => Date;
  /** Where the lists may name people (per-user-lists.ts); without it they are shown wherever asked. */
  lists?: PerUserListDeps;
  /** Seats a reclaim is walking (ReclaimApi.marks): marked on the list, not offered again. */
  reclaimMarks?: (tenantId: string, seats: ReadonlyArray<{ userId: string; skuId: string }>, analyticsAsOf: string) => ReadonlyMap<string, SeatReclaimMark>;
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
function inactivePage(deps: SeatListDeps, tenant: TenantRecord, filter: InactiveFilter, page: number, notice?: { text: string; error: boolean }): { view: InactiveView } | { card: AdaptiveCardJson } {
  const stored = deps.analytics.summary(tenant.id);
  const seats = stored && deps.analytics.seats(tenant.id, { ...QUERY[filter], offset: (page - 1) * SEAT_PAGE_SIZE, limit: SEAT_PAGE_SIZE });
  if (!stored || !seats) return { card: noAnalyticsCard(tenant.tenantName) };
  if (page > 1 && seats.rows.length === 0) return { card: noSuchPageCard(page, seats.total, inactiveCommandText(filter)) };
  const now = (deps.now ?? systemClock)();
  const marks = deps.reclaimMarks?.(tenant.id, seats.rows, seats.asOf);
  return { view: inactiveView({ tenantId: tenant.id, tenantName: tenant.tenantName, filter, page, summary: stored.summary, seats, now, notice, askHoldersFirst: deps.askHoldersFirst, marks }) };
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
  const note = await sendToPersonalChat(deps.lists, actor, [list], inactiveCommandText(filter), `the ${tenant.tenantName} inactive list`);
  return renderCard('inactive', inactiveCountsOnly(found.view, note));
}

/** The filter word may come before or after the tenant name ("inactive certain contoso", "inactive contoso certain"). */
export function parseInactiveArgument(argument: string): { filter: InactiveFilter; tenant: string } {
  const words = argument.trim().split(/\s+/).filter((w) => w !== '');
  const isFilter = (word: string | undefined) => word !== undefined && (INACTIVE_FILTERS as readonly string[]).includes(word.toLowerCase());
  if (isFilter(words[0])) return { filter: words[0].toLowerCase() as InactiveFilter, tenant: words.slice(1).join(' ') };
  if (isFilter(words.at(-1))) return { filter: (words.at(-1) as string).toLowerCase() as InactiveFilter, tenant: words.slice(0, -1).join(' ') };
  return { filter: 'all', tenant: words.join(' ') };
}

/** `inactive [tenant] [certain|probable|all|review]`: the Copilot seats to take back, ten a page. Admins only: it names people. */
export function inactiveCommand(deps: SeatListDeps): BotCommand {
  return {
    name: 'inactive',
    usage: 'inactive [tenant] [certain|probable|all|review]',
    description: 'Idle Copilot seats to take back (certain, probable or all tiers), or the seats that need a review, with why and since when. Admins only.',
    async run(request) {
      const gate = deps.isAdmin(request.actor);
      if (!gate.allowed) return [{ kind: 'card', card: adminRefusalCard(gate.reason) }];
      const { filter, tenant } = parseInactiveArgument(request.argument);
      const named = tenantsNamed(deps.status, tenant);
      if ('hint' in named) return [{ kind: 'text', text: named.hint }];
      const place = { personal: request.personal, replyTarget: request.replyTarget };
      const replies: CommandReply[] = [];
      for (const t of named.tenants) replies.push({ kind: 'card', card: await inactivePageFor(deps, t, filter, 1, place, request.actor) });
      return replies;
    },
  };
}
