import { STAR_COLUMNS, STAR_TABLES, type StarColumn, type StarTable } from '../../domain/star-schema';
import { z } from './api-zod';

/**
 * The request and response shapes of the star-schema routes (CSV, zip, OData feed), as zod schemas
 * the routes parse their query with, type their JSON with, and the OpenAPI document is generated from
 * (documentStarRoutes, documentODataRoutes). The row shapes follow STAR_COLUMNS, the one definition
 * of each table's columns.
 */

export const starTableSchema = z.enum(STAR_TABLES, {
  errorMap: () => ({ message: `expected one of ${STAR_TABLES.join(', ')}` }),
});

/** `GET /api/v1/m365/tenants/{id}/exports/star/{table}.csv` and `…/exports/star.zip`: no query parameters. */
export const starExportQuery = z.object({}).strict();

/** The files: UTF-8 CSV with a BOM (header, then one line per row), and a zip of the five. */
export const starCsvResponse = (table: StarTable) =>
  z.string().describe(`UTF-8 with a BOM, header first; columns: ${STAR_COLUMNS[table].map((c) => c.name).join(', ')}.`);
export const starZipResponse = z
  .string()
  .describe(`A zip of ${STAR_TABLES.map((t) => `${t}.csv`).join(', ')} (each as its own CSV export).`);

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

/** `…/odata/{resource}`: a page of any entity set (the table is in @odata.context). */
export const odataAnyCollection = z.union([
  odataCollection(STAR_TABLES[0]),
  odataCollection(STAR_TABLES[1]),
  ...STAR_TABLES.slice(2).map(odataCollection),
]);

/** The service document at the feed's root. */
export const odataServiceDocument = z.object({
  '@odata.context': z.string().url(),
  value: z.array(z.object({ name: starTableSchema, kind: z.literal('EntitySet'), url: z.string() })),
});
