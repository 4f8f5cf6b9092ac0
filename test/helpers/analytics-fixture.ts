import type { CopilotSeatSummary } from '../../src/domain/seat-savings';
import type { AnalyticsReads, CandidateQuery, SeatQuery } from '../../src/usecases/analytics/ports';
import type { StoredCandidate, StoredSeat } from '../../src/domain/seat-records';

/**
 * Stored analytics for tests of what reads them (exports, savings) while the SQLite adapter is
 * i7-pipeline's to write: rows kept in their stored order, filtered and paged as the port says,
 * with every query recorded so a test can see the pages asked for.
 */
export class AnalyticsFixture implements AnalyticsReads {
  seatRows: StoredSeat[] = [];
  candidateRows: StoredCandidate[] = [];
  summaryValue: CopilotSeatSummary | undefined;
  snapshotId = 1;
  asOf = '2026-11-23T06:00:00.000Z';
  /** False: the tenant has no analytics yet. */
  present = true;
  readonly seatQueries: SeatQuery[] = [];
  readonly candidateQueries: CandidateQuery[] = [];

  summary(): { snapshotId: number; summary: CopilotSeatSummary } | undefined {
    if (!this.present || !this.summaryValue) return undefined;
    return { snapshotId: this.snapshotId, summary: this.summaryValue };
  }

  seats(_tenantId: string, q: SeatQuery): { asOf: string; total: number; rows: StoredSeat[] } | undefined {
    if (!this.present) return undefined;
    this.seatQueries.push(q);
    const all = this.seatRows.filter(
      (s) =>
        (!q.status || s.status === q.status) &&
        (!q.recommendation || s.recommendation === q.recommendation) &&
        (!q.tier || s.tier === q.tier) &&
        (!q.department || s.department?.toLowerCase() === q.department.toLowerCase()),
    );
    return { asOf: this.asOf, total: all.length, rows: all.slice(q.offset, q.offset + q.limit) };
  }

  candidates(
    _tenantId: string,
    q: CandidateQuery,
  ): { asOf: string; total: number; rows: StoredCandidate[] } | undefined {
    if (!this.present) return undefined;
    this.candidateQueries.push(q);
    const all = this.candidateRows.filter(
      (c) =>
        (!q.priority || c.priority === q.priority) &&
        (!q.department || c.department?.toLowerCase() === q.department.toLowerCase()),
    );
    return { asOf: this.asOf, total: all.length, rows: all.slice(q.offset, q.offset + q.limit) };
  }
}

export function seat(upn: string, over: Partial<StoredSeat> = {}): StoredSeat {
  return {
    userId: `id-${upn}`,
    userPrincipalName: upn,
    displayName: upn.split('@')[0],
    mail: upn,
    department: 'Sales',
    officeLocation: 'Seattle',
    accountEnabled: true,
    skuId: '639dec6b-bb19-468b-871c-c5c441c4b0cb',
    skuPartNumber: 'Microsoft_365_Copilot',
    direct: true,
    groups: [],
    licenseAssignedDate: '2026-05-01',
    status: 'inactive',
    recommendation: 'reclaim',
    tier: 'certain',
    lastActivityDate: '2026-07-01',
    lastActivitySource: 'copilot_usage_report',
    lastActivityAsOf: '2026-11-20',
    daysSinceLastActivity: 145,
    usageScore: 0,
    assignedVia: 'direct',
    reasons: ['No Copilot activity for 145 days.'],
    ...over,
  };
}

export function candidate(rank: number, upn: string, over: Partial<StoredCandidate> = {}): StoredCandidate {
  return {
    rank,
    userId: `id-${upn}`,
    userPrincipalName: upn,
    displayName: upn.split('@')[0],
    mail: upn,
    department: 'Finance',
    officeLocation: 'Dublin',
    m365ActivityScore: 90 - rank,
    priority: 'High',
    copilotChat: null,
    reasons: ['Active in Teams, Outlook and Word every week.'],
    ...over,
  };
}

export function summaryOf(over: Partial<CopilotSeatSummary> = {}): CopilotSeatSummary {
  return {
    computedAt: '2026-11-23T06:00:00.000Z',
    skus: [
      {
        skuId: '639dec6b-bb19-468b-871c-c5c441c4b0cb',
        skuPartNumber: 'Microsoft_365_Copilot',
        purchased: 50,
        assigned: 40,
        available: 10,
        byStatus: { active: 30, inactive: 8, unknown: 2 },
        reclaimable: { certain: 5, probable: 3 },
        review: 2,
        excluded: 1,
        renewalDate: '2027-03-01',
      },
    ],
    candidates: { High: 4, Medium: 3, Low: 6 },
    reportRefreshDate: '2026-11-20',
    auditCoveredUntil: '2026-11-23T05:00:00.000Z',
    reportNamesConcealed: false,
    warnings: [],
    ...over,
  };
}
