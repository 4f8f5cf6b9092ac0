import { DAY_MS, dayNumber, hash32, unit, utcDay } from './activity';
import type { DemoTenantData, GraphUser } from './model';

/**
 * The demo tenant's identity and security posture: MFA registrations, conditional access,
 * identity protection, managed devices, Secure Score and commerce subscriptions. Everything is a
 * pure function of the tenant's data (user ids hash to the same answers every run) and dated
 * from the story's `today`, so the demo never goes stale and tests can compute what Graph serves.
 */

/** The licence tiers the demo tenant holds; each missing one makes Graph answer with its real licence error. */
export interface DemoFeatures {
  /** Microsoft Entra ID P1: signInActivity, userRegistrationDetails, conditional access. */
  entraIdP1: boolean;
  /** Microsoft Entra ID P2: identity protection (risk detections, risky users). */
  entraIdP2: boolean;
  /** Microsoft Intune: managed devices. */
  intune: boolean;
  /** Security defaults (Entra admin center > Overview > Properties); off when conditional access is used. */
  securityDefaults: boolean;
}

export const DEFAULT_FEATURES: DemoFeatures = {
  entraIdP1: true,
  entraIdP2: true,
  intune: true,
  securityDefaults: false,
};

export function featuresOf(data: DemoTenantData): DemoFeatures {
  return { ...DEFAULT_FEATURES, ...data.features };
}

export function storyToday(data: DemoTenantData): string {
  return data.activity?.today ?? utcDay(new Date());
}

const iso = (ms: number): string => new Date(ms).toISOString().replace('.000Z', 'Z');

/** About a third of members are synced from on-premises AD (true); cloud-only accounts and guests read null, as in Graph. */
export function onPremisesSyncOf(user: GraphUser): boolean | null {
  if (user.onPremisesSyncEnabled !== undefined) return user.onPremisesSyncEnabled;
  return user.userType === 'Member' && unit(user.id, 1101) < 0.35 ? true : null;
}

// ---------------------------------------------------------------------------------------------
// MFA registration (/reports/authenticationMethods/userRegistrationDetails)

export interface GraphUserRegistrationDetails {
  id: string;
  userPrincipalName: string;
  userDisplayName: string | null;
  userType: 'member' | 'guest';
  isAdmin: boolean;
  isSsprRegistered: boolean;
  isSsprEnabled: boolean;
  isSsprCapable: boolean;
  isMfaRegistered: boolean;
  isMfaCapable: boolean;
  isPasswordlessCapable: boolean;
  methodsRegistered: string[];
  isSystemPreferredAuthenticationMethodEnabled: boolean;
  systemPreferredAuthenticationMethods: string[];
  userPreferredMethodForSecondaryAuthentication: string;
  lastUpdatedDateTime: string;
}

/** Strong methods a registered user may hold, in the order Graph lists them. */
const MFA_METHODS = [
  'microsoftAuthenticatorPush',
  'softwareOneTimePasscode',
  'mobilePhone',
  'fido2SecurityKey',
  'windowsHelloForBusiness',
  'microsoftAuthenticatorPasswordless',
] as const;

/**
 * One user's registration. About 88% of enabled members, 40% of guests and 60% of disabled
 * accounts registered MFA; an unregistered user may still have an email for SSPR.
 */
export function registrationOf(user: GraphUser, today: string): GraphUserRegistrationDetails {
  const guest = user.userType === 'Guest';
  const share = guest ? 0.4 : user.accountEnabled ? 0.88 : 0.6;
  const registered = unit(user.id, 601) < share;
  const methods: string[] = [];
  if (registered) {
    for (const [i, method] of MFA_METHODS.entries()) {
      const p = i === 0 ? 0.85 : method === 'mobilePhone' ? 0.5 : 0.15;
      if (unit(user.id, 602, i) < p) methods.push(method);
    }
    if (methods.length === 0) methods.push('mobilePhone');
  }
  if (unit(user.id, 603) < 0.3) methods.push('email');
  const isAdmin = !guest && unit(user.id, 604) < 0.03;
  const todayMs = dayNumber(today) * DAY_MS;
  return {
    id: user.id,
    userPrincipalName: user.userPrincipalName,
    userDisplayName: user.displayName,
    userType: guest ? 'guest' : 'member',
    isAdmin,
    isSsprRegistered: methods.length > 0,
    isSsprEnabled: !guest,
    isSsprCapable: !guest && methods.length > 0,
    isMfaRegistered: registered,
    isMfaCapable: registered && user.accountEnabled,
    isPasswordlessCapable:
      methods.includes('fido2SecurityKey') ||
      methods.includes('windowsHelloForBusiness') ||
      methods.includes('microsoftAuthenticatorPasswordless'),
    methodsRegistered: methods,
    isSystemPreferredAuthenticationMethodEnabled: true,
    systemPreferredAuthenticationMethods: registered
      ? [methods[0] === 'microsoftAuthenticatorPush' ? 'push' : 'sms']
      : [],
    userPreferredMethodForSecondaryAuthentication: registered
      ? methods[0] === 'microsoftAuthenticatorPush'
        ? 'push'
        : 'sms'
      : 'none',
    lastUpdatedDateTime: iso(todayMs - (1 + (hash32(user.id, 605) % 200)) * DAY_MS),
  };
}

