/**
 * Sign-ins, MFA registration, security posture and commerce subscriptions as Seat Steward keeps
 * them. Pure types and rules.
 */

/** A user's signInActivity (Graph, AuditLog.Read.All + Entra ID P1). */
export interface SignInRecord {
  userId: string;
  /** Last interactive sign-in attempt (successful or not). */
  lastSignIn: string | null;
  lastNonInteractiveSignIn: string | null;
  lastSuccessfulSignIn: string | null;
}

/** A user's MFA registration (userRegistrationDetails, AuditLog.Read.All + Entra ID P1). */
export interface MfaRecord {
  userId: string;
  /** isMfaRegistered: the user registered a strong method. The REST API's mfa_enabled. */
  mfaRegistered: boolean;
  /** isMfaCapable: registered a method allowed by policy and the account is enabled. */
  mfaCapable: boolean;
  /** methodsRegistered as Graph names them. */
  methods: string[];
  isAdmin: boolean;
}

/**
 * Graph's methodsRegistered to the REST API's mfa_methods. Methods that are not a second factor
 * (email, security questions: SSPR only) are left out; an unknown future method keeps its Graph name.
 */
const MFA_METHOD_NAMES: Record<string, string | null> = {
  microsoftAuthenticatorPush: 'authenticator',
  microsoftAuthenticatorPasswordless: 'authenticator_passwordless',
  softwareOneTimePasscode: 'software_otp',
  hardwareOneTimePasscode: 'hardware_otp',
  mobilePhone: 'sms',
  alternateMobilePhone: 'sms',
  officePhone: 'voice',
  fido2SecurityKey: 'fido2',
  passKeyDeviceBound: 'passkey',
  passKeyDeviceBoundAuthenticator: 'passkey',
  passKeyDeviceBoundWindowsHello: 'passkey',
  windowsHelloForBusiness: 'windows_hello',
  macOsSecureEnclaveKey: 'platform_credential',
  temporaryAccessPass: 'temporary_access_pass',
  email: null,
  securityQuestion: null,
};

export function mfaMethodsOf(methodsRegistered: readonly string[]): string[] {
  const out: string[] = [];
  for (const method of methodsRegistered) {
    const name = method in MFA_METHOD_NAMES ? MFA_METHOD_NAMES[method] : method;
    if (name && !out.includes(name)) out.push(name);
  }
  return out;
}

export const POSTURE_COMPONENTS = [
  'security_defaults',
  'conditional_access',
  'identity_protection',
  'device_compliance',
  'secure_score',
] as const;
export type PostureComponentId = (typeof POSTURE_COMPONENTS)[number];

/** One user Identity Protection holds at risk (Graph riskyUser). */
export interface RiskyUserFigure {
  user_id: string;
  user_principal_name: string | null;
  display_name: string | null;
  risk_level: string;
  risk_state: string;
  risk_last_updated: string | null;
}

/** One Identity Protection risk detection still at risk (Graph riskDetection). */
export interface RiskDetectionFigure {
  id: string;
  user_id: string | null;
  user_principal_name: string | null;
  risk_event_type: string | null;
  risk_level: string | null;
  detected_at: string | null;
}

/** What each component holds when it could be read (raw figures; no rating). */
export interface PostureFigures {
  security_defaults: { enabled: boolean };
  conditional_access: {
    policies_count: number;
    enabled_policies: number;
    report_only: number;
    disabled_policies: number;
  };
  identity_protection: {
    risk_detections: number;
    high_risk_users: number;
    at_risk_users: number;
    /** The users at risk now (atRisk or confirmedCompromised), for the risk_detected webhook event; absent in figures stored before it. */
    risky_users?: RiskyUserFigure[];
    /** The detections still at risk, likewise for the webhook event; absent in figures stored before it. */
    open_detections?: RiskDetectionFigure[];
  };
  device_compliance: {
    total_devices: number;
    compliant_devices: number;
    non_compliant_devices: number;
    other_devices: number;
  };
  secure_score: { current: number; max: number; created: string; control_profiles: number };
}

/** One component as stored: its figures when last read, and the outcome of the last attempt. */
export interface PostureComponentRecord<K extends PostureComponentId = PostureComponentId> {
  component: K;
  /** Null when it was never read. */
  figures: PostureFigures[K] | null;
  /** When the figures were read (the data's own date where Graph gives one, e.g. Secure Score's createdDateTime). */
  asOf: string | null;
  lastAttemptAt: string;
  /** Null when the last attempt read it; else why not (a missing permission or licence, or a failure). */
  errorCode: string | null;
  reason: string | null;
}

/** A commerce subscription (/directory/subscriptions). */
export interface SubscriptionRecord {
  subscriptionId: string;
  skuId: string;
  skuPartNumber: string;
  status: string;
  totalLicenses: number;
  createdAt: string | null;
  nextLifecycleAt: string | null;
  isTrial: boolean;
}

/**
 * The REST API's purchase_date and renewal_date of a SKU: the earliest createdDateTime of its
 * subscriptions, and the soonest nextLifecycleDateTime after `now` among its Enabled
 * subscriptions (a Warning/Suspended subscription's next date is a lapse, not a renewal).
 */
export function licenceDates(
  subscriptions: readonly SubscriptionRecord[],
  skuId: string,
  now: Date,
): { purchaseDate: string | null; renewalDate: string | null } {
  let purchase: string | null = null;
  let renewal: string | null = null;
  const nowIso = now.toISOString();
  for (const s of subscriptions) {
    if (s.skuId !== skuId.toLowerCase()) continue;
    if (s.createdAt && (purchase === null || s.createdAt < purchase)) purchase = s.createdAt;
    if (
      s.status === 'Enabled' &&
      s.nextLifecycleAt &&
      s.nextLifecycleAt > nowIso &&
      (renewal === null || s.nextLifecycleAt < renewal)
    )
      renewal = s.nextLifecycleAt;
  }
  return { purchaseDate: purchase?.slice(0, 10) ?? null, renewalDate: renewal?.slice(0, 10) ?? null };
}

export function isPostureComponent(value: string): value is PostureComponentId {
  return (POSTURE_COMPONENTS as readonly string[]).includes(value);
}
