import { renderCard } from '../../../cards/render';
import type { CheckService } from '../../../usecases/check/check-service';
import { checkView } from '../../../cards/check-views';
import type { TenantReads } from '../../../usecases/status/ports';
import type { BotCommand } from '../bot-types';
import { forTenants } from '../per-tenant';

/** `check [tenant]`: tries every read the sync makes and says what each needs. */
export function checkCommand(deps: { tenants: TenantReads; check: CheckService }): BotCommand {
  return {
    name: 'check',
    usage: 'check [tenant]',
    description:
      'Try every Graph and Management API read and show, per read, OK or the missing permission, licence or connection.',
    run: (request) =>
      forTenants(deps, request, request.argument, async (tenants) => {
        const reports = await Promise.all(tenants.map((tenant) => deps.check.check(tenant)));
        return reports.map((report) => ({ kind: 'card', card: renderCard('check', checkView(report)) }));
      }),
  };
}
