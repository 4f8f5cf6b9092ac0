import type { SourceId } from './activity-sources';

/** A directory read the sync cannot do without (users, SKUs) or that only costs names (groups, organization). */
export type DirectoryReadId = 'users' | 'subscribed_skus' | 'license_groups' | 'organization';
/** Writes only a reclaim makes (RECLAIM_MODE=on); checked from the app token's roles, never by writing. */
export type ReclaimWriteId = 'reclaim_remove' | 'reclaim_group' | 'reclaim_install';
/**
 * The security posture source reads with five permissions: `check` tries each on its own line, so a
 * refused one (say Policy.Read.All for conditional access) is not hidden behind one that works.
 */
export type PostureCheckId =
  | 'posture_security_defaults'
  | 'posture_conditional_access'
  | 'posture_risky_users'
  | 'posture_risk_detections'
  | 'posture_managed_devices'
  | 'posture_secure_score';
/** The posture reads in the order `check` lists them. */
export const POSTURE_CHECKS: readonly PostureCheckId[] = [
  'posture_security_defaults',
  'posture_conditional_access',
  'posture_risky_users',
  'posture_risk_detections',
  'posture_managed_devices',
  'posture_secure_score',
];
/** What has a requirement. The posture source as a whole (`security_posture`) names its sync status; `check` lists its reads. */
export type CheckedReadId = DirectoryReadId | SourceId | PostureCheckId | ReclaimWriteId;

export interface ReadRequirement {
  label: string;
  /** Application permission(s); any one suffices where several are listed with "or". */
  permission: string;
  /** The API the permission belongs to. */
  api: 'Microsoft Graph' | 'Office 365 Management APIs';
  /** A licence tier the tenant must hold, if any. */
  licence: string | null;
  /** What the admin gets with it, and loses without it. */
  unlocks: string;
}

/**
 * The one home of what each read needs and gives: the `check` command, the REST check and the
 * README's permission table say the same thing because they read this.
 */
