import {
  PERIOD_DAYS,
  USAGE_PERIODS,
  daysBefore,
  isIsoDay,
  type ServiceUsage,
  type UsagePeriod,
} from '../../domain/usage';
import { TenantAccessError } from '../../domain/tenant-access-error';
import type { ActivitySource, SourceRunContext, SourceRunResult } from '../sync/ports';
import type { ReportRow } from './ports';
import { skipIfNotNewer, type ReportSourceDeps } from './report-reading';

const GRAPH_PERIOD: Record<UsagePeriod, string> = { '7d': 'D7', '30d': 'D30', '90d': 'D90', '180d': 'D180' };
const GIB = 1024 ** 3;

/**
 * Which report fills each /usage figure. Daily count reports are read once for D180 and summed
 * over each period's last days (a D7 report is exactly the last 7 daily rows of the D180 one), storage
 * reports once for D7 (the latest day); only the distinct-user counts need one call per period.
 * 12 small JSON requests in all (beta, $format=application/json), well inside the 100 per 10 minutes.
 */
export const SERVICE_REPORTS = {
  servicesUserCounts: 'getOffice365ServicesUserCounts',
  activeUserCounts: 'getOffice365ActiveUserCounts',
  email: 'getEmailActivityCounts',
  mailboxStorage: 'getMailboxUsageStorage',
  sharePointFiles: 'getSharePointActivityFileCounts',
  sharePointStorage: 'getSharePointSiteUsageStorage',
  teams: 'getTeamsUserActivityCounts',
  oneDriveFiles: 'getOneDriveActivityFileCounts',
  oneDriveStorage: 'getOneDriveUsageStorage',
} as const;

const path = (fn: string, period: string): string => `/beta/reports/${fn}(period='${period}')?$format=application/json`;

/** Tenant-wide figures per service for the REST API's GET /usage, for 7, 30, 90 and 180 days. */
export class ServiceUsageSource implements ActivitySource {
  readonly id = 'service_usage' as const;
  readonly syncTypes = ['usage_reports'] as const;

  constructor(private readonly deps: Pick<ReportSourceDeps, 'tenantId' | 'graph' | 'store' | 'rereadHours'>) {}

