import type { AdminCheck } from '../../admin-gate';
import { systemClock } from '../../../../domain/clock';
import { localClock } from '../../../../domain/digest-time';
import type { DigestService } from '../../../../usecases/digest/digest-service';
import type { TenantReads } from '../../../../usecases/status/ports';
import type { CardAction } from '../../bot-types';
import { openedView } from '../../opened-view';
import { missingTenant, tenantCardData, tenantOfCard, type TenantCardData } from '../../tenant-card-data';

/**
 * Open (verb portfolio.open) on a portfolio row: that tenant's digest, posted as a new message so the
 * portfolio stays as it was. The digest names people, so only admins get it.
 */
export function portfolioOpenAction(deps: {
  tenants: TenantReads;
  digests: Pick<DigestService, 'card'>;
  isAdmin: AdminCheck;
  clock?: () => Date;
}): CardAction<TenantCardData> {
  return {
    verb: 'portfolio.open',
    data: tenantCardData,
    invalidData: missingTenant,
    async run(data, request) {
      const now = (deps.clock ?? systemClock)();
      const found = tenantOfCard(deps.tenants, data);
      return openedView(
        'message',
        deps.isAdmin(request.actor),
        found,
        (tenant) => deps.digests.card(tenant, localClock(now, 'UTC').day, now),
        'Posted the tenant\u2019s digest below.',
      );
    },
  };
}
