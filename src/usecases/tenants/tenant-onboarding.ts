import type { Logger } from 'pino';
import type { CheckReport } from '../../domain/access-requirements';
import {
  DEFAULT_AUTHORITY_HOST,
  DEFAULT_GRAPH_ENDPOINT,
  tenantEndpoint,
  type TenantEndpointKind,
} from '../../domain/cloud-endpoints';
import type { TenantRecord, TenantSettingsChange } from '../../domain/tenant';
import type { JobQueue } from '../outbox/job-runner';
import { tenantSyncJob, tenantSyncKey } from '../sync/sync-jobs';
import {
  EncryptedCredentialError,
  type CredentialDecrypter,
  type TenantDataEraser,
  type TenantSettingsStore,
} from './ports';
import {
  TenantConnectionError,
  type ConnectionCredential,
  type ConnectionInput,
  type TenantRegistry,
} from './tenant-registry';
import { GUID } from '../../domain/guid';

/**
 * Customer tenants added, changed and removed at runtime (the REST API's POST, PATCH and DELETE
 * /tenants): credentials arrive encrypted to the server's key and are sealed with SECRET_STORE_KEY
 * before they are stored; a new tenant's permission check and first sync start at once.
 */

/** The fields callers name in the REST API, so every refusal says which one to fix. */
export type OnboardingField =
  'client_id_encrypted' | 'client_secret_encrypted' | TenantEndpointKind | 'tenant_id' | 'confirm' | 'use_msp_app';

export type OnboardingErrorCode =
  | 'invalid_parameter'
  | 'tenant_exists'
  | 'tenant_not_found'
  | 'tenant_busy'
  | 'environment_tenant'
  | 'confirmation_required'
  | 'secrets_key_missing';

export class TenantOnboardingError extends Error {
  constructor(
    readonly code: OnboardingErrorCode,
    message: string,
    readonly field?: OnboardingField,
  ) {
    super(message);
    this.name = 'TenantOnboardingError';
  }
}

export interface NewTenantRequest {
  /** The MSP's customer (the REST API's client_id). */
  mspClientId: string;
  entraTenantId: string;
  tenantName: string;
  domainName: string;
  /**
   * The tenant's own app registration, encrypted to the server's key; or `msp_app`: the MSP's
   * multi-tenant app (MSP_APP_ID), which the customer consents to through the consent link.
   */
  credentials: { clientIdEncrypted: string; clientSecretEncrypted: string } | 'msp_app';
  syncEnabled: boolean;
  /** null: follows SYNC_CRON. */
  syncIntervalHours: number | null;
  graphEndpoint?: string;
  authorityHost?: string;
}

export interface TenantChangeRequest extends TenantSettingsChange {
  clientIdEncrypted?: string;
  clientSecretEncrypted?: string;
  graphEndpoint?: string;
  authorityHost?: string;
}

/** The permission check started with a new tenant or new credentials, as far as this process saw it. */
export type FirstCheck =
  | { status: 'running'; startedAt: string }
  | { status: 'done'; startedAt: string; report: CheckReport }
  | { status: 'failed'; startedAt: string; message: string };

export interface OnboardingDeps {
  registry: TenantRegistry;
  tenants: TenantSettingsStore;
  credentials: CredentialDecrypter;
  eraser: TenantDataEraser;
  queue: JobQueue;
  /** The permission check (CheckService.check). */
  check: (tenant: TenantRecord) => Promise<CheckReport>;
  isSyncRunning: (tenantId: string) => boolean;
  /** Drops what memory holds of a deleted tenant (opened connection, Graph client). */
  forget: (tenantId: string) => void;
  /** The tenants TENANT_ID (or the demo, with DEMO_TENANTS) configures: each start writes them again. */
  environmentEntraTenantIds: readonly string[];
  /** MSP_APP_*: the multi-tenant app a tenant may be added with instead of its own credentials. */
  mspApp?: { appClientId: string; credential: ConnectionInput['credential'] };
  /** The demo, or ALLOW_CUSTOM_ENDPOINTS=on: endpoints other than Microsoft's are taken. */
  allowOtherEndpoints: boolean;
  logger: Logger;
  now?: () => Date;
}