// ---------------------------------------------------------------------------------------------
// Conditional access (/identity/conditionalAccess/policies)

export interface GraphConditionalAccessPolicy {
  id: string;
  displayName: string;
  state: 'enabled' | 'disabled' | 'enabledForReportingButNotEnforced';
  createdDateTime: string;
  modifiedDateTime: string | null;
  conditions: Record<string, unknown>;
  grantControls: { operator: string; builtInControls: string[] } | null;
  sessionControls: null;
}

const POLICIES: Array<[string, GraphConditionalAccessPolicy['state'], string[]]> = [
  ['Require MFA for administrators', 'enabled', ['mfa']],
  ['Require MFA for all users', 'enabled', ['mfa']],
  ['Block legacy authentication', 'enabled', ['block']],
  ['Require compliant device for Office 365', 'enabledForReportingButNotEnforced', ['compliantDevice']],
  ['Require MFA for risky sign-ins', 'enabledForReportingButNotEnforced', ['mfa']],
  ['Block access from unknown countries', 'disabled', ['block']],
];

export function conditionalAccessPolicies(data: DemoTenantData): GraphConditionalAccessPolicy[] {
  const todayMs = dayNumber(storyToday(data)) * DAY_MS;
  return POLICIES.map(([displayName, state, controls], i) => ({
    id: guidOf(data.tenantId, 'ca', i),
    displayName,
    state,
    createdDateTime: iso(todayMs - (400 - i * 40) * DAY_MS),
    modifiedDateTime: iso(todayMs - (30 + i * 7) * DAY_MS),
    conditions: { users: { includeUsers: ['All'] }, applications: { includeApplications: ['All'] } },
    grantControls: { operator: 'OR', builtInControls: controls },
    sessionControls: null,
  }));
}

// ---------------------------------------------------------------------------------------------
// Identity protection (/identityProtection/riskDetections, /identityProtection/riskyUsers)

export interface GraphRiskDetection {
  id: string;
  userId: string;
  userPrincipalName: string;
  riskEventType: string;
  riskLevel: 'low' | 'medium' | 'high';
  riskState: 'atRisk' | 'remediated' | 'dismissed';
  detectedDateTime: string;
  activityDateTime: string;
}

export interface GraphRiskyUser {
  id: string;
  userPrincipalName: string;
  userDisplayName: string | null;
  isDeleted: boolean;
  isProcessing: boolean;
  riskLevel: 'low' | 'medium' | 'high' | 'none';
  riskState: 'atRisk' | 'confirmedCompromised' | 'remediated' | 'dismissed' | 'none';
  riskDetail: string;
  riskLastUpdatedDateTime: string;
}

const RISK_EVENTS = [
  'unfamiliarFeatures',
  'anonymizedIPAddress',
  'maliciousIPAddress',
  'impossibleTravel',
  'leakedCredentials',
];
const LEVELS = ['low', 'medium', 'high'] as const;

/** About 3% of enabled members had one risk detection in the last 90 days. */
export function riskDetections(data: DemoTenantData): GraphRiskDetection[] {
  const todayMs = dayNumber(storyToday(data)) * DAY_MS;
  const out: GraphRiskDetection[] = [];
  for (const u of data.users) {
    if (!u.accountEnabled || u.userType !== 'Member' || unit(u.id, 701) >= 0.03) continue;
    const at = todayMs - (1 + (hash32(u.id, 702) % 90)) * DAY_MS + (hash32(u.id, 703) % 86_400) * 1000;
    const level = LEVELS[hash32(u.id, 704) % 3] as GraphRiskDetection['riskLevel'];
    out.push({
      id: guidOf(u.id, 'risk', 0),
      userId: u.id,
      userPrincipalName: u.userPrincipalName,
      riskEventType: RISK_EVENTS[hash32(u.id, 705) % RISK_EVENTS.length] as string,
      riskLevel: level,
      riskState: unit(u.id, 706) < 0.5 ? 'atRisk' : 'remediated',
      detectedDateTime: iso(at),
      activityDateTime: iso(at),
    });
  }
  // A user given an extra detection is at risk by it alone (risky users are one row per detection).
  const extra = data.extraRiskDetections ?? [];
  const overridden = new Set(extra.map((d) => d.userId));
  return [...out.filter((d) => !overridden.has(d.userId)), ...extra];
}

