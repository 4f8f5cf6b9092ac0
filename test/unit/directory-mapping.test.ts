import { describe, expect, it } from 'vitest';
import { copilotSkuMatcher } from '../../src/domain/copilot-skus';
import { sumSeats } from '../../src/domain/seats';
import { licenseRowsOf, tenantIdentity, toSkuRows, toUserRows } from '../../src/adapters/graph/directory-mapping';

const COPILOT = '639dec6b-bb19-468b-871c-c5c441c4b0cb';
const E3 = '05e9a617-0261-4cee-bb44-138d3ef5d965';

describe('license rows', () => {
  it('records a SKU held both directly and through a group as two rows', () => {
    const rows = licenseRowsOf({
      id: 'u1',
      userPrincipalName: 'a@x',
      assignedLicenses: [{ skuId: E3 }],
      licenseAssignmentStates: [
        { skuId: E3, assignedByGroup: null, state: 'Active', error: 'None' },
        { skuId: E3, assignedByGroup: 'g1', state: 'Active', error: 'None' },
      ],
    });
    expect(rows.map((r) => r.assignedByGroupId)).toEqual(['', 'g1']);
    expect(rows.every((r) => r.error === null)).toBe(true);
  });

  it('falls back to assignedLicenses as direct when states are missing, and keeps assignment errors', () => {
    expect(
      licenseRowsOf({
        id: 'u',
        userPrincipalName: 'u@x',
        assignedLicenses: [{ skuId: COPILOT.toUpperCase(), disabledPlans: ['p'] }],
      }),
    ).toEqual([
      {
        userId: 'u',
        skuId: COPILOT,
        assignedByGroupId: '',
        state: 'Active',
        error: null,
        disabledPlans: ['p'],
        assignedAt: null,
      },
    ]);
    const [row] = licenseRowsOf({
      id: 'u',
      userPrincipalName: 'u@x',
      licenseAssignmentStates: [{ skuId: E3, assignedByGroup: 'g', state: 'Error', error: 'CountViolation' }],
    });
    expect(row.error).toBe('CountViolation');
  });

  it('keeps when each assignment last changed (the earliest evidence of a seat), null when Graph omits it', () => {
    const rows = licenseRowsOf({
      id: 'u',
      userPrincipalName: 'u@x',
      licenseAssignmentStates: [
        { skuId: COPILOT, assignedByGroup: null, state: 'Active', lastUpdatedDateTime: '2026-03-04T05:06:07Z' },
        { skuId: E3, assignedByGroup: 'g', state: 'Active' },
      ],
    });
    expect(rows.map((r) => r.assignedAt)).toEqual(['2026-03-04T05:06:07Z', null]);
  });

  it('maps nulls and unselected accountEnabled', () => {
    const mapped = toUserRows([
      { id: '1', userPrincipalName: 'a@x', accountEnabled: false, assignedLicenses: [{ skuId: E3 }] },
      { id: '2', userPrincipalName: 'b@x', mail: null, userType: 'Guest' },
    ]);
    expect(mapped.users[0].accountEnabled).toBe(false);
    expect(mapped.users[1]).toMatchObject({ mail: null, userType: 'Guest', accountEnabled: true, department: null });
  });
});

describe('SKUs and seats', () => {
  it('recognises Copilot by skuId, including configured extra ids, and names products', () => {
    const extra = '11111111-2222-3333-4444-555555555555';
    const rows = toSkuRows(
      [
        {
          skuId: COPILOT,
          skuPartNumber: 'Microsoft_365_Copilot',
          consumedUnits: 25,
          prepaidUnits: { enabled: 30, suspended: 0, warning: 0 },
        },
        { skuId: extra, skuPartNumber: 'NEW_COPILOT_OFFER', consumedUnits: 1, prepaidUnits: { enabled: 1 } },
        { skuId: E3, skuPartNumber: 'SPE_E3', consumedUnits: 210, prepaidUnits: { enabled: 200, warning: 15 } },
      ],
      copilotSkuMatcher([extra]),
    );
    expect(rows.map((r) => [r.productName, r.isCopilot])).toEqual([
      ['Microsoft 365 Copilot', true],
      ['NEW COPILOT OFFER', true],
      ['Microsoft 365 E3', false],
    ]);
    // Over-assigned E3 (warning period) must not make available seats negative.
    expect(sumSeats(rows)).toEqual({ purchased: 231, assigned: 236, available: 5 });
  });
});

describe('tenant identity', () => {
  it('prefers the .onmicrosoft.com domain and the organization name', () => {
    expect(
      tenantIdentity(
        {
          id: 't',
          displayName: 'Contoso Ltd',
          verifiedDomains: [
            { name: 'contoso.com', isDefault: true },
            { name: 'contoso.onmicrosoft.com', isInitial: true },
          ],
        },
        'fallback',
      ),
    ).toEqual({
      tenantName: 'Contoso Ltd',
      domainName: 'contoso.onmicrosoft.com',
      displayName: 'Contoso Ltd M365',
      tenantType: 'business',
    });
    expect(tenantIdentity(undefined, 'fallback').tenantName).toBe('fallback');
  });
});
