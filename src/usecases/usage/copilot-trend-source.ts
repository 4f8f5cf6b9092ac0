import { COPILOT_APPS, type CopilotApp, type CopilotTrendDay } from '../../domain/usage';
import type { ActivitySource, SourceRunContext, SourceRunResult } from '../sync/ports';
import { normaliseColumn } from '../../domain/usage';
import type { ReportCall, ReportRow } from './ports';
import { ReportRowChecker } from './report-rows';
import { firstServingEndpoint, skipIfNotNewer, type ReportSourceDeps, probeCopilotReport } from './report-reading';

export const TREND_PERIOD = 'D30';
const TREND = `getMicrosoft365CopilotUserCountTrend(period='${TREND_PERIOD}')`;
const SUMMARY = `getMicrosoft365CopilotUserCountSummary(period='${TREND_PERIOD}')`;

/**
 * Today's copilotReportRoot functions (v1.0: CSV, one small download each), then the older beta
 * reportRoot ones as JSON (the 100-per-10-minutes JSON budget, not the 14 CSV one).
 */
export const TREND_ENDPOINTS = [
  {
    servedBy: 'v1.0 /copilot/reports',
    format: 'csv',
    trend: `/v1.0/copilot/reports/${TREND}`,
    summary: `/v1.0/copilot/reports/${SUMMARY}`,
  },
  {
    servedBy: 'beta /reports (JSON)',
    format: 'json',
    trend: `/beta/reports/${TREND}?$format=application/json`,
    summary: `/beta/reports/${SUMMARY}?$format=application/json`,
  },
] as const;

/** The count key Seat Steward stores ('any' for any app) and Graph's column prefix, per app. */
const APP_PREFIX: Record<'any' | CopilotApp, string> = {
  any: 'anyapp',
  teams: 'microsoftteams',
  word: 'word',
  excel: 'excel',
  powerPoint: 'powerpoint',
  outlook: 'outlook',
  oneNote: 'onenote',
  loop: 'loop',
  copilotChat: 'copilotchat',
};
const KEYS = ['any', ...COPILOT_APPS] as const;
const REQUIRED_COUNTS = ['Any App Enabled Users', 'Any App Active Users'];
const APP_COUNTS = COPILOT_APPS.flatMap((a) => [`${APP_PREFIX[a]}enabledusers`, `${APP_PREFIX[a]}activeusers`]);

type Counts = CopilotTrendDay['counts'];

/** Daily enabled and active Copilot users, overall and per app, and the period's summary (Reports.Read.All). */
export class CopilotTrendSource implements ActivitySource {
  readonly id = 'copilot_trend' as const;
  readonly syncTypes = ['copilot_usage', 'usage_reports'] as const;

  constructor(private readonly deps: Pick<ReportSourceDeps, 'tenantId' | 'graph' | 'store' | 'rereadHours'>) {}

  async run(ctx: SourceRunContext): Promise<SourceRunResult> {
    const skipped = skipIfNotNewer(ctx, this.deps.rereadHours);
    if (skipped) return skipped;
    let spent = 0;
    return firstServingEndpoint(TREND_ENDPOINTS, async (endpoint) => {
      const read = async (path: string, what: string): Promise<{ rows: ReportRow[]; columns: string[] }> => {
        const call: ReportCall = { path, doing: `reading the Copilot user count ${what} (${endpoint.servedBy})` };
        if (endpoint.format === 'json') {
          const r = await this.deps.graph.readJson(call);
          spent += r.requests;
          return unnest(r.rows);
        }
        const rows: ReportRow[] = [];
        let columns: string[] = [];
        const r = await this.deps.graph.readCsv(call, (batch, cols) => {
          columns = cols;
          rows.push(...batch);
        });
        spent += r.requests;
        return { rows, columns };
      };
      const trend = await read(endpoint.trend, 'trend');
      const summary = await read(endpoint.summary, 'summary');
      const trendChecker = new ReportRowChecker(
        'The Copilot user count trend report',
        ['Report Refresh Date', 'Report Date', ...REQUIRED_COUNTS],
        APP_COUNTS,
        ['Report Period'],
      );
      const summaryChecker = new ReportRowChecker(
        'The Copilot user count summary report',
        ['Report Refresh Date', ...REQUIRED_COUNTS],
        APP_COUNTS,
        ['Report Period'],
      );
      const days = toDays(trend, trendChecker);
      const counts = toSummary(summary, summaryChecker);
      const warnings = [...trendChecker.warnings(), ...summaryChecker.warnings()];
      // One statement: the trend and summary are replaced together or not at all.
      this.deps.store.saveCopilotTrend(this.deps.tenantId, TREND_PERIOD, days, counts);
      const asOf =
        [trendChecker.reportRefreshDate, summaryChecker.reportRefreshDate]
          .filter((d): d is string => d !== null)
          .sort()
          .at(-1) ?? null;
      return { outcome: 'ok', asOf, servedBy: endpoint.servedBy, requests: spent, warnings };
    });
  }

