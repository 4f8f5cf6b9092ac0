import type { LicenseGroupRow, SkuRow, UserLicenseRow, UserRow, WrittenCounts } from './snapshots';
import type { SyncCounts, SyncStatus } from './sync-runs';

/** Messages between the sync (main thread) and the snapshot writer thread. */

export interface RunOutcome {
  runId: number;
  status: Exclude<SyncStatus, 'running' | 'failed'>;
  counts: SyncCounts;
  warnings: string[];
}

export interface TenantIdentity {
  tenantName: string;
  domainName: string | null;
  displayName: string | null;
  tenantType: string;
}

export type WriterRequest = { id: number; tenantId: string; snapshotId: number } & (
  | { kind: 'users'; users: UserRow[]; licenses: UserLicenseRow[] }
  | { kind: 'skus'; skus: SkuRow[] }
  | { kind: 'groups'; groups: LicenseGroupRow[] }
  | { kind: 'publish'; outcome: RunOutcome; identity: TenantIdentity | null }
  | { kind: 'discard' }
  | { kind: 'drop'; replacedSnapshotId: number }
);

export type WriterValue = WrittenCounts | number | null;

export type WriterResponse = { id: number } & ({ ok: true; value: WriterValue } | { ok: false; error: string });
