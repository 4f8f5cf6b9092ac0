import type { Logger } from 'pino';
import type { Request, Response, Server } from 'restify';
import type { CohortMonth } from '../../domain/seat-cohorts';
import type { TenantRecord } from '../../domain/tenant';
import { MAX_COHORT_MONTHS, type SeatCohortReport } from '../../usecases/cohorts/seat-cohorts-query';
import type { TenantReads } from '../../usecases/status/ports';
import { either, NO_TENANT, type ApiDoc, type ErrorDoc } from './api-doc';
import { ApiError } from './api-errors';
import { failDownload, integer, jsonRoute, parseQuery, tenantFromPath } from './api-route';
import { z } from './api-zod';
import { CSV_CONTENT_TYPE, csvDocument, downloadHeaders, tenantFileName, type CsvValue } from './csv';

export interface CohortRouteDeps {
  tenants: TenantReads;
  /** The tenant's seat cohorts of the last `months` months (SeatCohortsQuery.report). */
  cohorts: (tenantId: string, months: number) => SeatCohortReport | undefined;
  authorize: (req: Request) => void;
  logger: Logger;
}

export const DEFAULT_COHORT_MONTHS = 12;

/** `?months=`: how many months, the current one included (1 to 24, default 12). */
export const cohortQuerySchema = z
  .object({ months: integer('months', 1, MAX_COHORT_MONTHS, DEFAULT_COHORT_MONTHS) })
  .strict();

/** One month of GET …/copilot/cohorts (definitions: README "Seat cohorts", src/domain/seat-cohorts.ts). */
export const cohortMonthSchema = z.object({
  month: z
    .string()
    .regex(/^\d{4}-\d{2}$/)
    .describe('Calendar month, UTC (YYYY-MM).'),
  captured_days: z.number().int().describe('Days of the month with a recorded sync (0: no history for the month).'),
  partial: z.boolean().describe('The month is still running.'),
  seat_holders: z.number().int().describe('Users holding a Copilot seat on a captured day of the month.'),
  active: z.number().int().describe('Seat holders with Copilot activity dated in the month.'),
  retained: z.number().int().nullable().describe('Active this month and last month; null unless both were captured.'),
  reactivated: z
    .number()
    .int()
    .nullable()
    .describe('Active this month, held a seat last month without activity; null unless both were captured.'),
  lapsed: z
    .number()
    .int()
    .nullable()
    .describe('Active last month, holding a seat this month without activity; null unless both were captured.'),
  reclaimed: z.number().int().describe("Seats removed through Seat Steward's reclaim in the month (not undone)."),
  newly_assigned: z.number().int().describe('Seat assignments that began in the month.'),
  first_use: z.object({
    used: z.number().int().describe("Of the month's new assignments, those used since."),
    median_days: z.number().nullable().describe('Median days from assignment to first use; null when none was used.'),
  }),
});

export const cohortsResponseSchema = z.object({
  tenant_id: z.string(),
  as_of: z.string().describe('When the figures were worked out: after each recorded sync (reclaimed is counted live).'),
  history_from: z.string().nullable().describe('The first day of the kept daily history (HISTORY_DAYS).'),
  months: z.array(cohortMonthSchema).describe('Newest first; the first is the current month.'),
});

export type CohortsResponse = z.infer<typeof cohortsResponseSchema>;

function monthJson(m: CohortMonth): z.infer<typeof cohortMonthSchema> {
  return {
    month: m.month,
    captured_days: m.capturedDays,
    partial: m.partial,
    seat_holders: m.seatHolders,
    active: m.active,
    retained: m.retained,
    reactivated: m.reactivated,
    lapsed: m.lapsed,
    reclaimed: m.reclaimed,
    newly_assigned: m.newlyAssigned,
    first_use: { used: m.firstUse.used, median_days: m.firstUse.medianDays },
  };
}

export function cohortsJson(tenantId: string, report: SeatCohortReport): CohortsResponse {
  return {
    tenant_id: tenantId,
    as_of: report.asOf,
    history_from: report.historyFrom,
    months: report.months.map(monthJson),
  };
}

