import { departmentsUnavailableView, departmentsView } from '../../../cards/department-views';
import { renderCard } from '../../../cards/render';
import type { AdminDecision } from '../../../domain/admins';
import type { DepartmentChargeback } from '../../../usecases/departments/department-chargeback';
import type { TenantReads } from '../../../usecases/status/ports';
import type { Actor, BotCommand, CommandReply } from '../bot-types';
import { forTenants } from '../per-tenant';

export interface DepartmentsCommandDeps {
  tenants: TenantReads;
  departments: Pick<DepartmentChargeback, 'report'>;
  /** The figures are aggregates (no names), so everyone gets the card; its Export CSV button is for admins, like every export. */
  gate: (actor: Actor) => AdminDecision;
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
        return tenants.map((tenant): CommandReply => {
          const report = deps.departments.report(tenant.id);
          const view = report
            ? departmentsView({
                tenantName: tenant.tenantName,
                report,
                exports: {
                  // Signed when pressed (export.link): the card may be read long after a link would have expired.
                  buttons: admin
                    ? [
                        {
                          title: 'Export CSV (departments)',
                          data: { tenantId: tenant.id, kind: 'departments' as const },
                        },
                      ]
                    : [],
                  note: admin ? '' : 'Only Seat Steward admins get the CSV export, as every export.',
                },
              })
            : departmentsUnavailableView(tenant.tenantName);
          return { kind: 'card', card: renderCard('departments', view) };
        });
      }),
  };
}