export class TenantOnboarding {
  private readonly checks = new Map<string, FirstCheck>();

  constructor(private readonly deps: OnboardingDeps) {}

  async add(
    request: NewTenantRequest,
  ): Promise<{ tenant: TenantRecord; syncJobId: number | null; check: FirstCheck | undefined }> {
    const { registry, tenants } = this.deps;
    if (tenants.find(request.entraTenantId)) throw this.exists(request.entraTenantId);
    const endpoints = {
      graphEndpoint: this.endpoint('graph_endpoint', request.graphEndpoint ?? DEFAULT_GRAPH_ENDPOINT),
      authorityHost: this.endpoint('authority_host', request.authorityHost ?? DEFAULT_AUTHORITY_HOST),
    };
    const viaMspApp = request.credentials === 'msp_app';
    let connection: ConnectionInput;
    if (request.credentials === 'msp_app') {
      const app = this.deps.mspApp;
      if (!app)
        throw new TenantOnboardingError(
          'invalid_parameter',
          "use_msp_app: no multi-tenant app is configured. Set MSP_APP_ID and SECRET_MSP_APP_SECRET (or MSP_APP_CERTIFICATE_PATH) and restart, or send the tenant's own encrypted credentials.",
          'use_msp_app',
        );
      connection = { ...endpoints, appClientId: app.appClientId, credential: app.credential };
    } else {
      connection = {
        ...endpoints,
        appClientId: await this.appClientId(request.credentials.clientIdEncrypted),
        credential: { kind: 'secret', secret: await this.secret(request.credentials.clientSecretEncrypted) },
      };
    }
    const tenant = tenants.transaction(() => {
      let added;
      try {
        added = registry.add({
          entraTenantId: request.entraTenantId,
          tenantName: request.tenantName,
          source: 'entra',
          mspClientId: request.mspClientId,
          connection,
        });
      } catch (error) {
        throw this.fromRegistry(error, request.entraTenantId);
      }
      tenants.updateSettings(added.tenantId, {
        tenantName: request.tenantName,
        domainName: request.domainName,
        syncEnabled: request.syncEnabled,
        syncIntervalHours: request.syncIntervalHours,
      });
      return tenants.find(added.tenantId) as TenantRecord;
    });
    this.deps.logger.info(
      { tenant: tenant.entraTenantId, client: tenant.mspClientId, syncEnabled: tenant.syncEnabled },
      'tenant added through the REST API',
    );
    // Through the MSP's app, nothing can be read before the customer consents: the consent callback starts the first sync and check.
    if (viaMspApp) return { tenant, syncJobId: null, check: undefined };
    const syncJobId = tenant.syncEnabled ? this.queueFirstSync(tenant) : null;
    return { tenant, syncJobId, check: this.startCheck(tenant) };
  }

  /**
   * At start: tenants added with the MSP's app get its current credential (a rotated secret in
   * SECRET_MSP_APP_SECRET reaches every customer tenant's stored connection). Returns how many.
   */
  refreshMspAppCredential(): number {
    const app = this.deps.mspApp;
    if (!app) return 0;
    let refreshed = 0;
    for (const tenant of this.deps.tenants.list()) {
      const stored = this.deps.registry.storedEndpoints(tenant.id);
      if (stored?.appClientId.toLowerCase() !== app.appClientId) continue;
      if (sameCredential(this.storedCredential(tenant.id), app.credential)) continue;
      this.deps.registry.updateConnection(tenant.id, { ...stored, credential: app.credential });
      refreshed++;
    }
    return refreshed;
  }

  /** The stored credential, or undefined when it cannot be opened (then it is written again). */
  private storedCredential(tenantId: string): ConnectionInput['credential'] | undefined {
    try {
      return this.deps.registry.connectionFor(tenantId).credential;
    } catch {
      return undefined;
    }
  }

