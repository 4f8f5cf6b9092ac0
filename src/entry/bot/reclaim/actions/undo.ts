import { z } from 'zod';
import { reclaimCardFor } from '../../../../cards/reclaim-cards';
import type { ReclaimApi } from '../../../../usecases/reclaim/reclaim-api';
import type { CardAction } from '../../bot-types';
import { errorCard } from '../../error-card';
import { callerOf } from '../caller';
import { systemClock } from '../../../../domain/clock';

const undoData = z.object({
  itemId: z.number().int().positive().max(Number.MAX_SAFE_INTEGER),
  page: z.number().int().min(1).max(100).optional(),
});

/** Undo (verb reclaim.undo): approvers only, within RECLAIM_UNDO_DAYS; the seat is given back by an outbox job. */
export function reclaimUndoAction(deps: {
  reclaims: ReclaimApi;
  now?: () => Date;
}): CardAction<z.infer<typeof undoData>> {
  return {
    verb: 'reclaim.undo',
    data: undoData,
    invalidData: {
      title: 'This undo button is not valid',
      message: 'The button did not say which seat to give back. Nothing was changed.',
    },
    async run(data, request) {
      const now = (deps.now ?? systemClock)();
      const outcome = deps.reclaims.undo(data.itemId, callerOf(request.actor), now);
      if (outcome.kind === 'refused' || outcome.kind === 'unknown') return errorCard('Not undone', outcome.message);
      return outcome.view
        ? reclaimCardFor(outcome.view, now, { text: outcome.message, color: 'Accent' }, data.page ?? 1)
        : errorCard('Undo', outcome.message);
    },
  };
}