/** The cohort export: one row per month, newest first, the JSON's figures. */
export const COHORT_HEADERS = [
  'Month',
  'CapturedDays',
  'Partial',
  'SeatHolders',
  'Active',
  'Retained',
  'Reactivated',
  'Lapsed',
  'Reclaimed',
  'NewlyAssigned',
  'FirstUseCount',
  'FirstUseMedianDays',
] as const;

export function cohortRow(m: CohortMonth): CsvValue[] {
  return [
    m.month,
    m.capturedDays,
    m.partial ? 'true' : 'false',
    m.seatHolders,
    m.active,
    m.retained,
    m.reactivated,
    m.lapsed,
    m.reclaimed,
    m.newlyAssigned,
    m.firstUse.used,
    m.firstUse.medianDays,
  ];
}

function noHistory(tenant: TenantRecord): ApiError {
  return new ApiError(
    404,
    'history_not_available',
    `No daily history for tenant ${tenant.tenantName} yet: seat cohorts come from it, and each sync records its day. Run a sync (POST /api/v1/m365/tenants/${tenant.id}/sync) and try again.`,
  );
}

const NO_COHORT_HISTORY: ErrorDoc = {
  description: 'No daily history for the tenant yet (history_not_available): a sync records the day.',
  codes: ['history_not_available'],
};

/** The OpenAPI description of the cohort routes, from the schemas above. */
export function documentCohortRoutes(doc: ApiDoc): void {
  doc.route({
    method: 'get',
    path: '/api/v1/m365/tenants/:id/copilot/cohorts',
    tag: 'Copilot',
    summary: 'Seat cohorts per month: retained, reactivated, lapsed, reclaimed, newly assigned, time to first use',
    query: cohortQuerySchema,
    responses: { 200: { description: 'The months, newest first.', content: cohortsResponseSchema } },
    errors: { 404: either(NO_TENANT, NO_COHORT_HISTORY) },
  });
  doc.route({
    method: 'get',
    path: '/api/v1/m365/tenants/:id/exports/cohorts.csv',
    tag: 'Exports',
    summary: 'The seat cohorts as CSV, one row per month, newest first',
    query: cohortQuerySchema,
    responses: {
      200: {
        description: 'The file (an attachment).',
        content: {
          contentType: CSV_CONTENT_TYPE.split(';')[0],
          schema: z.string().openapi({ description: `UTF-8 with a BOM; columns: ${COHORT_HEADERS.join(', ')}.` }),
        },
      },
    },
    errors: { 404: either(NO_TENANT, NO_COHORT_HISTORY) },
  });
}

/**
 * `GET /api/v1/m365/tenants/{id}/copilot/cohorts` (JSON) and `GET …/exports/cohorts.csv`: seat
 * cohorts per month, newest first. Both with the API key; a key scoped to clients sees its tenants only.
 */
export function registerCohortRoutes(server: Server, deps: CohortRouteDeps): void {
  const handle = jsonRoute(deps);
  server.get(
    '/api/v1/m365/tenants/:id/copilot/cohorts',
    handle((req) => {
      const tenant = tenantFromPath(deps.tenants, req);
      const { months } = parseQuery(cohortQuerySchema, req);
      const report = deps.cohorts(tenant.id, months);
      if (!report) throw noHistory(tenant);
      return cohortsJson(tenant.id, report);
    }),
  );
  server.get('/api/v1/m365/tenants/:id/exports/cohorts.csv', async (req: Request, res: Response) => {
    try {
      deps.authorize(req);
      const tenant = tenantFromPath(deps.tenants, req);
      const { months } = parseQuery(cohortQuerySchema, req);
      const report = deps.cohorts(tenant.id, months);
      if (!report) throw noHistory(tenant);
      // A row per month (24 at most): written in one go.
      res.writeHead(
        200,
        downloadHeaders(CSV_CONTENT_TYPE, `${tenantFileName(tenant)}-cohorts-${report.months[0]?.month ?? 'none'}.csv`),
      );
      res.end(csvDocument(COHORT_HEADERS, report.months.map(cohortRow)));
    } catch (error) {
      failDownload(deps.logger, req, res, error, 'cohort CSV export');
    }
  });
}
