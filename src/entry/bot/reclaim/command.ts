import { freedByReclaimsText } from '../../../domain/seat-savings';
import { systemClock } from '../../../domain/clock';
import { adminRefusalCard } from '../admin-gate';
import type { BotCommand } from '../bot-types';
import { approvals } from './commands/approvals';
import { history } from './commands/history';
import { pending } from './commands/pending';
import { tierRequest, TIERS, userRequest } from './commands/request';
import { undoHolder } from './commands/undo';
import type { ReclaimCommandDeps } from './deps';

/**
 * `reclaim`: ask for idle Copilot seats to be taken back (`reclaim <upn>[, <upn>...]`, `reclaim certain|probable|all [tenant]`),
 * see the trail (`reclaim history [upn]`), and choose where requests go (`reclaim approvals here`). Admins only.
 */
export function reclaimCommand(deps: ReclaimCommandDeps): BotCommand {
  const now = () => (deps.now ?? systemClock)();
  return {
    name: 'reclaim',
    usage:
      'reclaim [ask|now] <upn>[, <upn>…] | reclaim [ask|now] certain|probable|all [tenant] | reclaim history [upn] | reclaim undo <upn> | reclaim pending | reclaim approvals here',
    description:
      'Take idle Copilot seats back through an approval: re-checked just before removal, with undo. "ask" first asks each holder in Teams whether to keep the seat, "now" goes straight to the approvers (RECLAIM_NUDGE sets the default). RECLAIM_MODE decides whether it really removes (on) or only says what it would do (dry-run). Admins only.',
    async run(request) {
      const gate = deps.isAdmin(request.actor);
      if (!gate.allowed) return [{ kind: 'card', card: adminRefusalCard(gate.reason) }];
      let words = request.argument
        .trim()
        .split(/\s+/)
        .filter((w) => w !== '');
      let first = words[0]?.toLowerCase();
      if (!first) return [{ kind: 'text', text: overview(deps) }];
      if (first === 'history') return history(deps, words.slice(1).join(' '));
      if (first === 'approvals') return approvals(deps, request, words.slice(1).join(' '), now());
      if (first === 'pending') return pending(deps, request, now());
      if (first === 'undo') return undoHolder(deps, request, words.slice(1).join(' '), now());
      // "ask": the holders are asked first (Keep / Release); "now": straight to the approvers.
      let nudge: boolean | undefined;
      if (first === 'ask' || first === 'now') {
        nudge = first === 'ask';
        words = words.slice(1);
        first = words[0]?.toLowerCase();
        if (!first)
          return [
            {
              kind: 'text',
              text: `Name the seats after **reclaim ${nudge ? 'ask' : 'now'}**: UPNs, or certain, probable or all.`,
            },
          ];
      }
      if ((TIERS as readonly string[]).includes(first))
        return tierRequest(deps, request, first as (typeof TIERS)[number], words.slice(1).join(' '), nudge, now());
      return userRequest(deps, request, words.join(' '), nudge, now());
    },
  };
}

function overview(deps: ReclaimCommandDeps): string {
  const lines = [`Reclaim mode: **${deps.reclaims.mode()}**.`];
  for (const tenant of deps.tenants.list()) {
    const freed = deps.reclaims.freed(tenant.id);
    const where = deps.reclaims.approvalsConversation(tenant.id)
      ? 'a set approvals conversation'
      : 'the chat they are asked in (type **reclaim approvals here** where approvers are)';
    lines.push(`${tenant.tenantName}: ${freedByReclaimsText(freed)} Requests go to ${where}.`);
  }
  lines.push(
    'Ask with **reclaim <upn>[, <upn>…]** or **reclaim certain**; see the trail with **reclaim history [upn]**.',
  );
  return lines.join('\n\n');
}
