import crypto from 'node:crypto';
import type { TokenService } from '../auth';
import { GraphError, readBody, sendGraphError, sendGraphJson, type RequestContext } from '../http';
import type { DemoTenantData } from '../model';
import { decodeSkipToken, encodeSkipToken, queryOption } from '../odata';
import type { Router } from '../router';
import { COPILOT_APPS } from '../activity';
import {
  DAILY_HISTORY,
  concealedId,
  copilotSummary,
  copilotTrendDays,
  dailyFigures,
  periodDays,
  servicesUserCounts,
  usageStory,
  REPORT_SERVICES,
  type CopilotCounts,
  type UsageStory,
} from '../usage-story';
import { GRAPH_VERSIONS, authorized, metadataContext } from './common';

/**
 * Microsoft 365 usage reports (reportRoot and copilotReportRoot functions) and the tenant's
 * report settings. Like Graph: v1.0 answers CSV only (302 to a download URL holding the whole
 * report, UTF-8 with a BOM); beta also answers `$format=application/json`, in pages with
 * @odata.nextLink. Each app has a report budget per 10 minutes (14 CSV requests, 100 JSON pages);
 * past it Graph answers 429 with Retry-After.
 */

export const REPORTS_READ = ['Reports.Read.All'];
export const REPORT_SETTINGS_READ = ['ReportSettings.Read.All', 'ReportSettings.ReadWrite.All'];
export const REPORT_SETTINGS_WRITE = ['ReportSettings.ReadWrite.All'];

export const REPORT_BUDGET = { csv: 14, json: 100, windowMs: 10 * 60_000 } as const;
const JSON_PAGE_SIZE = 200;

type Cell = string | number | boolean | null;
type Row = Record<string, Cell>;

interface ReportDef {
  name: string;
  /** 'copilot': /copilot/reports/ (v1.0 and beta); 'legacyCopilot': /beta/reports/ only; 'office': /reports/ (v1.0 and beta). */
  family: 'copilot' | 'legacyCopilot' | 'office';
  periods: readonly string[];
  /** JSON property and CSV header, in column order. */
  columns: ReadonlyArray<readonly [string, string]>;
  rows(data: DemoTenantData, story: UsageStory, period: string): Iterable<Row>;
  /** Today's Copilot count reports nest their rows in JSON (adoptionByDate, adoptionByProduct); CSV stays flat. */
  json?: (rows: Row[]) => Array<Record<string, unknown>>;
}

const COPILOT_PERIODS = ['D7', 'D30', 'D90', 'D180', 'ALL'] as const;
const OFFICE_PERIODS = ['D7', 'D30', 'D90', 'D180'] as const;

const COPILOT_APP_COLUMNS: Record<(typeof COPILOT_APPS)[number], readonly [string, string]> = {
  teams: ['microsoftTeamsCopilotLastActivityDate', 'Microsoft Teams Copilot Last Activity Date'],
  word: ['wordCopilotLastActivityDate', 'Word Copilot Last Activity Date'],
  excel: ['excelCopilotLastActivityDate', 'Excel Copilot Last Activity Date'],
  powerPoint: ['powerPointCopilotLastActivityDate', 'PowerPoint Copilot Last Activity Date'],
  outlook: ['outlookCopilotLastActivityDate', 'Outlook Copilot Last Activity Date'],
  oneNote: ['oneNoteCopilotLastActivityDate', 'OneNote Copilot Last Activity Date'],
  loop: ['loopCopilotLastActivityDate', 'Loop Copilot Last Activity Date'],
  copilotChat: ['copilotChatLastActivityDate', 'Copilot Chat Last Activity Date'],
};

const concealed = (data: DemoTenantData): boolean => data.reportSettings?.displayConcealedNames === true;

