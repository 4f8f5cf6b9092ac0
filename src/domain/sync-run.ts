/** One attempt to mirror a tenant. A successful run's id is also the id of the snapshot it wrote. */

export type SyncStatus = 'running' | 'success' | 'partial' | 'failed';
/** `reclaim`: licences changed by a reclaim (removal, undo), so every figure and list follows at once. */
export type SyncTrigger = 'startup' | 'schedule' | 'command' | 'card' | 'api' | 'reclaim' | 'benchmark' | 'test';

export interface SyncCounts {
  users: number;
  licensedUsers: number;
  licenseAssignments: number;
  skus: number;
  groups: number;
}

export interface SyncRunRecord {
  id: number;
  /** Seat Steward's tenant id. */
  tenantId: string;
  trigger: string;
  startedAt: string;
  finishedAt: string | null;
  status: SyncStatus;
  counts: SyncCounts | null;
  errorCode: string | null;
  errorText: string | null;
  warnings: string[];
}

export type FinishedSyncStatus = Exclude<SyncStatus, 'running'>;
