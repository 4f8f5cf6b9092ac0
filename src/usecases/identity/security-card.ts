import type { SecurityComponentView, SecurityView } from '../../cards/security-views';
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
  };
}

/** The `security` card: the /security report's figures with their as-of dates. */
export function securityCardView(tenantName: string, r: SecurityReport): SecurityView {
  const mfa = r.mfa_adoption;
  const ca = r.conditional_access;
  const ip = r.identity_protection;
  const dc = r.device_compliance;
  const ss = r.secure_score;
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
    scoreNote: 'Raw figures only: the security score and recommendations are not computed yet.',
  };
}
