import { describe, expect, it } from 'vitest';
import { matchTenants, theTenantMeant, type TenantRecord } from '../../src/domain/tenant';

const tenant = (id: string, tenantName: string, domainName: string): TenantRecord => ({
  id,
  entraTenantId: `${id}-entra`,
  mspClientId: null,
  tenantName,
  domainName,
  displayName: null,
  tenantType: 'business',
  source: 'entra',
  syncEnabled: true,
  syncIntervalHours: null,
  currentSnapshotId: null,
  createdAt: '2026-12-01T00:00:00Z',
  updatedAt: '2026-12-01T00:00:00Z',
});

const all = [
  tenant('t1', 'Contoso', 'contoso.onmicrosoft.com'),
  tenant('t2', 'Contoso EU', 'contosoeu.onmicrosoft.com'),
  tenant('t3', 'Fabrikam', 'fabrikam.onmicrosoft.com'),
];

describe('the tenant a name means', () => {
  it('is the only match, or the one spelled out in full among several', () => {
    expect(theTenantMeant(matchTenants(all, 'fabri'), 'fabri')?.id).toBe('t3');
    expect(theTenantMeant(matchTenants(all, 'contoso'), 'contoso')?.id).toBe('t1');
    expect(theTenantMeant(matchTenants(all, 'CONTOSOEU.onmicrosoft.com'), 'CONTOSOEU.onmicrosoft.com')?.id).toBe('t2');
  });

  it('is none while the name stays ambiguous, or is empty with several tenants', () => {
    expect(theTenantMeant(matchTenants(all, 'conto'), 'conto')).toBeUndefined();
    expect(theTenantMeant(matchTenants(all, ''), '')).toBeUndefined();
    expect(theTenantMeant(matchTenants([all[0]!], ''), '')?.id).toBe('t1');
  });
});
