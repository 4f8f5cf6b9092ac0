import { describe, expect, it } from 'vitest';
import {
  DEMO_DOMAIN,
  DEMO_TENANT_ID,
  SKU,
  countConsumedUnits,
  generateDemoTenant,
  parseDemoTenant,
} from '../../demo-tenant';

describe('generateDemoTenant', () => {
  const tenant = generateDemoTenant({ users: 5000, seed: 42 });
  const members = tenant.users.filter((u) => u.userType === 'Member');
  const guests = tenant.users.filter((u) => u.userType === 'Guest');

  it('is deterministic for a seed and differs across seeds', () => {
    const again = generateDemoTenant({ users: 5000, seed: 42 });
    expect(JSON.stringify(again)).toBe(JSON.stringify(tenant));
    const other = generateDemoTenant({ users: 5000, seed: 43 });
    expect(other.users[0]?.id).not.toBe(tenant.users[0]?.id);
    expect(tenant.tenantId).toBe(DEMO_TENANT_ID);
  });

  it('produces exactly the requested number of users with unique ids and UPNs', () => {
    expect(tenant.users).toHaveLength(5000);
    expect(new Set(tenant.users.map((u) => u.id)).size).toBe(5000);
    expect(new Set(tenant.users.map((u) => u.userPrincipalName.toLowerCase())).size).toBe(5000);
  });

  it('computes consumedUnits from the users holding each SKU', () => {
    const counts = countConsumedUnits(tenant.users);
    for (const sku of tenant.subscribedSkus) {
      expect(sku.consumedUnits, sku.skuPartNumber).toBe(counts.get(sku.skuId) ?? 0);
      expect(sku.id).toBe(`${tenant.tenantId}_${sku.skuId}`);
    }
    const e3 = tenant.subscribedSkus.find((s) => s.skuId === SKU.M365_E3);
    expect(e3?.consumedUnits).toBeGreaterThan(members.length * 0.5);
  });

  it('has ~4% guests shaped like B2B invitations, without licenses', () => {
    expect(guests.length / tenant.users.length).toBeGreaterThan(0.025);
    expect(guests.length / tenant.users.length).toBeLessThan(0.055);
    for (const g of guests) {
      expect(g.userPrincipalName).toMatch(new RegExp(`^[a-z0-9.]+_[a-z.]+#EXT#@${DEMO_DOMAIN.replace(/\./g, '\\.')}$`));
      expect(g.mail).not.toContain(DEMO_DOMAIN);
      expect(g.assignedLicenses).toHaveLength(0);
    }
  });

  it('has ~5% disabled accounts, some of them still licensed', () => {
    const disabled = members.filter((u) => !u.accountEnabled);
    expect(disabled.length / members.length).toBeGreaterThan(0.03);
    expect(disabled.length / members.length).toBeLessThan(0.07);
    expect(disabled.filter((u) => u.assignedLicenses.length > 0).length).toBeGreaterThan(0);
  });

  it('has some members without mail and creation dates spread over years', () => {
    expect(members.some((u) => u.mail === null)).toBe(true);
    const years = new Set(tenant.users.map((u) => u.createdDateTime?.slice(0, 4)));
    expect(years.size).toBeGreaterThanOrEqual(5);
  });

  it('mixes direct, group-inherited and double assignments consistently', () => {
    const groupIds = new Map(tenant.groups.map((g) => [g.id, new Set(g.assignedLicenses.map((l) => l.skuId))]));
    let groupOnly = 0;
    let directOnly = 0;
    let both = 0;
    for (const user of tenant.users) {
      for (const license of user.assignedLicenses) {
        const states = user.licenseAssignmentStates.filter((s) => s.skuId === license.skuId);
        const direct = states.some((s) => s.assignedByGroup === null);
        const inherited = states.filter((s) => s.assignedByGroup !== null);
        if (direct && inherited.length > 0) both++;
        else if (direct) directOnly++;
        else groupOnly++;
        expect(states.length).toBeGreaterThan(0);
        for (const s of inherited) expect(groupIds.get(s.assignedByGroup as string)?.has(s.skuId)).toBe(true);
      }
      // assignedLicenses lists each SKU once, however many paths grant it.
      expect(new Set(user.assignedLicenses.map((l) => l.skuId)).size).toBe(user.assignedLicenses.length);
      for (const state of user.licenseAssignmentStates)
        expect(user.assignedLicenses.some((l) => l.skuId === state.skuId)).toBe(true);
    }
    expect(groupOnly).toBeGreaterThan(0);
    expect(directOnly).toBeGreaterThan(0);
    expect(both).toBeGreaterThan(0);
  });

  it('buys Copilot for ~12% of members and leaves 10-20% of seats free, some via the pilot group', () => {
    const copilot = tenant.subscribedSkus.find((s) => s.skuId === SKU.COPILOT);
    expect(copilot?.skuPartNumber).toBe('Microsoft_365_Copilot');
    const seats = copilot?.prepaidUnits.enabled ?? 0;
    expect(seats / members.length).toBeGreaterThan(0.11);
    expect(seats / members.length).toBeLessThan(0.13);
    const used = copilot?.consumedUnits ?? 0;
    expect(used / seats).toBeGreaterThanOrEqual(0.79);
    expect(used / seats).toBeLessThanOrEqual(0.9);
    const copilotStates = tenant.users.flatMap((u) => u.licenseAssignmentStates.filter((s) => s.skuId === SKU.COPILOT));
    expect(copilotStates.some((s) => s.assignedByGroup !== null)).toBe(true);
    expect(copilotStates.some((s) => s.assignedByGroup === null)).toBe(true);
  });

  it('includes a SKU in its grace period with warning units', () => {
    const warning = tenant.subscribedSkus.filter((s) => s.prepaidUnits.warning > 0);
    expect(warning.length).toBeGreaterThan(0);
    expect(warning[0]?.capabilityStatus).toBe('Warning');
  });

  it('has license groups visible to the $count filter and plain groups that are not', () => {
    expect(tenant.groups.map((g) => g.displayName)).toEqual(
      expect.arrayContaining(['License - M365 E3', 'License - Copilot Pilot']),
    );
    expect(tenant.groups.some((g) => g.assignedLicenses.length === 0)).toBe(true);
  });

  it('round-trips through the fixture format', () => {
    const small = generateDemoTenant({ users: 300, seed: 5 });
    expect(parseDemoTenant(JSON.parse(JSON.stringify(small)))).toEqual(small);
  });

  // Its speed is a figure of `npm run bench:demo-tenant`, not an assertion: a busy machine is not a defect.
  it('generates 100,000 users with unique ids', () => {
    const big = generateDemoTenant({ users: 100_000, seed: 1 });
    expect(big.users).toHaveLength(100_000);
    expect(new Set(big.users.map((u) => u.id)).size).toBe(100_000);
  });
});
