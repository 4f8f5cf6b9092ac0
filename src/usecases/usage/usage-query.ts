import { ageInDays, isStale, type SourceStatusRecord } from '../../domain/activity-sources';
import type { ServiceUsage, UsagePeriod, UsageService } from '../../domain/usage';
import type { UsageReads } from './ports';

export interface SourceStatusReads {
  get(tenantId: string, source: 'service_usage'): SourceStatusRecord | undefined;
}

/** Where a figure came from and how old it is, for every answer that shows one. */
export interface UsageProvenance {
  status: SourceStatusRecord['lastOutcome'] | 'never_read';
  /** The reports' refresh date. */
  asOf: string | null;
  readAt: string | null;
  stale: boolean;
  ageDays: number | null;
  /** Why the last attempt did not store new figures. */
  problem: string | null;
}

export interface UsageAnswer {
  figures: ServiceUsage | undefined;
  provenance: UsageProvenance;
}

/** The stored /usage figures of a tenant for a period, optionally for one service. */
export class UsageQuery {
  constructor(
    private readonly reads: Pick<UsageReads, 'serviceUsage'>,
    private readonly sources: SourceStatusReads,
  ) {}

  get(tenantId: string, period: UsagePeriod, service?: UsageService, now = new Date()): UsageAnswer {
    const stored = this.reads.serviceUsage(tenantId, period);
    const status = this.sources.get(tenantId, 'service_usage');
    const figures = stored && service ? { ...stored, services: { [service]: stored.services[service] } as ServiceUsage['services'] } : stored;
    return {
      figures,
      provenance: {
        status: status?.lastOutcome ?? 'never_read',
        asOf: stored?.reportRefreshDate ?? status?.asOf ?? null,
        readAt: status?.lastSuccessAt ?? null,
        stale: status ? isStale(status) : false,
        ageDays: stored ? ageInDays(`${stored.reportRefreshDate}T00:00:00Z`, now) : null,
        problem: status && (status.lastOutcome === 'refused' || status.lastOutcome === 'failed') ? status.message : null,
      },
    };
  }
}
