/**
 * A tenant's directory as Seat Steward keeps it: users, the ways they hold licences,
 * the tenant's subscribed SKUs and the groups that assign licences. Pure types and rules.
 */

export interface UserRow {
  /** The user's Entra object id. */
  userId: string;
  userPrincipalName: string;
  displayName: string | null;
  givenName: string | null;
  surname: string | null;
  mail: string | null;
  department: string | null;
  officeLocation: string | null;
  jobTitle: string | null;
  accountEnabled: boolean;
  userType: string | null;
  usageLocation: string | null;
  createdAt: string | null;
  /** True when synced from on-premises Active Directory; null when never synced (cloud-only) or not read. */
  onPremisesSyncEnabled: boolean | null;
}

/** One way a user holds a SKU: directly, or inherited from one group (a user can hold both). */
export interface UserLicenseRow {
  userId: string;
  skuId: string;
  /** '' for a direct assignment. */
  assignedByGroupId: string;
  state: string | null;
  error: string | null;
  disabledPlans: string[];
  /** licenseAssignmentStates[].lastUpdatedDateTime: when the assignment last changed, the earliest evidence the seat existed; null when Graph did not say. */
  assignedAt: string | null;
}

export interface ServicePlan {
  servicePlanId: string;
  servicePlanName: string;
  provisioningStatus: string | null;
  appliesTo: string | null;
}

export interface SkuRow {
  skuId: string;
  skuPartNumber: string;
  productName: string;
  capabilityStatus: string | null;
  appliesTo: string | null;
  enabledUnits: number;
  suspendedUnits: number;
  warningUnits: number;
  lockedOutUnits: number;
  consumedUnits: number;
  isCopilot: boolean;
  servicePlans: ServicePlan[];
}

export interface LicenseGroupRow {
  groupId: string;
  displayName: string | null;
  skuIds: string[];
}

/** A user with the SKUs they hold, one entry per SKU whatever the number of ways it is held. */
export interface UserWithLicenses extends UserRow {
  licenses: Array<{
    skuId: string;
    skuPartNumber: string | null;
    productName: string | null;
    assignedByGroupIds: string[];
    direct: boolean;
  }>;
  /** signInActivity.lastSignInDateTime; null when never signed in or sign-ins were never read. */
  lastSignIn: string | null;
  /** isMfaRegistered; null when unknown (MFA registration never read, or the user not in it). */
  mfaEnabled: boolean | null;
  /** The REST API's names of the registered methods (see mfaMethodsOf); null when unknown. */
  mfaMethods: string[] | null;
}

export interface UserCounts {
  total: number;
  enabled: number;
  disabled: number;
  guests: number;
  /** Users holding at least one assignment in effect (isActiveAssignment). */
  licensed: number;
}

/**
 * Assignment states in which the user holds the licence. 'Error' and 'Disabled' rows (e.g. a
 * group assignment that failed with CountViolation) are listed by Graph but give the user nothing.
 */
export function isActiveAssignment(state: string | null): boolean {
  return state === null || state === 'Active' || state === 'ActiveWithError';
}
