import type { SkuRow, UserLicenseRow, UserRow } from '../../src/domain/directory';

/** Directory rows as Graph mapping gives them, for tests that feed a sync by hand. */
export const COPILOT_SKU_ID = '639dec6b-bb19-468b-871c-c5c441c4b0cb';

export const copilotSku: SkuRow = {
  skuId: COPILOT_SKU_ID,
  skuPartNumber: 'Microsoft_365_Copilot',
  productName: 'Microsoft 365 Copilot',
  capabilityStatus: 'Enabled',
  appliesTo: 'User',
  enabledUnits: 10,
  suspendedUnits: 0,
  warningUnits: 0,
  lockedOutUnits: 0,
  consumedUnits: 2,
  isCopilot: true,
  servicePlans: [],
};

/** An enabled member `<id>@contoso.example`. */
export const memberRow = (id: string): UserRow => ({
  userId: id,
  userPrincipalName: `${id}@contoso.example`,
  displayName: id,
  givenName: null,
  surname: null,
  mail: null,
  department: null,
  officeLocation: null,
  jobTitle: null,
  accountEnabled: true,
  userType: 'Member',
  usageLocation: 'US',
  createdAt: null,
  onPremisesSyncEnabled: null,
});

/** A Copilot seat assigned directly to `id`. */
export const directCopilotSeat = (id: string): UserLicenseRow => ({
  userId: id,
  skuId: COPILOT_SKU_ID,
  assignedByGroupId: '',
  state: 'Active',
  error: null,
  disabledPlans: [],
  assignedAt: null,
});
