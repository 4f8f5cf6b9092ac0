import { renderCard } from '../../../../cards/render';
import { systemClock } from '../../../../domain/clock';
import { reclaimHistoryView } from '../../../../cards/reclaim-views';
import type { CommandReply } from '../../bot-types';
import type { ReclaimCommandDeps } from '../deps';

const HISTORY_ROWS = 8;

/** `reclaim history [upn]`: the trail of each tenant's requests, newest first. */
export function history(deps: ReclaimCommandDeps, user: string): CommandReply[] {
  const cards: CommandReply[] = deps.tenants.list().map((tenant) => {
    const found = deps.reclaims.history({
      tenantId: tenant.id,
      user: user === '' ? undefined : user,
      offset: 0,
      limit: HISTORY_ROWS,
    });
    return {
      kind: 'card',
      card: renderCard(
        'reclaim-history',
        reclaimHistoryView({
          tenantName: tenant.tenantName,
          user: user === '' ? undefined : user,
          total: found.total,
          items: found.items,
          now: (deps.now ?? systemClock)(),
        }),
      ),
    };
  });
  return cards.length > 0 ? cards : [{ kind: 'text', text: 'No tenant is connected yet.' }];
}
