import type { TokenService } from './auth';
import { auditRecordsIn, copilotInteractionAuditData } from './audit-records';
import { MANAGEMENT_RESOURCE } from './constants';
import { hash32 } from './activity';
import type { RequestContext } from './http';
import type { Router } from './router';

/** The Office 365 Management Activity API's content types. */
const CONTENT_TYPES = ['Audit.AzureActiveDirectory', 'Audit.Exchange', 'Audit.SharePoint', 'Audit.General', 'DLP.All'];
const HOUR_MS = 3_600_000;
const DAY_MS = 86_400_000;

/** Its error format: {"error": {"code": "AF20022", "message": "..."}}, mostly with HTTP 400. */
function sendError(
  ctx: RequestContext,
  status: number,
  code: string,
  message: string,
  headers: Record<string, string> = {},
): void {
  sendJson(ctx, status, { error: { code, message } }, headers);
}

function sendJson(ctx: RequestContext, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = body === undefined ? '' : JSON.stringify(body);
  ctx.res.writeHead(status, {
    'Content-Type': 'application/json; charset=utf-8',
    'Content-Length': String(Buffer.byteLength(text)),
    ...headers,
  });
  ctx.res.end(text);
}

/**
 * Checks the token as the Management Activity API does: audience https://manage.office.com (a
 * Graph token is refused), the tenant in the URL matches the token's, and ActivityFeed.Read.
 */
function authorize(ctx: RequestContext, tokens: TokenService): boolean {
  const token = /^Bearer\s+(\S+)\s*$/i.exec(ctx.req.headers.authorization ?? '')?.[1] ?? '';
  const verified = token === '' ? undefined : tokens.verify(token);
  if (!verified?.ok) {
    sendError(
      ctx,
      401,
      'AF10000',
      'Authorization has been denied for this request (the access token is missing, invalid or expired).',
    );
    return false;
  }
  const claims = verified.claims;
  if (claims.aud !== MANAGEMENT_RESOURCE) {
    sendError(
      ctx,
      401,
      'AF10000',
      `Authorization has been denied for this request: the token's audience ${claims.aud} is not ${MANAGEMENT_RESOURCE}.`,
    );
    return false;
  }
  const tenant = String(ctx.params.tenant);
  if (!ctx.store.isThisTenant(tenant)) {
    sendError(
      ctx,
      400,
      /^[0-9a-f-]{36}$/i.test(tenant) ? 'AF20010' : 'AF20013',
      `The tenant ID passed in the URL (${tenant}) does not match the tenant ID passed in the access token (${claims.tid}).`,
    );
    return false;
  }
  if (!claims.roles.some((r) => r.toLowerCase() === 'activityfeed.read')) {
    sendError(
      ctx,
      401,
      'AF10001',
      `The permission set (${claims.roles.join(' ')}) sent in the request did not include the expected permission ActivityFeed.Read.`,
    );
    return false;
  }
  return true;
}

/** A blob per hour of Audit.General: its Copilot interactions plus one record of another kind, as real blobs mix workloads. */
function blobRecords(ctx: RequestContext, hour: number): Record<string, unknown>[] {
  const start = hour * HOUR_MS;
  const records = auditRecordsIn(ctx.store.data, start, start + HOUR_MS).map((r) =>
    copilotInteractionAuditData(ctx.store.data.tenantId, r),
  );
  records.push({
    CreationTime: new Date(start + 60_000).toISOString().slice(0, 19),
    Id: `00000000-0000-4000-8000-${hour.toString(16).padStart(12, '0')}`,
    Operation: 'MessageSent',
    OrganizationId: ctx.store.data.tenantId,
    RecordType: 25,
    UserType: 0,
    Workload: 'MicrosoftTeams',
    UserId: 'someone@contoso.com',
  });
  return records;
}

/**
 * The Office 365 Management Activity API at /api/v1.0/{tenant}/activity/feed/...: subscriptions
 * per content type (start, stop, list), available content per hour (NextPageUri paging), and
 * content blobs holding the story's CopilotInteraction records (RecordType 261).
 */
