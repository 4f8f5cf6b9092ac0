import { departmentsUnavailableView, departmentsView } from '../../../cards/department-views';
import { renderCard } from '../../../cards/render';
import type { AdminDecision } from '../../../domain/admins';
import type { Clock } from '../../../domain/clock';
import { systemClock } from '../../../domain/clock';
import type { DepartmentChargeback } from '../../../usecases/departments/department-chargeback';
import type { TenantReads } from '../../../usecases/status/ports';
import type { Actor, BotCommand, CommandReply } from '../bot-types';
import { forTenants } from '../per-tenant';

export interface DepartmentsCommandDeps {
  tenants: TenantReads;
  departments: Pick<DepartmentChargeback, 'report'>;
  /** The figures are aggregates (no names), so everyone gets the card; its Export CSV button is for admins, like every export. */
  gate: (actor: Actor) => AdminDecision;
  now?: Clock;
}

/** `departments [tenant]`: Copilot seats, idle seats and their cost per department, with the 90-day trend. */
export function departmentsCommand(deps: DepartmentsCommandDeps): BotCommand {
  return {
    name: 'departments',
    usage: 'departments [tenant]',
    description:
      'Copilot seats per department: active, idle, utilization, what they cost a month and what the idle ones cost, with the 90-day trend.',
    run: (request) =>
      forTenants(deps, request, request.argument, (tenants) => {
        const admin = deps.gate(request.actor).allowed;
        const now = (deps.now ?? systemClock)();
        return tenants.map((tenant): CommandReply => {
          const report = deps.departments.report(tenant.id, now);
          const view = report
            ? departmentsView({
                tenantName: tenant.tenantName,
                report,
                exports: { buttons: [], note: '' },
              })
            : departmentsUnavailableView(tenant.tenantName);
          return { kind: 'card', card: renderCard('departments', view) };
        });
      }),
  };
}