  /** After the customer consented to the MSP's app: the first sync (when syncing is on) and the permission check. */
  consented(tenant: TenantRecord): { syncJobId: number | null; check: FirstCheck } {
    return { syncJobId: tenant.syncEnabled ? this.queueFirstSync(tenant) : null, check: this.startCheck(tenant) };
  }

  find(idOrEntraTenantId: string): TenantRecord {
    const tenant = this.deps.tenants.find(idOrEntraTenantId);
    if (!tenant)
      throw new TenantOnboardingError(
        'tenant_not_found',
        `No tenant with id "${idOrEntraTenantId}" (Seat Steward id or Microsoft tenant id).`,
      );
    return tenant;
  }

  /** Where the tenant is reached (never its app id or secret). */
  endpointsOf(tenantId: string): { graphEndpoint: string; authorityHost: string } | undefined {
    const stored = this.deps.registry.storedEndpoints(tenantId);
    return stored && { graphEndpoint: stored.graphEndpoint, authorityHost: stored.authorityHost };
  }

  /** The check started with the tenant (or its last new credentials) in this process, if any. */
  firstCheck(tenantId: string): FirstCheck | undefined {
    return this.checks.get(tenantId);
  }

  async change(
    idOrEntraTenantId: string,
    request: TenantChangeRequest,
  ): Promise<{ tenant: TenantRecord; changed: string[]; check: FirstCheck | undefined; syncJobId: number | null }> {
    const { registry, tenants } = this.deps;
    const tenant = this.find(idOrEntraTenantId);
    const connectionFields = (
      ['clientIdEncrypted', 'clientSecretEncrypted', 'graphEndpoint', 'authorityHost'] as const
    ).filter((f) => request[f] !== undefined);
    let connection: ConnectionInput | undefined;
    if (connectionFields.length > 0) {
      this.refuseEnvironmentTenant(tenant, 'change its connection');
      if (
        (request.graphEndpoint !== undefined || request.authorityHost !== undefined) &&
        !request.clientSecretEncrypted
      )
        throw new TenantOnboardingError(
          'invalid_parameter',
          'client_secret_encrypted: required when graph_endpoint or authority_host changes, so that a stored secret is never sent to a new host. Send the client secret again, encrypted.',
          'client_secret_encrypted',
        );
      let current: ConnectionInput;
      try {
        current = registry.connectionFor(tenant.id);
      } catch (error) {
        // A stored secret no key opens can still be replaced: the new secret is required then.
        if (!(error instanceof TenantConnectionError) || !request.clientSecretEncrypted) throw this.fromRegistry(error);
        const stored = this.storedEndpoints(tenant.id);
        current = { ...stored, credential: { kind: 'secret', secret: '' } };
      }
      const credential: ConnectionCredential = request.clientSecretEncrypted
        ? { kind: 'secret', secret: await this.secret(request.clientSecretEncrypted) }
        : current.credential;
      connection = {
        appClientId: request.clientIdEncrypted
          ? await this.appClientId(request.clientIdEncrypted)
          : current.appClientId,
        graphEndpoint:
          request.graphEndpoint !== undefined
            ? this.endpoint('graph_endpoint', request.graphEndpoint)
            : current.graphEndpoint,
        authorityHost:
          request.authorityHost !== undefined
            ? this.endpoint('authority_host', request.authorityHost)
            : current.authorityHost,
        credential,
      };
    }
    const settings: TenantSettingsChange = {
      tenantName: request.tenantName,
      domainName: request.domainName,
      mspClientId: request.mspClientId,
      syncEnabled: request.syncEnabled,
      syncIntervalHours: request.syncIntervalHours,
    };
    const changed = [
      ...(Object.keys(settings) as Array<keyof TenantSettingsChange>).filter((k) => settings[k] !== undefined),
      ...connectionFields,
    ];
    const updated = tenants.transaction(() => {
      tenants.updateSettings(tenant.id, settings);
      if (connection) {
        try {
          registry.updateConnection(tenant.id, connection);
        } catch (error) {
          throw this.fromRegistry(error);
        }
      }
      return tenants.find(tenant.id) as TenantRecord;
    });
    this.deps.logger.info({ tenant: tenant.entraTenantId, changed }, 'tenant changed through the REST API');
    // New credentials are checked at once, as a new tenant's are.
    const check = connection ? this.startCheck(updated) : undefined;
    // A tenant added with syncing off and never synced gets its first sync when syncing is turned on.
    const syncJobId =
      request.syncEnabled === true && !tenant.syncEnabled && updated.currentSnapshotId === null
        ? this.queueFirstSync(updated)
        : null;
    return { tenant: updated, changed, check, syncJobId };
  }

