import type { AdminDecision } from '../../../domain/admins';
import { formatMoney } from '../../../domain/seat-savings';
import type { TenantRecord } from '../../../domain/tenant';
import { priceText, type PriceService } from '../../../usecases/analytics/prices';
import type { TenantReads } from '../../../usecases/status/ports';
import type { Actor, BotCommand, CommandReply } from '../bot-types';
import { errorCard } from '../error-card';
import { oneTenantNamed, tenantsNamed } from '../per-tenant';

export interface PriceCommandDeps {
  tenants: TenantReads;
  prices: PriceService;
  /** Only admins change prices (adminGate). */
  gate: (actor: Actor) => AdminDecision;
}

const AMOUNT_LIKE = /^[-+.$€£\d]/;

/**
 * `price [tenant]` lists each SKU's price and where it comes from; `price <sku> <amount> [tenant]`
 * sets one (admins only) and `price <sku> clear [tenant]` goes back to SKU_PRICES or the list price.
 */
export function priceCommand(deps: PriceCommandDeps): BotCommand {
  return {
    name: 'price',
    usage: 'price [SKU AMOUNT | SKU clear] [tenant]',
    description:
      'Prices per user per month used for costs and savings: list them, set one (admins), or clear an admin price.',
    async run(request) {
      const words = request.argument.split(' ').filter((w) => w !== '');
      const [sku, value, ...rest] = words;
      const changing =
        sku !== undefined &&
        value !== undefined &&
        (value.toLowerCase() === 'clear' || AMOUNT_LIKE.test(value) || isKnownSku(deps, sku));
      if (!changing) {
        // "price SPE_E3" names a SKU, not a tenant: show the list and how to set it, rather than "no tenant matches".
        if (
          sku !== undefined &&
          value === undefined &&
          isKnownSku(deps, sku) &&
          'hint' in tenantsNamed(deps.tenants, sku)
        ) {
          return [
            ...listPrices(deps, ''),
            { kind: 'text', text: `To change it: "price ${sku} AMOUNT" (admins), e.g. "price ${sku} 30".` },
          ];
        }
        return listPrices(deps, request.argument);
      }

      const decision = deps.gate(request.actor);
      if (!decision.allowed)
        return [{ kind: 'card', card: errorCard('Only admins can change prices', decision.reason) }];
      const one = oneTenantNamed(
        deps.tenants,
        rest.join(' '),
        (t) => `price ${sku} ${value} ${t.domainName ?? t.tenantName}`,
      );
      if ('text' in one) return [{ kind: 'text', text: one.text }];
      const { tenant } = one;
      const now = new Date();
      if (value.toLowerCase() === 'clear') {
        const cleared = deps.prices.clear(tenant.id, sku);
        if ('code' in cleared) return [{ kind: 'text', text: cleared.message }];
        const was = cleared.removed ? 'Admin price removed' : 'No admin price was set';
        return [
          {
            kind: 'text',
            text: `${was} for ${cleared.sku.skuPartNumber} in ${tenant.tenantName}. It now costs ${priceText(cleared.now)}.`,
          },
        ];
      }
      const set = deps.prices.set(tenant.id, sku, value, undefined, request.actor.aadObjectId ?? request.actor.id, now);
      if ('code' in set) return [{ kind: 'text', text: `${set.message} Nothing was changed.` }];
      return [
        {
          kind: 'text',
          text: `${set.sku.skuPartNumber} in ${tenant.tenantName} now costs ${formatMoney(set.price.amount, set.price.currency)} per user per month (was ${priceText(set.previous)}). Costs and savings use it from now on.`,
        },
      ];
    },
  };
}

function isKnownSku(deps: PriceCommandDeps, ref: string): boolean {
  return deps.tenants.list().some((t) => !('code' in deps.prices.resolve(t.id, ref)));
}

function listPrices(deps: PriceCommandDeps, argument: string): CommandReply[] {
  const named = tenantsNamed(deps.tenants, argument);
  if ('hint' in named) return [{ kind: 'text', text: named.hint }];
  return named.tenants.map((tenant): CommandReply => ({ kind: 'text', text: priceList(deps, tenant) }));
}

function priceList(deps: PriceCommandDeps, tenant: TenantRecord): string {
  const skus = deps.prices.list(tenant.id);
  if (skus.length === 0) return `${tenant.tenantName} has no synced SKUs yet. Run "sync" first.`;
  const lines = skus.map((s) => `- ${s.skuPartNumber}: ${priceText(s.price)}`);
  return [
    `Prices per user per month in ${tenant.tenantName}:`,
    ...lines,
    '',
    'Admins change one with "price SKU AMOUNT" (e.g. "price SPE_E3 36") and go back with "price SKU clear".',
  ].join('\n');
}
