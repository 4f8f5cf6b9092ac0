import { z } from 'zod';
import type { CandidatesPageData } from '../../../../cards/seat-views';
import type { CardAction } from '../../bot-types';
import { candidatesPageFor, MAX_LIST_PAGE, type SeatListDeps } from '../presenter';
import { openedView } from '../../opened-view';
import { tenantOfCard } from '../../tenant-card-data';

export const candidatesPageData = z.object({
  tenantId: z.string().trim().min(1).max(128),
  page: z.number().int().min(1).max(MAX_LIST_PAGE),
  open: z.literal('message').optional(),
});

/** Previous / Next page of `candidates` (verb candidates.page): the page is read again, for admins only, and names people only where lists may (per-user-lists.ts). */
export function candidatesPageAction(deps: SeatListDeps): CardAction<CandidatesPageData> {
  return {
    verb: 'candidates.page',
    data: candidatesPageData,
    invalidData: {
      title: 'This page button is not valid',
      message:
        'The button asked for a page Seat Steward does not issue (pages run from 1). Type **candidates** for a fresh list.',
    },
    async run(data, request) {
      const gate = deps.isAdmin(request.actor);
      const found = tenantOfCard(deps.tenants, { tenantId: data.tenantId });
      return openedView(
        data.open,
        gate,
        found,
        (tenant) =>
          candidatesPageFor(
            deps,
            tenant,
            data.page,
            { personal: request.personal, replyTarget: request.replyTarget },
            request.actor,
          ),
        'Posted the candidates below.',
      );
    },
  };
}
