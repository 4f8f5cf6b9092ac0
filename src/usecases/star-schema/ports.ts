import type { HistoryRun } from '../../domain/star-schema';

/** Where a page of history runs resumes: after this user's run starting on this day. */
export interface RunCursor {
  userKey: number;
  fromDay: string;
}

/** A user's entry in the current directory snapshot (null fields: gone from the directory). */
export interface StarPerson {
  userKey: number;
  userId: string;
  inDirectory: boolean;
  userPrincipalName: string | null;
  displayName: string | null;
  mail: string | null;
  jobTitle: string | null;
  officeLocation: string | null;
  accountEnabled: boolean | null;
}

export interface StarSku {
  skuId: string;
  skuPartNumber: string;
  isCopilot: boolean;
}

/**
 * The daily history (migration 25) as the star schema reads it. Every read is a page by primary key,
 * so a fact table of users × 400 days is never held whole.
 */
export interface StarSchemaStore {
  /** The captured UTC days of the tenant, oldest first (a few hundred at most: HISTORY_DAYS). */
  capturedDays(tenantId: string): string[];
  /** Up to `limit` runs after `after` (null: from the start), by user key then first day. */
  runs(tenantId: string, after: RunCursor | null, limit: number): HistoryRun[];
  /** The Entra ids of these user keys, with their current directory entry where there is one. */
  people(tenantId: string, userKeys: readonly number[]): Map<number, StarPerson>;
  /** The SKUs of the tenant's current snapshot. */
  skus(tenantId: string): StarSku[];
}
