import type { CommandReply, CommandRequest } from '../../bot-types';
import { clipText } from '../../text';
import { callerOf } from '../caller';
import type { ReclaimCommandDeps } from '../deps';

/** `reclaim undo <upn>`: gives back every removed seat of that holder still in its undo window (approvers only). */
export function undoHolder(deps: ReclaimCommandDeps, request: CommandRequest, user: string, now: Date): CommandReply[] {
  const who = user.trim();
  if (who === '' || /\s/.test(who))
    return [{ kind: 'text', text: 'Name one holder: **reclaim undo adele@contoso.com** (a UPN or an object id).' }];
  const lines: string[] = [];
  for (const tenant of deps.tenants.list()) {
    for (const outcome of deps.reclaims.undoHolder(tenant.id, who, callerOf(request.actor), now))
      lines.push(`${tenant.tenantName}: ${outcome.message}`);
  }
  return [
    {
      kind: 'text',
      text: lines.length > 0 ? lines.join('\n\n') : `No removed seat of ${clipText(who, 80)} to give back.`,
    },
  ];
}
