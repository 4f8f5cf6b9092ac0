import type { Client } from '@microsoft/microsoft-graph-client';
import { READ_REQUIREMENTS, type PostureCheckId, type CheckedReadId } from '../../domain/access-requirements';
import type { AccessRequirement } from '../../domain/tenant-access-error';
import type {
  MfaRecord,
  PostureComponentId,
  PostureFigures,
  RiskDetectionFigure,
  RiskyUserFigure,
  SignInRecord,
  SubscriptionRecord,
} from '../../domain/identity';
import type { IdentityGraph } from '../../usecases/identity/ports';
import { explainTenantError, type TenantContext } from './graph-errors';
import type { GraphPage } from './graph-types';

/** Graph's largest /users page when signInActivity is selected (999 without it; 120 until mid-2025). */
export const SIGN_IN_PAGE_SIZE = 500;

/** Every read's permission and licence come from the permission table (READ_REQUIREMENTS), which `check` and the README share. */
const fromTable = (id: CheckedReadId): AccessRequirement => ({
  permission: READ_REQUIREMENTS[id].permission,
  ...(READ_REQUIREMENTS[id].licence ? { licence: READ_REQUIREMENTS[id].licence } : {}),
});

export const IDENTITY_REQUIREMENTS = {
  signIns: fromTable('sign_in'),
  mfa: fromTable('mfa'),
  securityDefaults: fromTable('posture_security_defaults'),
  conditionalAccess: fromTable('posture_conditional_access'),
  riskDetections: fromTable('posture_risk_detections'),
  riskyUsers: fromTable('posture_risky_users'),
  managedDevices: fromTable('posture_managed_devices'),
  secureScore: fromTable('posture_secure_score'),
  subscriptions: fromTable('subscriptions'),
} satisfies Record<string, AccessRequirement>;

interface GraphSignInUser {
  id: string;
  signInActivity?: {
    lastSignInDateTime?: string | null;
    lastNonInteractiveSignInDateTime?: string | null;
    lastSuccessfulSignInDateTime?: string | null;
  } | null;
}

interface GraphRegistration {
  id: string;
  isMfaRegistered?: boolean | null;
  isMfaCapable?: boolean | null;
  isAdmin?: boolean | null;
  methodsRegistered?: string[] | null;
}

interface GraphCompanySubscription {
  id: string;
  skuId: string;
  skuPartNumber?: string | null;
  status?: string | null;
  totalLicenses?: number | null;
  createdDateTime?: string | null;
  nextLifecycleDateTime?: string | null;
  isTrial?: boolean | null;
}

/** Reads sign-ins, MFA registration, posture and subscriptions of one tenant through the Graph client. */
export class GraphIdentityReader implements IdentityGraph {
  constructor(
    private readonly client: Client,
    private readonly ctx: TenantContext,
  ) {}

  async forEachSignInPage(onPage: (rows: SignInRecord[]) => void | Promise<void>): Promise<{ requests: number }> {
    return this.pages<GraphSignInUser>(
      `/users?$select=id,userPrincipalName,signInActivity&$top=${SIGN_IN_PAGE_SIZE}`,
      'reading sign-in activity',
      IDENTITY_REQUIREMENTS.signIns,
      (users) =>
        onPage(
          users.map((u) => ({
            userId: u.id,
            lastSignIn: u.signInActivity?.lastSignInDateTime ?? null,
            lastNonInteractiveSignIn: u.signInActivity?.lastNonInteractiveSignInDateTime ?? null,
            lastSuccessfulSignIn: u.signInActivity?.lastSuccessfulSignInDateTime ?? null,
          })),
        ),
    );
  }

  async forEachMfaPage(onPage: (rows: MfaRecord[]) => void | Promise<void>): Promise<{ requests: number }> {
    return this.pages<GraphRegistration>(
      '/reports/authenticationMethods/userRegistrationDetails?$select=id,isMfaRegistered,isMfaCapable,isAdmin,methodsRegistered',
      'reading MFA registration details',
      IDENTITY_REQUIREMENTS.mfa,
      (rows) =>
        onPage(
          rows.map((r) => ({
            userId: r.id,
            mfaRegistered: r.isMfaRegistered === true,
            mfaCapable: r.isMfaCapable === true,
            methods: r.methodsRegistered ?? [],
            isAdmin: r.isAdmin === true,
          })),
        ),
    );
  }

  async posture<K extends PostureComponentId>(
    component: K,
  ): Promise<{ figures: PostureFigures[K]; asOf: string | null; requests: number }> {
    const read = await this.readPosture(component);
    return read as { figures: PostureFigures[K]; asOf: string | null; requests: number };
  }

