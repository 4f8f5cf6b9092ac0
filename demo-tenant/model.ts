import type { DemoActivity } from './activity';
import type { DemoFeatures, GraphRiskDetection } from './identity';
/**
 * Graph-shaped data behind the demo tenant. Property names are exactly the
 * ones Microsoft Graph v1.0 returns, so fixtures can be copied from (or
 * compared with) real Graph responses without translation.
 */

export interface GraphAssignedLicense {
  skuId: string;
  disabledPlans: string[];
}

export interface GraphLicenseAssignmentState {
  skuId: string;
  /** Null for a direct assignment, else the id of the group the license is inherited from. */
  assignedByGroup: string | null;
  /** Graph uses 'Active', 'ActiveWithSolutions', 'Disabled', 'Error'. */
  state: string;
  /** 'None' when healthy; e.g. 'CountViolation', 'MutuallyExclusiveViolation'. */
  error: string;
  disabledPlans: string[];
  lastUpdatedDateTime: string | null;
}

export interface GraphSignInActivity {
  lastSignInDateTime: string | null;
  lastNonInteractiveSignInDateTime: string | null;
  lastSuccessfulSignInDateTime: string | null;
}

export type GraphUserType = 'Member' | 'Guest';

export interface GraphUser {
  id: string;
  displayName: string | null;
  givenName: string | null;
  surname: string | null;
  mail: string | null;
  userPrincipalName: string;
  department: string | null;
  officeLocation: string | null;
  jobTitle: string | null;
  accountEnabled: boolean;
  userType: GraphUserType;
  createdDateTime: string | null;
  usageLocation: string | null;
  assignedLicenses: GraphAssignedLicense[];
  licenseAssignmentStates: GraphLicenseAssignmentState[];
  businessPhones?: string[];
  mobilePhone?: string | null;
  preferredLanguage?: string | null;
  employeeId?: string | null;
  companyName?: string | null;
  country?: string | null;
  city?: string | null;
  /** Graph returns it only on $select and only to apps holding AuditLog.Read.All. */
  signInActivity?: GraphSignInActivity | null;
  /** True for accounts synced from on-premises Active Directory; null (never synced) for cloud-only ones. */
  onPremisesSyncEnabled?: boolean | null;
}

export interface GraphServicePlanInfo {
  servicePlanId: string;
  servicePlanName: string;
  provisioningStatus: string;
  appliesTo: string;
}

export interface GraphLicenseUnitsDetail {
  enabled: number;
  suspended: number;
  warning: number;
  lockedOut: number;
}

export interface GraphSubscribedSku {
  /** `${tenantId}_${skuId}`, as Graph composes it. */
  id: string;
  accountId: string;
  accountName: string;
  skuId: string;
  skuPartNumber: string;
  /** 'Enabled' | 'Warning' | 'Suspended' | 'Deleted' | 'LockedOut'. */
  capabilityStatus: string;
  appliesTo: 'User' | 'Company';
  /** Always derived from the users holding the SKU unless a fixture pins it. */
  consumedUnits: number;
  prepaidUnits: GraphLicenseUnitsDetail;
  servicePlans: GraphServicePlanInfo[];
}

export interface GraphGroup {
  id: string;
  displayName: string;
  description: string | null;
  mailEnabled: boolean;
  securityEnabled: boolean;
  groupTypes: string[];
  createdDateTime: string | null;
  assignedLicenses: GraphAssignedLicense[];
  /** Member user ids, when set explicitly; otherwise derived (see graph/groups.ts membersOf). */
  memberIds?: string[];
}

export interface GraphVerifiedDomain {
  name: string;
  isDefault: boolean;
  isInitial: boolean;
  type: string;
  capabilities: string;
}

export interface GraphOrganization {
  id: string;
  displayName: string;
  verifiedDomains: GraphVerifiedDomain[];
  createdDateTime: string | null;
  tenantType: string;
  countryLetterCode: string | null;
  preferredLanguage: string | null;
}

