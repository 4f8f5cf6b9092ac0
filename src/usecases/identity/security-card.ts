import type { SecurityComponentView, SecurityRecommendationView, SecurityView } from '../../cards/security-views';
import { utcText } from '../../cards/time-text';
import type { ComponentState, SecurityReport } from './security-report';

const MAX_REASON_CHARS = 400;

function clip(text: string): string {
  const chars = Array.from(text);
  return chars.length <= MAX_REASON_CHARS ? text : `${chars.slice(0, MAX_REASON_CHARS - 1).join('')}…`;
}

const n = (v: number | null): string => (v === null ? '?' : v.toLocaleString('en-US'));

function component(title: string, state: ComponentState, valueText: string, detailText: string): SecurityComponentView {
  const unknown = state.status === 'unknown';
  const reason = state.reason ? clip(state.reason) : '';
  return {
    title,
    valueText: unknown ? 'Unknown' : valueText,
    detailText: unknown ? '' : detailText,
    asOfText: unknown || !state.as_of ? '' : `${state.stale ? 'Stale: last read' : 'As of'} ${utcText(state.as_of)}`,
    unknown,
    reasonText: unknown ? `Not read: ${reason}` : state.stale ? `The last read failed: ${reason}` : '',
    color: unknown || state.stale ? 'Warning' : 'Default',
    ratingText: state.score === null || state.score_max === null || state.status === null ? '' : `${state.score} / ${state.score_max} · ${state.status}`,
  };
}

const MAX_RECOMMENDATIONS = 5;
const COMPONENT_TITLES = { security_defaults: 'security defaults', mfa_adoption: 'MFA registration', conditional_access: 'conditional access', identity_protection: 'identity protection', device_compliance: 'device compliance' } as const;

function recommendationView(r: SecurityReport['recommendations'][number]): SecurityRecommendationView {
  const priority = r.priority === 'high' ? 'High' : r.priority === 'medium' ? 'Medium' : 'Low';
  return {
    priorityText: r.impact_points > 0 ? `${priority} · +${r.impact_points} points` : `${priority} · ${r.impact}`,
    title: r.title,
    description: clip(r.description),
    color: r.priority === 'high' ? 'Attention' : r.priority === 'medium' ? 'Warning' : 'Default',
  };
}

/** The `security` card: the /security report's figures with their as-of dates. */
export function securityCardView(tenantName: string, r: SecurityReport): SecurityView {
  const mfa = r.mfa_adoption;
  const ca = r.conditional_access;
  const ip = r.identity_protection;
  const dc = r.device_compliance;
  const ss = r.secure_score;
  const leftOut = (Object.keys(COMPONENT_TITLES) as Array<keyof typeof COMPONENT_TITLES>).filter((c) => r[c].status === 'unknown').map((c) => COMPONENT_TITLES[c]);
  return {
    tenantName,
    generatedText: `Generated ${utcText(r.generated_at)}`,
    components: [
      component('Security defaults', r.security_defaults, r.security_defaults.enabled ? 'On' : 'Off', ''),
      component('MFA registration', mfa, mfa.adoption_rate === null ? 'No users' : `${mfa.adoption_rate}%`, `${n(mfa.mfa_enabled_users)} of ${n(mfa.total_users)} enabled member accounts registered MFA${mfa.unknown_users ? ` (${n(mfa.unknown_users)} not in the report)` : ''}`),
      component('Conditional access', ca, `${n(ca.enabled_policies)} enforced`, `${n(ca.policies_count)} policies: ${n(ca.enabled_policies)} on, ${n(ca.report_only)} report-only, ${n(ca.disabled_policies)} off`),
      component('Identity protection', ip, `${n(ip.high_risk_users)} high-risk users`, `${n(ip.risk_detections)} risk detections (last 90 days), ${n(ip.at_risk_users)} users at risk`),
      component('Device compliance', dc, dc.compliance_rate === null ? 'No devices' : `${dc.compliance_rate}%`, `${n(dc.compliant_devices)} compliant, ${n(dc.non_compliant_devices)} not compliant, of ${n(dc.total_devices)} managed devices`),
      component('Microsoft Secure Score', ss, `${n(ss.current_score)} / ${n(ss.max_score)}`, `${n(ss.control_profiles)} improvement actions`),
    ],
    scoreText: r.overall_score === null ? 'Security score: unknown (nothing could be read)' : `Security score ${r.overall_score} / 100`,
    scoreDetailText: leftOut.length === 0 ? '' : `Left out (could not be read): ${leftOut.join(', ')}.`,
    recommendations: r.recommendations.slice(0, MAX_RECOMMENDATIONS).map(recommendationView),
    moreText: r.recommendations.length > MAX_RECOMMENDATIONS ? `and ${r.recommendations.length - MAX_RECOMMENDATIONS} more recommendations (GET /security)` : '',
    scoreNote: 'Score: security defaults 20, MFA 30, conditional access 20, identity protection 15, device compliance 15; over the components that could be read. Secure Score is shown, not scored.',
  };
}
