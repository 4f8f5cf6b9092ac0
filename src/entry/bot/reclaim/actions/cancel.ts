import type { ReclaimApi } from '../../../../usecases/reclaim/reclaim-api';
import { systemClock } from '../../../../domain/clock';
import type { CardAction } from '../../bot-types';
import { callerOf } from '../caller';
import { answer, decisionData, invalidData, type DecisionData } from './decision';

/** Cancel my request (verb reclaim.cancel): the requester withdraws it before anyone decides; recorded with their name. */
export function reclaimCancelAction(deps: { reclaims: ReclaimApi; now?: () => Date }): CardAction<DecisionData> {
  return {
    verb: 'reclaim.cancel',
    data: decisionData,
    invalidData,
    async run(data, request) {
      const now = (deps.now ?? systemClock)();
      return answer(deps.reclaims.cancel(data.requestId, callerOf(request.actor), now), now);
    },
  };
}
