import type { CopilotApp, CopilotUsageRow } from '../../domain/usage';
import type { ActivitySource, SourceRunContext, SourceRunResult } from '../sync/ports';
import type { ReportCall, ReportRow } from './ports';
import { ReportRowChecker, datedUserRows } from './report-rows';
import {
  firstServingEndpoint,
  readPerUserReport,
  readReportInto,
  skipIfNotNewer,
  type PerUserReportRead,
  type ReportSourceDeps,
  probeCopilotReport,
} from './report-reading';

export const COPILOT_PERIOD = 'D30';
const FUNCTION = `getMicrosoft365CopilotUsageUserDetail(period='${COPILOT_PERIOD}')`;

/** Today's endpoint (copilotReportRoot, v1.0: CSV), then the older beta reportRoot one (CSV asked for: one download instead of 200-row JSON pages). */
export const COPILOT_ENDPOINTS = [
  { servedBy: 'v1.0 /copilot/reports', path: `/v1.0/copilot/reports/${FUNCTION}` },
  { servedBy: 'beta /reports', path: `/beta/reports/${FUNCTION}?$format=text/csv` },
] as const;

const APP_COLUMNS: Record<CopilotApp, string> = {
  teams: 'microsoftteamscopilotlastactivitydate',
  word: 'wordcopilotlastactivitydate',
  excel: 'excelcopilotlastactivitydate',
  powerPoint: 'powerpointcopilotlastactivitydate',
  outlook: 'outlookcopilotlastactivitydate',
  oneNote: 'onenotecopilotlastactivitydate',
  loop: 'loopcopilotlastactivitydate',
  copilotChat: 'copilotchatlastactivitydate',
};

const WHAT = 'The Copilot usage report';

/** Per user: Copilot last activity overall and per app (Reports.Read.All; Microsoft 365 Copilot seats only). */
export class CopilotUsageSource implements ActivitySource {
  readonly id = 'copilot_usage' as const;
  readonly syncTypes = ['copilot_usage', 'usage_reports'] as const;

  constructor(private readonly deps: ReportSourceDeps) {}

  async run(ctx: SourceRunContext): Promise<SourceRunResult> {
    return skipIfNotNewer(ctx, this.deps.rereadHours) ?? readPerUserReport(this.deps, WHAT, () => this.read());
  }

  async probe(): Promise<void> {
    await probeCopilotReport(
      this.deps.graph,
      "getMicrosoft365CopilotUsageUserDetail(period='D7')",
      'probing the Copilot usage report',
    );
  }

  private read(): Promise<PerUserReportRead> {
    return firstServingEndpoint(COPILOT_ENDPOINTS, async (endpoint, refusedBefore) => {
      const checker = new ReportRowChecker(
        WHAT,
        ['Report Refresh Date', 'User Principal Name', 'Last Activity Date'],
        Object.values(APP_COLUMNS),
        ['Display Name', 'Report Period'],
      );
      const call: ReportCall = {
        path: endpoint.path,
        doing: `reading the Copilot usage report (${endpoint.servedBy})`,
      };
      const read = await readReportInto(
        this.deps.graph,
        this.deps.store.copilotUsage(this.deps.tenantId),
        checker,
        call,
        toRows,
        COPILOT_PERIOD,
      );
      return { ...read, servedBy: endpoint.servedBy, requests: read.requests + refusedBefore };
    });
  }
}

function toRows(rows: ReportRow[], checker: ReportRowChecker): CopilotUsageRow[] {
  return datedUserRows(rows, checker, { ...APP_COLUMNS, last: 'lastactivitydate' }).map(
    ({ row, user, refreshDate, dates: { last, ...apps } }) => ({
      upn: user.upn,
      concealed: user.concealed,
      displayName: user.concealed ? null : (row.displayname ?? null),
      lastActivityDate: last,
      apps,
      reportRefreshDate: refreshDate,
      period: COPILOT_PERIOD,
    }),
  );
}