export const READ_REQUIREMENTS: Record<CheckedReadId, ReadRequirement> = {
  users: {
    label: 'Users and licence assignments',
    permission: 'User.Read.All',
    api: 'Microsoft Graph',
    licence: null,
    unlocks: 'Every user and the licences assigned to them. Without it the sync fails.',
  },
  subscribed_skus: {
    label: 'Subscribed SKUs (seat counts)',
    permission: 'Organization.Read.All',
    api: 'Microsoft Graph',
    licence: null,
    unlocks: 'Purchased, assigned and available seats per SKU. Without it the sync fails.',
  },
  license_groups: {
    label: 'Licence-assigning groups',
    permission: 'Group.Read.All',
    api: 'Microsoft Graph',
    licence: null,
    unlocks: 'The names of the groups that assign licences. Without it inherited seats say "a group".',
  },
  organization: {
    label: 'Organization name and domains',
    permission: 'Organization.Read.All',
    api: 'Microsoft Graph',
    licence: null,
    unlocks: "The tenant's display name and domains. Without it the configured name is shown.",
  },
  copilot_usage: {
    label: 'Copilot usage report (per user)',
    permission: 'Reports.Read.All',
    api: 'Microsoft Graph',
    licence: null,
    unlocks: 'Last Copilot activity per user and per app. Without it no seat can be called active or inactive.',
  },
  copilot_trend: {
    label: 'Copilot user count trend',
    permission: 'Reports.Read.All',
    api: 'Microsoft Graph',
    licence: null,
    unlocks: 'Daily enabled and active Copilot users per app.',
  },
  m365_activity: {
    label: 'Microsoft 365 active user report',
    permission: 'Reports.Read.All',
    api: 'Microsoft Graph',
    licence: null,
    unlocks: 'Last activity per user in Exchange, OneDrive, SharePoint, Teams and Viva Engage (ranks seat candidates).',
  },
  service_usage: {
    label: 'Per-service usage reports',
    permission: 'Reports.Read.All',
    api: 'Microsoft Graph',
    licence: null,
    unlocks: 'The usage command and GET /usage: mail, files, storage, meetings and daily active users.',
  },
  report_settings: {
    label: 'Report privacy setting',
    permission: 'ReportSettings.Read.All',
    api: 'Microsoft Graph',
    licence: null,
    unlocks:
      'Tells whether report names are concealed (ReportSettings.ReadWrite.All lets REPORTS_UNCONCEAL lift it during the read).',
  },
  sign_in: {
    label: 'Sign-in activity',
    permission: 'AuditLog.Read.All',
    api: 'Microsoft Graph',
    licence: 'Microsoft Entra ID P1',
    unlocks: "Each user's last interactive and non-interactive sign-in.",
  },
  mfa: {
    label: 'MFA registration',
    permission: 'AuditLog.Read.All',
    api: 'Microsoft Graph',
    licence: 'Microsoft Entra ID P1',
    unlocks: 'mfa_enabled and mfa_methods per user, and MFA adoption in the security report.',
  },
  security_posture: {
    label: 'Security posture',
    permission:
      'Policy.Read.All, IdentityRiskEvent.Read.All, IdentityRiskyUser.Read.All, DeviceManagementManagedDevices.Read.All, SecurityEvents.Read.All',
    api: 'Microsoft Graph',
    licence: 'Microsoft Entra ID P1 (conditional access), P2 (identity protection), Intune (device compliance)',
    unlocks:
      'Security defaults, conditional access, identity protection, device compliance and Secure Score in the security report.',
  },
  posture_security_defaults: {
    label: 'Security posture: security defaults',
    permission: 'Policy.Read.All',
    api: 'Microsoft Graph',
    licence: null,
    unlocks: 'Whether security defaults are on, in the security report.',
  },
  posture_conditional_access: {
    label: 'Security posture: conditional access policies',
    permission: 'Policy.Read.All',
    api: 'Microsoft Graph',
    licence: 'Microsoft Entra ID P1',
    unlocks: 'How many conditional access policies are on, in the security report.',
  },
  posture_risky_users: {
    label: 'Security posture: risky users',
    permission: 'IdentityRiskyUser.Read.All',
    api: 'Microsoft Graph',
    licence: 'Microsoft Entra ID P2',
    unlocks:
      'Users at risk (identity protection), in the security report, and the `m365.security.risk_detected` webhook event for a user newly at risk.',
  },
  posture_risk_detections: {
    label: 'Security posture: risk detections',
    permission: 'IdentityRiskEvent.Read.All',
    api: 'Microsoft Graph',
    licence: 'Microsoft Entra ID P2',
    unlocks: 'Risk detections (identity protection), in the security report.',
  },
  posture_managed_devices: {
    label: 'Security posture: managed devices',
    permission: 'DeviceManagementManagedDevices.Read.All',
    api: 'Microsoft Graph',
    licence: 'Microsoft Intune',
    unlocks: 'Device compliance, in the security report.',
  },
  posture_secure_score: {
    label: 'Security posture: Secure Score',
    permission: 'SecurityEvents.Read.All',
    api: 'Microsoft Graph',
    licence: null,
    unlocks: 'Microsoft Secure Score, in the security report.',
  },
  subscriptions: {
    label: 'Subscriptions and renewal dates',
    permission: 'LicenseAssignment.Read.All or Directory.Read.All',
    api: 'Microsoft Graph',
    licence: null,
    unlocks: 'Purchase and renewal dates per SKU, so savings can be timed to renewals.',
  },
  audit_graph: {
    label: 'Copilot audit log (Graph audit query)',
    permission: 'AuditLogsQuery.Read.All',
    api: 'Microsoft Graph',
    licence: null,
    unlocks: 'Copilot interactions per user within hours, fresher than the reports (which lag 2 to 3 days).',
  },
  audit_management: {
    label: 'Office 365 Management Activity API',
    permission: 'ActivityFeed.Read',
    api: 'Office 365 Management APIs',
    licence: null,
    unlocks: 'CopilotInteraction records from the Audit.General feed, and the audit subscriptions commands.',
  },
  exclusion_groups: {
    label: 'Exclusion group members',
    permission: 'GroupMember.Read.All',
    api: 'Microsoft Graph',
    licence: null,
    unlocks:
      'Members of the EXCLUDE_GROUPS groups, kept out of seat reclaim recommendations. Read only when EXCLUDE_GROUPS is set.',
  },
  reclaim_remove: {
    label: 'Reclaim: remove and give back licences (optional)',
    permission: 'LicenseAssignment.ReadWrite.All',
    api: 'Microsoft Graph',
    licence: null,
    unlocks:
      'Only for RECLAIM_MODE=on: removing approved idle seats (assignLicense) and Undo. Without it reclaims can run in dry-run only.',
  },
  reclaim_group: {
    label: 'Reclaim: remove users from licence groups (optional)',
    permission: 'GroupMember.ReadWrite.All',
    api: 'Microsoft Graph',
    licence: null,
    unlocks:
      'Only for RECLAIM_MODE=on and group-assigned seats an approver chose to free by group membership. Without it those seats are skipped.',
  },
  reclaim_install: {
    label: 'Reclaim nudge: install Seat Steward for a seat holder (optional)',
    permission: 'TeamsAppInstallation.ReadWriteSelfForUser.All',
    api: 'Microsoft Graph',
    licence: null,
    unlocks:
      'Only with TEAMS_APP_CATALOG_ID: installs the app for a holder who has no chat with it yet, so the nudge can ask them. Without it those holders are marked not reachable and go straight to the approvers.',
  },
};

/** What `check` found for one tenant: the sign-in, then every read the sync makes. */
export type CheckStatus = 'ok' | 'missing_permission' | 'missing_licence' | 'unreachable' | 'error' | 'not_checked';

export interface CheckItem {
  id: CheckedReadId;
  label: string;
  status: CheckStatus;
  /** The permission(s) the read needs, and the API they belong to (application type, admin consent). */
  permission: string;
  api: string;
  licence: string | null;
  unlocks: string;
  /** What failed and what to do; null when ok. */
  message: string | null;
  /** Set on failure: the stable error code. */
  errorCode: string | null;
}

export interface CheckReport {
  tenantId: string;
  tenantName: string;
  checkedAt: string;
  /** The token request: when it fails nothing else can be checked. */
  signIn: { ok: true } | { ok: false; code: string; message: string };
  items: CheckItem[];
}
