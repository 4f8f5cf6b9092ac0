import type { SourceStatusRecord } from '../../domain/activity-sources';
import type { PostureComponentId, PostureComponentRecord, PostureFigures } from '../../domain/identity';
import {
  CA_BASELINE_POLICIES,
  deviceComplianceCounts,
  mfaCounts,
  type ComponentScore,
  type ComponentState,
  type ScoredComponent,
  scoreSecurity,
  type SecurityRecommendation,
  type SecurityReport,
} from '../../domain/security-scoring';
import type { IdentityReads } from './ports';

const NEVER_READ = 'Not read yet: run a sync.';

function stateOf(record: PostureComponentRecord | undefined): ComponentState {
  if (!record || record.figures === null) {
    return {
      status: 'unknown',
      score: null,
      score_max: null,
      as_of: null,
      stale: false,
      reason: record?.reason ?? NEVER_READ,
      score_note: null,
    };
  }
  return {
    status: null,
    score: null,
    score_max: null,
    as_of: record.asOf,
    stale: record.errorCode !== null,
    reason: record.reason,
    score_note: null,
  };
}

export function securityReport(
  tenantId: string,
  reads: IdentityReads,
  mfaStatus: SourceStatusRecord | undefined,
  now: Date,
): SecurityReport {
  const records = new Map(reads.posture(tenantId).map((r) => [r.component, r]));
  const figures = <K extends PostureComponentId>(k: K): PostureFigures[K] | null =>
    (records.get(k)?.figures as PostureFigures[K] | null | undefined) ?? null;

  const sd = figures('security_defaults');
  const ca = figures('conditional_access');
  const ip = figures('identity_protection');
  const dc = figures('device_compliance');
  const ss = figures('secure_score');

  const adoption = reads.mfaAdoption(tenantId);
  const mfaFailed =
    mfaStatus !== undefined && (mfaStatus.lastOutcome === 'refused' || mfaStatus.lastOutcome === 'failed');
  const mfaState: ComponentState = adoption
    ? {
        status: null,
        score: null,
        score_max: null,
        as_of: mfaStatus?.asOf ?? null,
        stale: mfaFailed,
        reason: mfaFailed ? mfaStatus.message : null,
        score_note: null,
      }
    : {
        status: 'unknown',
        score: null,
        score_max: null,
        as_of: null,
        stale: false,
        reason: mfaStatus?.message ?? NEVER_READ,
        score_note: null,
      };
  const mfa = adoption ? mfaCounts(adoption) : null;
  const devices = dc ? deviceComplianceCounts(dc) : null;

  const reasonOf = (state: ComponentState): string => state.reason ?? NEVER_READ;
  const states: Record<ScoredComponent, ComponentState> = {
    security_defaults: stateOf(records.get('security_defaults')),
    mfa_adoption: mfaState,
    conditional_access: stateOf(records.get('conditional_access')),
    identity_protection: stateOf(records.get('identity_protection')),
    device_compliance: stateOf(records.get('device_compliance')),
  };
  const scoring = scoreSecurity({
    securityDefaults: sd,
    mfa: adoption,
    conditionalAccess: ca,
    identityProtection: ip,
    deviceCompliance: dc,
    reasons: Object.fromEntries(
      Object.entries(states)
        .filter(([, st]) => st.status === 'unknown')
        .map(([c, st]) => [c, reasonOf(st)]),
    ),
  });
  const scored = (c: ScoredComponent): ComponentState => {
    const st = states[c];
    const r: ComponentScore = scoring.components[c];
    if (st.status === 'unknown') return { ...st, score_max: r.max };
    // Read, but nothing to score (no managed devices): unknown with the rubric's reason.
    if (r.status === 'unknown') return { ...st, status: 'unknown', score_max: r.max, score_note: r.note };
    return { ...st, status: r.status, score: r.score, score_max: r.max, score_note: r.note };
  };

  return {
    tenant_id: tenantId,
    generated_at: now.toISOString(),
    overall_score: scoring.overallScore,
    security_defaults: { ...scored('security_defaults'), enabled: sd?.enabled ?? null },
    mfa_adoption: {
      ...scored('mfa_adoption'),
      total_users: adoption?.totalUsers ?? null,
      listed_users: mfa?.listed ?? null,
      mfa_enabled_users: mfa?.registered ?? null,
      users_without_mfa: mfa?.without ?? null,
      admins_without_mfa: mfa?.adminsWithout ?? null,
      unknown_users: adoption?.unknownUsers ?? null,
      adoption_rate: mfa?.rate ?? null,
    },
    conditional_access: {
      ...scored('conditional_access'),
      policies_count: ca?.policies_count ?? null,
      enabled_policies: ca?.enabled_policies ?? null,
      report_only: ca?.report_only ?? null,
      disabled_policies: ca?.disabled_policies ?? null,
      coverage: ca
        ? ca.enabled_policies >= CA_BASELINE_POLICIES && ca.report_only === 0
          ? 'complete'
          : ca.enabled_policies > 0
            ? 'partial'
            : 'none'
        : null,
    },
    identity_protection: {
      ...scored('identity_protection'),
      enabled: ip ? true : null,
      risk_detections: ip?.risk_detections ?? null,
      high_risk_users: ip?.high_risk_users ?? null,
      at_risk_users: ip?.at_risk_users ?? null,
    },
    device_compliance: {
      ...scored('device_compliance'),
      total_devices: dc?.total_devices ?? null,
      rated_devices: devices?.rated ?? null,
      compliant_devices: dc?.compliant_devices ?? null,
      non_compliant_devices: dc?.non_compliant_devices ?? null,
      compliance_rate: devices?.rate ?? null,
    },
    secure_score: {
      ...stateOf(records.get('secure_score')),
      score_note: 'Shown, not scored: Secure Score already counts these controls.',
      current_score: ss?.current ?? null,
      max_score: ss?.max ?? null,
      control_profiles: ss?.control_profiles ?? null,
    },
    recommendations: scoring.recommendations,
  };
}

/** What the daily digest shows of security: the overall score, its date, and the top recommendations. */
export interface SecurityScoreSummary {
  overall_score: number | null;
  /** The oldest as-of date among the scored components (the score is no fresher than that); null when none was read. */
  as_of: string | null;
  /** Components left out of the score, with why. */
  unknown: Array<{ component: ScoredComponent; reason: string }>;
  recommendations: SecurityRecommendation[];
  /** How many recommendations there are in all ("and N more"). */
  total_recommendations: number;
}

/** The security score and the `top` recommendations (by impact) of a tenant, for the digest. */
export function securityScoreOf(
  tenantId: string,
  reads: IdentityReads,
  mfaStatus: SourceStatusRecord | undefined,
  now: Date,
  top = 3,
): SecurityScoreSummary {
  const r = securityReport(tenantId, reads, mfaStatus, now);
  const components: ScoredComponent[] = [
    'security_defaults',
    'mfa_adoption',
    'conditional_access',
    'identity_protection',
    'device_compliance',
  ];
  const dates = components
    .map((c) => r[c])
    .filter((c) => c.status !== 'unknown' && c.as_of !== null)
    .map((c) => c.as_of as string);
  return {
    overall_score: r.overall_score,
    as_of: dates.length > 0 ? dates.reduce((a, b) => (a < b ? a : b)) : null,
    unknown: components
      .filter((c) => r[c].status === 'unknown')
      .map((c) => ({ component: c, reason: r[c].score_note ?? r[c].reason ?? NEVER_READ })),
    recommendations: r.recommendations.slice(0, top),
    total_recommendations: r.recommendations.length,
  };
}
