import type { GenerateDemoTenantOptions } from './generator';

/**
 * The extra demo organisations `DEMO_TENANTS` adds beside Contoso, for the many-tenants (MSP)
 * story: each its own name, domain, seed, size and ids, so their figures differ. Ids are fixed,
 * so a restart finds the same tenants (and their history) in DATA_DIR.
 */
const ORGANIZATIONS: ReadonlyArray<{ name: string; domain: string; sizeFactor: number }> = [
  { name: 'Fabrikam Inc', domain: 'fabrikam.onmicrosoft.com', sizeFactor: 0.6 },
  { name: 'Northwind Traders', domain: 'northwindtraders.onmicrosoft.com', sizeFactor: 1.6 },
  { name: 'Adventure Works', domain: 'adventureworks.onmicrosoft.com', sizeFactor: 0.8 },
  { name: 'Tailspin Toys', domain: 'tailspintoys.onmicrosoft.com', sizeFactor: 1.3 },
  { name: 'Wide World Importers', domain: 'wideworldimporters.onmicrosoft.com', sizeFactor: 0.5 },
  { name: 'Woodgrove Bank', domain: 'woodgrovebank.onmicrosoft.com', sizeFactor: 1.1 },
  { name: 'Litware Inc', domain: 'litware.onmicrosoft.com', sizeFactor: 0.7 },
  { name: 'Alpine Ski House', domain: 'alpineskihouse.onmicrosoft.com', sizeFactor: 1.5 },
  { name: 'Proseware Inc', domain: 'proseware.onmicrosoft.com', sizeFactor: 0.9 },
];

/** Contoso plus these: the most demo tenants one process serves. */
export const MAX_DEMO_TENANTS = ORGANIZATIONS.length + 1;

const hex2 = (n: number) => n.toString(16).padStart(2, '0');

/**
 * The generator options of extra demo tenant `index` (1 = the first after Contoso), sized from
 * DEMO_USERS (`baseUsers`).
 */
export function portfolioDemoTenant(index: number, baseUsers: number): GenerateDemoTenantOptions {
  const org = ORGANIZATIONS[index - 1];
  if (!org) throw new Error(`There are ${ORGANIZATIONS.length} extra demo organisations; ${index} was asked for.`);
  return {
    users: Math.max(20, Math.round(baseUsers * org.sizeFactor)),
    seed: 100 + index,
    tenantId: `7d3c5e1a-2b4f-4c6d-9e8f-0a1b2c3d40${hex2(index)}`,
    clientId: `3f9a7c21-6d4e-4b8a-9c5f-1e2d3a4b50${hex2(index)}`,
    clientSecret: `Dmo8Q~SeatSteward.DemoTenant${index}.NotARealSecret00`,
    organization: { name: org.name, domain: org.domain },
  };
}
