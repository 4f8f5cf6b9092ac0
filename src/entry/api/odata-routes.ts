import { setImmediate as nextTurn } from 'node:timers/promises';
import type { Logger } from 'pino';
import type { Request, Response, Server } from 'restify';
import {
  isStarTable,
  STAR_COLUMNS,
  STAR_KEYS,
  STAR_TABLES,
  type StarColumnType,
  type StarRow,
  type StarTable,
} from '../../domain/star-schema';
import type { StarCursor, StarSchema } from '../../usecases/star-schema/star-schema';
import type { TenantReads } from '../../usecases/status/ports';
import { either, NO_TENANT, tenantPathParams, type ApiDoc } from './api-doc';
import { ApiError } from './api-errors';
import { parseQuery, sendFailure, tenantFromPath } from './api-route';
import { z } from './api-zod';
import { historyNotAvailable, NO_HISTORY } from './star-routes';
import { odataAnyCollection, odataCollection, odataQuery, odataServiceDocument } from './star-schemas';

export interface ODataRouteDeps {
  tenants: TenantReads;
  star: Pick<StarSchema, 'pages' | 'capturedDays'>;
  authorize: (req: Request) => void;
  /** Where clients reach this server (PUBLIC_BASE_URL, else the request's host): @odata.context and nextLink are absolute. */
  baseUrl: (req: Request) => string;
  logger: Logger;
}

/** Rows per response page at most; `Prefer: odata.maxpagesize` asks for fewer. */
export const ODATA_PAGE_ROWS = 5000;
const NAMESPACE = 'SeatSteward.PowerBI';
const ODATA_HEADERS = { 'OData-Version': '4.0' };
const JSON_TYPE = 'application/json; odata.metadata=minimal; charset=utf-8';

const EDM: Record<StarColumnType, string> = {
  Int64: 'Edm.Int64',
  Int32: 'Edm.Int32',
  String: 'Edm.String',
  Boolean: 'Edm.Boolean',
  Date: 'Edm.Date',
  Decimal: 'Edm.Decimal',
};

const xml = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

/** The CSDL of the feed: one entity type and entity set per table, keyed as STAR_KEYS says. */
export function odataMetadata(): string {
  const types = STAR_TABLES.map((t) => {
    const keys = STAR_KEYS[t].map((k) => `<PropertyRef Name="${k}"/>`).join('');
    const props = STAR_COLUMNS[t]
      .map(
        (c) =>
          `<Property Name="${c.name}" Type="${EDM[c.type]}" Nullable="${c.nullable}"${c.type === 'Decimal' ? ' Precision="19" Scale="4"' : ''}>` +
          (c.description ? `<Annotation Term="Org.OData.Core.V1.Description" String="${xml(c.description)}"/>` : '') +
          `</Property>`,
      )
      .join('\n        ');
    return `      <EntityType Name="${t}">\n        <Key>${keys}</Key>\n        ${props}\n      </EntityType>`;
  }).join('\n');
  const sets = STAR_TABLES.map((t) => `        <EntitySet Name="${t}" EntityType="${NAMESPACE}.${t}"/>`).join('\n');
  return `<?xml version="1.0" encoding="utf-8"?>
<edmx:Edmx Version="4.0" xmlns:edmx="http://docs.oasis-open.org/odata/ns/edmx">
  <edmx:Reference Uri="https://oasis-tcs.github.io/odata-vocabularies/vocabularies/Org.OData.Core.V1.xml">
    <edmx:Include Namespace="Org.OData.Core.V1"/>
  </edmx:Reference>
  <edmx:DataServices>
    <Schema Namespace="${NAMESPACE}" xmlns="http://docs.oasis-open.org/odata/ns/edm">
${types}
      <EntityContainer Name="CopilotLicenseAnalytics">
${sets}
      </EntityContainer>
    </Schema>
  </edmx:DataServices>
</edmx:Edmx>
`;
}

type Comparison = 'eq' | 'ne' | 'gt' | 'ge' | 'lt' | 'le';
const COMPARE: Record<Comparison, (a: number, b: number) => boolean> = {
  eq: (a, b) => a === b,
  ne: (a, b) => a !== b,
  gt: (a, b) => a > b,
  ge: (a, b) => a >= b,
  lt: (a, b) => a < b,
  le: (a, b) => a <= b,
};

