import { z } from 'zod';
import { STAR_COLUMNS, STAR_TABLES, type StarColumn, type StarTable } from '../../domain/star-schema';

/**
 * The request and response shapes of the star-schema routes (CSV, zip, OData feed), as zod schemas
 * the OpenAPI document is generated from. The row shapes follow STAR_COLUMNS, the one definition of
 * each table's columns.
 */

export const starTableSchema = z.enum(STAR_TABLES, {
  errorMap: () => ({ message: `expected one of ${STAR_TABLES.join(', ')}` }),
});

/** `GET /api/v1/m365/tenants/{id}/exports/star/{table}.csv` and `…/exports/star.zip`: no query parameters. */
export const starExportParams = z.object({ id: z.string().min(1), table: starTableSchema });
export const starExportQuery = z.object({}).strict();

/** The files: UTF-8 CSV with a BOM (header, then one line per row), and a zip of the five. */
export const starCsvResponse = z.string().describe('text/csv; charset=utf-8: the table, header first');
export const starZipResponse = z.string().describe('application/zip: fact_user_usage.csv and the four dimensions');

/** OData system query options the feed answers (all optional). */
export const odataQuery = z
  .object({
    $top: z
      .string()
      .regex(/^\d{1,9}$/, 'expected a whole number')
      .optional(),
    $skip: z
      .string()
      .regex(/^\d{1,9}$/, 'expected a whole number')
      .optional(),
    $select: z.string().max(2000).optional(),
    $filter: z.string().max(500).optional(),
    $skiptoken: z.string().max(100).optional(),
    $format: z.enum(['json', 'application/json']).optional(),
  })
  .strict();

const edm = (c: StarColumn): z.ZodTypeAny => {
  const base =
    c.type === 'String' || c.type === 'Date'
      ? z.string()
      : c.type === 'Boolean'
        ? z.boolean()
        : c.type === 'Decimal'
          ? z.number()
          : z.number().int();
  return (c.nullable ? base.nullable() : base).describe(c.description);
};

/** One row of each table, as the feed and the CSV give it. */
export const starRowSchemas = Object.fromEntries(
  STAR_TABLES.map((t) => [t, z.object(Object.fromEntries(STAR_COLUMNS[t].map((c) => [c.name, edm(c)])))]),
) as Record<StarTable, z.ZodObject<Record<string, z.ZodTypeAny>>>;

/** A page of an entity set: `value`, and `@odata.nextLink` while rows remain. */
export const odataCollection = (table: StarTable) =>
  z.object({
    '@odata.context': z.string().url(),
    value: z.array(starRowSchemas[table].partial()),
    '@odata.nextLink': z.string().url().optional(),
  });

/** The service document at the feed's root. */
export const odataServiceDocument = z.object({
  '@odata.context': z.string().url(),
  value: z.array(z.object({ name: starTableSchema, kind: z.literal('EntitySet'), url: z.string() })),
});

/** Every star-schema route with its shapes, for the OpenAPI document (paths in OpenAPI's `{param}` form). */
export const starRouteShapes = [
  {
    method: 'get',
    path: '/api/v1/m365/tenants/{id}/exports/star/{table}.csv',
    summary: 'One table of the Power BI star schema as CSV',
    params: starExportParams,
    query: starExportQuery,
    response: { contentType: 'text/csv; charset=utf-8', schema: starCsvResponse },
    errors: [400, 401, 404],
  },
  {
    method: 'get',
    path: '/api/v1/m365/tenants/{id}/exports/star.zip',
    summary: 'The five tables of the Power BI star schema as CSV files in one zip',
    params: starExportParams.pick({ id: true }),
    query: starExportQuery,
    response: { contentType: 'application/zip', schema: starZipResponse },
    errors: [400, 401, 404],
  },
  {
    method: 'get',
    path: '/api/v1/m365/tenants/{id}/odata',
    summary: 'OData v4 service document of the star schema',
    params: starExportParams.pick({ id: true }),
    query: odataQuery.pick({ $format: true }),
    response: { contentType: 'application/json', schema: odataServiceDocument },
    errors: [400, 401, 404],
  },
  {
    method: 'get',
    path: '/api/v1/m365/tenants/{id}/odata/$metadata',
    summary: 'OData v4 CSDL of the star schema',
    params: starExportParams.pick({ id: true }),
    query: odataQuery.pick({ $format: true }),
    response: { contentType: 'application/xml', schema: z.string().describe('CSDL (EDMX 4.0)') },
    errors: [400, 401, 404],
  },
  ...STAR_TABLES.map((table) => ({
    method: 'get',
    path: `/api/v1/m365/tenants/{id}/odata/${table}`,
    summary: `OData v4 entity set ${table}, paged with @odata.nextLink`,
    params: starExportParams.pick({ id: true }),
    query: odataQuery,
    response: { contentType: 'application/json', schema: odataCollection(table) },
    errors: [400, 401, 404],
  })),
] as const;