/** A user with a detection still at risk is a risky user at the detection's level. */
export function riskyUsers(data: DemoTenantData): GraphRiskyUser[] {
  const byId = new Map(data.users.map((u) => [u.id, u]));
  return riskDetections(data).map((d) => ({
    id: d.userId,
    userPrincipalName: d.userPrincipalName,
    userDisplayName: byId.get(d.userId)?.displayName ?? null,
    isDeleted: false,
    isProcessing: false,
    riskLevel: d.riskState === 'atRisk' ? d.riskLevel : 'none',
    riskState: d.riskState === 'atRisk' ? 'atRisk' : 'remediated',
    riskDetail: d.riskState === 'atRisk' ? 'none' : 'userPerformedSecuredPasswordReset',
    riskLastUpdatedDateTime: d.detectedDateTime,
  }));
}

// ---------------------------------------------------------------------------------------------
// Intune (/deviceManagement/managedDevices)

export interface GraphManagedDevice {
  id: string;
  deviceName: string;
  userId: string;
  userPrincipalName: string;
  operatingSystem: string;
  complianceState: 'compliant' | 'noncompliant' | 'inGracePeriod' | 'unknown' | 'configManager' | 'conflict' | 'error';
  lastSyncDateTime: string;
}

const OS = ['Windows', 'iOS', 'Android', 'macOS'];

