import type { DigestSecurity } from '../../cards/digest-views';
import type { SecurityReport } from '../identity/security-report';

/**
 * The digest's security part from the posture report, until i7-decisions' scoring rubric
 * (securityScoreOf) gives a score and ranked recommendations. The gaps it lists are the posture's
 * own figures, biggest exposure first; nothing here is a score.
 */
export function postureDigestSecurity(report: SecurityReport): DigestSecurity {
  const parts: string[] = [];
  const gaps: string[] = [];
  const ss = report.secure_score;
  if (ss.current_score !== null && ss.max_score !== null) parts.push(`Secure Score ${Math.round(ss.current_score)}/${Math.round(ss.max_score)}`);
  const mfa = report.mfa_adoption;
  if (mfa.adoption_rate !== null) parts.push(`MFA ${mfa.adoption_rate}%`);
  if (report.security_defaults.enabled !== null) parts.push(`security defaults ${report.security_defaults.enabled ? 'on' : 'off'}`);
  const ca = report.conditional_access;
  if (ca.policies_count !== null) parts.push(`${ca.enabled_policies ?? 0} of ${ca.policies_count} conditional access policies on`);

  if (mfa.total_users !== null && mfa.mfa_enabled_users !== null && mfa.total_users - (mfa.unknown_users ?? 0) > mfa.mfa_enabled_users) {
    gaps.push(`Register MFA for the ${mfa.total_users - (mfa.unknown_users ?? 0) - mfa.mfa_enabled_users} users without it.`);
  }
  if (report.security_defaults.enabled === false && (ca.enabled_policies ?? 0) === 0) gaps.push('Turn on security defaults or enable conditional access policies: neither protects sign-ins now.');
  const ip = report.identity_protection;
  if ((ip.high_risk_users ?? 0) > 0) gaps.push(`Investigate the ${ip.high_risk_users} high-risk users in Identity Protection.`);
  const dc = report.device_compliance;
  if ((dc.non_compliant_devices ?? 0) > 0) gaps.push(`Bring the ${dc.non_compliant_devices} non-compliant devices into compliance.`);

  const asOf = [ss, mfa, report.security_defaults, ca, ip, dc].map((c) => c.as_of).filter((d): d is string => d !== null).sort().at(-1) ?? null;
  return {
    scoreText: parts.length > 0 ? `Security posture: ${parts.join(' · ')}` : 'Security posture: not read yet (run a sync).',
    asOf,
    recommendations: gaps.slice(0, 3),
  };
}
