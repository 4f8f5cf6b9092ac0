import cron from 'node-cron';
import type { Logger } from 'pino';
import type { SyncTrigger } from '../../domain/sync-run';
import type { TenantReads } from '../../usecases/status/ports';
import type { SyncService } from '../../usecases/sync/sync-service';

/** SYNC_CRON syncs every tenant; at start, tenants with an empty cache are synced once. */
export function scheduleSyncs(deps: { cronExpression: string; tenants: TenantReads; sync: SyncService; logger: Logger }): { stop(): void } {
  const syncAll = (trigger: SyncTrigger, onlyEmpty: boolean) => {
    for (const tenant of deps.tenants.list()) {
      if (!tenant.syncEnabled || (onlyEmpty && tenant.currentSnapshotId !== null)) continue;
      deps.sync
        .request(tenant.id, trigger)
        .done.catch((error: unknown) => deps.logger.error({ err: error, tenant: tenant.entraTenantId }, 'scheduled sync failed'));
    }
  };
  const task = cron.schedule(deps.cronExpression, () => syncAll('schedule', false), { name: 'tenant-sync', timezone: 'UTC' });
  syncAll('startup', true);
  return { stop: () => void task.stop() };
}
