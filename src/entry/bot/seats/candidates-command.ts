import type { BotCommand, CommandReply } from '../bot-types';
import { forTenants } from '../per-tenant';
import { candidatesPageFor, type SeatListDeps } from './presenter';

/** `candidates [tenant]`: who should get a Copilot seat next, best first, ten a page. Admins only: it names people. */
export function candidatesCommand(deps: SeatListDeps): BotCommand {
  return {
    name: 'candidates',
    usage: 'candidates [tenant]',
    description:
      'Members without a Copilot seat who would use one, ranked by Microsoft 365 activity (Copilot Chat users first). Admins only.',
    run: (request) =>
      forTenants({ tenants: deps.tenants, adminOnly: deps.isAdmin }, request, request.argument, async (tenants) => {
        const place = { personal: request.personal, replyTarget: request.replyTarget };
        const replies: CommandReply[] = [];
        for (const t of tenants)
          replies.push({ kind: 'card', card: await candidatesPageFor(deps, t, 1, place, request.actor) });
        return replies;
      }),
  };
}
