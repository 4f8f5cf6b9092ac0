import { sumSeats } from '../../domain/seats';
import type { SyncHealth } from '../../domain/sync-schedule';
import { tenantStatus, type TenantRecord } from '../../domain/tenant';
import type { DirectoryReads, SyncRunReads } from '../../usecases/status/ports';

/** A tenant as the REST API shows it (the contract's list item): GET /tenants, GET/POST/PATCH /tenants/{id}. */
export function tenantJson(
  t: TenantRecord,
  deps: {
    runs: Pick<SyncRunReads, 'latestFinished'>;
    directory: Pick<DirectoryReads, 'skus'>;
    /** The tenant's sync health and next sync (an extension after the contract's fields). */
    health?: (tenant: TenantRecord) => SyncHealth;
  },
) {
  const lastRun = deps.runs.latestFinished(t.id);
  const seats = sumSeats(deps.directory.skus(t.id));
  return {
    id: t.id,
    client_id: t.mspClientId,
    tenant_id: t.entraTenantId,
    tenant_name: t.tenantName,
    domain_name: t.domainName,
    display_name: t.displayName,
    tenant_type: t.tenantType,
    status: tenantStatus(t, lastRun),
    sync_enabled: t.syncEnabled,
    sync_interval_hours: t.syncIntervalHours,
    last_sync: lastRun?.finishedAt ?? null,
    last_sync_status: lastRun?.status ?? null,
    total_licenses: seats.purchased,
    assigned_licenses: seats.assigned,
    available_licenses: seats.available,
    created_at: t.createdAt,
    // An extension after seed 000's fields, which stay as they are.
    ...(deps.health ? { health: healthJson(deps.health(t)) } : {}),
  };
}

function healthJson(health: SyncHealth) {
  return {
    state: health.state,
    last_success: health.lastSuccess,
    consecutive_failures: health.consecutiveFailures,
    reason: health.reason,
    next_sync: health.nextSync,
    /** `interval` (the tenant's sync_interval_hours) or `sync_cron` (SYNC_CRON). */
    schedule: health.schedule.kind === 'interval' ? 'interval' : 'sync_cron',
  };
}
