import type { SourceRunContext, SourceRunResult } from '../sync/ports';
import { reportCanBeNewer } from '../../domain/usage';
import { TenantAccessError } from '../../domain/tenant-access-error';
import type { ReportConcealment } from './report-concealment';
import type { UsageReportGraph, UsageReportStore } from './ports';

export interface ReportSourceDeps {
  tenantId: string;
  graph: UsageReportGraph;
  store: UsageReportStore;
  /** Shared by the tenant's report sources for one sync. */
  concealment: ReportConcealment;
  /** A report read successfully less than this many hours ago is not read again (REPORTS_REREAD_HOURS). */
  rereadHours: number;
}

/** The answer of a report that cannot be newer than the stored one: nothing read, the stored data stays current. */
export function skipIfNotNewer(ctx: SourceRunContext, rereadHours: number): SourceRunResult | null {
  if (reportCanBeNewer(ctx.previous, ctx.now, rereadHours)) return null;
  return { outcome: 'not_newer', asOf: ctx.previous?.asOf ?? null, servedBy: ctx.previous?.servedBy ?? null, requests: 0, warnings: [] };
}

/** Graph's ways of saying "no such endpoint here" (or "not for you here"): worth trying the other endpoint. */
export function endpointRefused(error: unknown): boolean {
  return error instanceof TenantAccessError && (error.status === 400 || error.status === 404 || error.status === 403);
}
