import type { ReclaimApi } from '../../../../usecases/reclaim/reclaim-api';
import { systemClock } from '../../../../domain/clock';
import type { CardAction } from '../../bot-types';
import { callerOf } from '../caller';
import { answer, decisionData, invalidData, type DecisionData } from './decision';

/** Reject (verb reclaim.reject): nothing is removed, and the request is closed. */
export function reclaimRejectAction(deps: { reclaims: ReclaimApi; now?: () => Date }): CardAction<DecisionData> {
  return {
    verb: 'reclaim.reject',
    data: decisionData,
    invalidData,
    async run(data, request) {
      const now = (deps.now ?? systemClock)();
      return answer(deps.reclaims.reject(data.requestId, callerOf(request.actor), null, now), now);
    },
  };
}
