import type { SourceStatusRecord } from '../../domain/activity-sources';
import type { SkuRow, UserCounts, UserWithLicenses } from '../../domain/directory';
import type { SyncRunRecord } from '../../domain/sync-run';
import type { TenantRecord } from '../../domain/tenant';

/** The cache's read side, as the status and REST use cases need it. */
export interface DirectoryReads {
  /** Runs several reads against one snapshot. */
  consistent<T>(read: () => T): T;
  userCounts(tenantId: string): UserCounts;
  skus(tenantId: string): SkuRow[];
  /** One page of the current snapshot's users and the total matching the filter (read off the event loop where it can be). */
  users(tenantId: string, query: UserQuery): Promise<UserPage>;
  /**
   * The same page already rendered to its REST JSON body by `UserPageRenderer`, on a read worker
   * where there is one: the event loop then only writes the bytes.
   */
  usersRendered(tenantId: string, query: UserQuery, context: UserPageContext): Promise<string>;
  /** Changes whenever sign-ins or MFA registration (stored beside the snapshot) are replaced: part of a rendered page's cache key. */
  identityVersion(tenantId: string): string;
}

export interface UserPage {
  rows: UserWithLicenses[];
  total: number;
}

/** What rendering a page of users needs besides the page (plain data: it crosses to a worker thread). */
export interface UserPageContext {
  tenantId: string;
  /** When the snapshot the page comes from was synced. */
  lastSynced: string | null;
  limit: number;
  offset: number;
}

/** Turns a page of users into the REST API's JSON body (src/entry/api/user-json.ts). */
export type UserPageRenderer = (page: UserPage, context: UserPageContext) => string;

export interface UserQuery {
  limit: number;
  offset: number;
  /** Substring of the display name, mail or UPN. */
  search?: string;
  accountEnabled?: boolean;
  /** isMfaRegistered; users whose MFA registration is unknown match neither true nor false. */
  mfaEnabled?: boolean;
}

export interface TenantReads {
  find(idOrEntraTenantId: string): TenantRecord | undefined;
  list(): TenantRecord[];
}

export interface SyncRunReads {
  get(id: number): SyncRunRecord | undefined;
  latestFinished(tenantId: string): SyncRunRecord | undefined;
}

export interface SourceStatusReads {
  list(tenantId: string): SourceStatusRecord[];
}
