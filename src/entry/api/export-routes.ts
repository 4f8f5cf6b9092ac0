import { setImmediate as nextTurn } from 'node:timers/promises';
import type { Logger } from 'pino';
import type { Request, Response, Server } from 'restify';
import type { TenantRecord } from '../../domain/tenant';
import type { AnalyticsReads } from '../../usecases/analytics/ports';
import type { DepartmentFigures, DepartmentReport } from '../../domain/departments';
import { EXPORT_KINDS, type ExportKind, type StoredCandidate, type StoredSeat } from '../../domain/seat-records';
import type { TenantReads } from '../../usecases/status/ports';
import type { ExportTokenCheck } from '../../domain/seat-records';
import { ApiError } from './api-errors';
import { failDownload, parseQuery, tenantFromPath } from './api-route';
import {
  CSV_BOM,
  CSV_CONTENT_TYPE,
  csvLine,
  downloadHeaders,
  tenantFileName,
  writeDownload,
  type CsvValue,
} from './csv';
import { either, NO_TENANT, noQuery, type ApiDoc } from './api-doc';
import { z } from './api-zod';

/** The CSV export contract, exactly: these headers in this order. */
export const UNDERUTILIZED_HEADERS = [
  'UserPrincipalName',
  'DisplayName',
  'Email',
  'Department',
  'Location',
  'LicenseAssignedDate',
  'LastActivityDate',
  'DaysSinceLastActivity',
  'UsageScore',
  'Recommendation',
] as const;
export const CANDIDATE_HEADERS = [
  'UserPrincipalName',
  'DisplayName',
  'Email',
  'Department',
  'Location',
  'M365ActivityScore',
  'RecommendedPriority',
] as const;

/** The department chargeback export: one row per department (aggregates, no names), most idle money first. */
export const DEPARTMENT_HEADERS = [
  'Department',
  'CopilotSeats',
  'Active',
  'Idle',
  'UtilizationPercent',
  'MonthlyCost',
  'IdleMonthlyCost',
  'Currency',
  'AsOf',
] as const;

export function departmentRow(d: DepartmentFigures, currency: string | null, asOf: string): CsvValue[] {
  return [d.name, d.seats, d.active, d.idle, d.utilization.percent, d.monthlyCost, d.idleMonthlyCost, currency, asOf];
}

/**
 * Underutilized = seats to reclaim (certain, then probable, longest idle first) and then seats to
 * review: an admin deciding what to take back needs the borderline ones in front of them too, and the
 * Recommendation column tells them apart. Excluded and kept seats are not in it.
 */
export const UNDERUTILIZED_RECOMMENDATIONS = ['reclaim', 'review'] as const;

export function recommendationText(seat: Pick<StoredSeat, 'recommendation' | 'tier'>): string {
  const word = seat.recommendation.charAt(0).toUpperCase() + seat.recommendation.slice(1);
  return seat.tier ? `${word} (${seat.tier})` : word;
}

export function underutilizedRow(s: StoredSeat): CsvValue[] {
  return [
    s.userPrincipalName,
    s.displayName,
    s.mail,
    s.department,
    s.officeLocation,
    s.licenseAssignedDate,
    s.lastActivityDate?.slice(0, 10),
    s.daysSinceLastActivity,
    s.usageScore,
    recommendationText(s),
  ];
}

export function candidateRow(c: StoredCandidate): CsvValue[] {
  return [c.userPrincipalName, c.displayName, c.mail, c.department, c.officeLocation, c.m365ActivityScore, c.priority];
}

/** Rows a page: a page is read and encoded in one go, then the event loop gets a turn. */
export const EXPORT_PAGE_ROWS = 1000;

export interface ExportDeps {
  tenants: TenantReads;
  analytics: AnalyticsReads;
  authorize: (req: Request) => void;
  /** The department chargeback of a tenant (DepartmentChargeback.report, without the trend). */
  departments: (tenantId: string) => DepartmentReport | undefined;
  /** The signed links' check (SignedExportLinks.check). */
  checkLink: (token: string, now: Date) => ExportTokenCheck;
  logger: Logger;
}