  private async readPosture(
    component: PostureComponentId,
  ): Promise<{ figures: PostureFigures[PostureComponentId]; asOf: string | null; requests: number }> {
    switch (component) {
      case 'security_defaults': {
        const policy = await this.get<{ isEnabled?: boolean }>(
          '/policies/identitySecurityDefaultsEnforcementPolicy',
          'reading the security defaults policy',
          IDENTITY_REQUIREMENTS.securityDefaults,
        );
        return { figures: { enabled: policy.isEnabled === true }, asOf: null, requests: 1 };
      }
      case 'conditional_access': {
        const f = { policies_count: 0, enabled_policies: 0, report_only: 0, disabled_policies: 0 };
        const { requests } = await this.pages<{ state?: string }>(
          '/identity/conditionalAccess/policies?$select=id,state',
          'reading conditional access policies',
          IDENTITY_REQUIREMENTS.conditionalAccess,
          (rows) => {
            for (const p of rows) {
              f.policies_count++;
              if (p.state === 'enabled') f.enabled_policies++;
              else if (p.state === 'enabledForReportingButNotEnforced') f.report_only++;
              else f.disabled_policies++;
            }
          },
        );
        return { figures: f, asOf: null, requests };
      }
      case 'identity_protection': {
        let detections = 0;
        let high = 0;
        let atRisk = 0;
        const risky: RiskyUserFigure[] = [];
        const open: RiskDetectionFigure[] = [];
        const [a, b] = await Promise.all([
          this.pages<{
            id: string;
            userId?: string | null;
            userPrincipalName?: string | null;
            riskEventType?: string | null;
            riskLevel?: string | null;
            riskState?: string | null;
            detectedDateTime?: string | null;
          }>(
            '/identityProtection/riskDetections?$select=id,userId,userPrincipalName,riskEventType,riskLevel,riskState,detectedDateTime',
            'reading risk detections',
            IDENTITY_REQUIREMENTS.riskDetections,
            (rows) => {
              detections += rows.length;
              // The ones still at risk, so that the next sync can tell a new one (a webhook event).
              for (const d of rows)
                if (d.riskState === 'atRisk')
                  open.push({
                    id: d.id,
                    user_id: d.userId ?? null,
                    user_principal_name: d.userPrincipalName ?? null,
                    risk_event_type: d.riskEventType ?? null,
                    risk_level: d.riskLevel ?? null,
                    detected_at: d.detectedDateTime ?? null,
                  });
            },
          ),
          this.pages<{
            id: string;
            userPrincipalName?: string | null;
            userDisplayName?: string | null;
            riskLevel?: string;
            riskState?: string;
            riskLastUpdatedDateTime?: string | null;
          }>(
            '/identityProtection/riskyUsers?$select=id,userPrincipalName,userDisplayName,riskLevel,riskState,riskLastUpdatedDateTime',
            'reading risky users',
            IDENTITY_REQUIREMENTS.riskyUsers,
            (rows) => {
              for (const u of rows) {
                const isRisky = u.riskState === 'atRisk' || u.riskState === 'confirmedCompromised';
                if (!isRisky) continue;
                atRisk++;
                if (u.riskLevel === 'high') high++;
                // Kept per user so that the next sync can tell a user newly at risk (a webhook event).
                risky.push({
                  user_id: u.id,
                  user_principal_name: u.userPrincipalName ?? null,
                  display_name: u.userDisplayName ?? null,
                  risk_level: u.riskLevel ?? 'unknown',
                  risk_state: u.riskState as string,
                  risk_last_updated: u.riskLastUpdatedDateTime ?? null,
                });
              }
            },
          ),
        ]);
        return {
          figures: {
            risk_detections: detections,
            high_risk_users: high,
            at_risk_users: atRisk,
            risky_users: risky,
            open_detections: open,
          },
          asOf: null,
          requests: a.requests + b.requests,
        };
      }
      case 'device_compliance': {
        const f = { total_devices: 0, compliant_devices: 0, non_compliant_devices: 0, other_devices: 0 };
        const { requests } = await this.pages<{ complianceState?: string }>(
          '/deviceManagement/managedDevices?$select=id,complianceState',
          'reading managed devices',
          IDENTITY_REQUIREMENTS.managedDevices,
          (rows) => {
            for (const d of rows) {
              f.total_devices++;
              if (d.complianceState === 'compliant') f.compliant_devices++;
              // In grace period, conflicting or in error: not compliant now. Unknown / Configuration Manager: not evaluated by Intune.
              else if (
                d.complianceState === 'noncompliant' ||
                d.complianceState === 'inGracePeriod' ||
                d.complianceState === 'conflict' ||
                d.complianceState === 'error'
              )
                f.non_compliant_devices++;
              else f.other_devices++;
            }
          },
        );
        return { figures: f, asOf: null, requests };
      }
      case 'secure_score': {
        const scores = await this.get<
          GraphPage<{ currentScore?: number; maxScore?: number; createdDateTime?: string }>
        >('/security/secureScores?$top=1', 'reading Microsoft Secure Score', IDENTITY_REQUIREMENTS.secureScore);
        const latest = scores.value[0];
        let profiles = 0;
        const { requests } = await this.pages<{ id: string }>(
          '/security/secureScoreControlProfiles',
          'reading Secure Score control profiles',
          IDENTITY_REQUIREMENTS.secureScore,
          (rows) => void (profiles += rows.length),
        );
        if (!latest) {
          throw explainTenantError(
            new Error(
              'Microsoft Graph returned no Secure Score yet (a new tenant gets its first score within 48 hours).',
            ),
            this.ctx,
            'reading Microsoft Secure Score',
          );
        }
        const created = latest.createdDateTime ?? null;
        return {
          figures: {
            current: latest.currentScore ?? 0,
            max: latest.maxScore ?? 0,
            created: created ?? '',
            control_profiles: profiles,
          },
          asOf: created,
          requests: 1 + requests,
        };
      }
    }
  }

