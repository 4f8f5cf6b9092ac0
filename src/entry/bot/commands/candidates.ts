import { candidatesView, SEAT_PAGE_SIZE, type CandidatesView } from '../../../cards/seat-views';
import { systemClock } from '../../../domain/clock';
import { candidatesCountsOnly } from '../../../cards/seat-list-privacy';
import { renderCard, type AdaptiveCardJson } from '../../../cards/render';
import type { TenantRecord } from '../../../domain/tenant';
import { adminRefusalCard } from '../admin-gate';
import type { Actor, BotCommand, CommandReply } from '../bot-types';
import { listShownHere, sendToPersonalChat, type ListPlace } from '../per-user-lists';
import { noAnalyticsCard, noSuchPageCard, type SeatListDeps } from './inactive';
import { tenantsNamed } from './tenant-argument';

/** One page of `candidates` as a view, or the card saying why there is none. */
function candidatesPage(deps: SeatListDeps, tenant: TenantRecord, page: number): { view: CandidatesView } | { card: AdaptiveCardJson } {
  const stored = deps.analytics.summary(tenant.id);
  const candidates = stored && deps.analytics.candidates(tenant.id, { offset: (page - 1) * SEAT_PAGE_SIZE, limit: SEAT_PAGE_SIZE });
  if (!stored || !candidates) return { card: noAnalyticsCard(tenant.tenantName) };
  if (page > 1 && candidates.rows.length === 0) return { card: noSuchPageCard(page, candidates.total, 'candidates') };
  const now = (deps.now ?? systemClock)();
  return { view: candidatesView({ tenantId: tenant.id, tenantName: tenant.tenantName, page, summary: stored.summary, candidates, now }) };
}

/** The page for where it was asked (see inactivePageFor): names only where per-user lists go. */
export async function candidatesPageFor(deps: SeatListDeps, tenant: TenantRecord, page: number, place: ListPlace, actor: Actor): Promise<AdaptiveCardJson> {
  const found = candidatesPage(deps, tenant, page);
  if ('card' in found) return found.card;
  const list = renderCard('candidates', found.view);
  if (!deps.lists || listShownHere(deps.lists, tenant.id, place)) return list;
  const note = await sendToPersonalChat(deps.lists, actor, [list], 'candidates', `the ${tenant.tenantName} candidates list`);
  return renderCard('candidates', candidatesCountsOnly(found.view, note));
}

/** `candidates [tenant]`: who should get a Copilot seat next, best first, ten a page. Admins only: it names people. */
export function candidatesCommand(deps: SeatListDeps): BotCommand {
  return {
    name: 'candidates',
    usage: 'candidates [tenant]',
    description: 'Members without a Copilot seat who would use one, ranked by Microsoft 365 activity (Copilot Chat users first). Admins only.',
    async run(request) {
      const gate = deps.isAdmin(request.actor);
      if (!gate.allowed) return [{ kind: 'card', card: adminRefusalCard(gate.reason) }];
      const named = tenantsNamed(deps.status, request.argument);
      if ('hint' in named) return [{ kind: 'text', text: named.hint }];
      const place = { personal: request.personal, replyTarget: request.replyTarget };
      const replies: CommandReply[] = [];
      for (const t of named.tenants) replies.push({ kind: 'card', card: await candidatesPageFor(deps, t, 1, place, request.actor) });
      return replies;
    },
  };
}
