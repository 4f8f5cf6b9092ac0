/**
 * The security report's rubric: each posture component scored out of its maximum (the maxima add
 * up to 100), an overall score over the components that could be read, and recommendations ordered
 * by the points a fix would gain. Pure, documented in the README. An unreadable component is
 * unknown and left out of the overall score: scoring it 0 would blame the tenant for our blind spot.
 *
 * Microsoft Secure Score is shown beside the rubric but not scored: it already mixes these same
 * controls (and many others), so adding it would count them twice.
 */

export const SCORED_COMPONENTS = [
  'security_defaults',
  'mfa_adoption',
  'conditional_access',
  'identity_protection',
  'device_compliance',
] as const;
export type ScoredComponent = (typeof SCORED_COMPONENTS)[number];

/** Each component's maximum; they add up to 100. */
export const COMPONENT_MAX: Record<ScoredComponent, number> = {
  security_defaults: 20,
  mfa_adoption: 30,
  conditional_access: 20,
  identity_protection: 15,
  device_compliance: 15,
};

/** Conditional access policies enforced for complete coverage: MFA for admins, MFA for everyone, block legacy authentication (Microsoft's baseline templates). */
export const CA_BASELINE_POLICIES = 3;

export type ComponentRating = 'excellent' | 'good' | 'fair' | 'poor' | 'unknown';
export type RecommendationPriority = 'high' | 'medium' | 'low';

/** What the rubric reads; null for a component that could not be read (the reason says why). */
export interface SecurityInput {
  securityDefaults: { enabled: boolean } | null;
  mfa: {
    totalUsers: number;
    mfaEnabledUsers: number;
    /** Enabled members the MFA read did not list: left out of the rate. */
    unknownUsers: number;
    /** UPNs of enabled admins without MFA; null when not known. */
    adminsWithoutMfa: readonly string[] | null;
  } | null;
  conditionalAccess: {
    policies_count: number;
    enabled_policies: number;
    report_only: number;
    disabled_policies: number;
  } | null;
  identityProtection: { risk_detections: number; high_risk_users: number; at_risk_users: number } | null;
  deviceCompliance: { compliant_devices: number; non_compliant_devices: number } | null;
  /** Why each unreadable component could not be read (permission, licence, failure). */
  reasons: Partial<Record<ScoredComponent, string>>;
}

export interface ComponentScore {
  /** Points out of `max`; null when unknown. */
  score: number | null;
  max: number;
  status: ComponentRating;
  /** Why it is unknown, or a note on how it was scored; null when there is nothing to add. */
  note: string | null;
}

export interface SecurityRecommendation {
  category:
    'mfa' | 'security_defaults' | 'conditional_access' | 'identity_protection' | 'device_compliance' | 'visibility';
  priority: RecommendationPriority;
  title: string;
  description: string;
  /** The REST API's impact, a category string: 'security' for a fix, 'visibility' for access that would let the score see more. */
  impact: 'security' | 'visibility';
  /** Points the overall score would gain once fixed (0 for visibility). */
  impact_points: number;
  /**
   * The accounts the recommendation is about (admins without MFA), kept out of `description` so
   * whoever shows it decides who may see names: admins see them, everyone else the count.
   */
  accounts?: string[];
}

export interface SecurityScoring {
  /** 100 × Σscore / Σmax over the readable components, rounded; null when none could be read. */
  overallScore: number | null;
  components: Record<ScoredComponent, ComponentScore>;
  /** Ordered by impact_points (largest first), then priority, then component order. */
  recommendations: SecurityRecommendation[];
}

/** A rating from the share of the maximum: 90%+ excellent, 70%+ good, 40%+ fair, else poor. */
export function ratingOf(score: number, max: number): Exclude<ComponentRating, 'unknown'> {
  const share = max > 0 ? score / max : 0;
  return share >= 0.9 ? 'excellent' : share >= 0.7 ? 'good' : share >= 0.4 ? 'fair' : 'poor';
}

