import { z } from 'zod';
import { renderCard } from '../../../../cards/render';
import { reclaimNudgeView } from '../../../../cards/reclaim-views';
import type { ReclaimApi } from '../../../../usecases/reclaim/reclaim-api';
import type { CardAction } from '../../bot-types';
import { errorCard } from '../../error-card';
import { callerOf } from '../caller';
import { systemClock } from '../../../../domain/clock';

const answerData = z.object({
  itemId: z.number().int().positive().max(Number.MAX_SAFE_INTEGER),
  answer: z.enum(['keep', 'release']),
});

/**
 * Keep / Release on the holder's 1:1 question (verb reclaim.nudge). Only the holder may answer
 * (the invoke's sender, never the card's data), once, before the deadline; the card comes back
 * saying what their answer does.
 */
export function reclaimNudgeAnswerAction(deps: {
  reclaims: ReclaimApi;
  now?: () => Date;
}): CardAction<z.infer<typeof answerData>> {
  return {
    verb: 'reclaim.nudge',
    data: answerData,
    invalidData: {
      title: 'This answer is not valid',
      message: 'The button did not say which seat, or whether to keep or release it. Nothing was changed.',
    },
    async run(data, request) {
      const now = (deps.now ?? systemClock)();
      const outcome = deps.reclaims.answerNudge(data.itemId, callerOf(request.actor), data.answer, now);
      if (outcome.kind === 'done') return renderCard('reclaim-nudge', reclaimNudgeView(outcome.view, now));
      // Someone other than the holder pressed (a forwarded or forged card): they get no view of the seat.
      const holder =
        outcome.view && request.actor.aadObjectId?.toLowerCase() === outcome.view.item.userId.toLowerCase();
      return holder && outcome.view
        ? renderCard('reclaim-nudge', reclaimNudgeView(outcome.view, now, outcome.message))
        : errorCard('Not changed', outcome.message);
    },
  };
}
