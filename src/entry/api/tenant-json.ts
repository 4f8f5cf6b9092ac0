import { sumSeats } from '../../domain/seats';
import type { SyncHealth } from '../../domain/sync-schedule';
import { tenantStatus, type TenantRecord } from '../../domain/tenant';
import type { DirectoryReads, SyncRunReads } from '../../usecases/status/ports';
import { z } from './api-zod';

/** A tenant's sync health and next sync (an extension after the contract's fields). */
const healthSchema = z
  .object({
    state: z.enum(['disabled', 'never_synced', 'healthy', 'consent_required', 'sign_in_failed', 'failing']),
    last_success: z.string().nullable(),
    consecutive_failures: z.number().int(),
    reason: z.object({ code: z.string(), message: z.string() }).nullable(),
    next_sync: z.string().nullable(),
    schedule: z
      .enum(['interval', 'sync_cron'])
      .openapi({ description: "interval: the tenant's sync_interval_hours; sync_cron: SYNC_CRON." }),
  })
  .openapi('SyncHealth');

/** A tenant as seed 000's REST API shows it (the list item of GET /tenants); unnamed, for the answers that extend it. */
export const tenantFields = z.object({
  id: z.string().openapi({ description: "Seat Steward's tenant id." }),
  client_id: z.string().nullable().openapi({ description: 'The MSP client (customer) id; null for none.' }),
  tenant_id: z.string().openapi({ description: 'The Microsoft (Entra) tenant id.' }),
  tenant_name: z.string(),
  domain_name: z.string().nullable(),
  display_name: z.string().nullable(),
  tenant_type: z.string(),
  status: z.enum(['active', 'inactive', 'error']),
  sync_enabled: z.boolean(),
  sync_interval_hours: z.number().int().nullable().openapi({ description: 'null: follows SYNC_CRON.' }),
  last_sync: z.string().nullable(),
  last_sync_status: z.string().nullable(),
  total_licenses: z.number().int(),
  assigned_licenses: z.number().int(),
  available_licenses: z.number().int(),
  created_at: z.string(),
  health: healthSchema.optional(),
});
export const tenantSchema = tenantFields.openapi('Tenant');
export type TenantJson = z.infer<typeof tenantSchema>;

/** A tenant as the REST API shows it (the contract's list item): GET /tenants, GET/POST/PATCH /tenants/{id}. */
export function tenantJson(
  t: TenantRecord,
  deps: {
    runs: Pick<SyncRunReads, 'latestFinished'>;
    directory: Pick<DirectoryReads, 'skus'>;
    /** The tenant's sync health and next sync (an extension after the contract's fields). */
    health?: (tenant: TenantRecord) => SyncHealth;
  },
): TenantJson {
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

function healthJson(health: SyncHealth): z.infer<typeof healthSchema> {
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
