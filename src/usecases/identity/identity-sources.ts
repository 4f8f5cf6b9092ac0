import type { SourceId, SyncType } from '../../domain/activity-sources';
import { POSTURE_COMPONENTS, type MfaRecord, type PostureComponentId, type SignInRecord } from '../../domain/identity';
import { REFUSAL_CODES, TenantAccessError } from '../../domain/tenant-access-error';
import { POSTURE_CHECKS } from '../../domain/access-requirements';
import type { ActivitySource, ReadProbe, SourceRunContext, SourceRunResult } from '../sync/ports';
import type { GenerationWriter, IdentityGraph, IdentityStore } from './ports';

interface IdentityDeps {
  tenantId: string;
  graph: IdentityGraph;
  store: IdentityStore;
}

/** How one per-user identity data set is read from Graph and stored. */
interface PerUserSet<T> {
  id: SourceId;
  syncType: SyncType;
  servedBy: string;
  begin(store: IdentityStore, tenantId: string): GenerationWriter<T>;
  read(graph: IdentityGraph, onPage: (rows: T[]) => void): Promise<{ requests: number }>;
  probe(graph: IdentityGraph): Promise<void>;
}

/** Streams a per-user data set into a new generation; the stored one is replaced only when every page arrived. */
class PerUserIdentitySource<T> implements ActivitySource {
  readonly id: SourceId;
  readonly syncTypes: readonly SyncType[];
  constructor(
    private readonly deps: IdentityDeps,
    private readonly set: PerUserSet<T>,
  ) {
    this.id = set.id;
    this.syncTypes = [set.syncType];
  }

  async run(ctx: SourceRunContext): Promise<SourceRunResult> {
    const { graph, store, tenantId } = this.deps;
    const asOf = ctx.now.toISOString();
    const writer = this.set.begin(store, tenantId);
    let requests: number;
    try {
      ({ requests } = await this.set.read(graph, (rows) => writer.write(rows)));
      await writer.commit(asOf);
    } catch (error) {
      await writer.abort();
      throw error;
    }
    return { outcome: 'ok', asOf, servedBy: this.set.servedBy, requests, warnings: [] };
  }

  probe(): Promise<void> {
    return this.set.probe(this.deps.graph);
  }
}

/** signInActivity per user: last interactive, non-interactive and successful sign-in. AuditLog.Read.All + Entra ID P1. */
export class SignInSource extends PerUserIdentitySource<SignInRecord> {
  constructor(deps: IdentityDeps) {
    super(deps, {
      id: 'sign_in',
      syncType: 'sign_in_activity',
      servedBy: '/v1.0/users?$select=signInActivity',
      begin: (store, tenantId) => store.beginSignIns(tenantId),
      read: (graph, onPage) => graph.forEachSignInPage(onPage),
      probe: (graph) => graph.probeSignIns(),
    });
  }
}

/** MFA registration per user (userRegistrationDetails). AuditLog.Read.All + Entra ID P1. */
export class MfaSource extends PerUserIdentitySource<MfaRecord> {
  constructor(deps: IdentityDeps) {
    super(deps, {
      id: 'mfa',
      syncType: 'mfa_registration',
      servedBy: '/v1.0/reports/authenticationMethods/userRegistrationDetails',
      begin: (store, tenantId) => store.beginMfa(tenantId),
      read: (graph, onPage) => graph.forEachMfaPage(onPage),
      probe: (graph) => graph.probeMfa(),
    });
  }
}

const COMPONENT_LABELS: Record<PostureComponentId, string> = {
  security_defaults: 'security defaults',
  conditional_access: 'conditional access policies',
  identity_protection: 'identity protection',
  device_compliance: 'device compliance (Intune)',
  secure_score: 'Microsoft Secure Score',
};

/**
 * Security defaults, conditional access, identity protection, device compliance and Secure Score.
 * Each component lands on its own: one that cannot be read keeps its last figures (or stays
 * unknown) with the reason, and makes the sync partial. Only when none can be read does the
 * source itself fail (refused when every component was refused).
 */
export class SecurityPostureSource implements ActivitySource {
  readonly id: SourceId = 'security_posture';
  readonly syncTypes: readonly SyncType[] = ['security_settings'];
  constructor(private readonly deps: IdentityDeps) {}

  async run(ctx: SourceRunContext): Promise<SourceRunResult> {
    const { graph, store, tenantId } = this.deps;
    const at = ctx.now.toISOString();
    let requests = 0;
    const failures: TenantAccessError[] = [];
    await Promise.all(
      POSTURE_COMPONENTS.map(async (component) => {
        try {
          const read = await graph.posture(component);
          requests += read.requests;
          store.recordPosture(tenantId, component, { at, figures: read.figures, asOf: read.asOf ?? at });
        } catch (error) {
          const problem =
            error instanceof TenantAccessError
              ? error
              : new TenantAccessError(
                  'internal_error',
                  `Seat Steward failed while reading ${COMPONENT_LABELS[component]}: ${error instanceof Error ? error.message : String(error)}`,
                );
          failures.push(problem);
          store.recordPosture(tenantId, component, { at, errorCode: problem.code, reason: problem.message });
        }
      }),
    );
    if (failures.length === POSTURE_COMPONENTS.length) {
      const refusal = failures.find((f) => REFUSAL_CODES.has(f.code));
      throw failures.every((f) => REFUSAL_CODES.has(f.code)) && refusal
        ? refusal
        : (failures.find((f) => !REFUSAL_CODES.has(f.code)) ?? failures[0]);
    }
    const warnings = failures.map((f) => `Security posture is partly unknown: ${f.message}`);
    return {
      outcome: 'ok',
      asOf: at,
      servedBy: 'Microsoft Graph (policies, identity, identityProtection, deviceManagement, security)',
      requests,
      warnings,
    };
  }

  async probe(): Promise<void> {
    await Promise.all(this.probes().map((p) => p.run()));
  }

  /** Five permissions, five `check` lines: a refused Policy.Read.All must not pass for OK because Secure Score answered. */
  probes(): ReadProbe[] {
    return POSTURE_CHECKS.map((id) => ({ id, run: () => this.deps.graph.probePosture(id) }));
  }
}

/** Commerce subscriptions per SKU: purchase and renewal dates. LicenseAssignment.Read.All (or Directory.Read.All). */
export class SubscriptionsSource implements ActivitySource {
  readonly id: SourceId = 'subscriptions';
  readonly syncTypes: readonly SyncType[] = ['subscriptions'];
  constructor(private readonly deps: IdentityDeps) {}

  async run(ctx: SourceRunContext): Promise<SourceRunResult> {
    const { graph, store, tenantId } = this.deps;
    const rows = await graph.subscriptions();
    store.replaceSubscriptions(tenantId, rows);
    return {
      outcome: 'ok',
      asOf: ctx.now.toISOString(),
      servedBy: '/v1.0/directory/subscriptions',
      requests: 1,
      warnings: [],
    };
  }

  async probe(): Promise<void> {
    await this.deps.graph.subscriptions();
  }
}
