import type { SourceRunContext, SourceRunResult } from '../sync/ports';
import { concealmentWarning, reportCanBeNewer } from '../../domain/usage';
import { TenantAccessError } from '../../domain/tenant-access-error';
import type { ReportConcealment } from './report-concealment';
import type { ReportCall, ReportRow, UsageReportGraph, UsageReportStore, UserRowsWriter } from './ports';
import type { ReportRowChecker } from './report-rows';

/**
 * The steps every usage-report source shares to read a report: skip when it cannot be newer, fall
 * back across endpoints, stream a per-user CSV into a new generation, probe readability.
 */

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
  return {
    outcome: 'not_newer',
    asOf: ctx.previous?.asOf ?? null,
    servedBy: ctx.previous?.servedBy ?? null,
    requests: 0,
    warnings: [],
  };
}

/** Graph's ways of saying "no such endpoint here" (or "not for you here"): worth trying the other endpoint. */
export function endpointRefused(error: unknown): boolean {
  return error instanceof TenantAccessError && (error.status === 400 || error.status === 404 || error.status === 403);
}

/** What a per-user report read gives back before the concealment warnings are added. */
export interface PerUserReportRead {
  asOf: string | null;
  servedBy: string;
  requests: number;
  warnings: string[];
  /** Rows whose user is an opaque id (names concealed). */
  concealed: number;
}

/**
 * Runs a per-user report read with names shown where the admin opted in. The concealment problems
 * (could not turn it off or back on) go to the source that hit them: on failure into its error, so
 * the admin sees them even when the report itself failed.
 */
export async function readPerUserReport(
  deps: ReportSourceDeps,
  what: string,
  read: () => Promise<PerUserReportRead>,
): Promise<SourceRunResult> {
  let done;
  try {
    done = await deps.concealment.during(read);
  } catch (error) {
    const problems = deps.concealment.takeProblems();
    if (problems.length > 0 && error instanceof Error) error.message += ` ${problems.join(' ')}`;
    throw error;
  }
  const { result, unconcealed } = done;
  const settingOn = await deps.concealment.initial();
  const warnings = [...result.warnings, ...deps.concealment.takeProblems()];
  if (result.concealed > 0) warnings.push(concealmentWarning(what, result.concealed, unconcealed ? null : settingOn));
  return { outcome: 'ok', asOf: result.asOf, servedBy: result.servedBy, requests: result.requests, warnings };
}

/**
 * Reads from today's endpoint, falling back to the next where Graph refuses the first (400/403/404).
 * When every one refuses, the first one's reason is the answer, unless a later one says more (a
 * permission rather than "no such endpoint"). `refusedBefore` counts the refused calls already made.
 */
export async function firstServingEndpoint<E, T>(
  endpoints: readonly E[],
  read: (endpoint: E, refusedBefore: number) => Promise<T>,
): Promise<T> {
  let first: unknown;
  let refused = 0;
  for (const endpoint of endpoints) {
    try {
      return await read(endpoint, refused);
    } catch (error) {
      if (!endpointRefused(error)) throw error;
      refused++;
      first ??= error;
      if (refused === endpoints.length) {
        throw error instanceof TenantAccessError && (error.status === 400 || error.status === 404) ? first : error;
      }
    }
  }
  throw first;
}

/**
 * Streams a per-user CSV report into a new generation of the store: the stored report is replaced
 * only when the whole download arrived; anything else discards what was written.
 */
export async function readReportInto<Row>(
  graph: UsageReportGraph,
  writer: UserRowsWriter<Row>,
  checker: ReportRowChecker,
  call: ReportCall,
  toRows: (rows: ReportRow[], checker: ReportRowChecker) => Row[],
  period: string,
): Promise<{ asOf: string | null; requests: number; warnings: string[]; concealed: number }> {
  try {
    const { requests } = await graph.readCsv(call, (rows, columns) => {
      checker.columns(columns);
      writer.write(toRows(rows, checker));
    });
    const warnings = checker.warnings();
    await writer.commit({ reportRefreshDate: checker.reportRefreshDate, period });
    return { asOf: checker.reportRefreshDate, requests, warnings, concealed: checker.concealed };
  } catch (error) {
    writer.discard();
    throw error;
  }
}

/**
 * The smallest call proving a Copilot report readable, along the sync's own fallback: the JSON twin
 * of today's /copilot/reports endpoint (a CSV call would spend the scarce CSV budget of 14 per 10
 * minutes), then the older /beta/reports one.
 */
export async function probeCopilotReport(graph: UsageReportGraph, fn: string, doing: string): Promise<void> {
  const paths = [
    `/beta/copilot/reports/${fn}?$format=application/json&$top=1`,
    `/beta/reports/${fn}?$format=application/json&$top=1`,
  ];
  await firstServingEndpoint(paths, (path) => graph.readJson({ path, doing }, { firstPageOnly: true }));
}