function* copilotDetail(data: DemoTenantData, story: UsageStory, period: string): Iterable<Row> {
  const hide = concealed(data);
  for (const u of story.users) {
    if (!u.copilot) continue;
    const id = hide ? concealedId(u.user.userPrincipalName) : null;
    const row: Row = {
      reportRefreshDate: story.refreshDate,
      userPrincipalName: id ?? u.user.userPrincipalName,
      displayName: id ?? u.user.displayName,
      lastActivityDate: u.copilot.last,
    };
    for (const app of COPILOT_APPS) row[COPILOT_APP_COLUMNS[app][0]] = u.copilot.apps[app];
    row.reportPeriod = period === 'ALL' ? 0 : periodDays(period);
    yield row;
  }
}

const SERVICE_COLUMNS: Record<(typeof REPORT_SERVICES)[number], readonly [string, string]> = {
  exchange: ['exchangeLastActivityDate', 'Exchange Last Activity Date'],
  oneDrive: ['oneDriveLastActivityDate', 'OneDrive Last Activity Date'],
  sharePoint: ['sharePointLastActivityDate', 'SharePoint Last Activity Date'],
  teams: ['teamsLastActivityDate', 'Teams Last Activity Date'],
  yammer: ['yammerLastActivityDate', 'Yammer Last Activity Date'],
};

function* activeUserDetail(data: DemoTenantData, story: UsageStory, period: string): Iterable<Row> {
  const hide = concealed(data);
  for (const u of story.users) {
    if (!u.m365) continue;
    const id = hide ? concealedId(u.user.userPrincipalName) : null;
    const row: Row = {
      reportRefreshDate: story.refreshDate,
      userPrincipalName: id ?? u.user.userPrincipalName,
      displayName: id ?? u.user.displayName,
      isDeleted: false,
      deletedDate: null,
      hasExchangeLicense: true,
      hasOneDriveLicense: true,
      hasSharePointLicense: true,
      hasTeamsLicense: true,
      hasYammerLicense: true,
    };
    for (const s of REPORT_SERVICES) row[SERVICE_COLUMNS[s][0]] = u.m365[s];
    row.assignedProducts = u.user.assignedLicenses.length > 0 ? 'MICROSOFT 365 E3' : '';
    row.reportPeriod = periodDays(period);
    yield row;
  }
}

/** Daily rows, newest first as Graph lists them, for the period's days. */
function* daily(
  story: UsageStory,
  period: string,
  pick: (f: ReturnType<typeof dailyFigures>, k: number) => Row,
): Iterable<Row> {
  const days = Math.min(periodDays(period), DAILY_HISTORY);
  for (let k = 0; k < days; k++) {
    const f = dailyFigures(story, k);
    yield {
      reportRefreshDate: story.refreshDate,
      ...pick(f, k),
      reportDate: f.reportDate,
      reportPeriod: periodDays(period),
    };
  }
}

/** Today's Graph: JSON property prefix and CSV header of each app's count pair, in Graph's column order. */
const COUNT_APPS: ReadonlyArray<readonly [keyof CopilotCounts, string, string]> = [
  ['anyApp', 'anyApp', 'Any App'],
  ['teams', 'microsoftTeams', 'Microsoft Teams'],
  ['word', 'word', 'Word'],
  ['powerPoint', 'powerPoint', 'PowerPoint'],
  ['outlook', 'outlook', 'Outlook'],
  ['excel', 'excel', 'Excel'],
  ['oneNote', 'oneNote', 'OneNote'],
  ['loop', 'loop', 'Loop'],
  ['copilotChat', 'copilotChat', 'Copilot Chat'],
];
const COUNT_COLUMNS: Array<[string, string]> = COUNT_APPS.flatMap(([, prop, header]): Array<[string, string]> => [
  [`${prop}EnabledUsers`, `${header} Enabled Users`],
  [`${prop}ActiveUsers`, `${header} Active Users`],
]);
function countCells(counts: CopilotCounts): Row {
  const row: Row = {};
  for (const [key, prop] of COUNT_APPS) {
    row[`${prop}EnabledUsers`] = counts[key].enabled;
    row[`${prop}ActiveUsers`] = counts[key].active;
  }
  return row;
}
/** ALL covers 7, 30, 90 and 180 days (a row each in the summary; the trend spans 180). */
const copilotPeriodDays = (period: string): number[] => (period === 'ALL' ? [7, 30, 90, 180] : [periodDays(period)]);

