import { INACTIVE_FILTERS, type InactiveFilter } from '../../../cards/seat-views';
import type { BotCommand, CommandReply } from '../bot-types';
import { forTenants } from '../per-tenant';
import { inactivePageFor, type SeatListDeps } from './presenter';

/** The filter word may come before or after the tenant name ("inactive certain contoso", "inactive contoso certain"). */
export function parseInactiveArgument(argument: string): { filter: InactiveFilter; tenant: string } {
  const words = argument
    .trim()
    .split(/\s+/)
    .filter((w) => w !== '');
  const isFilter = (word: string | undefined) =>
    word !== undefined && (INACTIVE_FILTERS as readonly string[]).includes(word.toLowerCase());
  if (isFilter(words[0])) return { filter: words[0].toLowerCase() as InactiveFilter, tenant: words.slice(1).join(' ') };
  if (isFilter(words.at(-1)))
    return { filter: (words.at(-1) as string).toLowerCase() as InactiveFilter, tenant: words.slice(0, -1).join(' ') };
  return { filter: 'all', tenant: words.join(' ') };
}

/** `inactive [tenant] [certain|probable|all|review]`: the Copilot seats to take back, ten a page. Admins only: it names people. */
export function inactiveCommand(deps: SeatListDeps): BotCommand {
  return {
    name: 'inactive',
    usage: 'inactive [tenant] [certain|probable|all|review]',
    description:
      'Idle Copilot seats to take back (certain, probable or all tiers), or the seats that need a review, with why and since when. Admins only.',
    run(request) {
      const { filter, tenant } = parseInactiveArgument(request.argument);
      return forTenants({ tenants: deps.tenants, adminOnly: deps.isAdmin }, request, tenant, async (tenants) => {
        const place = { personal: request.personal, replyTarget: request.replyTarget };
        const replies: CommandReply[] = [];
        for (const t of tenants)
          replies.push({ kind: 'card', card: await inactivePageFor(deps, t, filter, 1, place, request.actor) });
        return replies;
      });
    },
  };
}
