import crypto from 'node:crypto';
import type { TokenService } from '../auth';
import {
  auditRecordsPage,
  copilotInteractionAuditData,
  extraAuditRecords,
  type AuditPosition,
  type DemoAuditRecord,
} from '../audit-records';
import { GraphError, readBody, sendGraphJson, type RequestContext } from '../http';
import { queryOption } from '../odata';
import type { Router } from '../router';
import { GRAPH_VERSIONS, authorized, metadataContext } from './common';

const ROLES = ['AuditLogsQuery.Read.All'];
const DEFAULT_PAGE = 150;

interface DemoQuery {
  id: string;
  displayName: string | null;
  start: number;
  end: number;
  recordTypeFilters: string[];
  operationFilters: string[];
  /** Lower-case UPNs; empty: every user. */
  userPrincipalNameFilters: string[];
  polls: number;
  /** The tenant data generation the query was created on: a new tenant forgets old queries. */
  generation: number;
}

function status(ctx: RequestContext, q: DemoQuery): string {
  const needed = Math.max(0, ctx.store.data.audit?.queryPolls ?? 0);
  if (q.polls >= needed) return 'succeeded';
  return q.polls === 0 ? 'notStarted' : 'running';
}

function render(ctx: RequestContext, q: DemoQuery, state: string): Record<string, unknown> {
  return {
    '@odata.context': metadataContext(ctx, 'security/auditLog/queries/$entity'),
    '@odata.type': '#microsoft.graph.security.auditLogQuery',
    id: q.id,
    displayName: q.displayName,
    filterStartDateTime: new Date(q.start).toISOString().replace('.000Z', 'Z'),
    filterEndDateTime: new Date(q.end).toISOString().replace('.000Z', 'Z'),
    recordTypeFilters: q.recordTypeFilters,
    keywordFilter: null,
    serviceFilter: null,
    operationFilters: q.operationFilters,
    userPrincipalNameFilters: q.userPrincipalNameFilters,
    ipAddressFilters: [],
    objectIdFilters: [],
    administrativeUnitIdFilters: [],
    status: state,
  };
}

function iso(ms: number): string {
  return new Date(ms).toISOString().replace('.000Z', 'Z');
}

function graphRecord(ctx: RequestContext, r: DemoAuditRecord): Record<string, unknown> {
  const upn = r.user.userPrincipalName;
  const created = iso(r.at);
  return {
    '@odata.type': '#microsoft.graph.security.auditLogRecord',
    id: r.id,
    createdDateTime: created,
    auditLogRecordType: 'copilotInteraction',
    operation: 'CopilotInteraction',
    organizationId: ctx.store.data.tenantId,
    userType: 'regular',
    userId: upn,
    service: 'Copilot',
    objectId: null,
    userPrincipalName: upn,
    clientIp: null,
    administrativeUnits: [],
    auditData: {
      '@odata.type': '#microsoft.graph.security.defaultAuditData',
      ...copilotInteractionAuditData(ctx.store.data.tenantId, r),
    },
  };
}

const encodePosition = (p: AuditPosition): string => Buffer.from(`${p.u}.${p.d}.${p.n}`).toString('base64url');

function decodePosition(token: string): AuditPosition {
  const parts = Buffer.from(token, 'base64url').toString('utf8').split('.').map(Number);
  if (parts.length !== 3 || parts.some((n) => !Number.isInteger(n) || n < 0))
    throw new GraphError(400, 'BadRequest', 'The skip token is not valid.');
  const [u, d, n] = parts as [number, number, number];
  return { u, d, n };
}

/**
 * Microsoft Graph's audit log query (/security/auditLog/queries): created queries stay
 * notStarted/running for `audit.queryPolls` polls, then their records (the story's Copilot
 * interactions inside the window, never after now) are served page by page with @odata.nextLink.
 */
export interface DemoAuditQuerySummary {
  start: string;
  end: string;
  /** Lower-case UPNs; empty: every user. */
  userPrincipalNameFilters: readonly string[];
}