const COPILOT_TREND: ReportDef = {
  name: 'getMicrosoft365CopilotUserCountTrend',
  family: 'copilot',
  periods: COPILOT_PERIODS,
  columns: [
    ['reportRefreshDate', 'Report Refresh Date'],
    ['reportPeriod', 'Report Period'],
    ['reportDate', 'Report Date'],
    ...COUNT_COLUMNS,
  ],
  *rows(data, story, period) {
    const days = Math.max(...copilotPeriodDays(period));
    for (const day of copilotTrendDays(data, days)) {
      yield {
        reportRefreshDate: story.refreshDate,
        reportPeriod: days,
        reportDate: day.reportDate,
        ...countCells(day.counts),
      };
    }
  },
  json(rows) {
    const first = rows[0];
    if (!first) return [];
    const adoptionByDate = rows.map(({ reportRefreshDate: _r, reportPeriod: _p, ...day }) => day);
    return [{ reportRefreshDate: first.reportRefreshDate, reportPeriod: first.reportPeriod, adoptionByDate }];
  },
};

const COPILOT_SUMMARY: ReportDef = {
  name: 'getMicrosoft365CopilotUserCountSummary',
  family: 'copilot',
  periods: COPILOT_PERIODS,
  columns: [['reportRefreshDate', 'Report Refresh Date'], ['reportPeriod', 'Report Period'], ...COUNT_COLUMNS],
  *rows(data, story, period) {
    for (const days of copilotPeriodDays(period))
      yield { reportRefreshDate: story.refreshDate, reportPeriod: days, ...countCells(copilotSummary(data, days)) };
  },
  json(rows) {
    const first = rows[0];
    if (!first) return [];
    return [
      {
        reportRefreshDate: first.reportRefreshDate,
        adoptionByProduct: rows.map(({ reportRefreshDate: _r, ...product }) => product),
      },
    ];
  },
};

const col = (...pairs: Array<[string, string]>): ReadonlyArray<readonly [string, string]> => pairs;

type DayFigures = ReturnType<typeof dailyFigures>;

/** SharePoint's and OneDrive's activity file counts share one shape; only the figures differ. */
function fileCountsReport(name: string, pick: (f: DayFigures) => Row): ReportDef {
  return {
    name,
    family: 'office',
    periods: OFFICE_PERIODS,
    columns: col(
      ['reportRefreshDate', 'Report Refresh Date'],
      ['viewedOrEdited', 'Viewed Or Edited'],
      ['synced', 'Synced'],
      ['sharedInternally', 'Shared Internally'],
      ['sharedExternally', 'Shared Externally'],
      ['reportDate', 'Report Date'],
      ['reportPeriod', 'Report Period'],
    ),
    rows: (_d, story, period) => daily(story, period, (f) => pick(f)),
  };
}

/** SharePoint's and OneDrive's storage reports: one row a day for all sites. */
function siteStorageReport(name: string, bytes: (f: DayFigures) => number): ReportDef {
  return {
    name,
    family: 'office',
    periods: OFFICE_PERIODS,
    columns: col(
      ['reportRefreshDate', 'Report Refresh Date'],
      ['siteType', 'Site Type'],
      ['storageUsedInBytes', 'Storage Used (Byte)'],
      ['reportDate', 'Report Date'],
      ['reportPeriod', 'Report Period'],
    ),
    rows: (_d, story, period) => daily(story, period, (f) => ({ siteType: 'All', storageUsedInBytes: bytes(f) })),
  };
}

