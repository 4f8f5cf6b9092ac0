import type { CommandReply, CommandRequest } from '../../bot-types';
import type { ReclaimCommandDeps } from '../deps';

/** `reclaim pending`: every undecided request's card is posted again here (the original chat may be gone) and followed here. */
export function pending(deps: ReclaimCommandDeps, request: CommandRequest, now: Date): CommandReply[] {
  const lines = deps.tenants.list().map((tenant) => {
    const n = deps.reclaims.repostPending(tenant.id, request.replyTarget, now);
    return `${tenant.tenantName}: ${n === 0 ? 'no open reclaim request' : `${n} open reclaim request${n === 1 ? '' : 's'} posted again here; ${n === 1 ? 'its card follows' : 'their cards follow'} the request${n === 1 ? '' : 's'} here from now on`}.`;
  });
  return [{ kind: 'text', text: lines.length > 0 ? lines.join('\n\n') : 'No tenant is connected yet.' }];
}
