import { z } from 'zod';

/* What the decision buttons (approve, cancel, reject) share: their data and how an outcome is answered. */
import { reclaimCardFor } from '../../../../cards/reclaim-cards';
import type { DecisionOutcome } from '../../../../usecases/reclaim/reclaim-api';
import type { AdaptiveCardJson } from '../../../../cards/render';
import { errorCard } from '../../error-card';
import { unknownRequestCard } from '../presenter';

/**
 * The decision buttons carry the request id and the ids of the waiting seats the card listed
 * (`seats`); the approve button also brings the per-seat toggles (group:<itemId>, give:<itemId>, drop:<itemId>).
 */
export const decisionData = z
  .object({
    requestId: z.string().uuid(),
    seats: z
      .string()
      .max(13 * 50)
      .regex(/^(\d{1,12}(,\d{1,12})*)?$/, 'expected item ids')
      .optional(),
  })
  .catchall(z.union([z.string().max(10), z.number(), z.boolean(), z.null()]));
export type DecisionData = z.infer<typeof decisionData>;

export const invalidData = {
  title: 'This reclaim button is not valid',
  message:
    'The button did not carry a valid request. Nothing was approved or rejected. Press Review on the request card for a fresh one.',
};

/**
 * Item ids whose toggle of this kind is on: "remove from group" (group:<itemId>) or "give to the
 * candidate" (give:<itemId>). Only ids of this request's seats count (the service checks).
 */
export function toggledItems(data: DecisionData, kind: 'group' | 'give' | 'drop'): number[] {
  const pattern = new RegExp(`^${kind}:\\d{1,12}$`);
  return Object.entries(data)
    .filter(([key, value]) => pattern.test(key) && (value === 'true' || value === true))
    .map(([key]) => Number(key.slice(kind.length + 1)));
}

export function answer(outcome: DecisionOutcome, now: Date): AdaptiveCardJson {
  if (outcome.kind === 'done') return reclaimCardFor(outcome.view, now);
  if (!outcome.view) return unknownRequestCard();
  if (outcome.kind === 'refused') return errorCard('Not done', `${outcome.message} Nothing was changed.`);
  // Already decided: the current state, with who decided (a double click or a second approver).
  return reclaimCardFor(outcome.view, now, { text: outcome.message, color: 'Warning' });
}