export function registerManagementApiRoutes(router: Router, tokens: TokenService): void {
  let subscriptions: Map<string, string> | null = null;
  let generation = -1;
  const state = (ctx: RequestContext): Map<string, string> => {
    if (!subscriptions || generation !== ctx.store.generation) {
      generation = ctx.store.generation;
      subscriptions = new Map(Object.entries(ctx.store.data.audit?.subscriptions ?? { 'Audit.General': 'enabled' }));
    }
    return subscriptions;
  };
  const contentTypeOf = (ctx: RequestContext): string | null => {
    const wanted = ctx.url.searchParams.get('contentType') ?? '';
    const found = CONTENT_TYPES.find((t) => t.toLowerCase() === wanted.toLowerCase());
    if (found) return found;
    sendError(ctx, 400, 'AF20020', `The specified content type is not valid: '${wanted}'.`);
    return null;
  };
  const base = '/api/v1.0/:tenant/activity/feed';
  const guarded = (handler: (ctx: RequestContext) => void) => (ctx: RequestContext) => {
    if (authorize(ctx, tokens)) handler(ctx);
  };

  router.add(
    'POST',
    `${base}/subscriptions/start`,
    guarded((ctx) => {
      const type = contentTypeOf(ctx);
      if (!type) return;
      state(ctx).set(type, 'enabled');
      sendJson(ctx, 200, { contentType: type, status: 'enabled', webhook: null });
    }),
  );
  router.add(
    'POST',
    `${base}/subscriptions/stop`,
    guarded((ctx) => {
      const type = contentTypeOf(ctx);
      if (!type) return;
      if (!state(ctx).has(type))
        return sendError(ctx, 400, 'AF20022', 'No subscription found for the specified content type.');
      state(ctx).set(type, 'disabled');
      sendJson(ctx, 200, undefined);
    }),
  );
  router.get(
    `${base}/subscriptions/list`,
    guarded((ctx) => {
      sendJson(
        ctx,
        200,
        [...state(ctx)].map(([contentType, status]) => ({ contentType, status, webhook: null })),
      );
    }),
  );
  router.get(
    `${base}/subscriptions/content`,
    guarded((ctx) => {
      const type = contentTypeOf(ctx);
      if (!type) return;
      const status = state(ctx).get(type);
      if (status === undefined)
        return sendError(ctx, 400, 'AF20022', 'No subscription found for the specified content type.');
      if (status !== 'enabled') return sendError(ctx, 400, 'AF20023', 'The subscription was disabled by tenant admin.');
      const params = ctx.url.searchParams;
      const now = Date.now();
      const start = params.get('startTime') ? Date.parse(params.get('startTime') as string) : now - DAY_MS;
      const end = params.get('endTime') ? Date.parse(params.get('endTime') as string) : now;
      if (
        !Number.isFinite(start) ||
        !Number.isFinite(end) ||
        end < start ||
        end - start > DAY_MS ||
        start < now - 7 * DAY_MS
      ) {
        return sendError(
          ctx,
          400,
          'AF20055',
          'Start time and end time must both be specified (or both omitted) and must be less than or equal to 24 hours apart, with the start time no more than 7 days in the past.',
        );
      }
      // Blob h holds the hour [h, h+1) and is created when that hour ends; only Audit.General has Copilot content.
      const hours: number[] = [];
      if (type === 'Audit.General') {
        for (let h = Math.ceil(start / HOUR_MS) - 1; (h + 1) * HOUR_MS <= Math.min(end, now); h++)
          if ((h + 1) * HOUR_MS >= start) hours.push(h);
      }
      const pageSize = Math.max(1, ctx.store.data.audit?.contentPageSize ?? 24);
      const offset = Number(params.get('nextPage') ?? 0) || 0;
      const page = hours.slice(offset, offset + pageSize);
      const headers: Record<string, string> = {};
      if (offset + pageSize < hours.length) {
        const next = new URL(ctx.url.toString(), ctx.baseUrl);
        next.searchParams.set('nextPage', String(offset + pageSize));
        headers.NextPageUri = `${ctx.baseUrl}${next.pathname}${next.search}`;
      }
      sendJson(
        ctx,
        200,
        page.map((h) => {
          const contentId = `${h.toString(16)}$${hash32(ctx.store.data.tenantId, h).toString(16)}$audit_general$Audit_General`;
          return {
            contentType: type,
            contentId,
            contentUri: `${ctx.baseUrl}/api/v1.0/${ctx.store.data.tenantId}/activity/feed/audit/${encodeURIComponent(contentId)}`,
            contentCreated: new Date((h + 1) * HOUR_MS).toISOString(),
            contentExpiration: new Date((h + 1) * HOUR_MS + 7 * DAY_MS).toISOString(),
          };
        }),
        headers,
      );
    }),
  );
  router.get(
    `${base}/audit/:contentId`,
    guarded((ctx) => {
      const hour = parseInt(String(ctx.params.contentId).split('$')[0] ?? '', 16);
      if (!Number.isFinite(hour) || (hour + 1) * HOUR_MS > Date.now())
        return sendError(ctx, 400, 'AF20050', `The specified content (${String(ctx.params.contentId)}) doesn't exist.`);
      if ((hour + 1) * HOUR_MS < Date.now() - 7 * DAY_MS)
        return sendError(
          ctx,
          400,
          'AF20051',
          `Content requested with the key ${String(ctx.params.contentId)} has already expired. Content older than 7 days cannot be retrieved.`,
        );
      sendJson(ctx, 200, blobRecords(ctx, hour));
    }),
  );
}
