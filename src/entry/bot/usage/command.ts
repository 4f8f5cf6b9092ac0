import { renderCard } from '../../../cards/render';
import { usageView } from '../../../cards/usage-views';
import { USAGE_PERIODS, type UsagePeriod } from '../../../domain/usage';
import type { TenantReads } from '../../../usecases/status/ports';
import type { UsageQuery } from '../../../usecases/usage/usage-query';
import { totals } from '../../../domain/seat-savings';
import type { AnalyticsReads } from '../../../usecases/analytics/ports';
import type { BotCommand, CommandReply } from '../bot-types';
import { forTenants } from '../per-tenant';

/** `usage [7d|30d|90d|180d] [tenant]`: the Microsoft 365 usage figures per tenant, with their report date. */
export interface UsageCommandDeps {
  tenants: TenantReads;
  usage: UsageQuery;
  /** The seat analytics: Copilot utilization has one definition, shown the same on every card. */
  analytics: Pick<AnalyticsReads, 'summary'>;
  /** INACTIVE_DAYS, the window utilization counts use in. */
  inactiveDays: number;
}

export function usageCommand(deps: UsageCommandDeps): BotCommand {
  return {
    name: 'usage',
    usage: 'usage [7d|30d|90d|180d] [tenant]',
    description:
      "Microsoft 365 usage per service (Exchange, SharePoint, Teams, OneDrive) for a period, as of the reports' date.",
    async run(request) {
      const [first = '', ...rest] = request.argument.trim().split(/\s+/);
      const wanted = first.toLowerCase().replace(/^(\d+)$/, '$1d');
      const period: UsagePeriod = (USAGE_PERIODS as readonly string[]).includes(wanted)
        ? (wanted as UsagePeriod)
        : '30d';
      if (/^\d+d?$/i.test(first) && period !== wanted) {
        return [{ kind: 'text', text: `Usage periods are ${USAGE_PERIODS.join(', ')}; for example: usage 7d.` }];
      }
      return forTenants(deps, request, period === wanted ? rest.join(' ') : request.argument, (tenants) =>
        tenants.map((tenant): CommandReply => {
          const stored = deps.analytics.summary(tenant.id)?.summary;
          const seats = stored
            ? {
                utilization: totals(stored).utilization,
                computedAt: stored.computedAt,
                inactiveDays: deps.inactiveDays,
              }
            : undefined;
          return {
            kind: 'card',
            card: renderCard(
              'usage',
              usageView(
                tenant.tenantName,
                period,
                deps.usage.get(tenant.id, period),
                deps.usage.copilot(tenant.id),
                seats,
              ),
            ),
          };
        }),
      );
    },
  };
}