  async probe(): Promise<void> {
    await probeCopilotReport(
      this.deps.graph,
      "getMicrosoft365CopilotUserCountSummary(period='D7')",
      'probing the Copilot user count summary report',
    );
  }
}

/** Today's JSON nests the rows (adoptionByDate, adoptionByProduct) under the refresh date; CSV and the beta JSON are flat. */
function unnest(rows: ReportRow[]): { rows: ReportRow[]; columns: string[] } {
  const out: ReportRow[] = [];
  for (const row of rows) {
    const nested = row.adoptionbydate ?? row.adoptionbyproduct;
    if (nested === undefined || nested === null) {
      out.push(row);
      continue;
    }
    let items: unknown;
    try {
      items = JSON.parse(nested);
    } catch {
      items = null;
    }
    if (!Array.isArray(items)) {
      out.push({ ...row, __malformed: 'a nested value that is not a list' });
      continue;
    }
    const { adoptionbydate: _d, adoptionbyproduct: _p, ...parent } = row;
    for (const item of items as Array<Record<string, unknown>>) {
      const flat: ReportRow = { ...parent };
      for (const [k, v] of Object.entries(item ?? {}))
        flat[normaliseColumn(k)] = v === null || v === undefined ? null : String(v);
      out.push(flat);
    }
  }
  const columns = [...new Set(out.flatMap((r) => Object.keys(r)))];
  return { rows: out, columns };
}

/** A count cell: null when Graph leaves it empty; a non-numeric one marks the row malformed (undefined). */
function count(row: ReportRow, column: string): number | null | undefined {
  const raw = row[column];
  if (raw === null || raw === undefined || raw === '') return null;
  const n = Number(raw);
  return Number.isInteger(n) && n >= 0 ? n : undefined;
}

function countsOf(row: ReportRow, checker: ReportRowChecker): Counts | undefined {
  const counts: Counts = {};
  for (const key of KEYS) {
    const enabled = count(row, `${APP_PREFIX[key]}enabledusers`);
    const active = count(row, `${APP_PREFIX[key]}activeusers`);
    if (enabled === undefined || active === undefined) {
      checker.leftOut(row, `a non-numeric ${APP_PREFIX[key]} count`);
      return undefined;
    }
    counts[key] = { enabled, active };
  }
  return counts;
}

function toDays(read: { rows: ReportRow[]; columns: string[] }, checker: ReportRowChecker): CopilotTrendDay[] {
  checker.columns(read.columns);
  const days: CopilotTrendDay[] = [];
  for (const row of read.rows) {
    if (row.__malformed) {
      checker.malformed++;
      continue;
    }
    const refresh = checker.refreshDate(row);
    const date = checker.date(row, 'reportdate');
    if (refresh === undefined || date === undefined) continue;
    if (date === null) {
      checker.leftOut(row, 'an empty Report Date');
      continue;
    }
    const counts = countsOf(row, checker);
    if (!counts) continue;
    checker.rows++;
    days.push({ reportDate: date, reportRefreshDate: refresh, counts });
  }
  return days.sort((a, b) => a.reportDate.localeCompare(b.reportDate));
}

function toSummary(read: { rows: ReportRow[]; columns: string[] }, checker: ReportRowChecker): Counts | null {
  checker.columns(read.columns);
  const wanted = String(Number(TREND_PERIOD.slice(1)));
  let best: Counts | null = null;
  for (const row of read.rows) {
    if (row.__malformed) {
      checker.malformed++;
      continue;
    }
    if (checker.refreshDate(row) === undefined) continue;
    // A summary for ALL has a row per period: keep the one of the trend's period.
    const period = row.reportperiod;
    if (period !== null && period !== undefined && period !== wanted && read.rows.length > 1) continue;
    const counts = countsOf(row, checker);
    if (!counts) continue;
    checker.rows++;
    best = counts;
  }
  return best;
}
