import type { DepartmentCounts, DepartmentDay } from '../../domain/departments';

export interface CurrentDepartments {
  snapshotId: number;
  /** When the analytics were computed. */
  asOf: string;
  /** The snapshot's Copilot SKUs (from its summary): what the departments' money is priced by. */
  skus: Array<{ skuId: string; skuPartNumber: string; assigned: number }>;
  departments: DepartmentCounts[];
}

/** The seats of a tenant's current snapshot, counted per department and SKU. */
export interface DepartmentSeatReads {
  /** Undefined when the tenant has no analytics yet (never synced, or not computed). */
  current(tenantId: string): CurrentDepartments | undefined;
}

/** Per-department counts of the last sync of each day, kept DEPARTMENT_TREND_DAYS days. */
export interface DepartmentTrendStore {
  /** Replaces `day`'s rows of the tenant with these (the last sync of a day wins) and drops days before `keepFrom`. */
  record(
    tenantId: string,
    day: string,
    snapshotId: number,
    departments: readonly DepartmentCounts[],
    keepFrom: string,
  ): void;
  /** Every department's days from `fromDay` on, oldest first. */
  days(tenantId: string, fromDay: string): DepartmentDay[];
}
