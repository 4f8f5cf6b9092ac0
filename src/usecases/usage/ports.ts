import type { CopilotTrendDay, CopilotUsageRow, M365ActivityRow, ServiceUsage, UsagePeriod } from '../../domain/usage';

/** One report function call, e.g. `/v1.0/copilot/reports/getMicrosoft365CopilotUsageUserDetail(period='D30')`. */
export interface ReportCall {
  path: string;
  /** Admin-facing: "reading the Copilot usage report". */
  doing: string;
}

/** A report's rows as Graph gave them: values keyed by normalised column name (see normaliseColumn). */
export type ReportRow = Record<string, string | null>;

/**
 * Microsoft Graph's usage reports. Failures are TenantAccessError (a missing Reports.Read.All is a
 * refusal; a cut download, a budget exhausted or an outage are failures).
 */
export interface UsageReportGraph {
  /**
   * Streams a CSV report (Graph answers 302 to a download holding the whole report) in batches, so
   * the whole text is never held at once. `columns` are the header's normalised names.
   */
  readCsv(
    call: ReportCall,
    onBatch: (rows: ReportRow[], columns: string[]) => void | Promise<void>,
  ): Promise<{ requests: number }>;
  /** Reads a small report as JSON (beta, `$format=application/json`), following @odata.nextLink. */
  readJson(call: ReportCall, options?: { firstPageOnly?: boolean }): Promise<{ rows: ReportRow[]; requests: number }>;
  /** GET /admin/reportSettings (ReportSettings.Read.All). */
  reportSettings(): Promise<{ displayConcealedNames: boolean }>;
  /** PATCH /admin/reportSettings (ReportSettings.ReadWrite.All). */
  setDisplayConcealedNames(value: boolean): Promise<void>;
}

/**
 * Per-user report rows being written as a new generation: invisible to readers until commit(),
 * which replaces the previous generation at once. discard() (or a crash) leaves the previous one.
 */
export interface UserRowsWriter<Row> {
  write(rows: Row[]): void;
  commit(meta: { reportRefreshDate: string | null; period: string }): Promise<void>;
  discard(): void;
}

export interface UsageReportStore {
  copilotUsage(tenantId: string): UserRowsWriter<CopilotUsageRow>;
  m365Activity(tenantId: string): UserRowsWriter<M365ActivityRow>;
  /** Replaces every period's figures in one step. */
  saveServiceUsage(tenantId: string, figures: ServiceUsage[]): void;
  saveCopilotTrend(
    tenantId: string,
    period: string,
    days: CopilotTrendDay[],
    summary: CopilotTrendDay['counts'] | null,
  ): void;
}

/**
 * "Concealment must be restored": written before Seat Steward turns report-name concealment off,
 * cleared once it is back on, so a process killed in between restores it at its next start.
 */
export interface ConcealmentMarkers {
  set(tenantId: string, at: string): void;
  clear(tenantId: string): void;
  has(tenantId: string): boolean;
  tenants(): string[];
}

/** What later analytics read (issue 7) and what /usage serves. */
export interface UsageReads {
  copilotUser(tenantId: string, upn: string): CopilotUsageRow | undefined;
  m365User(tenantId: string, upn: string): M365ActivityRow | undefined;
  serviceUsage(tenantId: string, period: UsagePeriod): ServiceUsage | undefined;
  /** Rows of the stored report that match no user of the current directory snapshot (concealed ones included). */
  unmatchedCount(tenantId: string, source: 'copilot_usage' | 'm365_activity'): number;
  copilotTrend(
    tenantId: string,
  ): { period: string; days: CopilotTrendDay[]; summary: CopilotTrendDay['counts'] | null } | undefined;
}
