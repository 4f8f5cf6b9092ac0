import type { GraphGroup, GraphOrganization, GraphSubscribedSku, GraphUser } from './graph-types';
import type { CopilotSkuMatcher } from '../../domain/copilot-skus';
import { productName } from '../../domain/product-names';
import type { LicenseGroupRow, SkuRow, UserLicenseRow, UserRow } from '../../domain/directory';
import type { TenantIdentity } from '../../domain/tenant';

/** Graph resources to cache rows: pure, so every edge of Graph's shapes is easy to test. */

export function toUserRows(users: GraphUser[]): { users: UserRow[]; licenses: UserLicenseRow[] } {
  const rows: UserRow[] = [];
  const licenses: UserLicenseRow[] = [];
  for (const u of users) {
    rows.push({
      userId: u.id,
      userPrincipalName: u.userPrincipalName,
      displayName: u.displayName ?? null,
      givenName: u.givenName ?? null,
      surname: u.surname ?? null,
      mail: u.mail ?? null,
      department: u.department ?? null,
      officeLocation: u.officeLocation ?? null,
      jobTitle: u.jobTitle ?? null,
      // Graph omits accountEnabled only when it was not selected; treat unknown as enabled rather than invent a disabled account.
      accountEnabled: u.accountEnabled !== false,
      userType: u.userType ?? null,
      usageLocation: u.usageLocation ?? null,
      createdAt: u.createdDateTime ?? null,
      onPremisesSyncEnabled: typeof u.onPremisesSyncEnabled === 'boolean' ? u.onPremisesSyncEnabled : null,
    });
    licenses.push(...licenseRowsOf(u));
  }
  return { users: rows, licenses };
}

/**
 * licenseAssignmentStates says how each SKU is held (directly and/or through which groups);
 * assignedLicenses alone cannot tell. Where the states are missing, assignments count as direct.
 */
export function licenseRowsOf(u: GraphUser): UserLicenseRow[] {
  const states = u.licenseAssignmentStates ?? [];
  if (states.length > 0) {
    return states.map((s) => ({
      userId: u.id,
      skuId: s.skuId.toLowerCase(),
      assignedByGroupId: s.assignedByGroup ?? '',
      state: s.state ?? null,
      error: s.error && s.error !== 'None' ? s.error : null,
      disabledPlans: s.disabledPlans ?? [],
      assignedAt: s.lastUpdatedDateTime ?? null,
    }));
  }
  return (u.assignedLicenses ?? []).map((l) => ({
    userId: u.id,
    skuId: l.skuId.toLowerCase(),
    assignedByGroupId: '',
    state: 'Active',
    error: null,
    disabledPlans: l.disabledPlans ?? [],
    assignedAt: null,
  }));
}

export function toSkuRows(skus: GraphSubscribedSku[], isCopilot: CopilotSkuMatcher): SkuRow[] {
  return skus.map((s) => ({
    skuId: s.skuId.toLowerCase(),
    skuPartNumber: s.skuPartNumber,
    productName: productName(s.skuPartNumber),
    capabilityStatus: s.capabilityStatus ?? null,
    appliesTo: s.appliesTo ?? null,
    enabledUnits: s.prepaidUnits?.enabled ?? 0,
    suspendedUnits: s.prepaidUnits?.suspended ?? 0,
    warningUnits: s.prepaidUnits?.warning ?? 0,
    lockedOutUnits: s.prepaidUnits?.lockedOut ?? 0,
    consumedUnits: s.consumedUnits ?? 0,
    isCopilot: isCopilot(s.skuId),
    servicePlans: (s.servicePlans ?? []).map((p) => ({
      servicePlanId: p.servicePlanId,
      servicePlanName: p.servicePlanName,
      provisioningStatus: p.provisioningStatus ?? null,
      appliesTo: p.appliesTo ?? null,
    })),
  }));
}

export function toGroupRows(groups: GraphGroup[]): LicenseGroupRow[] {
  return groups.map((g) => ({
    groupId: g.id,
    displayName: g.displayName ?? null,
    skuIds: (g.assignedLicenses ?? []).map((l) => l.skuId.toLowerCase()),
  }));
}

export function tenantIdentity(org: GraphOrganization | undefined, fallbackName: string): TenantIdentity {
  const domains = org?.verifiedDomains ?? [];
  const initial = domains.find((d) => d.isInitial)?.name ?? null;
  const preferred = domains.find((d) => d.isDefault)?.name ?? initial;
  return {
    tenantName: org?.displayName ?? fallbackName,
    // The REST API shows the tenant's .onmicrosoft.com domain; the default domain stands in when there is none.
    domainName: initial ?? preferred,
    displayName: org?.displayName ? `${org.displayName} M365` : null,
    tenantType: org?.tenantType === 'AAD B2C' ? 'b2c' : 'business',
  };
}
