import type { SecurityObservation } from '../../domain/security-events';
import type { PostureCheckId } from '../../domain/access-requirements';
import type {
  MfaRecord,
  PostureComponentId,
  PostureComponentRecord,
  PostureFigures,
  SignInRecord,
  SubscriptionRecord,
} from '../../domain/identity';

/**
 * Where the identity sources read a tenant from (Microsoft Graph). Failures are thrown as
 * TenantAccessError naming the permission or licence tier the call needs.
 */
export interface IdentityGraph {
  /** Streams signInActivity page by page (its own pass: Graph shrinks pages that carry it). */
  forEachSignInPage(onPage: (rows: SignInRecord[]) => void | Promise<void>): Promise<{ requests: number }>;
  forEachMfaPage(onPage: (rows: MfaRecord[]) => void | Promise<void>): Promise<{ requests: number }>;
  /** One posture component; returns its figures and the data's own date when Graph gives one. */
  posture<K extends PostureComponentId>(
    component: K,
  ): Promise<{ figures: PostureFigures[K]; asOf: string | null; requests: number }>;
  subscriptions(): Promise<SubscriptionRecord[]>;
  /** The smallest call proving a source readable: one row ($top=1). */
  probeSignIns(): Promise<void>;
  probeMfa(): Promise<void>;
  /** One posture read with its own permission (a `check` line each). */
  probePosture(read: PostureCheckId): Promise<void>;
}

/**
 * A per-user data set replaced as a whole: rows go into a new generation, page by page in short
 * transactions, and become visible only at commit(). An abort (or a crash) leaves the last
 * committed generation in place; its leftovers are removed by the next begin().
 */
export interface GenerationWriter<T> {
  write(rows: T[]): void;
  /** Resolves once the replaced generation is gone (deleted in batches that let other work run). */
  commit(asOf: string): Promise<void>;
  abort(): Promise<void>;
}

export interface IdentityStore {
  beginSignIns(tenantId: string): GenerationWriter<SignInRecord>;
  beginMfa(tenantId: string): GenerationWriter<MfaRecord>;
  /** Records one component's attempt: figures replace the stored ones only when given. */
  recordPosture(
    tenantId: string,
    component: PostureComponentId,
    attempt: { at: string; figures?: unknown; asOf?: string | null; errorCode?: string | null; reason?: string | null },
  ): void;
  posture(tenantId: string): PostureComponentRecord[];
  /** Replaces the tenant's subscriptions in one transaction (a few rows per SKU). */
  replaceSubscriptions(tenantId: string, rows: SubscriptionRecord[]): void;
  subscriptions(tenantId: string): SubscriptionRecord[];
}

/** MFA adoption over the current snapshot's enabled member accounts. */
export interface MfaAdoption {
  totalUsers: number;
  mfaEnabledUsers: number;
  /** Enabled members the MFA read did not list (joined after it, or missing from Graph's report). */
  unknownUsers: number;
  /** UPNs of enabled accounts holding an admin role without MFA registered (the security rubric names them first). */
  adminsWithoutMfa: string[];
}

/** What the /security answer and the security card read. */
export interface IdentityReads {
  posture(tenantId: string): PostureComponentRecord[];
  /** Null when MFA registration was never read for the tenant. */
  mfaAdoption(tenantId: string): MfaAdoption | null;
  subscriptions(tenantId: string): SubscriptionRecord[];
}

/** What the last sync saw of a tenant's security, for the next sync's risk events. */
export interface SecurityObservations {
  last(tenantId: string): SecurityObservation | undefined;
  save(tenantId: string, observation: SecurityObservation, at: Date): void;
}
