import { statusCard } from '../../../../cards/status-cards';
import type { TenantReads } from '../../../../usecases/status/ports';
import type { TenantStatusReader } from '../../../../usecases/status/tenant-status';
import type { CardAction } from '../../bot-types';
import { missingTenant, tenantCardData, tenantOfCard, type TenantCardData } from '../../tenant-card-data';

/** Show status (verb tenant.status): replaces the card with a fresh status card. */
export function showStatusAction(deps: {
  tenants: TenantReads;
  status: TenantStatusReader;
}): CardAction<TenantCardData> {
  return {
    verb: 'tenant.status',
    data: tenantCardData,
    invalidData: missingTenant,
    async run(data) {
      const found = tenantOfCard(deps.tenants, data);
      if ('card' in found) return found.card;
      return statusCard(deps.status.read(found.tenant));
    },
  };
}
