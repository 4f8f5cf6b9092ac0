import { statusCard } from '../../../cards/status-cards';
import type { TenantReads } from '../../../usecases/status/ports';
import type { TenantStatusReader } from '../../../usecases/status/tenant-status';
import type { BotCommand } from '../bot-types';
import { forTenants } from '../per-tenant';

/** `status [tenant]`: one status card per matching tenant. */
export function statusCommand(deps: { tenants: TenantReads; status: TenantStatusReader }): BotCommand {
  return {
    name: 'status',
    usage: 'status [tenant]',
    description:
      'Users, licensed users and Copilot seats (purchased, assigned, available) per tenant, with the last sync.',
    run: (request) =>
      forTenants(deps, request, request.argument, (tenants) =>
        tenants.map((tenant) => ({ kind: 'card', card: statusCard(deps.status.read(tenant)) })),
      ),
  };
}