/** The app registration the demo tenant recognises for the client-credentials grant. */
export interface DemoApp {
  clientId: string;
  clientSecret: string;
  /** ISO date; once in the past the token endpoint answers AADSTS7000222. */
  secretExpiresAt?: string;
  displayName?: string;
  /**
   * Application permissions (the token's `roles` claim) Graph enforces per endpoint;
   * absent means DEFAULT_APP_ROLES, so tests can provoke Authorization_RequestDenied.
   */
  roles?: string[];
}

/** How the demo serves the audit log (Graph audit log queries and the Management Activity API). */
export interface DemoAuditSettings {
  /** Multiplies each active day's Copilot interactions (the 1M-record bench). Default 1. */
  scale?: number;
  /** Polls of a new audit log query that answer notStarted/running before it succeeds (a long-running query). Default 0. */
  queryPolls?: number;
  /** Records per page of /records. Default the server's page size. */
  pageSize?: number;
  /** Management Activity API subscriptions at start; default Audit.General enabled. */
  subscriptions?: Record<string, 'enabled' | 'disabled'>;
  /** Content blobs per page of /subscriptions/content. Default 24. */
  contentPageSize?: number;
  /**
   * CopilotInteraction records beyond the activity story ("the holder just used Copilot"): served by
   * Graph audit log queries at once, and by the Management Activity API in the hour's blob once the hour ends.
   */
  extraRecords?: DemoExtraAuditRecord[];
}

export interface DemoExtraAuditRecord {
  id: string;
  userId: string;
  /** ISO time of the interaction. */
  at: string;
  /** The record's AppHost (e.g. Word, BizChat). */
  appHost: string;
}

export interface DemoTenantData {
  tenantId: string;
  audit?: DemoAuditSettings;
  /** Who is active where, dated relative to a day (see activity.ts); absent in fixtures that predate it. */
  activity?: DemoActivity;
  /** Licence tiers the tenant holds (absent = all, see DEFAULT_FEATURES), so tests can take P1, P2 or Intune away. */
  features?: Partial<DemoFeatures>;
  /** Risk detections beside the generated ones (tests put a user at risk between syncs); each user at most once. */
  extraRiskDetections?: GraphRiskDetection[];
  app: DemoApp;
  organization: GraphOrganization;
  users: GraphUser[];
  subscribedSkus: GraphSubscribedSku[];
  groups: GraphGroup[];
  /**
   * Microsoft 365 admin center > Settings > Org settings > Reports: when displayConcealedNames is
   * true, usage reports carry a stable 32-hex id instead of each user's name. Absent = false.
   */
  reportSettings?: { displayConcealedNames: boolean };
  /**
   * Teams apps installed in users' personal scope (Graph /users/{id}/teamwork/installedApps), keyed by
   * lower-case user id. The catalog holds Seat Steward (DEMO_TEAMS_APP_CATALOG_ID) unless `catalog` says otherwise.
   */
  teamsApps?: {
    catalog?: string[];
    installed?: Record<string, Array<{ installationId: string; teamsAppId: string; chatId: string }>>;
  };
  /** Licence and membership writes allowed per 10 s (default 3,000); false turns the limit off. */
  writeRate?: { perTenSeconds: number } | false;
  /** False lifts Graph's report throttling budget (benchmarks that re-read reports on purpose); enforced by default. */
  reportBudget?: boolean;
  /** Test knob: 'truncate' cuts every report download short (the socket closes mid-body). */
  reportDownloadFault?: 'truncate';
  /**
   * Test knob: the named report's CSV download comes out bad. 'malformed_dates': every fifth row's
   * activity dates are not ISO dates; 'unknown_column': a column Graph might add; 'missing_column':
   * no User Principal Name column; 'empty': the header only.
   */
  reportContentFault?: { report: string; kind: 'malformed_dates' | 'unknown_column' | 'missing_column' | 'empty' };
}