const EXPORT_COLUMNS: Record<ExportKind, readonly string[]> = {
  underutilized: UNDERUTILIZED_HEADERS,
  candidates: CANDIDATE_HEADERS,
  departments: DEPARTMENT_HEADERS,
};
const csvFile = (kind: ExportKind) => ({
  contentType: CSV_CONTENT_TYPE.split(';')[0],
  schema: z.string().openapi({ description: `UTF-8 with a BOM; columns: ${EXPORT_COLUMNS[kind].join(', ')}.` }),
});
const plainText = { contentType: 'text/plain', schema: z.string() };

export function documentExportRoutes(doc: ApiDoc): void {
  for (const kind of EXPORT_KINDS)
    doc.route({
      method: 'get',
      path: `/api/v1/m365/tenants/:id/exports/${kind}.csv`,
      tag: 'Exports',
      summary: `The ${kind} CSV export of the tenant's current seat analytics`,
      query: noQuery,
      responses: { 200: { description: 'The file (an attachment), streamed.', content: csvFile(kind) } },
      errors: {
        404: either(NO_TENANT, {
          description: 'No seat analytics yet (analytics_not_available): run a sync.',
          codes: ['analytics_not_available'],
        }),
      },
    });
  doc.route({
    method: 'get',
    path: '/exports/*',
    wildcard: 'token',
    tag: 'Exports',
    summary: 'A CSV export through a signed link from a card (no API key: the signature is the credential)',
    auth: 'none',
    params: z.object({ token: z.string().openapi({ description: 'The signed token of the link.' }) }),
    responses: {
      200: {
        description: 'The file the link was made for.',
        content: {
          contentType: 'text/csv',
          schema: z.string().openapi({ description: 'As the API export of its kind.' }),
        },
      },
    },
    errors: {
      403: { description: 'The link is malformed or its signature is wrong (plain text).', content: plainText },
      404: { description: 'No seat analytics for the tenant yet (plain text).', content: plainText },
      410: { description: 'The link expired, or its tenant is gone (plain text).', content: plainText },
      500: {
        description: 'Seat Steward failed to export (internal_error, with an error id).',
        codes: ['internal_error'],
      },
    },
  });
}

/**
 * `GET /api/v1/m365/tenants/{id}/exports/underutilized.csv` and `.../candidates.csv` (API key), and
 * `GET /exports/{token}`: the same file for a signed link from a card, with no API key (the signature
 * is the credential). Files are streamed a page at a time, never built whole.
 */
export function registerExportRoutes(server: Server, deps: ExportDeps): void {
  for (const kind of EXPORT_KINDS) {
    server.get(`/api/v1/m365/tenants/:id/exports/${kind}.csv`, async (req: Request, res: Response) => {
      try {
        deps.authorize(req);
        const tenant = tenantFromPath(deps.tenants, req);
        parseQuery(noQuery, req);
        await streamExport(deps, res, tenant, kind, new Date());
      } catch (error) {
        failDownload(deps.logger, req, res, error, 'CSV export');
      }
    });
  }

  // A wildcard, not :token: the router refuses path parameters over 100 characters, and a token is longer.
  server.get('/exports/*', async (req: Request, res: Response) => {
    try {
      const checked = deps.checkLink(String(req.params['*'] ?? ''), new Date());
      if (!checked.ok) return refuse(res, checked.reason === 'expired' ? 410 : 403, checked.message);
      const tenant = deps.tenants.find(checked.tenantId);
      if (!tenant)
        return refuse(res, 410, 'The tenant this export link was made for is no longer connected to Seat Steward.');
      await streamExport(deps, res, tenant, checked.kind, new Date());
    } catch (error) {
      if (error instanceof ApiError) return refuse(res, error.status, error.message);
      failDownload(deps.logger, req, res, error, 'CSV export');
    }
  });
}

