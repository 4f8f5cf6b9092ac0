import type { CopilotSeatSummary } from '../../src/domain/seat-savings';
import type { StoredCandidate, StoredSeat } from '../../src/domain/seat-records';

/** Card fixtures for `inactive` and `candidates`; names long enough to test clipping and the 28 KB limit. */
export const SEAT_NOW = new Date('2026-11-23T09:30:00.000Z');

export const LONG_NAME = 'Maximiliane Alexandra Konstantinopoulou-Vanderbilt-Ramaswamy 🎟️ '.repeat(4).trim();

export function seatSummary(overrides: Partial<CopilotSeatSummary> = {}): CopilotSeatSummary {
  return {
    computedAt: '2026-11-23T06:00:00.000Z',
    skus: [
      {
        skuId: '639dec6b-bb19-468b-871c-c5c441c4b0cb',
        skuPartNumber: 'Microsoft_365_Copilot',
        purchased: 300,
        assigned: 280,
        available: 20,
        byStatus: { active: 190, inactive: 70, unknown: 20 },
        reclaimable: { certain: 25, probable: 22 },
        review: 18,
        excluded: 9,
        renewalDate: '2027-03-01',
      },
    ],
    candidates: { High: 12, Medium: 30, Low: 41 },
    reportRefreshDate: '2026-11-21',
    auditCoveredUntil: '2026-11-23T05:45:00.000Z',
    reportNamesConcealed: false,
    warnings: [],
    ...overrides,
  };
}

export function storedSeat(i: number, overrides: Partial<StoredSeat> = {}): StoredSeat {
  return {
    userId: `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`,
    userPrincipalName: `user${i}@contoso.onmicrosoft.com`,
    displayName: `User ${i}`,
    mail: null,
    department: 'Sales',
    officeLocation: null,
    accountEnabled: true,
    skuId: '639dec6b-bb19-468b-871c-c5c441c4b0cb',
    skuPartNumber: 'Microsoft_365_Copilot',
    direct: true,
    groups: [],
    licenseAssignedDate: '2026-05-02',
    status: 'inactive',
    recommendation: 'reclaim',
    tier: 'probable',
    lastActivityDate: '2026-10-01',
    lastActivitySource: 'copilot_usage_report',
    lastActivityAsOf: '2026-11-21',
    daysSinceLastActivity: 53,
    usageScore: 12,
    assignedVia: 'direct',
    reasons: ['No Copilot activity for 53 days (30 to 89 days: probably idle).'],
    ...overrides,
  };
}

/** Ten seats at their longest: names, UPNs, departments, groups and reasons all at or past the clip limits. */
export function longSeats(): StoredSeat[] {
  return Array.from({ length: 10 }, (_, i) =>
    storedSeat(i, {
      displayName: `${LONG_NAME} ${i}`,
      userPrincipalName: `${'very.long.user.principal.name.'.repeat(6)}${i}@contoso-international-holdings.onmicrosoft.com`,
      department: 'Global Strategic Partnerships, Enterprise Accounts & Public Sector Transformation Office '.repeat(3),
      direct: i % 2 === 0,
      assignedVia: 'group',
      groups: Array.from({ length: 8 }, (_, g) => ({
        groupId: `group-${g}`,
        displayName: `Copilot licence group for the ${LONG_NAME} division ${g}`,
      })),
      reasons: [
        'The account is disabled, and no Copilot activity was ever seen in the usage report or the audit log. '.repeat(
          8,
        ),
        'second reason',
      ],
      tier: i % 2 === 0 ? 'certain' : 'probable',
      lastActivityDate: i % 3 === 0 ? null : '2026-09-01',
      lastActivitySource: i % 3 === 0 ? null : 'audit_log',
      lastActivityAsOf: i % 3 === 0 ? null : '2026-11-23T05:45:00.000Z',
      daysSinceLastActivity: i % 3 === 0 ? null : 83,
    }),
  );
}

export function storedCandidate(rank: number, overrides: Partial<StoredCandidate> = {}): StoredCandidate {
  return {
    rank,
    userId: `10000000-0000-4000-8000-${String(rank).padStart(12, '0')}`,
    userPrincipalName: `candidate${rank}@contoso.onmicrosoft.com`,
    displayName: `Candidate ${rank}`,
    mail: null,
    department: 'Engineering',
    officeLocation: null,
    m365ActivityScore: 90 - rank,
    priority: 'High',
    copilotChat: null,
    reasons: ['Active in Teams, Outlook, Word and Excel within the last week.'],
    ...overrides,
  };
}

export function longCandidates(): StoredCandidate[] {
  return Array.from({ length: 10 }, (_, i) =>
    storedCandidate(i + 1, {
      displayName: `${LONG_NAME} ${i}`,
      userPrincipalName: `${'very.long.user.principal.name.'.repeat(6)}${i}@contoso-international-holdings.onmicrosoft.com`,
      department: 'Global Strategic Partnerships, Enterprise Accounts & Public Sector Transformation Office '.repeat(3),
      copilotChat: { lastAt: '2026-11-22T16:10:00.000Z', interactions: 1234 + i },
      reasons: [
        'Uses Copilot Chat without a seat and is active across Teams, Outlook, Word, Excel and PowerPoint. '.repeat(8),
      ],
    }),
  );
}