const REPORTS: ReportDef[] = [
  {
    name: 'getMicrosoft365CopilotUsageUserDetail',
    family: 'copilot',
    periods: COPILOT_PERIODS,
    columns: col(
      ['reportRefreshDate', 'Report Refresh Date'],
      ['userPrincipalName', 'User Principal Name'],
      ['displayName', 'Display Name'],
      ['lastActivityDate', 'Last Activity Date'],
      ...COPILOT_APPS.map((a) => [...COPILOT_APP_COLUMNS[a]] as [string, string]),
      ['reportPeriod', 'Report Period'],
    ),
    rows: copilotDetail,
  },
  {
    name: 'getOffice365ActiveUserDetail',
    family: 'office',
    periods: OFFICE_PERIODS,
    columns: col(
      ['reportRefreshDate', 'Report Refresh Date'],
      ['userPrincipalName', 'User Principal Name'],
      ['displayName', 'Display Name'],
      ['isDeleted', 'Is Deleted'],
      ['deletedDate', 'Deleted Date'],
      ['hasExchangeLicense', 'Has Exchange License'],
      ['hasOneDriveLicense', 'Has OneDrive License'],
      ['hasSharePointLicense', 'Has SharePoint License'],
      ['hasTeamsLicense', 'Has Teams License'],
      ['hasYammerLicense', 'Has Yammer License'],
      ...REPORT_SERVICES.map((s) => [...SERVICE_COLUMNS[s]] as [string, string]),
      ['assignedProducts', 'Assigned Products'],
      ['reportPeriod', 'Report Period'],
    ),
    rows: activeUserDetail,
  },
  {
    name: 'getOffice365ServicesUserCounts',
    family: 'office',
    periods: OFFICE_PERIODS,
    columns: col(
      ['reportRefreshDate', 'Report Refresh Date'],
      ['exchangeActive', 'Exchange Active'],
      ['exchangeInactive', 'Exchange Inactive'],
      ['oneDriveActive', 'OneDrive Active'],
      ['oneDriveInactive', 'OneDrive Inactive'],
      ['sharePointActive', 'SharePoint Active'],
      ['sharePointInactive', 'SharePoint Inactive'],
      ['yammerActive', 'Yammer Active'],
      ['yammerInactive', 'Yammer Inactive'],
      ['teamsActive', 'Teams Active'],
      ['teamsInactive', 'Teams Inactive'],
      ['office365Active', 'Office 365 Active'],
      ['office365Inactive', 'Office 365 Inactive'],
      ['reportPeriod', 'Report Period'],
    ),
    *rows(_data, story, period) {
      const { active, licensed } = servicesUserCounts(story, periodDays(period));
      const row: Row = { reportRefreshDate: story.refreshDate };
      for (const s of [...REPORT_SERVICES, 'office365'] as const) {
        row[`${s}Active`] = active[s];
        row[`${s}Inactive`] = licensed - active[s];
      }
      row.reportPeriod = periodDays(period);
      yield row;
    },
  },
  {
    name: 'getOffice365ActiveUserCounts',
    family: 'office',
    periods: OFFICE_PERIODS,
    columns: col(
      ['reportRefreshDate', 'Report Refresh Date'],
      ['office365', 'Office 365'],
      ['reportDate', 'Report Date'],
      ['reportPeriod', 'Report Period'],
    ),
    rows: (_d, story, period) => daily(story, period, (_f, k) => ({ office365: story.dailyActive[k] ?? 0 })),
  },
  {
    name: 'getEmailActivityCounts',
    family: 'office',
    periods: OFFICE_PERIODS,
    columns: col(
      ['reportRefreshDate', 'Report Refresh Date'],
      ['send', 'Send'],
      ['receive', 'Receive'],
      ['read', 'Read'],
      ['reportDate', 'Report Date'],
      ['reportPeriod', 'Report Period'],
    ),
    rows: (_d, story, period) =>
      daily(story, period, (f) => ({ send: f.emailsSent, receive: f.emailsReceived, read: f.emailsRead })),
  },
  {
    name: 'getMailboxUsageStorage',
    family: 'office',
    periods: OFFICE_PERIODS,
    columns: col(
      ['reportRefreshDate', 'Report Refresh Date'],
      ['storageUsedInBytes', 'Storage Used (Byte)'],
      ['reportDate', 'Report Date'],
      ['reportPeriod', 'Report Period'],
    ),
    rows: (_d, story, period) => daily(story, period, (f) => ({ storageUsedInBytes: f.mailboxStorageBytes })),
  },
  fileCountsReport('getSharePointActivityFileCounts', (f) => ({
    viewedOrEdited: f.sharePointViewedOrEdited,
    synced: f.sharePointSynced,
    sharedInternally: f.sharePointSharedInternally,
    sharedExternally: f.sharePointSharedExternally,
  })),
  siteStorageReport('getSharePointSiteUsageStorage', (f) => f.sharePointStorageBytes),
  {
    name: 'getTeamsUserActivityCounts',
    family: 'office',
    periods: OFFICE_PERIODS,
    columns: col(
      ['reportRefreshDate', 'Report Refresh Date'],
      ['reportDate', 'Report Date'],
      ['teamChatMessages', 'Team Chat Messages'],
      ['privateChatMessages', 'Private Chat Messages'],
      ['calls', 'Calls'],
      ['meetings', 'Meetings'],
      ['reportPeriod', 'Report Period'],
    ),
    rows: (_d, story, period) =>
      daily(story, period, (f) => ({
        teamChatMessages: f.teamChatMessages,
        privateChatMessages: f.privateChatMessages,
        calls: f.calls,
        meetings: f.meetings,
      })),
  },
  fileCountsReport('getOneDriveActivityFileCounts', (f) => ({
    viewedOrEdited: f.oneDriveViewedOrEdited,
    synced: f.oneDriveSynced,
    sharedInternally: f.oneDriveSharedInternally,
    sharedExternally: f.oneDriveSharedExternally,
  })),
  siteStorageReport('getOneDriveUsageStorage', (f) => f.oneDriveStorageBytes),
];
REPORTS.push(COPILOT_TREND, COPILOT_SUMMARY);
// The older beta reportRoot Copilot functions serve the same data as today's copilotReportRoot ones.
for (const def of REPORTS.filter((d) => d.family === 'copilot')) REPORTS.push({ ...def, family: 'legacyCopilot' });

