import { statusCard } from '../../../../cards/status-cards';
import type { TenantReads } from '../../../../usecases/status/ports';
import type { TenantStatusReader } from '../../../../usecases/status/tenant-status';
import type { SyncResultReport } from '../../../../usecases/sync/sync-result-report';
import type { SyncService } from '../../../../usecases/sync/sync-service';
import type { CardAction } from '../../bot-types';
import { missingTenant, tenantCardData, tenantOfCard, type TenantCardData } from '../../tenant-card-data';

/**
 * Sync now / Sync again (verb tenant.sync): waits a little for the result so a quick sync
 * replaces the card with its outcome; Teams gives an invoke about 15 s, so a longer sync shows
 * as running and its result is posted when it lands.
 */
export function syncNowAction(deps: {
  tenants: TenantReads;
  status: TenantStatusReader;
  sync: SyncService;
  report: SyncResultReport;
  waitMs: number;
}): CardAction<TenantCardData> {
  return {
    verb: 'tenant.sync',
    data: tenantCardData,
    invalidData: missingTenant,
    async run(data, request) {
      const found = tenantOfCard(deps.tenants, data);
      if ('card' in found) return found.card;
      const started = deps.sync.request(found.tenant.id, 'card');
      const finished = await Promise.race([started.done, delay(deps.waitMs).then(() => undefined)]);
      if (finished) return deps.report.card(finished);
      deps.report.postWhenDone(started.run, request.replyTarget);
      return statusCard(deps.status.read(found.tenant));
    },
  };
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms).unref());
}
