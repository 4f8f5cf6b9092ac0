import { matchTenants, type TenantRecord } from '../../domain/tenant';
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
