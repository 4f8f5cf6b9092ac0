import type { CommandReply, CommandRequest } from '../../bot-types';
import { errorCard } from '../../error-card';
import { oneTenantNamed } from '../../per-tenant';
import { clipText } from '../../text';
import { callerOf } from '../caller';
import { hereFor, type ReclaimCommandDeps } from '../deps';
import { requestOutcomeText } from '../presenter';

export const TIERS = ['certain', 'probable', 'all'] as const;

/** `reclaim [ask|now] certain|probable|all [tenant]`: every seat of the tier in the current analytics. */
export async function tierRequest(
  deps: ReclaimCommandDeps,
  request: CommandRequest,
  tier: (typeof TIERS)[number],
  tenantArg: string,
  nudge: boolean | undefined,
  now: Date,
): Promise<CommandReply[]> {
  // A whole tier is taken back in one tenant at a time: "reclaim certain" with many tenants must not fan out.
  const one = oneTenantNamed(deps.tenants, tenantArg, (t) => `reclaim ${tier} ${t.domainName ?? t.tenantName}`);
  if ('text' in one) return [{ kind: 'text', text: one.text }];
  const { tenant } = one;
  const outcome = await deps.reclaims.request(
    {
      tenantId: tenant.id,
      caller: callerOf(request.actor),
      pick: { tier },
      nudge,
      source: 'command',
      replyTarget: request.replyTarget,
    },
    now,
  );
  return [{ kind: 'text', text: requestOutcomeText(outcome, tenant.tenantName, hereFor(deps, tenant.id)) }];
}

/** `reclaim [ask|now] <upn>[, <upn>…]`: the named holders' seats, looked for in every tenant. */
export async function userRequest(
  deps: ReclaimCommandDeps,
  request: CommandRequest,
  argument: string,
  nudge: boolean | undefined,
  now: Date,
): Promise<CommandReply[]> {
  const users = argument
    .split(/[\s,;]+/)
    .map((u) => u.trim())
    .filter((u) => u !== '');
  if (users.length === 0)
    return [{ kind: 'text', text: 'Name the seat holders by UPN, e.g. **reclaim adele@contoso.com**.' }];
  const tenants = deps.tenants.list();
  if (tenants.length === 0) return [{ kind: 'text', text: 'No tenant is connected yet.' }];
  const replies: CommandReply[] = [];
  const missing = new Set(users.map((u) => u.toLowerCase()));
  for (const tenant of tenants) {
    const outcome = await deps.reclaims.request(
      {
        tenantId: tenant.id,
        caller: callerOf(request.actor),
        pick: { users },
        nudge,
        source: 'command',
        replyTarget: request.replyTarget,
      },
      now,
    );
    if (outcome.kind === 'refused') return [{ kind: 'card', card: errorCard('Reclaim not requested', outcome.reason) }];
    const foundHere = outcome.notAdded
      .filter((n) => !/holds no Copilot seat/.test(n.reason))
      .map((n) => n.user.toLowerCase());
    const created = outcome.kind === 'created' ? outcome.items.map((i) => i.userPrincipalName.toLowerCase()) : [];
    for (const u of [...foundHere, ...created]) missing.delete(u);
    if (outcome.kind === 'created' || foundHere.length > 0)
      replies.push({ kind: 'text', text: requestOutcomeText(outcome, tenant.tenantName, hereFor(deps, tenant.id)) });
  }
  if (missing.size > 0)
    replies.push({
      kind: 'text',
      text: `No Copilot seat found for ${[...missing].map((m) => clipText(m, 80)).join(', ')} in the latest sync.`,
    });
  return replies;
}
