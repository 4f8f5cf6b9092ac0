import type { SourceStatusRecord } from '../../domain/activity-sources';
import type { PostureComponentId, PostureComponentRecord, PostureFigures } from '../../domain/identity';
import type { IdentityReads } from './ports';

/**
 * Seed 000's security report from the stored raw data. Ratings (overall_score, each component's
 * score and status rating) and recommendations come with the next issue's rubric: until then they
 * are null / []. A component's `status` is "unknown" when it was never read, with `reason`; a
 * component whose last read failed keeps its last figures with `stale: true` and the reason.
 */
export interface ComponentState {
  status: 'unknown' | null;
  score: null;
  /** When the figures were read (or the data's own date); null when unknown. */
  as_of: string | null;
  stale: boolean;
  /** Why it is unknown or stale (the missing permission or licence, or the failure). */
  reason: string | null;
}

export interface SecurityReport {
  tenant_id: string;
  generated_at: string;
  overall_score: null;
  security_defaults: ComponentState & { enabled: boolean | null };
  mfa_adoption: ComponentState & { total_users: number | null; mfa_enabled_users: number | null; unknown_users: number | null; adoption_rate: number | null };
  conditional_access: ComponentState & { policies_count: number | null; enabled_policies: number | null; report_only: number | null; disabled_policies: number | null; coverage: null };
  identity_protection: ComponentState & { enabled: boolean | null; risk_detections: number | null; high_risk_users: number | null; at_risk_users: number | null };
  device_compliance: ComponentState & { total_devices: number | null; compliant_devices: number | null; non_compliant_devices: number | null; compliance_rate: number | null };
  secure_score: ComponentState & { current_score: number | null; max_score: number | null; control_profiles: number | null };
  recommendations: never[];
}

const NEVER_READ = 'Not read yet: run a sync.';

/** One decimal, as seed 000 shows rates; null when there is nothing to divide by. */
export function percent(part: number, whole: number): number | null {
  return whole > 0 ? Math.round((part / whole) * 1000) / 10 : null;
}

function stateOf(record: PostureComponentRecord | undefined): ComponentState {
  if (!record || record.figures === null) {
    return { status: 'unknown', score: null, as_of: null, stale: false, reason: record?.reason ?? NEVER_READ };
  }
  return { status: null, score: null, as_of: record.asOf, stale: record.errorCode !== null, reason: record.reason };
}

export function securityReport(tenantId: string, reads: IdentityReads, mfaStatus: SourceStatusRecord | undefined, now: Date): SecurityReport {
  const records = new Map(reads.posture(tenantId).map((r) => [r.component, r]));
  const figures = <K extends PostureComponentId>(k: K): PostureFigures[K] | null => (records.get(k)?.figures as PostureFigures[K] | null | undefined) ?? null;

  const sd = figures('security_defaults');
  const ca = figures('conditional_access');
  const ip = figures('identity_protection');
  const dc = figures('device_compliance');
  const ss = figures('secure_score');

  const adoption = reads.mfaAdoption(tenantId);
  const mfaFailed = mfaStatus !== undefined && (mfaStatus.lastOutcome === 'refused' || mfaStatus.lastOutcome === 'failed');
  const mfaState: ComponentState = adoption
    ? { status: null, score: null, as_of: mfaStatus?.asOf ?? null, stale: mfaFailed, reason: mfaFailed ? mfaStatus.message : null }
    : { status: 'unknown', score: null, as_of: null, stale: false, reason: mfaStatus?.message ?? NEVER_READ };
  const known = adoption ? adoption.totalUsers - adoption.unknownUsers : 0;

  return {
    tenant_id: tenantId,
    generated_at: now.toISOString(),
    overall_score: null,
    security_defaults: { ...stateOf(records.get('security_defaults')), enabled: sd?.enabled ?? null },
    mfa_adoption: {
      ...mfaState,
      total_users: adoption?.totalUsers ?? null,
      mfa_enabled_users: adoption?.mfaEnabledUsers ?? null,
      unknown_users: adoption?.unknownUsers ?? null,
      adoption_rate: adoption ? percent(adoption.mfaEnabledUsers, known) : null,
    },
    conditional_access: {
      ...stateOf(records.get('conditional_access')),
      policies_count: ca?.policies_count ?? null,
      enabled_policies: ca?.enabled_policies ?? null,
      report_only: ca?.report_only ?? null,
      disabled_policies: ca?.disabled_policies ?? null,
      coverage: null,
    },
    identity_protection: {
      ...stateOf(records.get('identity_protection')),
      enabled: ip ? true : null,
      risk_detections: ip?.risk_detections ?? null,
      high_risk_users: ip?.high_risk_users ?? null,
      at_risk_users: ip?.at_risk_users ?? null,
    },
    device_compliance: {
      ...stateOf(records.get('device_compliance')),
      total_devices: dc?.total_devices ?? null,
      compliant_devices: dc?.compliant_devices ?? null,
      non_compliant_devices: dc?.non_compliant_devices ?? null,
      compliance_rate: dc ? percent(dc.compliant_devices, dc.compliant_devices + dc.non_compliant_devices) : null,
    },
    secure_score: {
      ...stateOf(records.get('secure_score')),
      current_score: ss?.current ?? null,
      max_score: ss?.max ?? null,
      control_profiles: ss?.control_profiles ?? null,
    },
    recommendations: [],
  };
}