/** `$filter`: comparisons of DateKey with a whole number, joined by `and` (what folding a date range gives). */
export function parseDateKeyFilter(table: StarTable, filter: string): (dateKey: number) => boolean {
  const refuse = (why: string) =>
    new ApiError(400, 'invalid_parameter', `Invalid query parameter: $filter: ${why}`, [`$filter: ${why}`]);
  if (table !== 'fact_user_usage' && table !== 'dim_date')
    throw refuse(`${table} cannot be filtered; fact_user_usage and dim_date take $filter on DateKey`);
  const tests = filter
    .trim()
    .split(/\s+and\s+/i)
    .map((part) => {
      const m = /^\(?\s*DateKey\s+(eq|ne|gt|ge|lt|le)\s+(\d{1,8})\s*\)?$/.exec(part.trim());
      if (!m)
        throw refuse(
          `only comparisons of DateKey with a YYYYMMDD number joined by "and" are supported (e.g. DateKey ge 20260101 and DateKey lt 20260201), not "${part.trim().slice(0, 60)}"`,
        );
      const op = COMPARE[m[1] as Comparison];
      const value = Number(m[2]);
      return (key: number) => op(key, value);
    });
  return (key) => tests.every((t) => t(key));
}

function parseSelect(table: StarTable, select: string | undefined): string[] | null {
  if (select === undefined || select.trim() === '*') return null;
  const names = new Set(STAR_COLUMNS[table].map((c) => c.name));
  const picked = select.split(',').map((s) => s.trim());
  const unknown = picked.filter((p) => !names.has(p));
  if (unknown.length > 0 || picked.length === 0)
    throw new ApiError(
      400,
      'invalid_parameter',
      `Invalid query parameter: $select: ${table} has no column ${unknown.map((u) => `"${u.slice(0, 40)}"`).join(', ')}; its columns are ${[...names].join(', ')}`,
      [`$select: unknown column`],
    );
  return picked;
}

/** `$skiptoken`: the key of the last row given out, its values joined by "-". */
function parseSkipToken(table: StarTable, token: string | undefined): StarCursor | null {
  if (token === undefined) return null;
  const parts = token.split('-');
  if (parts.length !== STAR_KEYS[table].length || !parts.every((p) => /^\d{1,16}$/.test(p)))
    throw new ApiError(
      400,
      'invalid_parameter',
      'Invalid query parameter: $skiptoken: not a token this feed gave out; follow @odata.nextLink as it is.',
      ['$skiptoken: not a token this feed gave out'],
    );
  return parts.map(Number);
}

function pageSizeOf(req: Request, res: Response): number {
  const m = /(?:^|[,;\s])odata\.maxpagesize\s*=\s*(\d{1,9})/i.exec(req.header('prefer') ?? '');
  if (!m) return ODATA_PAGE_ROWS;
  const asked = Math.max(1, Math.min(ODATA_PAGE_ROWS, Number(m[1])));
  res.header('Preference-Applied', `odata.maxpagesize=${asked}`);
  return asked;
}

/**
 * An OData v4 feed of the star schema per tenant (API key, client scope as every tenant route), as
 * Power BI's OData connector reads it: the service document, `$metadata` (CSDL), one entity set per
 * table with server-driven paging (`@odata.nextLink` carries the last key, so each row comes once
 * however the history grows meanwhile), and `$top`, `$skip`, `$select`, `$filter` on DateKey.
 */
