import type { M365ActivityRow, M365Service } from '../../domain/usage';
import type { ActivitySource, SourceRunContext, SourceRunResult } from '../sync/ports';
import type { ReportRow } from './ports';
import { ReportRowChecker, datedUserRows } from './report-rows';
import {
  readPerUserReport,
  readReportInto,
  skipIfNotNewer,
  type PerUserReportRead,
  type ReportSourceDeps,
} from './report-reading';

export const M365_PERIOD = 'D30';
const PATH = `/v1.0/reports/getOffice365ActiveUserDetail(period='${M365_PERIOD}')`;

const SERVICE_COLUMNS: Record<M365Service, string> = {
  exchange: 'exchangelastactivitydate',
  oneDrive: 'onedrivelastactivitydate',
  sharePoint: 'sharepointlastactivitydate',
  teams: 'teamslastactivitydate',
  yammer: 'yammerlastactivitydate',
};

/** Columns Graph sends that Seat Steward has no use for (licence flags, assign dates, Skype). */
const IGNORED = [
  'Display Name',
  'Is Deleted',
  'Deleted Date',
  'Has Exchange License',
  'Has OneDrive License',
  'Has SharePoint License',
  'Has Skype For Business License',
  'Has Yammer License',
  'Has Teams License',
  'Skype For Business Last Activity Date',
  'Exchange License Assign Date',
  'OneDrive License Assign Date',
  'SharePoint License Assign Date',
  'Skype For Business License Assign Date',
  'Yammer License Assign Date',
  'Teams License Assign Date',
  'Assigned Products',
  'Report Period',
];

const WHAT = 'The Microsoft 365 active user report';

/** Per user: last activity per service (getOffice365ActiveUserDetail, Reports.Read.All). */
export class M365ActivitySource implements ActivitySource {
  readonly id = 'm365_activity' as const;
  readonly syncTypes = ['usage_reports'] as const;

  constructor(private readonly deps: ReportSourceDeps) {}

  async run(ctx: SourceRunContext): Promise<SourceRunResult> {
    return skipIfNotNewer(ctx, this.deps.rereadHours) ?? readPerUserReport(this.deps, WHAT, () => this.read());
  }

  async probe(): Promise<void> {
    await this.deps.graph.readJson(
      {
        path: `/beta/reports/getOffice365ActiveUserDetail(period='D7')?$format=application/json&$top=1`,
        doing: 'probing the Microsoft 365 active user report',
      },
      { firstPageOnly: true },
    );
  }

  private async read(): Promise<PerUserReportRead> {
    const checker = new ReportRowChecker(
      WHAT,
      ['Report Refresh Date', 'User Principal Name'],
      Object.values(SERVICE_COLUMNS),
      IGNORED,
    );
    const call = { path: PATH, doing: 'reading the Microsoft 365 active user report' };
    const read = await readReportInto(
      this.deps.graph,
      this.deps.store.m365Activity(this.deps.tenantId),
      checker,
      call,
      toRows,
      M365_PERIOD,
    );
    return { ...read, servedBy: 'v1.0 /reports' };
  }
}

function toRows(rows: ReportRow[], checker: ReportRowChecker): M365ActivityRow[] {
  return datedUserRows(rows, checker, SERVICE_COLUMNS).map(({ row, user, refreshDate, dates }) => ({
    upn: user.upn,
    concealed: user.concealed,
    displayName: user.concealed ? null : (row.displayname ?? null),
    // The report has no overall date: the latest of the services'.
    lastActivityDate: Object.values<string | null>(dates).reduce<string | null>(
      (latest, d) => (d !== null && (latest === null || d > latest) ? d : latest),
      null,
    ),
    services: dates,
    reportRefreshDate: refreshDate,
    period: M365_PERIOD,
  }));
}