function parseCall(segment: string): { name: string; params: Record<string, string> } | null {
  const m = /^(\w+)\((.*)\)$/.exec(segment);
  if (!m) return null;
  const params: Record<string, string> = {};
  for (const part of (m[2] as string).split(',').filter(Boolean)) {
    const kv = /^\s*(\w+)\s*=\s*'([^']*)'\s*$/.exec(part);
    if (!kv) throw new GraphError(400, 'BadRequest', `Invalid parameter syntax in '${segment}'.`);
    params[(kv[1] as string).toLowerCase()] = kv[2] as string;
  }
  return { name: m[1] as string, params };
}

function csvCell(value: Cell): string {
  if (value === null) return '';
  const text = String(value);
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

interface Download {
  def: ReportDef;
  period: string;
  expires: number;
}

/** Per app: when its report requests were made, for the budget's sliding window. */
class ReportBudget {
  private readonly csv = new Map<string, number[]>();
  private readonly json = new Map<string, number[]>();

  /** Retry-After seconds when over budget, else null (and the request is counted). */
  take(app: string, kind: 'csv' | 'json', now = Date.now()): number | null {
    const map = kind === 'csv' ? this.csv : this.json;
    const limit = kind === 'csv' ? REPORT_BUDGET.csv : REPORT_BUDGET.json;
    const times = (map.get(app) ?? []).filter((t) => t > now - REPORT_BUDGET.windowMs);
    map.set(app, times);
    if (times.length >= limit)
      return Math.max(1, Math.ceil(((times[0] as number) + REPORT_BUDGET.windowMs - now) / 1000));
    times.push(now);
    return null;
  }
}

export function registerReportRoutes(router: Router, tokens: TokenService): void {
  const downloads = new Map<string, Download>();
  const budget = new ReportBudget();

  const serve = (family: 'copilot' | 'office-or-legacy', version: string) =>
    authorized(tokens, REPORTS_READ, (ctx, claims) => {
      const call = parseCall(ctx.params.fn as string);
      const defs = REPORTS.filter((d) =>
        family === 'copilot'
          ? d.family === 'copilot'
          : d.family === 'office' || (d.family === 'legacyCopilot' && version === 'beta'),
      );
      const def = call ? defs.find((d) => d.name.toLowerCase() === call.name.toLowerCase()) : undefined;
      if (!call || !def)
        throw new GraphError(400, 'BadRequest', `Resource not found for the segment '${ctx.params.fn as string}'.`);
      const period = call.params.period ?? '';
      if (!def.periods.includes(period)) {
        throw new GraphError(
          400,
          'BadRequest',
          `Invalid value '${period}' for parameter 'period'. Allowed values: ${def.periods.join(', ')}.`,
        );
      }
      const format = (queryOption(ctx.url.searchParams, 'format') ?? 'text/csv').toLowerCase();
      if (format !== 'text/csv' && format !== 'application/json')
        throw new GraphError(400, 'BadRequest', `Invalid $format '${format}'.`);
      if (format === 'application/json' && version !== 'beta') {
        throw new GraphError(
          400,
          'BadRequest',
          `$format=application/json is supported in the beta endpoint only; v1.0 reports are CSV.`,
        );
      }
      const wait =
        ctx.store.data.reportBudget === false
          ? null
          : budget.take(claims.appid, format === 'text/csv' ? 'csv' : 'json');
      if (wait !== null) {
        sendGraphError(
          ctx,
          429,
          'TooManyRequests',
          `The application has exceeded the reports throttling limit (${format === 'text/csv' ? REPORT_BUDGET.csv : REPORT_BUDGET.json} requests per 10 minutes). Retry after ${wait} seconds.`,
          { 'Retry-After': String(wait) },
        );
        return;
      }
      const story = usageStory(ctx.store.data);
      if (format === 'text/csv') {
        const token = crypto.randomBytes(16).toString('hex');
        const now = Date.now();
        for (const [k, d] of downloads) if (d.expires < now) downloads.delete(k);
        downloads.set(token, { def, period, expires: now + 15 * 60_000 });
        ctx.res.writeHead(302, {
          Location: `${ctx.baseUrl}/_reportdownload/${token}`,
          'request-id': ctx.requestId,
          'client-request-id': ctx.clientRequestId,
          'Content-Length': '0',
        });
        ctx.res.end();
        return;
      }
      const topRaw = queryOption(ctx.url.searchParams, 'top');
      const top =
        topRaw === null ? JSON_PAGE_SIZE : Math.max(1, Math.min(JSON_PAGE_SIZE, Number(topRaw) || JSON_PAGE_SIZE));
      const skip = queryOption(ctx.url.searchParams, 'skiptoken');
      const offset = skip === null ? 0 : decodeSkipToken(skip).offset;
      const value: unknown[] = [];
      let index = 0;
      let more = false;
      const items = def.json
        ? def.json([...def.rows(ctx.store.data, story, period)])
        : def.rows(ctx.store.data, story, period);
      for (const row of items) {
        if (index++ < offset) continue;
        if (value.length === top) {
          more = true;
          break;
        }
        value.push(row);
      }
      const body: Record<string, unknown> = {
        '@odata.context': metadataContext(ctx, 'Collection(microsoft.graph.report)'),
        value,
      };
      if (more) {
        const params = new URLSearchParams(ctx.url.search);
        params.set('$skiptoken', encodeSkipToken({ offset: offset + value.length, page: 0 }));
        body['@odata.nextLink'] = `${ctx.baseUrl}${ctx.url.pathname}?${decodeURIComponent(params.toString())}`;
      }
      sendGraphJson(ctx, 200, JSON.stringify(body));
    });

  for (const version of GRAPH_VERSIONS) {
    router.get(`/${version}/copilot/reports/:fn`, serve('copilot', version));
    router.get(`/${version}/reports/:fn`, serve('office-or-legacy', version));
    router.get(
      `/${version}/admin/reportSettings`,
      authorized(tokens, REPORT_SETTINGS_READ, (ctx) => {
        const body = {
          '@odata.context': metadataContext(ctx, 'admin/reportSettings/$entity'),
          id: '',
          displayConcealedNames: concealed(ctx.store.data),
        };
        sendGraphJson(ctx, 200, JSON.stringify(body));
      }),
    );
    router.add(
      'PATCH',
      `/${version}/admin/reportSettings`,
      authorized(tokens, REPORT_SETTINGS_WRITE, async (ctx) => {
        let patch: unknown;
        try {
          patch = JSON.parse(await readBody(ctx.req));
        } catch {
          throw new GraphError(400, 'BadRequest', 'The request body is not valid JSON.');
        }
        const value = (patch as { displayConcealedNames?: unknown } | null)?.displayConcealedNames;
        if (typeof value !== 'boolean')
          throw new GraphError(400, 'BadRequest', "Property 'displayConcealedNames' must be a boolean.");
        ctx.store.data.reportSettings = { displayConcealedNames: value };
        ctx.res.writeHead(204, { 'request-id': ctx.requestId, 'client-request-id': ctx.clientRequestId });
        ctx.res.end();
      }),
    );
  }

  // The pre-authenticated download URL a CSV report redirects to (Graph's is on another host and needs no token).
  router.get('/_reportdownload/:token', async (ctx: RequestContext) => {
    const download = downloads.get(ctx.params.token as string);
    if (!download || download.expires < Date.now()) {
      sendGraphError(ctx, 404, 'ResourceNotFound', 'The report download link has expired or does not exist.');
      return;
    }
    const { period } = download;
    const data = ctx.store.data;
    const def = withContentFault(download.def, data.reportContentFault);
    const story = usageStory(data);
    const truncate = data.reportDownloadFault === 'truncate';
    ctx.res.writeHead(200, {
      'Content-Type': 'application/octet-stream',
      'Content-Disposition': `attachment; filename="${def.name}.csv"`,
    });
    const write = async (text: string): Promise<void> => {
      if (!ctx.res.write(text)) await new Promise<void>((resolve) => ctx.res.once('drain', resolve));
    };
    await write(`\uFEFF${def.columns.map(([, header]) => csvCell(header)).join(',')}\r\n`);
    let chunk = '';
    let count = 0;
    for (const row of def.rows(data, story, period)) {
      chunk += `${def.columns.map(([key]) => csvCell(row[key] ?? null)).join(',')}\r\n`;
      count++;
      if (truncate && count === 3) {
        // Half a line, then the connection drops: what a cut download looks like to the client.
        await write(chunk.slice(0, chunk.length - 7));
        ctx.res.destroy();
        return;
      }
      if (chunk.length > 64 * 1024) {
        await write(chunk);
        chunk = '';
      }
    }
    ctx.res.end(chunk);
  });
}

/** The report as the reportContentFault knob spoils it (see DemoTenantData.reportContentFault). */
function withContentFault(def: ReportDef, fault: DemoTenantData['reportContentFault']): ReportDef {
  if (!fault || fault.report.toLowerCase() !== def.name.toLowerCase()) return def;
  switch (fault.kind) {
    case 'empty':
      return { ...def, rows: () => [] };
    case 'missing_column':
      return { ...def, columns: def.columns.filter(([key]) => key !== 'userPrincipalName') };
    case 'unknown_column':
      return {
        ...def,
        columns: [...def.columns, ['copilotAgentsLastActivityDate', 'Copilot Agents Last Activity Date']],
        *rows(data, story, period) {
          for (const row of def.rows(data, story, period))
            yield { ...row, copilotAgentsLastActivityDate: row.reportRefreshDate ?? null };
        },
      };
    case 'malformed_dates': {
      // Like a locale change: every activity date of the row comes out as dd/mm/yyyy.
      const dateKeys = def.columns.map(([key]) => key).filter((key) => /lastactivitydate$|^reportdate$/i.test(key));
      return {
        ...def,
        *rows(data, story, period) {
          let i = 0;
          for (const row of def.rows(data, story, period))
            yield i++ % 5 === 1 ? { ...row, ...Object.fromEntries(dateKeys.map((k) => [k, '21/11/2026'])) } : row;
        },
      };
    }
  }
}