  /**
   * Deletes the tenant and everything stored about it. Refused while its sync or one of its jobs
   * runs (409: the caller tries again when it ends) rather than waiting, so the request never
   * hangs for a sync of many minutes; refused for the environment's tenant, which the next start
   * would add again.
   */
  remove(
    idOrEntraTenantId: string,
    confirm: string | undefined,
  ): { tenant: TenantRecord; erased: Record<string, number> } {
    const tenant = this.find(idOrEntraTenantId);
    const named = [tenant.id.toLowerCase(), tenant.entraTenantId.toLowerCase()];
    if (confirm === undefined || !named.includes(confirm.trim().toLowerCase())) {
      throw new TenantOnboardingError(
        'confirmation_required',
        `Deleting tenant ${tenant.tenantName} (${tenant.entraTenantId}) removes all its data, its stored secret and its queued jobs, and cannot be undone. Repeat the request with ?confirm=${tenant.entraTenantId}.`,
        'confirm',
      );
    }
    this.refuseEnvironmentTenant(tenant, 'delete it');
    if (this.deps.isSyncRunning(tenant.id))
      throw new TenantOnboardingError(
        'tenant_busy',
        `Tenant ${tenant.tenantName} (${tenant.entraTenantId}) is syncing; nothing was deleted. Try again when the sync has ended.`,
      );
    const outcome = this.deps.eraser.erase(tenant.id);
    if ('runningJobs' in outcome) {
      throw new TenantOnboardingError(
        'tenant_busy',
        `Tenant ${tenant.tenantName} (${tenant.entraTenantId}) has jobs running (${outcome.runningJobs.map((j) => `${j.kind} #${j.id}`).join(', ')}); nothing was deleted. Try again when they have ended.`,
      );
    }
    this.deps.forget(tenant.id);
    this.checks.delete(tenant.id);
    this.deps.logger.info(
      { tenant: tenant.entraTenantId, rows: outcome.erased },
      'tenant deleted through the REST API',
    );
    return { tenant, erased: outcome.erased };
  }

  private queueFirstSync(tenant: TenantRecord): number {
    // The start-up trigger is the one for a tenant never synced; the slot names when it was added.
    const slot = `added:${(this.deps.now?.() ?? new Date()).toISOString()}`;
    const { job } = this.deps.queue.enqueue(
      tenantSyncJob,
      { tenantId: tenant.id, trigger: 'startup', slot },
      { key: tenantSyncKey(tenant.id, slot), tenantId: tenant.id },
    );
    return job.id;
  }

  private startCheck(tenant: TenantRecord): FirstCheck {
    const startedAt = (this.deps.now?.() ?? new Date()).toISOString();
    const running: FirstCheck = { status: 'running', startedAt };
    this.checks.set(tenant.id, running);
    const settle = (outcome: FirstCheck) => {
      // A later check (new credentials) or a deletion wins over this one.
      if (this.checks.get(tenant.id) === running) this.checks.set(tenant.id, outcome);
    };
    this.deps.check(tenant).then(
      (report) => {
        settle({ status: 'done', startedAt, report });
        this.deps.logger.info(
          {
            tenant: tenant.entraTenantId,
            signIn: report.signIn.ok ? 'ok' : report.signIn.code,
            failing: report.items.filter((i) => i.status !== 'ok').map((i) => i.id),
          },
          'permission check of a new tenant connection ended',
        );
      },
      (error: unknown) => {
        settle({ status: 'failed', startedAt, message: error instanceof Error ? error.message : String(error) });
        this.deps.logger.warn({ tenant: tenant.entraTenantId, err: error }, 'permission check could not run');
      },
    );
    return running;
  }

