import { SKU } from '../../demo-tenant/constants';
import type { DemoTenantData, GraphUser } from '../../demo-tenant/model';

/** The directory's change events a sync reports (m365.user.* and m365.license.*). */
export const CHANGE_TYPES = [
  'm365.user.created',
  'm365.user.deleted',
  'm365.license.assigned',
  'm365.license.unassigned',
] as const;

const activeSkus = (u: GraphUser) =>
  [...new Set(u.licenseAssignmentStates.filter((s) => s.state === 'Active').map((s) => s.skuId.toLowerCase()))].sort();

/** How a change event reads in `expected`: "type upn [sku]". */
export function changeLine(type: string, data: { [key: string]: unknown }): string {
  const sku = typeof data.sku_id === 'string' ? ` ${data.sku_id}` : '';
  return `${type} ${String(data.user_principal_name)}${sku}`;
}

/**
 * Changes a demo tenant between two syncs (the caller then calls setData): a direct Copilot licence
 * removed, a Visio licence given, a user deleted and one created with an E3 licence. Returns the
 * users touched and the change events a sync should report, as sorted changeLine()s.
 */
export function changeDirectory(data: DemoTenantData): {
  directCopilot: GraphUser;
  gainer: GraphUser;
  leaver: GraphUser;
  joiner: GraphUser;
  expected: string[];
} {
  const users = data.users;
  const directCopilot = users.find((u) =>
    u.licenseAssignmentStates.some(
      (s) => s.skuId === SKU.COPILOT && s.assignedByGroup === null && s.state === 'Active',
    ),
  ) as GraphUser;
  const gainer = users.find(
    (u) => u !== directCopilot && u.licenseAssignmentStates.every((s) => s.skuId !== SKU.VISIO_PLAN_2),
  ) as GraphUser;
  if (!data.subscribedSkus.some((s) => s.skuId.toLowerCase() === SKU.VISIO_PLAN_2.toLowerCase()))
    throw new Error('the demo tenant holds no Visio Plan 2 to assign');
  const leaver = users.find(
    (u) =>
      u !== directCopilot &&
      u !== gainer &&
      u.licenseAssignmentStates.length > 0 &&
      u.licenseAssignmentStates.every((s) => s.state === 'Active'),
  ) as GraphUser;
  const leaverSkus = activeSkus(leaver);
  const joiner: GraphUser = {
    ...structuredClone(gainer),
    id: '0b7e1f00-0000-4000-8000-000000000017',
    userPrincipalName: 'new.joiner@contoso.onmicrosoft.com',
    displayName: 'New Joiner',
    assignedLicenses: [{ skuId: SKU.M365_E3, disabledPlans: [] }],
    licenseAssignmentStates: [
      {
        skuId: SKU.M365_E3,
        assignedByGroup: null,
        state: 'Active',
        error: 'None',
        disabledPlans: [],
        lastUpdatedDateTime: '2026-12-01T09:00:00Z',
      },
    ],
  };

  directCopilot.assignedLicenses = directCopilot.assignedLicenses.filter((l) => l.skuId !== SKU.COPILOT);
  directCopilot.licenseAssignmentStates = directCopilot.licenseAssignmentStates.filter((s) => s.skuId !== SKU.COPILOT);
  gainer.assignedLicenses.push({ skuId: SKU.VISIO_PLAN_2, disabledPlans: [] });
  gainer.licenseAssignmentStates.push({
    skuId: SKU.VISIO_PLAN_2,
    assignedByGroup: null,
    state: 'Active',
    error: 'None',
    disabledPlans: [],
    lastUpdatedDateTime: '2026-12-01T09:00:00Z',
  });
  data.users = [...users.filter((u) => u !== leaver), joiner];

  const upn = (u: GraphUser) => u.userPrincipalName;
  const expected = [
    `m365.license.unassigned ${upn(directCopilot)} ${SKU.COPILOT}`,
    `m365.license.assigned ${upn(gainer)} ${SKU.VISIO_PLAN_2}`,
    `m365.user.deleted ${upn(leaver)}`,
    ...leaverSkus.map((sku) => `m365.license.unassigned ${upn(leaver)} ${sku}`),
    `m365.user.created ${upn(joiner)}`,
    `m365.license.assigned ${upn(joiner)} ${SKU.M365_E3}`,
  ].sort();
  return { directCopilot, gainer, leaver, joiner, expected };
}
