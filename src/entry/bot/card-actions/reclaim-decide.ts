import { z } from 'zod';
import { reclaimCardFor } from '../../../cards/reclaim-cards';
import type { DecisionOutcome, ReclaimApi } from '../../../usecases/reclaim/reclaim-api';
import type { AdaptiveCardJson } from '../../../cards/render';
import type { CardAction } from '../bot-types';
import { callerOf } from '../commands/reclaim';
import { errorCard } from '../error-card';
import { unknownRequestCard } from './reclaim-view';

/**
 * The decision buttons carry the request id and the ids of the waiting seats the card listed
 * (`seats`); the approve button also brings the per-seat toggles (group:<itemId>, give:<itemId>, drop:<itemId>).
 */
const decisionData = z
  .object({
    requestId: z.string().uuid(),
    seats: z
      .string()
      .max(13 * 50)
      .regex(/^(\d{1,12}(,\d{1,12})*)?$/, 'expected item ids')
      .optional(),
  })
  .catchall(z.union([z.string().max(10), z.number(), z.boolean(), z.null()]));
type DecisionData = z.infer<typeof decisionData>;

const invalidData = { title: 'This reclaim button is not valid', message: 'The button did not carry a valid request. Nothing was approved or rejected. Press Review on the request card for a fresh one.' };

/**
 * Item ids whose toggle of this kind is on: "remove from group" (group:<itemId>) or "give to the
 * candidate" (give:<itemId>). Only ids of this request's seats count (the service checks).
 */
function toggledItems(data: DecisionData, kind: 'group' | 'give' | 'drop'): number[] {
  const pattern = new RegExp(`^${kind}:\\d{1,12}$`);
  return Object.entries(data)
    .filter(([key, value]) => pattern.test(key) && (value === 'true' || value === true))
    .map(([key]) => Number(key.slice(kind.length + 1)));
}

function answer(outcome: DecisionOutcome, now: Date): AdaptiveCardJson {
  if (outcome.kind === 'done') return reclaimCardFor(outcome.view, now);
  if (!outcome.view) return unknownRequestCard();
  if (outcome.kind === 'refused') return errorCard('Not done', `${outcome.message} Nothing was changed.`);
  // Already decided: the current state, with who decided (a double click or a second approver).
  return reclaimCardFor(outcome.view, now, { text: outcome.message, color: 'Warning' });
}

export function reclaimApproveAction(deps: { reclaims: ReclaimApi; now?: () => Date }): CardAction<DecisionData> {
  return {
    verb: 'reclaim.approve',
    data: decisionData,
    invalidData,
    async run(data, request) {
      const now = (deps.now ?? (() => new Date()))();
      // A card without `seats` (posted before they were listed) shows no seat: nothing is approved from it.
      const shown = (data.seats ?? '').split(',').filter((id) => id !== '').map(Number);
      return answer(
        deps.reclaims.approve(
          { requestId: data.requestId, caller: callerOf(request.actor), shown, drop: toggledItems(data, 'drop'), removeFromGroup: toggledItems(data, 'group'), reassign: toggledItems(data, 'give') },
          now,
        ),
        now,
      );
    },
  };
}

/** Cancel my request (verb reclaim.cancel): the requester withdraws it before anyone decides; recorded with their name. */
export function reclaimCancelAction(deps: { reclaims: ReclaimApi; now?: () => Date }): CardAction<DecisionData> {
  return {
    verb: 'reclaim.cancel',
    data: decisionData,
    invalidData,
    async run(data, request) {
      const now = (deps.now ?? (() => new Date()))();
      return answer(deps.reclaims.cancel(data.requestId, callerOf(request.actor), now), now);
    },
  };
}

export function reclaimRejectAction(deps: { reclaims: ReclaimApi; now?: () => Date }): CardAction<DecisionData> {
  return {
    verb: 'reclaim.reject',
    data: decisionData,
    invalidData,
    async run(data, request) {
      const now = (deps.now ?? (() => new Date()))();
      return answer(deps.reclaims.reject(data.requestId, callerOf(request.actor), null, now), now);
    },
  };
}
