import { setImmediate as nextTurn } from 'node:timers/promises';
import { Zip, ZipDeflate } from 'fflate';
import type { Logger } from 'pino';
import type { Request, Response, Server } from 'restify';
import { STAR_COLUMNS, STAR_TABLES, type StarRow, type StarTable, type StarValue } from '../../domain/star-schema';
import type { TenantRecord } from '../../domain/tenant';
import type { StarSchema } from '../../usecases/star-schema/star-schema';
import type { TenantReads } from '../../usecases/status/ports';
import { either, NO_TENANT, tenantPathParams, type ApiDoc, type ErrorDoc } from './api-doc';
import { ApiError } from './api-errors';
import { failDownload, parseQuery, tenantFromPath } from './api-route';
import { z } from './api-zod';
import {
  CSV_BOM,
  CSV_CONTENT_TYPE,
  csvLine,
  downloadHeaders,
  drained,
  tenantFileName,
  writeDownload,
  type CsvValue,
} from './csv';
import { starCsvResponse, starExportQuery, starZipResponse } from './star-schemas';

export interface StarRouteDeps {
  tenants: TenantReads;
  star: Pick<StarSchema, 'pages' | 'capturedDays'>;
  authorize: (req: Request) => void;
  logger: Logger;
}

/** The tenant has no captured day yet: a sync records one. */
export function historyNotAvailable(tenant: TenantRecord): ApiError {
  return new ApiError(
    404,
    'history_not_available',
    `No daily history for tenant ${tenant.tenantName} yet: each day's last sync records it. Run a sync (POST /api/v1/m365/tenants/${tenant.id}/sync) and try again.`,
  );
}

/** A CSV cell: booleans as true/false (Power Query reads them as logical), the rest as csv.ts writes it. */
function cell(value: StarValue): CsvValue {
  return typeof value === 'boolean' ? (value ? 'true' : 'false') : value;
}

export function starCsvHeader(table: StarTable): string {
  return csvLine(STAR_COLUMNS[table].map((c) => c.name));
}

export function starCsvLines(table: StarTable, rows: readonly StarRow[]): string {
  const columns = STAR_COLUMNS[table];
  return rows.map((r) => csvLine(columns.map((c) => cell(r[c.name] ?? null)))).join('');
}

/**
 * `GET /api/v1/m365/tenants/{id}/exports/star/{table}.csv` and `…/exports/star.zip` (API key): the
 * Power BI star schema as files, streamed a page at a time, never built whole.
 */
export function registerStarRoutes(server: Server, deps: StarRouteDeps): void {
  for (const table of STAR_TABLES) {
    server.get(`/api/v1/m365/tenants/:id/exports/star/${table}.csv`, async (req: Request, res: Response) => {
      try {
        deps.authorize(req);
        const tenant = tenantFromPath(deps.tenants, req);
        parseQuery(starExportQuery, req);
        const days = deps.star.capturedDays(tenant.id);
        if (days.length === 0) throw historyNotAvailable(tenant);
        await streamCsv(deps, res, tenant, table, days);
      } catch (error) {
        failDownload(deps.logger, req, res, error, 'star-schema export');
      }
    });
  }
  // Any other name under star/: say which tables there are (after the key check, like every route).
  server.get('/api/v1/m365/tenants/:id/exports/star/:file', async (req: Request, res: Response) => {
    try {
      deps.authorize(req);
      tenantFromPath(deps.tenants, req);
      const file = String(req.params.file ?? '').slice(0, 80);
      throw new ApiError(
        404,
        'table_not_found',
        `No star-schema table "${file}": the files are ${STAR_TABLES.map((t) => `${t}.csv`).join(', ')}, or all of them in exports/star.zip.`,
      );
    } catch (error) {
      failDownload(deps.logger, req, res, error, 'star-schema export');
    }
  });
  server.get('/api/v1/m365/tenants/:id/exports/star.zip', async (req: Request, res: Response) => {
    try {
      deps.authorize(req);
      const tenant = tenantFromPath(deps.tenants, req);
      parseQuery(starExportQuery, req);
      const days = deps.star.capturedDays(tenant.id);
      if (days.length === 0) throw historyNotAvailable(tenant);
      await streamZip(deps, res, tenant, days);
    } catch (error) {
      failDownload(deps.logger, req, res, error, 'star-schema export');
    }
  });
}

