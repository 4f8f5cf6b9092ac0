/** The subset of Microsoft Graph v1.0 resources Seat Steward reads, as Graph names them. */

export interface GraphAssignedLicense {
  skuId: string;
  disabledPlans?: string[];
}

export interface GraphLicenseAssignmentState {
  skuId: string;
  /** Null for a direct assignment, else the id of the group the license is inherited from. */
  assignedByGroup: string | null;
  state?: string | null;
  error?: string | null;
  disabledPlans?: string[];
  lastUpdatedDateTime?: string | null;
}

export interface GraphUser {
  id: string;
  displayName?: string | null;
  givenName?: string | null;
  surname?: string | null;
  mail?: string | null;
  userPrincipalName: string;
  department?: string | null;
  officeLocation?: string | null;
  jobTitle?: string | null;
  accountEnabled?: boolean | null;
  userType?: string | null;
  usageLocation?: string | null;
  createdDateTime?: string | null;
  assignedLicenses?: GraphAssignedLicense[];
  licenseAssignmentStates?: GraphLicenseAssignmentState[];
  onPremisesSyncEnabled?: boolean | null;
}

export interface GraphServicePlan {
  servicePlanId: string;
  servicePlanName: string;
  provisioningStatus?: string;
  appliesTo?: string;
}

export interface GraphSubscribedSku {
  id?: string;
  skuId: string;
  skuPartNumber: string;
  capabilityStatus?: string;
  appliesTo?: string;
  consumedUnits: number;
  prepaidUnits?: { enabled?: number; suspended?: number; warning?: number; lockedOut?: number };
  servicePlans?: GraphServicePlan[];
}

export interface GraphGroup {
  id: string;
  displayName?: string | null;
  assignedLicenses?: GraphAssignedLicense[];
}

export interface GraphOrganization {
  id: string;
  displayName?: string | null;
  tenantType?: string | null;
  verifiedDomains?: Array<{ name: string; isDefault?: boolean; isInitial?: boolean }>;
}

export interface GraphPage<T> {
  value: T[];
  '@odata.nextLink'?: string;
  '@odata.count'?: number;
}
