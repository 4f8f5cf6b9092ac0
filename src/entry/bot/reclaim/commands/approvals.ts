import type { CommandReply, CommandRequest } from '../../bot-types';
import type { ReclaimCommandDeps } from '../deps';

/** `reclaim approvals here`: request cards of every tenant go to this chat from now on. */
export function approvals(deps: ReclaimCommandDeps, request: CommandRequest, rest: string, now: Date): CommandReply[] {
  if (rest.toLowerCase() !== 'here')
    return [
      {
        kind: 'text',
        text: 'Type **reclaim approvals here** in the chat or channel where approvers should get reclaim requests.',
      },
    ];
  for (const tenant of deps.tenants.list()) {
    deps.reclaims.setApprovalsConversation(
      tenant.id,
      request.replyTarget,
      { aadObjectId: request.actor.aadObjectId ?? null, name: request.actor.name ?? null },
      now,
    );
  }
  return [{ kind: 'text', text: 'Reclaim requests will be posted here for approval.' }];
}
