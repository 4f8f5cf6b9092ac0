import type { SecurityComponentView, SecurityRecommendationView, SecurityView } from './security-views';
import { utcText } from '../domain/time-text';
import type { ComponentState, SecurityReport } from '../domain/security-scoring';
import { clip } from '../domain/text';

const MAX_REASON_CHARS = 400;

const n = (v: number | null): string => (v === null ? '?' : v.toLocaleString('en-US'));

function component(title: string, state: ComponentState, valueText: string, detailText: string): SecurityComponentView {
  const unknown = state.status === 'unknown';
  const reason = state.reason ? clip(state.reason, MAX_REASON_CHARS) : '';
  return {
    title,
    valueText: unknown ? 'Unknown' : valueText,
    detailText: unknown ? '' : detailText,
    asOfText: unknown || !state.as_of ? '' : `${state.stale ? 'Stale: last read' : 'As of'} ${utcText(state.as_of)}`,
    unknown,
    reasonText: unknown ? `Not read: ${reason}` : state.stale ? `The last read failed: ${reason}` : '',
    color: unknown || state.stale ? 'Warning' : 'Default',
    ratingText:
      state.score === null || state.score_max === null || state.status === null
        ? ''
        : `${state.score} / ${state.score_max} · ${state.status}`,
  };
}

const MAX_RECOMMENDATIONS = 5;
const COMPONENT_TITLES = {
  security_defaults: 'security defaults',
  mfa_adoption: 'MFA registration',
  conditional_access: 'conditional access',
  identity_protection: 'identity protection',
  device_compliance: 'device compliance',
} as const;

const ACCOUNTS_NAMED = 5;

/** Names of the accounts a recommendation is about, for admins; everyone else sees the count the description gives. */
function accountsText(accounts: readonly string[] | undefined, showNames: boolean): string {
  if (!accounts || accounts.length === 0) return '';
  if (!showNames) return ' Names are shown to Seat Steward admins only.';
  const more = accounts.length > ACCOUNTS_NAMED ? ` and ${accounts.length - ACCOUNTS_NAMED} more` : '';
  return ` Accounts: ${accounts.slice(0, ACCOUNTS_NAMED).join(', ')}${more}.`;
}

function recommendationView(
  r: SecurityReport['recommendations'][number],
  showNames: boolean,
): SecurityRecommendationView {
  const priority = r.priority === 'high' ? 'High' : r.priority === 'medium' ? 'Medium' : 'Low';
  return {
    priorityText: r.impact_points > 0 ? `${priority} · +${r.impact_points} points` : `${priority} · ${r.impact}`,
    title: r.title,
    description: clip(`${r.description}${accountsText(r.accounts, showNames)}`, MAX_REASON_CHARS),
    color: r.priority === 'high' ? 'Attention' : r.priority === 'medium' ? 'Warning' : 'Default',
  };
}

/**
 * The `security` card: the /security report's figures with their as-of dates. Names of accounts
 * (admins without MFA) only when `showNames` (the asker is a Seat Steward admin); counts for everyone.
 */
export function securityCardView(tenantName: string, r: SecurityReport, showNames: boolean): SecurityView {
  const mfa = r.mfa_adoption;
  const ca = r.conditional_access;
  const ip = r.identity_protection;
  const dc = r.device_compliance;
  const ss = r.secure_score;
  const leftOut = (Object.keys(COMPONENT_TITLES) as Array<keyof typeof COMPONENT_TITLES>)
    .filter((c) => r[c].status === 'unknown')
    .map((c) => COMPONENT_TITLES[c]);
  return {
    tenantName,
    generatedText: `Generated ${utcText(r.generated_at)}`,
    components: [
      component('Security defaults', r.security_defaults, r.security_defaults.enabled ? 'On' : 'Off', ''),
      component(
        'MFA registration',
        mfa,
        mfa.adoption_rate === null ? 'No users' : `${mfa.adoption_rate}%`,
        mfaDetail(mfa),
      ),
      component(
        'Conditional access',
        ca,
        `${n(ca.enabled_policies)} enforced`,
        `${n(ca.policies_count)} policies: ${n(ca.enabled_policies)} on, ${n(ca.report_only)} report-only, ${n(ca.disabled_policies)} off`,
      ),
      component(
        'Identity protection',
        ip,
        `${n(ip.high_risk_users)} high-risk users`,
        `${n(ip.risk_detections)} risk detections (last 90 days), ${n(ip.at_risk_users)} users at risk`,
      ),
      component(
        'Device compliance',
        dc,
        dc.compliance_rate === null ? 'No devices' : `${dc.compliance_rate}%`,
        deviceDetail(dc),
      ),
      component(
        'Microsoft Secure Score',
        ss,
        `${n(ss.current_score)} / ${n(ss.max_score)}`,
        `${n(ss.control_profiles)} improvement actions`,
      ),
    ],
    scoreText:
      r.overall_score === null
        ? 'Security score: unknown (nothing could be read)'
        : `Security score ${r.overall_score} / 100`,
    scoreDetailText: leftOut.length === 0 ? '' : `Left out (could not be read): ${leftOut.join(', ')}.`,
    recommendations: r.recommendations.slice(0, MAX_RECOMMENDATIONS).map((rec) => recommendationView(rec, showNames)),
    moreText:
      r.recommendations.length > MAX_RECOMMENDATIONS
        ? `and ${r.recommendations.length - MAX_RECOMMENDATIONS} more recommendations (GET /security)`
        : '',
    scoreNote:
      'Score: security defaults 20, MFA 30, conditional access 20, identity protection 15, device compliance 15; over the components that could be read. Secure Score is shown, not scored.',
  };
}

/** Registered + without = listed; admins are counted within "without", as GET /security counts them. */
function mfaDetail(mfa: SecurityReport['mfa_adoption']): string {
  const admins = mfa.admins_without_mfa
    ? ` (${n(mfa.admins_without_mfa)} of them ${mfa.admins_without_mfa === 1 ? 'an admin' : 'admins'})`
    : '';
  const unlisted = mfa.unknown_users
    ? ` · ${n(mfa.unknown_users)} more not in the MFA report, left out of the rate`
    : '';
  return `${n(mfa.mfa_enabled_users)} of ${n(mfa.listed_users)} enabled member accounts registered MFA, ${n(mfa.users_without_mfa)} without${admins}${unlisted}`;
}

/** The label names the denominator the rate was computed over; devices without a compliance state are counted apart. */
function deviceDetail(dc: SecurityReport['device_compliance']): string {
  const unrated = dc.total_devices !== null && dc.rated_devices !== null ? dc.total_devices - dc.rated_devices : 0;
  const rest =
    unrated > 0
      ? ` · ${n(unrated)} more managed ${unrated === 1 ? 'device has' : 'devices have'} no compliance state, left out`
      : '';
  return `${n(dc.compliant_devices)} compliant, ${n(dc.non_compliant_devices)} not compliant, of ${n(dc.rated_devices)} managed devices with a compliance state${rest}`;
}
