import type { ReclaimApi } from '../../../../usecases/reclaim/reclaim-api';
import { systemClock } from '../../../../domain/clock';
import type { CardAction } from '../../bot-types';
import { callerOf } from '../caller';
import { answer, decisionData, invalidData, toggledItems, type DecisionData } from './decision';

/** Approve (verb reclaim.approve): the seats the card listed, with the approver's per-seat choices. */
export function reclaimApproveAction(deps: { reclaims: ReclaimApi; now?: () => Date }): CardAction<DecisionData> {
  return {
    verb: 'reclaim.approve',
    data: decisionData,
    invalidData,
    async run(data, request) {
      const now = (deps.now ?? systemClock)();
      // A card without `seats` (posted before they were listed) shows no seat: nothing is approved from it.
      const shown = (data.seats ?? '')
        .split(',')
        .filter((id) => id !== '')
        .map(Number);
      return answer(
        deps.reclaims.approve(
          {
            requestId: data.requestId,
            caller: callerOf(request.actor),
            shown,
            drop: toggledItems(data, 'drop'),
            removeFromGroup: toggledItems(data, 'group'),
            reassign: toggledItems(data, 'give'),
          },
          now,
        ),
        now,
      );
    },
  };
}
