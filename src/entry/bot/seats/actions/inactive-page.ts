import { z } from 'zod';
import { INACTIVE_FILTERS, type InactivePageData } from '../../../../cards/seat-views';
import type { CardAction } from '../../bot-types';
import { inactivePageFor, MAX_LIST_PAGE, type SeatListDeps } from '../presenter';
import { openedView } from '../../opened-view';
import { tenantOfCard } from '../../tenant-card-data';

export const inactivePageData = z.object({
  tenantId: z.string().trim().min(1).max(128),
  tier: z.enum(INACTIVE_FILTERS),
  page: z.number().int().min(1).max(MAX_LIST_PAGE),
  open: z.literal('message').optional(),
});

/**
 * Previous / Next page of `inactive` (verb inactive.page). The data only picks the page: the rows
 * are read again from the tenant's current analytics, and the sender must still be an admin. Pressed
 * in a chat where lists do not name people, the page goes to the admin's personal chat.
 */
export function inactivePageAction(deps: SeatListDeps): CardAction<InactivePageData> {
  return {
    verb: 'inactive.page',
    data: inactivePageData,
    invalidData: {
      title: 'This page button is not valid',
      message: `The button asked for a page or a filter Seat Steward does not issue (pages run from 1, filters are ${INACTIVE_FILTERS.join(', ')}). Type **inactive** for a fresh list.`,
    },
    async run(data, request) {
      const gate = deps.isAdmin(request.actor);
      const found = tenantOfCard(deps.tenants, { tenantId: data.tenantId });
      return openedView(
        data.open,
        gate,
        found,
        (tenant) =>
          inactivePageFor(
            deps,
            tenant,
            data.tier,
            data.page,
            { personal: request.personal, replyTarget: request.replyTarget },
            request.actor,
          ),
        'Posted the list of idle seats below.',
      );
    },
  };
}