/** A plain-text refusal: the link is opened in a browser, where a JSON error envelope would read badly. */
function refuse(res: Response, status: number, message: string): void {
  res.writeHead(status, { 'Content-Type': 'text/plain; charset=utf-8', 'Cache-Control': 'no-store' });
  res.end(`${message}\n`);
}

export function exportFileName(tenant: TenantRecord, kind: ExportKind, now: Date): string {
  return `${tenantFileName(tenant)}-${kind}-${now.toISOString().slice(0, 10)}.csv`;
}

async function streamExport(
  deps: ExportDeps,
  res: Response,
  tenant: TenantRecord,
  kind: ExportKind,
  now: Date,
): Promise<void> {
  if (kind === 'departments') return departmentExport(deps, res, tenant, now);
  const current = deps.analytics.summary(tenant.id);
  if (!current)
    throw new ApiError(
      404,
      'analytics_not_available',
      `No seat analytics for tenant ${tenant.tenantName} yet: they are computed by a sync. Run one (POST .../sync or "sync" in chat) and try again.`,
    );
  const pages =
    kind === 'underutilized'
      ? underutilizedPages(deps.analytics, tenant.id)
      : candidatePages(deps.analytics, tenant.id);

  res.writeHead(200, downloadHeaders(CSV_CONTENT_TYPE, exportFileName(tenant, kind, now)));
  let closed = false;
  res.once('close', () => (closed = true));
  await writeDownload(res, CSV_BOM + csvLine(kind === 'underutilized' ? UNDERUTILIZED_HEADERS : CANDIDATE_HEADERS));
  for (const page of pages) {
    if (closed) return;
    // A sync published meanwhile: the rest would come from another snapshot, so the file is cut rather than mixed.
    if (deps.analytics.summary(tenant.id)?.snapshotId !== current.snapshotId)
      throw new Error('a sync published new analytics while the export was being written');
    await writeDownload(res, page.map(csvLine).join(''));
    await nextTurn();
  }
  res.end();
}

/** A few hundred rows at most (one per department), read in one go: one snapshot by construction. */
async function departmentExport(deps: ExportDeps, res: Response, tenant: TenantRecord, now: Date): Promise<void> {
  const report = deps.departments(tenant.id);
  if (!report)
    throw new ApiError(
      404,
      'analytics_not_available',
      `No seat analytics for tenant ${tenant.tenantName} yet: they are computed by a sync. Run one (POST .../sync or "sync" in chat) and try again.`,
    );
  res.writeHead(200, downloadHeaders(CSV_CONTENT_TYPE, exportFileName(tenant, 'departments', now)));
  const rows = report.departments.map((d) => csvLine(departmentRow(d, report.currency, report.asOf)));
  await writeDownload(res, CSV_BOM + csvLine(DEPARTMENT_HEADERS) + rows.join(''));
  res.end();
}

function* underutilizedPages(reads: AnalyticsReads, tenantId: string): Generator<CsvValue[][]> {
  for (const recommendation of UNDERUTILIZED_RECOMMENDATIONS) {
    for (let offset = 0; ; offset += EXPORT_PAGE_ROWS) {
      const page = reads.seats(tenantId, { recommendation, offset, limit: EXPORT_PAGE_ROWS });
      if (!page || page.rows.length === 0) break;
      yield page.rows.map(underutilizedRow);
      if (page.rows.length < EXPORT_PAGE_ROWS) break;
    }
  }
}

function* candidatePages(reads: AnalyticsReads, tenantId: string): Generator<CsvValue[][]> {
  for (let offset = 0; ; offset += EXPORT_PAGE_ROWS) {
    const page = reads.candidates(tenantId, { offset, limit: EXPORT_PAGE_ROWS });
    if (!page || page.rows.length === 0) break;
    yield page.rows.map(candidateRow);
    if (page.rows.length < EXPORT_PAGE_ROWS) break;
  }
}
