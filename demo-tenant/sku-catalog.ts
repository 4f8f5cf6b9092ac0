import { SKU } from './constants';
import type { DemoTenantData, GraphServicePlanInfo, GraphSubscribedSku, GraphUser } from './model';

export interface SkuTemplate {
  skuId: string;
  skuPartNumber: string;
  appliesTo: 'User' | 'Company';
  servicePlans: Array<[servicePlanId: string, servicePlanName: string]>;
}

/** The SKUs the generator sells to Contoso. Plan lists are abridged but use the published ids. */
export const SKU_CATALOG: Record<keyof typeof SKU, SkuTemplate> = {
  M365_E3: {
    skuId: SKU.M365_E3,
    skuPartNumber: 'SPE_E3',
    appliesTo: 'User',
    servicePlans: [
      ['efb87545-963c-4e0d-99df-69c6916d9eb0', 'EXCHANGE_S_ENTERPRISE'],
      ['5dbe027f-2339-4123-9542-606e4d348a72', 'SHAREPOINTENTERPRISE'],
      ['43de0ff5-c92c-492b-9116-175376d08c38', 'OFFICESUBSCRIPTION'],
      ['57ff2da0-773e-42df-b2af-ffb7a2317929', 'TEAMS1'],
      ['41781fb2-bc02-4b7c-bd55-b576c07bb09d', 'AAD_PREMIUM'],
      ['c1ec4a95-1f05-45b3-a911-aa3fa01094f5', 'INTUNE_A'],
    ],
  },
  M365_E5: {
    skuId: SKU.M365_E5,
    skuPartNumber: 'SPE_E5',
    appliesTo: 'User',
    servicePlans: [
      ['efb87545-963c-4e0d-99df-69c6916d9eb0', 'EXCHANGE_S_ENTERPRISE'],
      ['5dbe027f-2339-4123-9542-606e4d348a72', 'SHAREPOINTENTERPRISE'],
      ['43de0ff5-c92c-492b-9116-175376d08c38', 'OFFICESUBSCRIPTION'],
      ['57ff2da0-773e-42df-b2af-ffb7a2317929', 'TEAMS1'],
      ['4828c8ec-dc2e-4779-b502-87ac9ce28ab7', 'MCOEV'],
      ['eec0eb4f-6444-4f95-aba0-50c24d67f998', 'AAD_PREMIUM_P2'],
      ['70d33638-9c74-4d01-bfd3-562de28bd4ba', 'BI_AZURE_P2'],
    ],
  },
  O365_E1: {
    skuId: SKU.O365_E1,
    skuPartNumber: 'STANDARDPACK',
    appliesTo: 'User',
    servicePlans: [
      ['9aaf7827-d63c-4b61-89c3-182f06f82e5c', 'EXCHANGE_S_STANDARD'],
      ['c7699d2e-19aa-44de-8edf-1736da088ca1', 'SHAREPOINTSTANDARD'],
      ['e95bec33-7c88-4a70-8e19-b10bd9d0c014', 'SHAREPOINTWAC'],
      ['57ff2da0-773e-42df-b2af-ffb7a2317929', 'TEAMS1'],
    ],
  },
  COPILOT: {
    skuId: SKU.COPILOT,
    skuPartNumber: 'Microsoft_365_Copilot',
    appliesTo: 'User',
    servicePlans: [
      ['3f30311c-6b1e-48a4-ab79-725b469da960', 'M365_COPILOT_BUSINESS_CHAT'],
      ['a62f8878-de10-42f3-b68f-6149a25ceb97', 'M365_COPILOT_APPS'],
      ['b95945de-b3bd-46db-8437-f2beb6ea2347', 'M365_COPILOT_TEAMS'],
      ['0aedf20c-091d-420b-aadf-30c042609612', 'M365_COPILOT_SHAREPOINT'],
      ['931e4a88-a67f-48b5-814f-16a5f1e6028d', 'M365_COPILOT_INTELLIGENT_SEARCH'],
      ['82d30987-df9b-4486-b146-198b21d164c7', 'GRAPH_CONNECTORS_COPILOT'],
      ['fe6c28b3-d468-44ea-bbd0-a10a5167435c', 'COPILOT_STUDIO_IN_COPILOT_FOR_M365'],
    ],
  },
  POWER_BI_PRO: {
    skuId: SKU.POWER_BI_PRO,
    skuPartNumber: 'POWER_BI_PRO',
    appliesTo: 'User',
    servicePlans: [['70d33638-9c74-4d01-bfd3-562de28bd4ba', 'BI_AZURE_P2']],
  },
  VISIO_PLAN_2: {
    skuId: SKU.VISIO_PLAN_2,
    skuPartNumber: 'VISIOCLIENT',
    appliesTo: 'User',
    servicePlans: [
      ['663a804f-1c30-4ff0-9915-9db84f0d1cea', 'VISIO_CLIENT_SUBSCRIPTION'],
      ['2bdbaf8f-738f-4ac7-9234-3c3ee2ce7d0f', 'VISIOONLINE'],
    ],
  },
  EMS_E5: {
    skuId: SKU.EMS_E5,
    skuPartNumber: 'EMSPREMIUM',
    appliesTo: 'User',
    servicePlans: [
      ['eec0eb4f-6444-4f95-aba0-50c24d67f998', 'AAD_PREMIUM_P2'],
      ['c1ec4a95-1f05-45b3-a911-aa3fa01094f5', 'INTUNE_A'],
    ],
  },
};

export function servicePlansOf(template: SkuTemplate): GraphServicePlanInfo[] {
  return template.servicePlans.map(([servicePlanId, servicePlanName]) => ({
    servicePlanId,
    servicePlanName,
    provisioningStatus: 'Success',
    appliesTo: template.appliesTo,
  }));
}

/** Seats in use per skuId, counted the way Graph does: one per user holding the SKU, however assigned. */
export function countConsumedUnits(users: readonly GraphUser[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const user of users) {
    for (const license of user.assignedLicenses) {
      counts.set(license.skuId, (counts.get(license.skuId) ?? 0) + 1);
    }
  }
  return counts;
}

export function subscribedSkuId(tenantId: string, skuId: string): string {
  return `${tenantId}_${skuId}`;
}

/** Overwrites every SKU's consumedUnits with the count derived from the users. */
export function recomputeConsumedUnits(data: DemoTenantData): void {
  const counts = countConsumedUnits(data.users);
  for (const sku of data.subscribedSkus) {
    sku.consumedUnits = counts.get(sku.skuId) ?? 0;
  }
}

export function makeSubscribedSku(
  tenantId: string,
  organizationName: string,
  template: SkuTemplate,
  units: { enabled: number; warning?: number; suspended?: number; capabilityStatus?: string },
): GraphSubscribedSku {
  return {
    id: subscribedSkuId(tenantId, template.skuId),
    accountId: tenantId,
    accountName: organizationName.replace(/\s+/g, '').toLowerCase(),
    skuId: template.skuId,
    skuPartNumber: template.skuPartNumber,
    capabilityStatus: units.capabilityStatus ?? 'Enabled',
    appliesTo: template.appliesTo,
    consumedUnits: 0,
    prepaidUnits: {
      enabled: units.enabled,
      suspended: units.suspended ?? 0,
      warning: units.warning ?? 0,
      lockedOut: 0,
    },
    servicePlans: servicePlansOf(template),
  };
}