/** One device per enabled member, about 9 in 10 of them compliant. */
export function managedDevices(data: DemoTenantData): GraphManagedDevice[] {
  const todayMs = dayNumber(storyToday(data)) * DAY_MS;
  const out: GraphManagedDevice[] = [];
  for (const u of data.users) {
    if (!u.accountEnabled || u.userType !== 'Member') continue;
    const r = unit(u.id, 801);
    const complianceState: GraphManagedDevice['complianceState'] =
      r < 0.9 ? 'compliant' : r < 0.96 ? 'noncompliant' : r < 0.98 ? 'inGracePeriod' : 'unknown';
    out.push({
      id: guidOf(u.id, 'device', 0),
      deviceName:
        `${u.userPrincipalName.split('@')[0] ?? 'device'}-${OS[hash32(u.id, 802) % OS.length] ?? 'Windows'}`.slice(
          0,
          40,
        ),
      userId: u.id,
      userPrincipalName: u.userPrincipalName,
      operatingSystem: OS[hash32(u.id, 802) % OS.length] as string,
      complianceState,
      lastSyncDateTime: iso(todayMs - (hash32(u.id, 803) % 7) * DAY_MS),
    });
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Secure Score (/security/secureScores, /security/secureScoreControlProfiles)

export interface GraphSecureScoreControlProfile {
  id: string;
  azureTenantId: string;
  title: string;
  controlCategory: string;
  maxScore: number;
  rank: number;
  service: string;
  deprecated: boolean;
}

const CONTROLS: Array<[string, string, string, number]> = [
  ['AdminMFAV2', 'Ensure multifactor authentication is enabled for all users in administrative roles', 'Identity', 10],
  ['MFARegistrationV2', 'Ensure multifactor authentication is enabled for all users', 'Identity', 9],
  ['BlockLegacyAuthentication', 'Enable Conditional Access policies to block legacy authentication', 'Identity', 8],
  ['SigninRiskPolicy', 'Turn on sign-in risk policy', 'Identity', 7],
  ['UserRiskPolicy', 'Turn on user risk policy', 'Identity', 7],
  ['PWAgePolicyNew', 'Set password expiration policy to never expire', 'Identity', 8],
  ['SelfServicePasswordReset', 'Enable self-service password reset', 'Identity', 1],
  ['mdo_safelinksforemail', 'Create Safe Links policies for email messages', 'Apps', 9],
  [
    'mdo_atpprotection',
    'Turn on Microsoft Defender for Office 365 in SharePoint, OneDrive, and Microsoft Teams',
    'Apps',
    8,
  ],
  ['exo_mailtipsenabled', 'Ensure MailTips are enabled for end users', 'Data', 5],
  ['IntuneCompliancePolicy', 'Require devices to be marked as compliant', 'Device', 6],
  ['spo_external_sharing', 'Restrict anonymous sharing links in SharePoint', 'Data', 5],
];

export function secureScoreControlProfiles(data: DemoTenantData): GraphSecureScoreControlProfile[] {
  return CONTROLS.map(([id, title, controlCategory, maxScore], i) => ({
    id,
    azureTenantId: data.tenantId,
    title,
    controlCategory,
    maxScore,
    rank: i + 1,
    service: controlCategory === 'Identity' ? 'AzureAD' : controlCategory === 'Device' ? 'Intune' : 'MDO',
    deprecated: false,
  }));
}

export interface GraphSecureScore {
  id: string;
  azureTenantId: string;
  activeUserCount: number;
  createdDateTime: string;
  currentScore: number;
  maxScore: number;
  licensedUserCount: number;
  enabledServices: string[];
  controlScores: Array<{ controlCategory: string; controlName: string; score: number; description: string }>;
  averageComparativeScores: Array<{ basis: string; averageScore: number }>;
}

/** Today's score: each control scores a share of its maximum fixed by the tenant id. */
export function secureScores(data: DemoTenantData, days = 1): GraphSecureScore[] {
  const profiles = secureScoreControlProfiles(data);
  const todayMs = dayNumber(storyToday(data)) * DAY_MS;
  const out: GraphSecureScore[] = [];
  for (let d = 0; d < days; d++) {
    const controlScores = profiles.map((p) => ({
      controlCategory: p.controlCategory,
      controlName: p.id,
      score: Math.round(((p.maxScore * (hash32(data.tenantId, 901, p.rank) % 101)) / 100) * 100) / 100,
      description: p.title,
    }));
    const currentScore = Math.round(controlScores.reduce((n, c) => n + c.score, 0) * 100) / 100;
    out.push({
      id: `${data.tenantId}_${utcDay(new Date(todayMs - d * DAY_MS))}`,
      azureTenantId: data.tenantId,
      activeUserCount: data.users.filter((u) => u.accountEnabled).length,
      createdDateTime: iso(todayMs - d * DAY_MS),
      currentScore,
      maxScore: profiles.reduce((n, p) => n + p.maxScore, 0),
      licensedUserCount: data.users.filter((u) => u.assignedLicenses.length > 0).length,
      enabledServices: ['HasExchange', 'HasSharePoint', 'HasOD4B'],
      controlScores,
      averageComparativeScores: [{ basis: 'AllTenants', averageScore: 38.5 }],
    });
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Commerce subscriptions (/directory/subscriptions)

export interface GraphCompanySubscription {
  id: string;
  commerceSubscriptionId: string;
  createdDateTime: string;
  isTrial: boolean;
  nextLifecycleDateTime: string | null;
  ownerId: string | null;
  ownerTenantId: string | null;
  ownerType: string | null;
  serviceStatus: Array<{
    servicePlanId: string;
    servicePlanName: string;
    provisioningStatus: string;
    appliesTo: string;
  }>;
  skuId: string;
  skuPartNumber: string;
  status: 'Enabled' | 'Expired' | 'Suspended' | 'Deleted' | 'LockedOut' | 'Warning';
  totalLicenses: number;
}

/**
 * One yearly subscription per subscribed SKU, bought 100 to 700 days ago and renewing on its
 * anniversary; SKUs with more than 20 seats also have a later top-up subscription (its own
 * anniversary). Renewal dates are relative to today, so a renewal is always ahead.
 */
export function commerceSubscriptions(data: DemoTenantData): GraphCompanySubscription[] {
  const today = dayNumber(storyToday(data));
  const out: GraphCompanySubscription[] = [];
  for (const sku of data.subscribedSkus) {
    const total = sku.prepaidUnits.enabled + sku.prepaidUnits.warning + sku.prepaidUnits.suspended;
    const parts = total > 20 ? [Math.ceil(total * 0.75), total - Math.ceil(total * 0.75)] : [total];
    parts.forEach((units, i) => {
      const boughtDaysAgo = i === 0 ? 100 + (hash32(sku.skuId, 1001) % 600) : 20 + (hash32(sku.skuId, 1002) % 70);
      const created = today - boughtDaysAgo;
      let renewal = created + 365;
      while (renewal <= today) renewal += 365;
      const status =
        sku.capabilityStatus === 'Suspended' ? 'Suspended' : sku.capabilityStatus === 'Warning' ? 'Warning' : 'Enabled';
      out.push({
        id: guidOf(sku.skuId, 'subscription', i),
        commerceSubscriptionId: guidOf(sku.skuId, 'commerce', i),
        createdDateTime: iso(created * DAY_MS + 9 * 3_600_000),
        isTrial: false,
        nextLifecycleDateTime: iso(renewal * DAY_MS + 9 * 3_600_000),
        ownerId: null,
        ownerTenantId: null,
        ownerType: null,
        serviceStatus: sku.servicePlans.map((p) => ({
          servicePlanId: p.servicePlanId,
          servicePlanName: p.servicePlanName,
          provisioningStatus: p.provisioningStatus,
          appliesTo: p.appliesTo,
        })),
        skuId: sku.skuId,
        skuPartNumber: sku.skuPartNumber,
        status,
        totalLicenses: units,
      });
    });
  }
  return out;
}

/** A stable GUID-shaped id from a seed string. */
function guidOf(seed: string, kind: string, n: number): string {
  const h = [0, 1, 2, 3].map((k) => hash32(`${seed}:${kind}`, n, k).toString(16).padStart(8, '0')).join('');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20, 32)}`;
}
