import type { AdaptiveCardJson } from '../domain/conversation';
import type { SyncRunRecord } from '../domain/sync-run';
import type { TenantRecord } from '../domain/tenant';
import { renderCard } from './render';
import { syncResultView, syncStartedView, tenantStatusView, type TenantStatusInput } from './status-views';

/** The status card of one tenant, from what the status use case read. */
export function statusCard(status: Omit<TenantStatusInput, 'now'>, now = new Date()): AdaptiveCardJson {
  return renderCard('status', { tenant: tenantStatusView({ ...status, now }) });
}

/** `sync` answers at once that the sync started (or joined the one running). */
export function syncStartedCard(tenant: TenantRecord, run: SyncRunRecord, joinedRunning: boolean): AdaptiveCardJson {
  return renderCard('sync-started', syncStartedView(tenant, run, joinedRunning));
}

/** How a sync ended, as the sync result report asks for it (its SyncResultCards port). */
export const syncResultCards = {
  result: (tenant: TenantRecord, run: SyncRunRecord): AdaptiveCardJson =>
    renderCard('sync-result', syncResultView(tenant, run)),
};