/** historyNotAvailable's 404, as the document gives it. */
export const NO_HISTORY: ErrorDoc = {
  description: 'No daily history for the tenant yet (history_not_available): a sync records the day.',
  codes: ['history_not_available'],
};

/** The OpenAPI description of the star-schema files, from star-schemas.ts. */
export function documentStarRoutes(doc: ApiDoc): void {
  for (const table of STAR_TABLES)
    doc.route({
      method: 'get',
      path: `/api/v1/m365/tenants/:id/exports/star/${table}.csv`,
      tag: 'Power BI star schema',
      summary: `The ${table} table of the Power BI star schema as CSV, every captured day`,
      query: starExportQuery,
      responses: {
        200: {
          description: 'The file (an attachment), streamed.',
          content: { contentType: CSV_CONTENT_TYPE.split(';')[0], schema: starCsvResponse(table) },
        },
      },
      errors: { 404: either(NO_TENANT, NO_HISTORY) },
    });
  doc.route({
    method: 'get',
    path: '/api/v1/m365/tenants/:id/exports/star/:file',
    tag: 'Power BI star schema',
    summary: 'Any other file name under exports/star/: 404 naming the tables there are',
    params: tenantPathParams.extend({ file: z.string().openapi({ description: 'Not one of the five tables.' }) }),
    responses: {},
    errors: {
      404: either(NO_TENANT, {
        description: 'No such star-schema table (table_not_found); the message lists the files.',
        codes: ['table_not_found'],
      }),
    },
  });
  doc.route({
    method: 'get',
    path: '/api/v1/m365/tenants/:id/exports/star.zip',
    tag: 'Power BI star schema',
    summary: 'The five tables of the Power BI star schema as CSV files in one zip',
    query: starExportQuery,
    responses: {
      200: {
        description: 'The zip (an attachment), deflated as it is streamed.',
        content: { contentType: 'application/zip', schema: starZipResponse },
      },
    },
    errors: { 404: either(NO_TENANT, NO_HISTORY) },
  });
}

async function streamCsv(
  deps: StarRouteDeps,
  res: Response,
  tenant: TenantRecord,
  table: StarTable,
  days: readonly string[],
): Promise<void> {
  res.writeHead(
    200,
    downloadHeaders(CSV_CONTENT_TYPE, `${tenantFileName(tenant)}-${table}-${days[days.length - 1]}.csv`),
  );
  let closed = false;
  res.once('close', () => (closed = true));
  await writeDownload(res, CSV_BOM + starCsvHeader(table));
  for await (const page of deps.star.pages(tenant.id, table, { days })) {
    if (closed) return;
    await writeDownload(res, starCsvLines(table, page));
    await nextTurn();
  }
  res.end();
}

/**
 * The five CSV files in one zip, deflated as they are written. The fact table goes first and every
 * table reads the same captured days, so each key in it is in its dimension.
 */
async function streamZip(deps: StarRouteDeps, res: Response, tenant: TenantRecord, days: readonly string[]) {
  res.writeHead(200, downloadHeaders('application/zip', `${tenantFileName(tenant)}-star-${days[days.length - 1]}.zip`));
  let closed = false;
  res.once('close', () => (closed = true));
  let failure: Error | null = null;
  const zip = new Zip((error, chunk, final) => {
    if (error) failure = error;
    else if (!closed) {
      res.write(chunk);
      if (final) res.end();
    }
  });
  const encoder = new TextEncoder();
  for (const table of STAR_TABLES) {
    const file = new ZipDeflate(`${table}.csv`, { level: 6 });
    zip.add(file);
    file.push(encoder.encode(CSV_BOM + starCsvHeader(table)));
    for await (const page of deps.star.pages(tenant.id, table, { days })) {
      if (closed) return zip.terminate();
      file.push(encoder.encode(starCsvLines(table, page)));
      if (failure) throw failure;
      await drained(res);
      await nextTurn();
    }
    file.push(new Uint8Array(0), true);
  }
  zip.end();
  if (failure) throw failure;
}
