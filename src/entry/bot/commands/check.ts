import { renderCard } from '../../../cards/render';
import type { CheckService } from '../../../usecases/check/check-service';
import { checkView } from '../../../cards/check-views';
import type { StatusService } from '../../../usecases/status/status-service';
import type { BotCommand } from '../bot-types';
import { tenantsNamed } from './tenant-argument';

/** `check [tenant]`: tries every read the sync makes and says what each needs. */
export function checkCommand(deps: { status: StatusService; check: CheckService }): BotCommand {
  return {
    name: 'check',
    usage: 'check [tenant]',
    description: 'Try every Graph and Management API read and show, per read, OK or the missing permission, licence or connection.',
    async run(request) {
      const named = tenantsNamed(deps.status, request.argument);
      if ('hint' in named) return [{ kind: 'text', text: named.hint }];
      const reports = await Promise.all(named.tenants.map((tenant) => deps.check.check(tenant)));
      return reports.map((report) => ({ kind: 'card', card: renderCard('check', checkView(report)) }));
    },
  };
}