  async subscriptions(): Promise<SubscriptionRecord[]> {
    const out: SubscriptionRecord[] = [];
    await this.pages<GraphCompanySubscription>(
      '/directory/subscriptions',
      'reading commerce subscriptions',
      IDENTITY_REQUIREMENTS.subscriptions,
      (rows) => {
        for (const s of rows) {
          out.push({
            subscriptionId: s.id,
            skuId: s.skuId.toLowerCase(),
            skuPartNumber: s.skuPartNumber ?? '',
            status: s.status ?? 'Enabled',
            totalLicenses: s.totalLicenses ?? 0,
            createdAt: s.createdDateTime ?? null,
            nextLifecycleAt: s.nextLifecycleDateTime ?? null,
            isTrial: s.isTrial === true,
          });
        }
      },
    );
    return out;
  }

  async probeSignIns(): Promise<void> {
    await this.get(
      '/users?$select=id,signInActivity&$top=1',
      'reading sign-in activity',
      IDENTITY_REQUIREMENTS.signIns,
    );
  }

  async probeMfa(): Promise<void> {
    await this.get(
      '/reports/authenticationMethods/userRegistrationDetails?$top=1',
      'reading MFA registration details',
      IDENTITY_REQUIREMENTS.mfa,
    );
  }

  async probePosture(read: PostureCheckId): Promise<void> {
    const probes: Record<PostureCheckId, [string, string, AccessRequirement]> = {
      posture_security_defaults: [
        '/policies/identitySecurityDefaultsEnforcementPolicy',
        'reading the security defaults policy',
        IDENTITY_REQUIREMENTS.securityDefaults,
      ],
      posture_conditional_access: [
        '/identity/conditionalAccess/policies?$top=1',
        'reading conditional access policies',
        IDENTITY_REQUIREMENTS.conditionalAccess,
      ],
      posture_risky_users: [
        '/identityProtection/riskyUsers?$top=1',
        'reading risky users',
        IDENTITY_REQUIREMENTS.riskyUsers,
      ],
      posture_risk_detections: [
        '/identityProtection/riskDetections?$select=id&$top=1',
        'reading risk detections',
        IDENTITY_REQUIREMENTS.riskDetections,
      ],
      posture_managed_devices: [
        '/deviceManagement/managedDevices?$select=id&$top=1',
        'reading managed devices',
        IDENTITY_REQUIREMENTS.managedDevices,
      ],
      posture_secure_score: [
        '/security/secureScores?$top=1',
        'reading Microsoft Secure Score',
        IDENTITY_REQUIREMENTS.secureScore,
      ],
    };
    const [path, doing, need] = probes[read];
    await this.get(path, doing, need);
  }

  /** Follows @odata.nextLink to the end, handing each page over before asking for the next. */
  private async pages<T>(
    first: string,
    doing: string,
    need: AccessRequirement,
    onPage: (rows: T[]) => void | Promise<void>,
  ): Promise<{ requests: number }> {
    let next: string | undefined = first;
    let requests = 0;
    while (next) {
      const page: GraphPage<T> = await this.get<GraphPage<T>>(next, `${doing} (page ${requests + 1})`, need);
      requests++;
      await onPage(page.value);
      next = page['@odata.nextLink'];
    }
    return { requests };
  }

  private async get<T>(pathOrUrl: string, doing: string, need: AccessRequirement): Promise<T> {
    try {
      return (await this.client.api(pathOrUrl).get()) as T;
    } catch (error) {
      throw explainTenantError(error, this.ctx, doing, need);
    }
  }
}
