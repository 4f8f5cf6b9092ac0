import type { ReclaimCaller } from '../../../usecases/reclaim/reclaim-api';
import type { Actor } from '../bot-types';

/** Who is asking, as the reclaim use case checks it: the activity's own sender, never the card's data. */
export function callerOf(actor: Actor): ReclaimCaller {
  return { aadObjectId: actor.aadObjectId, name: actor.name };
}
