import { matchTenants, theTenantMeant, type TenantRecord } from '../../domain/tenant';
import type { TenantReads } from '../../usecases/status/ports';
import { adminRefusalCard, type AdminCheck } from './admin-gate';
import type { CommandReply, CommandRequest } from './bot-types';
import { clipText } from './text';

/** The tenants a command's argument names (a name, domain or id fragment; all when empty), or the hint to answer with when it names none. */
export function tenantsNamed(tenants: TenantReads, argument: string): { tenants: TenantRecord[] } | { hint: string } {
  const all = tenants.list();
  const matched = matchTenants(all, argument);
  if (matched.length > 0) return { tenants: matched };
  const names = all.map((t) => t.tenantName);
  return {
    hint:
      names.length === 0
        ? 'No tenant is connected yet. See the README section "Connect a real tenant".'
        : `No tenant matches "${clipText(argument, 60)}". Connected tenants: ${names.join(', ')}.`,
  };
}

/** How many matches an ambiguous name lists before "and N more". */
const LISTED_MATCHES = 10;

/**
 * For commands that act on one tenant (a price, an audit subscription, a reclaim of a whole tier):
 * the tenant the argument means, or the text to answer, listing the matches when it names several.
 */
export function oneTenantNamed(
  tenants: TenantReads,
  argument: string,
  example: (tenant: TenantRecord) => string,
): { tenant: TenantRecord } | { text: string } {
  const named = tenantsNamed(tenants, argument);
  if ('hint' in named) return { text: named.hint };
  const meant = theTenantMeant(named.tenants, argument);
  if (meant) return { tenant: meant };
  const shown = named.tenants.slice(0, LISTED_MATCHES);
  const more = named.tenants.length - shown.length;
  const first = named.tenants[0] as TenantRecord;
  return {
    text: `${argument.trim() ? `"${clipText(argument.trim(), 60)}" matches` : 'This acts on one tenant, and you have'} ${named.tenants.length} tenants: ${shown.map((t) => (t.domainName ? `${t.tenantName} (${t.domainName})` : t.tenantName)).join(', ')}${more > 0 ? ` and ${more} more` : ''}. Name one, e.g. "${example(first)}".`,
  };
}

export interface PerTenantDeps {
  tenants: TenantReads;
  /** Set for commands only admins may run (they name people or change settings): anyone else gets the refusal card. */
  adminOnly?: AdminCheck;
}

/**
 * How every per-tenant command starts: the admin gate (admin-only commands), then the tenants the
 * argument names, or the hint that names the connected ones. `answer` runs only with one tenant or more.
 */
export async function forTenants(
  deps: PerTenantDeps,
  request: CommandRequest,
  argument: string,
  answer: (tenants: TenantRecord[]) => CommandReply[] | Promise<CommandReply[]>,
): Promise<CommandReply[]> {
  if (deps.adminOnly) {
    const gate = deps.adminOnly(request.actor);
    if (!gate.allowed) return [{ kind: 'card', card: adminRefusalCard(gate.reason) }];
  }
  const named = tenantsNamed(deps.tenants, argument);
  if ('hint' in named) return [{ kind: 'text', text: named.hint }];
  return answer(named.tenants);
}