export function registerAuditLogRoutes(router: Router, tokens: TokenService): { queries(): DemoAuditQuerySummary[] } {
  const queries = new Map<string, DemoQuery>();
  const find = (ctx: RequestContext): DemoQuery => {
    const q = queries.get(String(ctx.params.id));
    if (!q || q.generation !== ctx.store.generation)
      throw new GraphError(404, 'UnknownError', `The audit log query '${String(ctx.params.id)}' was not found.`);
    return q;
  };
  for (const version of GRAPH_VERSIONS) {
    const base = `/${version}/security/auditLog/queries`;
    router.add(
      'POST',
      base,
      authorized(tokens, ROLES, async (ctx) => {
        let body: Record<string, unknown>;
        try {
          body = JSON.parse(await readBody(ctx.req)) as Record<string, unknown>;
        } catch {
          throw new GraphError(400, 'BadRequest', 'The request body is not valid JSON.');
        }
        const start = Date.parse(String(body.filterStartDateTime ?? ''));
        const end = Date.parse(String(body.filterEndDateTime ?? ''));
        if (!Number.isFinite(start) || !Number.isFinite(end) || end < start) {
          throw new GraphError(
            400,
            'BadRequest',
            'filterStartDateTime and filterEndDateTime are required, with the start before the end.',
          );
        }
        const types = Array.isArray(body.recordTypeFilters) ? body.recordTypeFilters.map(String) : [];
        // The enum is camelCase in today's Graph; the older documentation's "CopilotInteraction" is not a member.
        const unknown = types.find((t) => t !== 'copilotInteraction' && !/^[a-z][A-Za-z0-9]*$/.test(t));
        if (unknown !== undefined)
          throw new GraphError(
            400,
            'BadRequest',
            `Requested value '${unknown}' was not found in the enum 'auditLogRecordType'.`,
          );
        const q: DemoQuery = {
          id: crypto.randomUUID(),
          displayName: typeof body.displayName === 'string' ? body.displayName : null,
          start,
          end,
          recordTypeFilters: types,
          operationFilters: Array.isArray(body.operationFilters) ? body.operationFilters.map(String) : [],
          userPrincipalNameFilters: Array.isArray(body.userPrincipalNameFilters)
            ? body.userPrincipalNameFilters.map((u) => String(u).toLowerCase())
            : [],
          polls: 0,
          generation: ctx.store.generation,
        };
        queries.set(q.id, q);
        sendGraphJson(ctx, 201, JSON.stringify(render(ctx, q, 'notStarted')), {
          Location: `${ctx.baseUrl}${base}/${q.id}`,
        });
      }),
    );
    router.get(
      base,
      authorized(tokens, ROLES, (ctx) => {
        const value = [...queries.values()]
          .filter((q) => q.generation === ctx.store.generation)
          .map((q) => render(ctx, q, status(ctx, q)));
        const top = Number(queryOption(ctx.url.searchParams, 'top') ?? value.length);
        sendGraphJson(
          ctx,
          200,
          JSON.stringify({
            '@odata.context': metadataContext(ctx, 'security/auditLog/queries'),
            value: value.slice(0, top),
          }),
        );
      }),
    );
    router.get(
      `${base}/:id`,
      authorized(tokens, ROLES, (ctx) => {
        const q = find(ctx);
        const state = status(ctx, q);
        q.polls++;
        sendGraphJson(ctx, 200, JSON.stringify(render(ctx, q, state)));
      }),
    );
    router.get(
      `${base}/:id/records`,
      authorized(tokens, ROLES, (ctx) => {
        const q = find(ctx);
        if (status(ctx, q) !== 'succeeded')
          throw new GraphError(
            400,
            'BadRequest',
            'The audit log query has not completed yet; poll it until its status is succeeded.',
          );
        const requested = Number(
          queryOption(ctx.url.searchParams, 'top') ?? ctx.store.data.audit?.pageSize ?? DEFAULT_PAGE,
        );
        const size = Math.max(1, Math.min(requested, ctx.settings.maxPageSize));
        const token = queryOption(ctx.url.searchParams, 'skiptoken');
        const from = token === null ? null : decodePosition(token);
        const wantsCopilot = q.recordTypeFilters.length === 0 || q.recordTypeFilters.includes('copilotInteraction');
        const end = Math.min(q.end, Date.now());
        const users = q.userPrincipalNameFilters.length > 0 ? new Set(q.userPrincipalNameFilters) : null;
        // A scoped query reads the story page by page too, keeping only its users (small: the re-check's seats).
        const page = wantsCopilot
          ? auditRecordsPage(ctx.store.data, q.start, end, from, size)
          : { records: [], next: null };
        if (users) page.records = page.records.filter((r) => users.has(r.user.userPrincipalName.toLowerCase()));
        // Records added beyond the story come after it, on its last page.
        if (wantsCopilot && page.next === null)
          page.records.push(...extraAuditRecords(ctx.store.data, q.start, end, users));
        const body: Record<string, unknown> = {
          '@odata.context': metadataContext(ctx, `security/auditLog/queries('${q.id}')/records`),
        };
        if (page.next)
          body['@odata.nextLink'] = `${ctx.baseUrl}${ctx.url.pathname}?$skiptoken=${encodePosition(page.next)}`;
        body.value = page.records.map((r) => graphRecord(ctx, r));
        sendGraphJson(ctx, 200, JSON.stringify(body));
      }),
    );
  }
  return {
    queries: () =>
      [...queries.values()].map((q) => ({
        start: new Date(q.start).toISOString(),
        end: new Date(q.end).toISOString(),
        userPrincipalNameFilters: q.userPrincipalNameFilters,
      })),
  };
}