/** Points on a rate: 0 at 50% or less, the maximum at 100%, linear between (half the users covered is no protection). */
function ratePoints(part: number, whole: number, max: number): number {
  if (whole <= 0) return max;
  return Math.max(0, Math.min(max, (max * (part / whole - 0.5)) / 0.5));
}

const round1 = (n: number): number => Math.round(n * 10) / 10;
const plural = (n: number, word: string): string => `${n} ${word}${n === 1 ? '' : 's'}`;
const policies = (n: number, kind = ''): string => `${n} ${kind}${n === 1 ? 'policy' : 'policies'}`;

/**
 * MFA registration counts over the enabled members the MFA report lists: registered + without =
 * listed, and admins without MFA are counted within `without` (never split off). One definition
 * for the security card, the recommendations and GET /security.
 */
export function mfaCounts(m: NonNullable<SecurityInput['mfa']>): {
  listed: number;
  registered: number;
  without: number;
  adminsWithout: number;
  unlisted: number;
  rate: number | null;
} {
  const listed = Math.max(0, m.totalUsers - m.unknownUsers);
  const registered = Math.min(m.mfaEnabledUsers, listed);
  return {
    listed,
    registered,
    without: listed - registered,
    adminsWithout: m.adminsWithoutMfa?.length ?? 0,
    unlisted: m.unknownUsers,
    rate: rate1(registered, listed),
  };
}

/**
 * Device compliance over the managed devices that report a compliance state (compliant, or not
 * compliant / in grace): `rated` is the denominator of the rate, and the only one a label may name.
 */
export function deviceComplianceCounts(dc: { compliant_devices: number; non_compliant_devices: number }): {
  rated: number;
  compliant: number;
  nonCompliant: number;
  rate: number | null;
} {
  const rated = dc.compliant_devices + dc.non_compliant_devices;
  return {
    rated,
    compliant: dc.compliant_devices,
    nonCompliant: dc.non_compliant_devices,
    rate: rate1(dc.compliant_devices, rated),
  };
}

/** A rate with one decimal; null when there is nothing to divide by. */
export function rate1(part: number, whole: number): number | null {
  return whole > 0 ? Math.round((part / whole) * 1000) / 10 : null;
}

interface Draft {
  score: number;
  note: string | null;
  /** Recommendations with the component points their fix gains. */
  fixes: Array<
    Omit<SecurityRecommendation, 'impact_points' | 'priority' | 'impact'> & { gain: number; urgent?: boolean }
  >;
}

function mfaDraft(m: NonNullable<SecurityInput['mfa']>): Draft {
  const max = COMPONENT_MAX.mfa_adoption;
  const { listed, registered, without } = mfaCounts(m);
  const admins = m.adminsWithoutMfa ?? [];
  // An admin without MFA is the likeliest way in: each costs 5 points on top of the rate.
  const base = ratePoints(registered, listed, max);
  const score = Math.max(0, base - 5 * admins.length);
  const fixes: Draft['fixes'] = [];
  if (admins.length > 0) {
    fixes.push({
      category: 'mfa',
      title: `Require MFA for ${plural(admins.length, 'admin')} without it`,
      description: `${plural(admins.length, 'account')} ${admins.length === 1 ? 'holds an admin role' : 'hold admin roles'} without a registered MFA method. Have them register one now, and require MFA for admin roles (security defaults or a conditional access policy).`,
      gain: Math.min(score + 5 * admins.length, base) - score,
      urgent: true,
      accounts: [...admins],
    });
  }
  const usersWithout = without - admins.length;
  if (usersWithout > 0) {
    const ofThem = admins.length > 0 ? ` (${plural(admins.length, 'admin')} among them, see above)` : '';
    fixes.push({
      category: 'mfa',
      title: `Enable MFA for ${admins.length > 0 ? 'the other ' : 'the remaining '}${plural(usersWithout, 'user')}`,
      description: `${without} of ${listed} enabled member accounts have no MFA method registered${ofThem}. Ask them to register at https://aka.ms/mysecurityinfo, and enforce registration with security defaults or a conditional access policy.`,
      gain: max - base,
    });
  }
  const note =
    m.unknownUsers > 0 ? `${plural(m.unknownUsers, 'user')} not in the MFA report are left out of the rate.` : null;
  return { score, note, fixes };
}

