import { statusCard } from '../../../cards/status-cards';
import type { StatusService } from '../../../usecases/status/status-service';
import type { CardAction } from '../bot-types';
import { missingTenant, tenantCardData, tenantOfCard, type TenantCardData } from './tenant-card-data';

/** Show status (verb tenant.status): replaces the card with a fresh status card. */
export function tenantStatusAction(status: StatusService): CardAction<TenantCardData> {
  return {
    verb: 'tenant.status',
    data: tenantCardData,
    invalidData: missingTenant,
    async run(data) {
      const found = tenantOfCard(status, data);
      if ('card' in found) return found.card;
      return statusCard(status.read(found.tenant));
    },
  };
}
