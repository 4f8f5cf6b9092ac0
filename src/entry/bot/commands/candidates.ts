import { candidatesView, SEAT_PAGE_SIZE } from '../../../cards/seat-views';
import { renderCard, type AdaptiveCardJson } from '../../../cards/render';
import type { TenantRecord } from '../../../domain/tenant';
import { adminRefusalCard } from '../admin-gate';
import type { BotCommand } from '../bot-types';
import { noAnalyticsCard, noSuchPageCard, type SeatListDeps } from './inactive';
import { tenantsNamed } from './tenant-argument';

/** One page of `candidates`, always read from the tenant's current analytics. */
export function candidatesPageCard(deps: SeatListDeps, tenant: TenantRecord, page: number): AdaptiveCardJson {
  const stored = deps.analytics.summary(tenant.id);
  const candidates = stored && deps.analytics.candidates(tenant.id, { offset: (page - 1) * SEAT_PAGE_SIZE, limit: SEAT_PAGE_SIZE });
  if (!stored || !candidates) return noAnalyticsCard(tenant.tenantName);
  if (page > 1 && candidates.rows.length === 0) return noSuchPageCard(page, candidates.total, 'candidates');
  const now = (deps.now ?? (() => new Date()))();
  return renderCard('candidates', candidatesView({ tenantId: tenant.id, tenantName: tenant.tenantName, page, summary: stored.summary, candidates, now }));
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
      return named.tenants.map((t) => ({ kind: 'card', card: candidatesPageCard(deps, t, 1) }));
    },
  };
}