  async run(ctx: SourceRunContext): Promise<SourceRunResult> {
    const skipped = skipIfNotNewer(ctx, this.deps.rereadHours);
    if (skipped) return skipped;
    let requests = 0;
    const read = async (fn: string, period: string): Promise<ReportRow[]> => {
      const r = await this.deps.graph.readJson({
        path: path(fn, period),
        doing: `reading the ${fn} report (${period})`,
      });
      requests += r.requests;
      return r.rows;
    };
    const [counts, daily, email, mailbox, spFiles, spStorage, teams, odFiles, odStorage] = await Promise.all([
      Promise.all(USAGE_PERIODS.map((p) => read(SERVICE_REPORTS.servicesUserCounts, GRAPH_PERIOD[p]))),
      read(SERVICE_REPORTS.activeUserCounts, 'D180'),
      read(SERVICE_REPORTS.email, 'D180'),
      read(SERVICE_REPORTS.mailboxStorage, 'D7'),
      read(SERVICE_REPORTS.sharePointFiles, 'D180'),
      read(SERVICE_REPORTS.sharePointStorage, 'D7'),
      read(SERVICE_REPORTS.teams, 'D180'),
      read(SERVICE_REPORTS.oneDriveFiles, 'D180'),
      read(SERVICE_REPORTS.oneDriveStorage, 'D7'),
    ]);
    const refresh = latestRefresh([...counts.flat(), ...daily]);
    if (refresh === null) {
      throw new TenantAccessError(
        'report_format_changed',
        'The Microsoft 365 usage count reports were empty or had no valid Report Refresh Date. Nothing was stored; the previous figures are kept.',
      );
    }
    const figures = USAGE_PERIODS.map((period, i): ServiceUsage => {
      const from = daysBefore(refresh, PERIOD_DAYS[period] - 1);
      const inPeriod = (rows: ReportRow[]) =>
        rows.filter(
          (r) => r.reportdate !== null && r.reportdate !== undefined && r.reportdate >= from && r.reportdate <= refresh,
        );
      const sum = (rows: ReportRow[], ...cols: string[]) =>
        inPeriod(rows).reduce((t, r) => t + cols.reduce((s, c) => s + num(r, c), 0), 0);
      const c = (counts[i] as ReportRow[])[0];
      if (!c)
        throw new TenantAccessError(
          'report_format_changed',
          `The ${SERVICE_REPORTS.servicesUserCounts} report (${GRAPH_PERIOD[period]}) had no rows. Nothing was stored; the previous figures are kept.`,
        );
      const active = num(c, 'office365active');
      const inactive = num(c, 'office365inactive');
      return {
        period,
        reportRefreshDate: refresh,
        summary: {
          total_active_users: active,
          total_inactive_users: inactive,
          activity_rate: active + inactive === 0 ? 0 : Math.round((active / (active + inactive)) * 1000) / 10,
        },
        services: {
          exchange: {
            active_users: num(c, 'exchangeactive'),
            emails_sent: sum(email, 'send'),
            emails_received: sum(email, 'receive'),
            mailbox_usage_gb: gb(latest(mailbox), 'storageusedinbytes'),
          },
          sharepoint: {
            active_users: num(c, 'sharepointactive'),
            files_created: null,
            files_shared: sum(spFiles, 'sharedinternally', 'sharedexternally'),
            storage_used_gb: gb(latest(spStorage), 'storageusedinbytes'),
          },
          teams: {
            active_users: num(c, 'teamsactive'),
            meetings_held: sum(teams, 'meetings'),
            messages_sent: sum(teams, 'teamchatmessages', 'privatechatmessages'),
            calls_made: sum(teams, 'calls'),
          },
          onedrive: {
            active_users: num(c, 'onedriveactive'),
            files_synced: sum(odFiles, 'synced'),
            storage_used_gb: gb(latest(odStorage), 'storageusedinbytes'),
          },
        },
        trends: {
          daily_active_users: inPeriod(daily)
            .map((r) => ({ date: r.reportdate as string, count: num(r, 'office365') }))
            .sort((a, b) => a.date.localeCompare(b.date)),
        },
      };
    });
    this.deps.store.saveServiceUsage(this.deps.tenantId, figures);
    return { outcome: 'ok', asOf: refresh, servedBy: 'beta /reports (JSON)', requests, warnings: [] };
  }

  async probe(): Promise<void> {
    await this.deps.graph.readJson(
      {
        path: `${path(SERVICE_REPORTS.servicesUserCounts, 'D7')}&$top=1`,
        doing: 'probing the Microsoft 365 services user counts report',
      },
      { firstPageOnly: true },
    );
  }
}

function num(row: ReportRow | undefined, column: string): number {
  const raw = row?.[column];
  if (raw === null || raw === undefined || raw === '') return 0;
  const n = Number(raw);
  if (!Number.isFinite(n)) {
    throw new TenantAccessError(
      'report_format_changed',
      `A usage count report has a non-numeric ${column} ("${raw.slice(0, 40)}"). Nothing was stored; the previous figures are kept.`,
    );
  }
  return n;
}

function latest(rows: ReportRow[]): ReportRow | undefined {
  let best: ReportRow | undefined;
  for (const r of rows) if (r.reportdate && (!best || r.reportdate > (best.reportdate as string))) best = r;
  return best;
}

const gb = (row: ReportRow | undefined, column: string): number => Math.round((num(row, column) / GIB) * 10) / 10;

function latestRefresh(rows: ReportRow[]): string | null {
  let best: string | null = null;
  for (const r of rows) {
    const d = r.reportrefreshdate?.slice(0, 10);
    if (d && isIsoDay(d) && (best === null || d > best)) best = d;
  }
  return best;
}
