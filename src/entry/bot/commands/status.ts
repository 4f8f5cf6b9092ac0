import { statusCard } from '../../../cards/status-cards';
import type { StatusService } from '../../../usecases/status/status-service';
import type { BotCommand } from '../bot-types';
import { tenantsNamed } from './tenant-argument';

/** `status [tenant]`: one status card per matching tenant. */
export function statusCommand(status: StatusService): BotCommand {
  return {
    name: 'status',
    usage: 'status [tenant]',
    description: 'Users, licensed users and Copilot seats (purchased, assigned, available) per tenant, with the last sync.',
    async run(request) {
      const named = tenantsNamed(status, request.argument);
      if ('hint' in named) return [{ kind: 'text', text: named.hint }];
      return named.tenants.map((tenant) => ({ kind: 'card', card: statusCard(status.read(tenant)) }));
    },
  };
}
