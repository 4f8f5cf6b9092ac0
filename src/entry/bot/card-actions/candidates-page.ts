import { z } from 'zod';
import type { CandidatesPageData } from '../../../cards/seat-views';
import type { CardAction } from '../bot-types';
import { candidatesPageCard } from '../commands/candidates';
import { MAX_LIST_PAGE, type SeatListDeps } from '../commands/inactive';
import { openedView } from './opened-view';
import { tenantOfCard } from './tenant-card-data';

export const candidatesPageData = z.object({
  tenantId: z.string().trim().min(1).max(128),
  page: z.number().int().min(1).max(MAX_LIST_PAGE),
  open: z.literal('message').optional(),
});

/** Previous / Next page of `candidates` (verb candidates.page): the page is read again, for admins only. */
export function candidatesPageAction(deps: SeatListDeps): CardAction<CandidatesPageData> {
  return {
    verb: 'candidates.page',
    data: candidatesPageData,
    invalidData: {
      title: 'This page button is not valid',
      message: 'The button asked for a page Seat Steward does not issue (pages run from 1). Type **candidates** for a fresh list.',
    },
    async run(data, request) {
      const gate = deps.isAdmin(request.actor);
      const found = tenantOfCard(deps.status, { tenantId: data.tenantId });
      return openedView(data.open, gate, found, (tenant) => candidatesPageCard(deps, tenant, data.page), 'Posted the candidates below.');
    },
  };
}