  private async appClientId(encrypted: string): Promise<string> {
    const appClientId = (await this.open('client_id_encrypted', encrypted)).trim();
    if (!GUID.test(appClientId))
      throw new TenantOnboardingError(
        'invalid_parameter',
        "client_id_encrypted: decrypts to something that is not a GUID; it must hold the app registration's Application (client) ID.",
        'client_id_encrypted',
      );
    return appClientId.toLowerCase();
  }

  private async secret(encrypted: string): Promise<string> {
    const secret = await this.open('client_secret_encrypted', encrypted);
    if (secret.trim() === '')
      throw new TenantOnboardingError(
        'invalid_parameter',
        'client_secret_encrypted: decrypts to an empty value; it must hold the client secret value.',
        'client_secret_encrypted',
      );
    return secret;
  }

  private async open(field: 'client_id_encrypted' | 'client_secret_encrypted', value: string): Promise<string> {
    try {
      return await this.deps.credentials.decrypt(value);
    } catch (error) {
      if (error instanceof EncryptedCredentialError)
        throw new TenantOnboardingError('invalid_parameter', `${field}: ${error.message}.`, field);
      throw error;
    }
  }

  private endpoint(kind: TenantEndpointKind, value: string): string {
    const checked = tenantEndpoint(kind, value, this.deps.allowOtherEndpoints);
    if (!checked.ok) throw new TenantOnboardingError('invalid_parameter', `${kind}: ${checked.problem}.`, kind);
    return checked.origin;
  }

  private storedEndpoints(tenantId: string): Omit<ConnectionInput, 'credential'> {
    const stored = this.deps.registry.storedEndpoints(tenantId);
    if (!stored) throw new TenantOnboardingError('tenant_not_found', `Tenant ${tenantId} has no stored connection.`);
    return stored;
  }

  private refuseEnvironmentTenant(tenant: TenantRecord, what: string): void {
    if (this.deps.environmentEntraTenantIds.some((env) => env.toLowerCase() === tenant.entraTenantId.toLowerCase())) {
      throw new TenantOnboardingError(
        'environment_tenant',
        `Tenant ${tenant.tenantName} (${tenant.entraTenantId}) is the one the environment configures (TENANT_ID, or the demo tenant when it is unset), and every start writes it again, so the API cannot ${what}. Change or remove TENANT_ID, CLIENT_ID and SECRET_CLIENT_SECRET and restart instead.`,
      );
    }
  }

  private exists(entraTenantId: string): TenantOnboardingError {
    const existing = this.deps.tenants.find(entraTenantId);
    return new TenantOnboardingError(
      'tenant_exists',
      `Tenant ${entraTenantId} is already added${existing ? ` as ${existing.tenantName} (id ${existing.id})` : ''}; change it with PATCH /api/v1/m365/tenants/${existing?.id ?? entraTenantId} instead.`,
      'tenant_id',
    );
  }

  private fromRegistry(error: unknown, entraTenantId?: string): unknown {
    if (!(error instanceof TenantConnectionError)) return error;
    if (error.code === 'already_registered' && entraTenantId) return this.exists(entraTenantId);
    if (error.code === 'secrets_key_missing') return new TenantOnboardingError('secrets_key_missing', error.message);
    if (error.code === 'unknown_tenant') return new TenantOnboardingError('tenant_not_found', error.message);
    if (error.code === 'secret_unreadable')
      return new TenantOnboardingError(
        'invalid_parameter',
        `client_secret_encrypted: ${error.message} Send client_secret_encrypted with this change.`,
        'client_secret_encrypted',
      );
    return new TenantOnboardingError('invalid_parameter', error.message);
  }
}

/** Unchanged credentials are not written again at each start (each write would rebuild the tenant's Graph client). */
function sameCredential(a: ConnectionInput['credential'] | undefined, b: ConnectionInput['credential']): boolean {
  if (!a || a.kind !== b.kind) return false;
  return a.kind === 'secret'
    ? b.kind === 'secret' && a.secret === b.secret
    : b.kind === 'certificate' && a.path === b.path;
}
