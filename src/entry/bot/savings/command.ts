import { renderCard } from '../../../cards/render';
import { savingsUnavailableView, savingsView } from '../../../cards/savings-views';
import type { AdminDecision } from '../../../domain/admins';
import { savingsOf, totals } from '../../../domain/seat-savings';
import type { TenantRecord } from '../../../domain/tenant';
import type { AnalyticsReads } from '../../../usecases/analytics/ports';
import type { PriceService } from '../../../usecases/analytics/prices';
import type { TenantReads } from '../../../usecases/status/ports';
import type { Actor, BotCommand, CommandReply } from '../bot-types';
import { forTenants } from '../per-tenant';

export interface SavingsCommandDeps {
  tenants: TenantReads;
  analytics: Pick<AnalyticsReads, 'summary'>;
  prices: Pick<PriceService, 'priceFor'>;
  /** The card's totals are for everyone; its CSV buttons (which list people) only for admins. */
  gate: (actor: Actor) => AdminDecision;
}

/** `savings [tenant]`: what reclaiming idle Copilot seats saves, at which renewal, with CSV exports for admins. */
export function savingsCommand(deps: SavingsCommandDeps): BotCommand {
  return {
    name: 'savings',
    usage: 'savings [tenant]',
    description:
      'Copilot seats to reclaim by tier, what that saves a month and a year at your prices, the renewal plan, and CSV exports.',
    run: (request) =>
      forTenants(deps, request, request.argument, (tenants) => {
        const admin = deps.gate(request.actor).allowed;
        const now = new Date();
        return tenants.map((tenant): CommandReply => ({
          kind: 'card',
          card: renderCard('savings', viewOf(deps, tenant, admin, now)),
        }));
      }),
  };
}

function viewOf(deps: SavingsCommandDeps, tenant: TenantRecord, admin: boolean, now: Date) {
  const stored = deps.analytics.summary(tenant.id);
  if (!stored) return savingsUnavailableView(tenant.tenantName);
  // The links are signed when a button is pressed (export.link): the card may be read long after ten minutes.
  const buttons = admin
    ? [
        { title: 'Export CSV (underutilized)', data: { tenantId: tenant.id, kind: 'underutilized' as const } },
        { title: 'Export CSV (candidates)', data: { tenantId: tenant.id, kind: 'candidates' as const } },
      ]
    : [];
  return savingsView({
    tenantName: tenant.tenantName,
    summary: stored.summary,
    totals: totals(stored.summary),
    savings: savingsOf(stored.summary, deps.prices.priceFor(tenant.id)),
    exports: {
      buttons,
      note: admin ? '' : 'Only Seat Steward admins get the CSV exports, since they list people.',
    },
    now,
  });
}