function securityDefaultsDraft(sd: { enabled: boolean }, ca: SecurityInput['conditionalAccess']): Draft {
  const max = COMPONENT_MAX.security_defaults;
  if (sd.enabled) return { score: max, note: null, fixes: [] };
  // Security defaults are rightly off when conditional access policies replace them.
  if (ca && ca.enabled_policies > 0)
    return { score: max, note: 'Off, replaced by enforced conditional access policies.', fixes: [] };
  if (ca === null) {
    return {
      score: max / 2,
      note: 'Off; conditional access could not be read, so whether policies replace them is unknown.',
      fixes: [],
    };
  }
  return {
    score: 0,
    note: 'Off, and no conditional access policy is enforced: nothing requires MFA or blocks legacy authentication.',
    fixes: [
      {
        category: 'security_defaults',
        title: 'Turn on security defaults or enforce conditional access',
        description:
          'Nothing requires MFA or blocks legacy authentication. Turn on security defaults (Entra admin center → Identity → Overview → Properties → Manage security defaults), or, with Entra ID P1, enforce conditional access policies that do the same.',
        gain: max,
        urgent: true,
      },
    ],
  };
}

function conditionalAccessDraft(
  ca: NonNullable<SecurityInput['conditionalAccess']>,
  sd: SecurityInput['securityDefaults'],
): Draft {
  const max = COMPONENT_MAX.conditional_access;
  const enabled = ca.enabled_policies;
  const breadth = Math.min(enabled, CA_BASELINE_POLICIES) / CA_BASELINE_POLICIES;
  const enforcedShare = enabled + ca.report_only > 0 ? enabled / (enabled + ca.report_only) : 0;
  let score = max * breadth * enforcedShare;
  let note: string | null = null;
  // Security defaults cover the basics conditional access would (MFA, legacy authentication), not risk or device conditions.
  if (enabled === 0 && sd?.enabled) {
    score = max / 2;
    note = 'No policy enforced; security defaults cover MFA and legacy authentication.';
  }
  const fixes: Draft['fixes'] = [];
  const whenAllOn = (max * Math.min(enabled + ca.report_only, CA_BASELINE_POLICIES)) / CA_BASELINE_POLICIES;
  if (ca.report_only > 0) {
    fixes.push({
      category: 'conditional_access',
      title: `Turn on ${policies(ca.report_only, 'report-only conditional access ')}`,
      description: `${ca.report_only} of ${ca.policies_count} policies only report what they would do. Check their sign-in impact in the report-only insights, then switch them On.`,
      gain: Math.max(0, whenAllOn - score),
    });
  }
  if (enabled + ca.report_only < CA_BASELINE_POLICIES && !(enabled === 0 && sd?.enabled)) {
    fixes.push({
      category: 'conditional_access',
      title: 'Add the baseline conditional access policies',
      description: `${policies(enabled)} enforced. Microsoft's templates start with three: require MFA for admins, require MFA for all users, block legacy authentication.`,
      gain: max - Math.max(score, whenAllOn),
    });
  }
  return { score, note, fixes };
}

