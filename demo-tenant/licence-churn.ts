import { SKU } from './constants';
import type { DemoTenantData } from './model';

/**
 * The bench:webhooks knob: changes `count` licences in the tenant, one per user, spread evenly over
 * the users, so the next sync sees exactly that many `license.assigned` / `license.unassigned`
 * changes. Each chosen user's direct Visio Plan 2 is toggled (removed if held directly, else
 * added), so calling it again with the same count reverses it: every call is `count` changes.
 */
export function churnLicences(data: DemoTenantData, count: number, at: Date = new Date()): number {
  const users = data.users;
  const n = Math.min(Math.max(0, Math.floor(count)), users.length);
  if (n === 0) return 0;
  const sku = SKU.VISIO_PLAN_2;
  for (let i = 0; i < n; i++) {
    const user = users[Math.floor((i * users.length) / n)];
    const held = user.licenseAssignmentStates.some((s) => s.skuId === sku && s.assignedByGroup === null);
    if (held) {
      user.assignedLicenses = user.assignedLicenses.filter((l) => l.skuId !== sku);
      user.licenseAssignmentStates = user.licenseAssignmentStates.filter(
        (s) => !(s.skuId === sku && s.assignedByGroup === null),
      );
    } else {
      if (!user.assignedLicenses.some((l) => l.skuId === sku))
        user.assignedLicenses.push({ skuId: sku, disabledPlans: [] });
      user.licenseAssignmentStates.push({
        skuId: sku,
        assignedByGroup: null,
        state: 'Active',
        error: 'None',
        disabledPlans: [],
        lastUpdatedDateTime: at.toISOString(),
      });
    }
  }
  return n;
}
