import { ageInDays, isStale, type SourceStatusRecord } from '../../domain/activity-sources';
import type {
  CopilotTrendAnswer,
  ServiceUsage,
  UsageAnswer,
  UsagePeriod,
  UsageProvenance,
  UsageService,
} from '../../domain/usage';
import type { UsageReads } from './ports';

export interface SourceStatusReads {
  get(tenantId: string, source: 'service_usage' | 'copilot_trend'): SourceStatusRecord | undefined;
}

/** The stored /usage figures of a tenant for a period, optionally for one service. */
export class UsageQuery {
  constructor(
    private readonly reads: Pick<UsageReads, 'serviceUsage' | 'copilotTrend'>,
    private readonly sources: SourceStatusReads,
  ) {}

  get(tenantId: string, period: UsagePeriod, service?: UsageService, now = new Date()): UsageAnswer {
    const stored = this.reads.serviceUsage(tenantId, period);
    const status = this.sources.get(tenantId, 'service_usage');
    const figures =
      stored && service
        ? { ...stored, services: { [service]: stored.services[service] } as ServiceUsage['services'] }
        : stored;
    return { figures, provenance: provenance(status, stored?.reportRefreshDate ?? null, now) };
  }

  /** The stored Copilot user count trend and summary, with where they came from and how old they are. */
  copilot(tenantId: string, now = new Date()): CopilotTrendAnswer {
    const trend = this.reads.copilotTrend(tenantId);
    const status = this.sources.get(tenantId, 'copilot_trend');
    const refreshed =
      trend?.days
        .map((d) => d.reportRefreshDate)
        .sort()
        .at(-1) ?? null;
    return { trend, provenance: provenance(status, trend ? (refreshed ?? status?.asOf ?? null) : null, now) };
  }
}

function provenance(
  status: SourceStatusRecord | undefined,
  reportRefreshDate: string | null,
  now: Date,
): UsageProvenance {
  return {
    status: status?.lastOutcome ?? 'never_read',
    asOf: reportRefreshDate ?? status?.asOf ?? null,
    readAt: status?.lastSuccessAt ?? null,
    stale: status ? isStale(status) : false,
    ageDays: reportRefreshDate ? ageInDays(`${reportRefreshDate}T00:00:00Z`, now) : null,
    problem: status && (status.lastOutcome === 'refused' || status.lastOutcome === 'failed') ? status.message : null,
  };
}