function identityProtectionDraft(ip: NonNullable<SecurityInput['identityProtection']>): Draft {
  const max = COMPONENT_MAX.identity_protection;
  const others = Math.max(0, ip.at_risk_users - ip.high_risk_users);
  const highCost = Math.min(max, 5 * ip.high_risk_users);
  const score = Math.max(0, max - highCost - others);
  const fixes: Draft['fixes'] = [];
  if (ip.high_risk_users > 0) {
    fixes.push({
      category: 'identity_protection',
      title: `Investigate ${plural(ip.high_risk_users, 'high-risk user')}`,
      description: `Entra ID Protection rates ${plural(ip.high_risk_users, 'user')} at high risk. Reset their passwords and revoke sessions, or confirm them compromised or safe (Entra admin center → Protection → Risky users); a user-risk conditional access policy handles this automatically.`,
      gain: Math.min(highCost, max - score),
      urgent: true,
    });
  }
  if (others > 0) {
    fixes.push({
      category: 'identity_protection',
      title: `Review ${plural(others, 'other risky user')}`,
      description: `${plural(others, 'user')} at low or medium risk. Review the detections and dismiss or remediate them.`,
      gain: Math.max(0, max - score - Math.min(highCost, max - score)),
    });
  }
  return { score, note: null, fixes };
}

function deviceComplianceDraft(dc: NonNullable<SecurityInput['deviceCompliance']>): Draft {
  const max = COMPONENT_MAX.device_compliance;
  const { rated: total } = deviceComplianceCounts(dc);
  const score = ratePoints(dc.compliant_devices, total, max);
  const fixes: Draft['fixes'] =
    dc.non_compliant_devices > 0
      ? [
          {
            category: 'device_compliance',
            title: `Fix ${plural(dc.non_compliant_devices, 'non-compliant device')}`,
            description: `${dc.non_compliant_devices} of ${total} managed devices with a compliance state fail their compliance policies. See why in Intune (Devices → Monitor → Noncompliant devices) and require a compliant device in conditional access.`,
            gain: max - score,
          },
        ]
      : [];
  return { score, note: null, fixes };
}

const PERMISSION_HINT: Record<ScoredComponent, string> = {
  security_defaults: 'security defaults',
  mfa_adoption: 'MFA registration',
  conditional_access: 'conditional access',
  identity_protection: 'identity protection',
  device_compliance: 'device compliance',
};

const PRIORITY_RANK: Record<RecommendationPriority, number> = { high: 0, medium: 1, low: 2 };

/** The rubric over what could be read. */
export function scoreSecurity(input: SecurityInput): SecurityScoring {
  const drafts: Record<ScoredComponent, Draft | null> = {
    security_defaults: input.securityDefaults
      ? securityDefaultsDraft(input.securityDefaults, input.conditionalAccess)
      : null,
    mfa_adoption: input.mfa ? mfaDraft(input.mfa) : null,
    conditional_access: input.conditionalAccess
      ? conditionalAccessDraft(input.conditionalAccess, input.securityDefaults)
      : null,
    identity_protection: input.identityProtection ? identityProtectionDraft(input.identityProtection) : null,
    device_compliance:
      input.deviceCompliance &&
      input.deviceCompliance.compliant_devices + input.deviceCompliance.non_compliant_devices > 0
        ? deviceComplianceDraft(input.deviceCompliance)
        : null,
  };
  let readableMax = 0;
  let sum = 0;
  for (const c of SCORED_COMPONENTS) {
    const d = drafts[c];
    if (!d) continue;
    readableMax += COMPONENT_MAX[c];
    sum += round1(d.score);
  }
  const components = Object.fromEntries(
    SCORED_COMPONENTS.map((c): [ScoredComponent, ComponentScore] => {
      const d = drafts[c];
      const max = COMPONENT_MAX[c];
      if (!d) {
        const noDevices = c === 'device_compliance' && input.deviceCompliance !== null;
        return [
          c,
          {
            score: null,
            max,
            status: 'unknown',
            note: noDevices
              ? 'No managed devices report compliance, so there is nothing to score.'
              : (input.reasons[c] ?? 'Not read.'),
          },
        ];
      }
      const score = round1(d.score);
      return [c, { score, max, status: ratingOf(score, max), note: d.note }];
    }),
  ) as Record<ScoredComponent, ComponentScore>;

  // A fix's gain in overall points: its component points over the readable maximum.
  const recommendations: SecurityRecommendation[] = [];
  for (const c of SCORED_COMPONENTS) {
    for (const f of drafts[c]?.fixes ?? []) {
      const points = readableMax > 0 ? round1((100 * f.gain) / readableMax) : 0;
      if (points <= 0 && !f.urgent) continue;
      recommendations.push({
        category: f.category,
        priority: f.urgent || points >= 10 ? 'high' : points >= 4 ? 'medium' : 'low',
        title: f.title,
        description: f.description,
        impact: 'security',
        impact_points: points,
        ...(f.accounts ? { accounts: f.accounts } : {}),
      });
    }
    if (!drafts[c] && !(c === 'device_compliance' && input.deviceCompliance !== null)) {
      recommendations.push({
        category: 'visibility',
        priority: 'low',
        title: `Let Seat Steward read ${PERMISSION_HINT[c]}`,
        description: `${input.reasons[c] ?? 'Not read yet.'} Until then it is left out of the overall score.`,
        impact: 'visibility',
        impact_points: 0,
      });
    }
  }
  // Stable: equal impact and priority keep the component order (security defaults, MFA, CA, ...).
  recommendations.sort(
    (a, b) => b.impact_points - a.impact_points || PRIORITY_RANK[a.priority] - PRIORITY_RANK[b.priority],
  );
  return { overallScore: readableMax > 0 ? Math.round((100 * sum) / readableMax) : null, components, recommendations };
}