export function registerODataRoutes(server: Server, deps: ODataRouteDeps): void {
  const root = (req: Request, tenantId: string) => `${deps.baseUrl(req)}/api/v1/m365/tenants/${tenantId}/odata`;

  const serviceDocument = async (req: Request, res: Response) => {
    try {
      deps.authorize(req);
      const tenant = tenantFromPath(deps.tenants, req);
      parseQuery(odataQuery.pick({ $format: true }), req);
      const base = root(req, tenant.id);
      const body: z.infer<typeof odataServiceDocument> = {
        '@odata.context': `${base}/$metadata`,
        value: STAR_TABLES.map((t) => ({ name: t, kind: 'EntitySet', url: t })),
      };
      res.header('Content-Type', JSON_TYPE);
      res.json(200, body, ODATA_HEADERS);
    } catch (error) {
      fail(deps, req, res, error);
    }
  };
  server.get('/api/v1/m365/tenants/:id/odata', serviceDocument);

  server.get('/api/v1/m365/tenants/:id/odata/:resource', async (req: Request, res: Response) => {
    const resource = String(req.params.resource ?? '');
    // The root with a trailing slash, as the connector may ask for it.
    if (resource === '') return serviceDocument(req, res);
    try {
      deps.authorize(req);
      const tenant = tenantFromPath(deps.tenants, req);
      if (resource === '$metadata') {
        parseQuery(odataQuery.pick({ $format: true }), req);
        res.writeHead(200, { 'Content-Type': 'application/xml; charset=utf-8', ...ODATA_HEADERS });
        res.end(odataMetadata());
        return;
      }
      if (!isStarTable(resource))
        throw new ApiError(
          404,
          'table_not_found',
          `No entity set "${resource.slice(0, 80)}" in this feed: it has ${STAR_TABLES.join(', ')} (and $metadata).`,
        );
      const query = parseQuery(odataQuery, req);
      const select = parseSelect(resource, query.$select);
      const after = parseSkipToken(resource, query.$skiptoken);
      const dateKeys = query.$filter === undefined ? undefined : parseDateKeyFilter(resource, query.$filter);
      const top = query.$top === undefined ? undefined : Number(query.$top);
      let skip = query.$skip === undefined ? 0 : Number(query.$skip);
      const pageSize = pageSizeOf(req, res);
      const days = deps.star.capturedDays(tenant.id);
      if (days.length === 0) throw historyNotAvailable(tenant);

      const limit = Math.min(pageSize, top ?? Infinity);
      const rows: StarRow[] = [];
      let more = false;
      for await (const page of deps.star.pages(
        tenant.id,
        resource,
        { after, dateKeys, days },
        Math.min(pageSize, 1000),
      )) {
        let from = 0;
        if (skip > 0) {
          from = Math.min(skip, page.length);
          skip -= from;
        }
        for (let i = from; i < page.length; i += 1) {
          if (rows.length === limit) {
            more = true;
            break;
          }
          rows.push(page[i]);
        }
        if (more) break;
        await nextTurn();
      }
      // $top reached: no next page, whatever is left.
      if (top !== undefined && rows.length >= top) more = false;

      const base = root(req, tenant.id);
      const body: z.infer<ReturnType<typeof odataCollection>> = {
        '@odata.context': `${base}/$metadata#${resource}${select ? `(${select.join(',')})` : ''}`,
        value: rows.map((r) => (select ? Object.fromEntries(select.map((c) => [c, r[c] ?? null])) : r)),
      };
      if (more && rows.length > 0) {
        const last = rows[rows.length - 1];
        const next = new URLSearchParams();
        if (query.$select !== undefined) next.set('$select', query.$select);
        if (query.$filter !== undefined) next.set('$filter', query.$filter);
        if (top !== undefined) next.set('$top', String(top - rows.length));
        next.set('$skiptoken', STAR_KEYS[resource].map((k) => String(last[k])).join('-'));
        body['@odata.nextLink'] = `${base}/${resource}?${next.toString().replace(/%24/g, '$')}`;
      }
      res.header('Content-Type', JSON_TYPE);
      res.json(200, body, ODATA_HEADERS);
    } catch (error) {
      fail(deps, req, res, error);
    }
  });
}

const TAG = 'Power BI star schema';
const CSDL = z.string().openapi({ description: 'CSDL (EDMX 4.0): one entity type and entity set per table.' });

/** The OpenAPI description of the OData feed, from star-schemas.ts. */
export function documentODataRoutes(doc: ApiDoc): void {
  doc.route({
    method: 'get',
    path: '/api/v1/m365/tenants/:id/odata',
    tag: TAG,
    summary: "OData v4 service document of the tenant's star schema (Power BI's OData connector starts here)",
    query: odataQuery.pick({ $format: true }),
    responses: {
      200: {
        description: 'The entity sets (OData-Version: 4.0).',
        content: { contentType: 'application/json', schema: odataServiceDocument },
      },
    },
    errors: { 404: NO_TENANT },
  });
  doc.route({
    method: 'get',
    path: '/api/v1/m365/tenants/:id/odata/:resource',
    tag: TAG,
    summary: "The feed's $metadata (CSDL), or a page of one entity set, paged with @odata.nextLink",
    description: `Entity sets: ${STAR_TABLES.join(', ')}. At most ${ODATA_PAGE_ROWS} rows a page (\`Prefer: odata.maxpagesize\` asks for fewer); $filter takes comparisons of DateKey on fact_user_usage and dim_date. $metadata takes $format only.`,
    params: tenantPathParams.extend({
      resource: z.string().openapi({ description: `$metadata, or one of ${STAR_TABLES.join(', ')}.` }),
    }),
    query: odataQuery,
    responses: {
      200: {
        description: 'A page of the entity set (JSON), or for $metadata the CSDL (XML).',
        content: [
          { contentType: 'application/json', schema: odataAnyCollection },
          { contentType: 'application/xml', schema: CSDL },
        ],
      },
    },
    errors: {
      404: either(either(NO_TENANT, NO_HISTORY), {
        description: 'No such entity set (table_not_found); the message lists them.',
        codes: ['table_not_found'],
      }),
    },
  });
}

/** Errors keep the REST API's shape, which is also OData's JSON error format ({"error": {"code", "message"}}). */
function fail(deps: ODataRouteDeps, req: Request, res: Response, error: unknown): void {
  res.header('OData-Version', '4.0');
  sendFailure(deps.logger, req, res, error, 'OData feed request');
}
