import { NO_DEPARTMENT } from '../../src/domain/departments';
import { departmentLine } from './department-fixtures';
import type { DigestInput } from '../../src/cards/digest-views';
import type { CopilotSeatSummary } from '../../src/domain/seat-savings';
import { savingsOf, priceOf } from '../../src/domain/seat-savings';
import type { StoredCandidate, StoredSeat } from '../../src/domain/seat-records';
import type { SyncRunRecord } from '../../src/domain/sync-run';
import type { DigestSubscription } from '../../src/domain/digest';

/** A tenant's analytics as the pipeline stores them: 40 purchased, 33 assigned, 12 active. */
export const DIGEST_SUMMARY: CopilotSeatSummary = {
  computedAt: '2026-11-23T06:10:00.000Z',
  skus: [
    {
      skuId: '639dec6b-bb19-468b-871c-c5c441c4b0cb',
      skuPartNumber: 'Microsoft_365_Copilot',
      purchased: 40,
      assigned: 33,
      available: 7,
      byStatus: { active: 12, inactive: 18, unknown: 3 },
      reclaimable: { certain: 9, probable: 6 },
      review: 4,
      excluded: 2,
      renewalDate: '2027-01-31',
    },
  ],
  candidates: { High: 4, Medium: 6, Low: 11 },
  reportRefreshDate: '2026-11-20',
  auditCoveredUntil: '2026-11-23T05:00:00.000Z',
  reportNamesConcealed: false,
  warnings: [],
  highlights: [
    {
      kind: 'disabled',
      name: 'Omar Patel',
      text: 'The account is disabled but still holds a Microsoft_365_Copilot seat: reclaim (certain).',
    },
    {
      kind: 'grace',
      name: 'Ana Li',
      text: 'New seat: held since 2026-11-19, inside the 30-day grace period until 2026-12-19.',
    },
    {
      kind: 'saved_by_audit',
      name: 'Zoë Castro',
      text: 'Kept: the audit log shows Copilot use on 2026-11-23, while the usage report of 2026-11-21 shows none at all.',
    },
  ],
};

export function seat(i: number, over: Partial<StoredSeat> = {}): StoredSeat {
  return {
    userId: `u${i}`,
    userPrincipalName: `user${i}@contoso.com`,
    displayName: `User ${i}`,
    mail: null,
    department: 'Sales',
    officeLocation: null,
    accountEnabled: true,
    skuId: '639dec6b-bb19-468b-871c-c5c441c4b0cb',
    skuPartNumber: 'Microsoft_365_Copilot',
    direct: true,
    groups: [],
    licenseAssignedDate: '2026-05-01',
    status: 'inactive',
    recommendation: 'reclaim',
    tier: 'certain',
    lastActivityDate: null,
    lastActivitySource: null,
    lastActivityAsOf: null,
    daysSinceLastActivity: 120 - i,
    usageScore: 0,
    assignedVia: 'direct',
    reasons: ['No Copilot activity for 90 days or more.'],
    ...over,
  };
}

export function candidate(i: number, over: Partial<StoredCandidate> = {}): StoredCandidate {
  return {
    rank: i,
    userId: `c${i}`,
    userPrincipalName: `cand${i}@contoso.com`,
    displayName: `Candidate ${i}`,
    mail: null,
    department: 'Finance',
    officeLocation: null,
    m365ActivityScore: 90 - i,
    priority: 'High',
    copilotChat: i === 1 ? { lastAt: '2026-11-22T10:00:00Z', interactions: 14 } : null,
    reasons: [],
    ...over,
  };
}

const RUN: SyncRunRecord = {
  id: 7,
  tenantId: 't1',
  trigger: 'schedule',
  startedAt: '2026-11-23T06:00:00.000Z',
  finishedAt: '2026-11-23T06:10:00.000Z',
  status: 'success',
  counts: { users: 262, licensedUsers: 200, licenseAssignments: 410, skus: 6, groups: 31 },
  errorCode: null,
  errorText: null,
  warnings: [],
};

/** 30 report days of Copilot enabled and active users. */
export const TREND_DAYS = Array.from({ length: 30 }, (_, i) => {
  const day = new Date(Date.UTC(2026, 9, 22 + i)).toISOString().slice(0, 10);
  return { reportDate: day, reportRefreshDate: '2026-11-20', counts: { any: { enabled: 33, active: 8 + (i % 7) } } };
});

export function digestInput(over: Partial<DigestInput> = {}): DigestInput {
  return {
    tenantId: 't1',
    tenantName: 'Contoso Ltd',
    day: '2026-11-23',
    analytics: { summary: DIGEST_SUMMARY, asOf: DIGEST_SUMMARY.computedAt },
    savings: savingsOf(DIGEST_SUMMARY, (sku) => priceOf(sku, new Map(), new Map())),
    inactive: {
      total: 15,
      rows: Array.from({ length: 5 }, (_, i) =>
        seat(
          i + 1,
          i === 1
            ? { accountEnabled: false }
            : i === 4
              ? {
                  tier: 'probable',
                  daysSinceLastActivity: 45,
                  assignedVia: 'group',
                  groups: [{ groupId: 'g1', displayName: 'Copilot Pilot' }],
                }
              : {},
        ),
      ),
    },
    candidates: { total: 21, rows: [candidate(1), candidate(2), candidate(3, { priority: 'Medium' })] },
    trend: { days: TREND_DAYS },
    departments: {
      top: [
        departmentLine('Sales', 20, 8, 9),
        departmentLine('Engineering', 30, 25, 4),
        departmentLine(NO_DEPARTMENT, 2, 0, 2),
      ],
      withIdle: 5,
      idleMonthlyCost: 540,
      currency: 'USD',
    },
    security: {
      scoreText: 'Security posture: Secure Score 41/100 · MFA 62.5%',
      asOf: '2026-11-23T06:05:00.000Z',
      recommendations: [
        'Register MFA for the 90 users without it.',
        'Investigate the 2 high-risk users in Identity Protection.',
        'Bring the 5 non-compliant devices into compliance.',
      ],
    },
    lastSync: RUN,
    exportsWired: true,
    ...over,
  };
}

export { RUN as DIGEST_RUN };

/** A channel's subscription at 08:00 Paris, yesterday's digest delivered. */
export const DIGEST_SUBSCRIPTION: DigestSubscription = {
  conversationId: '19:general@thread.tacv2',
  localTime: '08:00',
  timeZone: 'Europe/Paris',
  status: 'active',
  pausedReason: null,
  pausedAt: null,
  createdBy: 'c1a7e2b4-0f1d-4a3e-9b5c-6d7e8f9a0b1c',
  createdAt: '2026-11-01T09:00:00.000Z',
  updatedAt: '2026-11-01T09:00:00.000Z',
  lastDay: '2026-11-22',
  target: { serviceUrl: 'https://smba.trafficmanager.net/emea/', conversation: { id: '19:general@thread.tacv2' } },
  lastDeliveredAt: '2026-11-22T07:00:04.000Z',
  lastDeliveredDay: '2026-11-22',
  layout: 'tenants',
};