/**
 * The REST API's security report from the stored raw data, scored on the rubric of
 * domain/security-scoring.ts. A component's `status` is "unknown" when it was never read, with
 * `reason`, and it is left out of overall_score; a component whose last read failed keeps its last
 * figures (still scored) with `stale: true` and the reason. Secure Score is shown, not scored.
 */
export interface ComponentState {
  status: ComponentRating | null;
  /** Points out of score_max; null when unknown (or not scored: Secure Score). */
  score: number | null;
  score_max: number | null;
  /** When the figures were read (or the data's own date); null when unknown. */
  as_of: string | null;
  stale: boolean;
  /** Why it is unknown or stale (the missing permission or licence, or the failure). */
  reason: string | null;
  /** How the rubric read it (e.g. security defaults off but replaced by conditional access); null when nothing to add. */
  score_note: string | null;
}

export interface SecurityReport {
  tenant_id: string;
  generated_at: string;
  /** 100 × Σscore / Σscore_max over the readable components; null when none was readable. */
  overall_score: number | null;
  security_defaults: ComponentState & { enabled: boolean | null };
  /** listed_users = total_users − unknown_users = mfa_enabled_users + users_without_mfa (admins_without_mfa counted within). */
  mfa_adoption: ComponentState & {
    total_users: number | null;
    listed_users: number | null;
    mfa_enabled_users: number | null;
    users_without_mfa: number | null;
    admins_without_mfa: number | null;
    unknown_users: number | null;
    adoption_rate: number | null;
  };
  conditional_access: ComponentState & {
    policies_count: number | null;
    enabled_policies: number | null;
    report_only: number | null;
    disabled_policies: number | null;
    coverage: 'complete' | 'partial' | 'none' | null;
  };
  identity_protection: ComponentState & {
    enabled: boolean | null;
    risk_detections: number | null;
    high_risk_users: number | null;
    at_risk_users: number | null;
  };
  /** compliance_rate is over rated_devices (compliant + not compliant); total_devices also counts devices with no compliance state. */
  device_compliance: ComponentState & {
    total_devices: number | null;
    rated_devices: number | null;
    compliant_devices: number | null;
    non_compliant_devices: number | null;
    compliance_rate: number | null;
  };
  secure_score: ComponentState & {
    current_score: number | null;
    max_score: number | null;
    control_profiles: number | null;
  };
  recommendations: SecurityRecommendation[];
}
