import type { SyncRunRecord } from './sync-run';

/**
 * A Microsoft 365 tenant Seat Steward mirrors. Three ids are kept apart everywhere:
 * `id` (Seat Steward's own, what every other record calls `tenantId`), `entraTenantId`
 * (Microsoft's directory id) and `mspClientId` (the MSP customer it belongs to, the REST API's
 * `client_id`). The app registration's id is a connection setting: `appClientId`.
 */
export interface TenantRecord {
  id: string;
  entraTenantId: string;
  mspClientId: string | null;
  tenantName: string;
  domainName: string | null;
  displayName: string | null;
  tenantType: string;
  source: 'demo' | 'entra';
  syncEnabled: boolean;
  /** Hours between scheduled syncs; null follows SYNC_CRON (the tenant from the environment, and the demo). */
  syncIntervalHours: number | null;
  /** The sync run whose snapshot readers see; null before the first successful sync. */
  currentSnapshotId: number | null;
  createdAt: string;
  updatedAt: string;
}

/** What an admin sets on a tenant through the REST API; undefined leaves a field as it is. */
export interface TenantSettingsChange {
  tenantName?: string;
  domainName?: string;
  mspClientId?: string | null;
  syncEnabled?: boolean;
  /** 1 to 168; null follows SYNC_CRON. */
  syncIntervalHours?: number | null;
}

/** A tenant's own sync interval: whole hours from 1 to 168 (a week). */
export const SYNC_INTERVAL_HOURS = { min: 1, max: 168 } as const;

/** What a sync learns about the tenant from its own /organization. */
export interface TenantIdentity {
  tenantName: string;
  domainName: string | null;
  displayName: string | null;
  tenantType: string;
}

export type TenantStatus = 'active' | 'inactive' | 'error';

/** The REST API's tenant status: inactive when syncing is off, error while the last sync failed. */
export function tenantStatus(
  tenant: Pick<TenantRecord, 'syncEnabled'>,
  lastFinishedRun: Pick<SyncRunRecord, 'status'> | undefined,
): TenantStatus {
  if (!tenant.syncEnabled) return 'inactive';
  return lastFinishedRun?.status === 'failed' ? 'error' : 'active';
}

/** Tenants matching a name, domain or id fragment typed after a command; all of them when empty. */
export function matchTenants(all: readonly TenantRecord[], query: string): TenantRecord[] {
  const q = query.trim().toLowerCase();
  if (!q) return [...all];
  return all.filter((t) =>
    [t.id, t.entraTenantId, t.tenantName, t.domainName ?? '', t.displayName ?? ''].some((field) =>
      field.toLowerCase().includes(q),
    ),
  );
}

/**
 * The one tenant a query means among those it matches: the only match, else the one whose name,
 * domain or id it spells out in full ("contoso" picks Contoso over Contoso EU). Undefined while
 * still ambiguous.
 */
export function theTenantMeant(matched: readonly TenantRecord[], query: string): TenantRecord | undefined {
  if (matched.length === 1) return matched[0];
  const q = query.trim().toLowerCase();
  if (!q) return undefined;
  const exact = matched.filter((t) =>
    [t.id, t.entraTenantId, t.tenantName, t.domainName, t.displayName].some((f) => f?.toLowerCase() === q),
  );
  return exact.length === 1 ? exact[0] : undefined;
}
