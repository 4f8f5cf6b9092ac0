import { M365_SERVICES, type M365ActivityRow, type M365Service } from '../../domain/usage';
import type { ActivitySource, SourceRunContext, SourceRunResult } from '../sync/ports';
import type { ReportRow } from './ports';
import { ReportRowChecker } from './report-rows';
import { readPerUserReport, readReportInto, skipIfNotNewer, type PerUserReportRead, type ReportSourceDeps } from './report-source-deps';

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
    await this.deps.graph.readJson({ path: `/beta/reports/getOffice365ActiveUserDetail(period='D7')?$format=application/json&$top=1`, doing: 'probing the Microsoft 365 active user report' }, { firstPageOnly: true });
  }

  private async read(): Promise<PerUserReportRead> {
    const checker = new ReportRowChecker(WHAT, ['Report Refresh Date', 'User Principal Name'], Object.values(SERVICE_COLUMNS), IGNORED);
    const call = { path: PATH, doing: 'reading the Microsoft 365 active user report' };
    const read = await readReportInto(this.deps.graph, this.deps.store.m365Activity(this.deps.tenantId), checker, call, toRows, M365_PERIOD);
    return { ...read, servedBy: 'v1.0 /reports' };
  }
}

function toRows(rows: ReportRow[], checker: ReportRowChecker): M365ActivityRow[] {
  const out: M365ActivityRow[] = [];
  for (const row of rows) {
    if (row.__malformed) {
      checker.malformed++;
      continue;
    }
    const user = checker.user(row);
    const refresh = checker.refreshDate(row);
    if (!user || refresh === undefined) continue;
    const services = {} as Record<M365Service, string | null>;
    let ok = true;
    let last: string | null = null;
    for (const s of M365_SERVICES) {
      const d = checker.date(row, SERVICE_COLUMNS[s]);
      if (d === undefined) ok = false;
      services[s] = d ?? null;
      if (d && (last === null || d > last)) last = d;
    }
    if (!ok) continue;
    checker.rows++;
    out.push({ upn: user.upn, concealed: user.concealed, displayName: user.concealed ? null : (row.displayname ?? null), lastActivityDate: last, services, reportRefreshDate: refresh, period: M365_PERIOD });
  }
  return out;
}
