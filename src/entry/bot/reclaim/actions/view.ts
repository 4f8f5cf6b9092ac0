import { z } from 'zod';
import { reclaimCardFor } from '../../../../cards/reclaim-cards';
import type { ReclaimApi } from '../../../../usecases/reclaim/reclaim-api';
import type { CardAction } from '../../bot-types';
import { callerOf } from '../caller';
import { unknownRequestCard } from '../presenter';
import { systemClock } from '../../../../domain/clock';

export const reclaimRequestData = z
  .object({ requestId: z.string().uuid(), page: z.number().int().min(1).max(100).optional() })
  .passthrough();
export type ReclaimRequestData = z.infer<typeof reclaimRequestData>;

/**
 * Review, and the card's automatic refresh (verb reclaim.view): the request as the sender may see
 * it. Approvers get Approve / Reject; everyone else the status and why they cannot decide. Who is
 * asking comes from the invoke's sender, never from the card.
 */
export function reclaimViewAction(deps: { reclaims: ReclaimApi; now?: () => Date }): CardAction<ReclaimRequestData> {
  return {
    verb: 'reclaim.view',
    data: reclaimRequestData,
    invalidData: {
      title: 'This reclaim card is incomplete',
      message: 'The card did not carry a valid request id. Type **reclaim history** to find the request.',
    },
    async run(data, request) {
      const now = (deps.now ?? systemClock)();
      const view = deps.reclaims.view(data.requestId, callerOf(request.actor), now);
      return view ? reclaimCardFor(view, now, undefined, data.page ?? 1) : unknownRequestCard();
    },
  };
}
