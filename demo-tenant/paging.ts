import type { RequestContext } from './http';
import { decodeSkipToken, encodeSkipToken, queryOption, type PageCursor } from './odata';

export interface PageRequest {
  /** What the caller asked for ($top or the resource default), already validated. */
  top: number;
  /** Extra top-level properties such as `@odata.count`. */
  annotations?: Record<string, unknown>;
}

/** Keeps `,`, `/`, `:`, `$` and `'` readable in links, as Graph's own nextLinks do. */
function encodeQueryValue(value: string): string {
  return encodeURIComponent(value)
    .replace(/%2C/gi, ',')
    .replace(/%2F/gi, '/')
    .replace(/%3A/gi, ':')
    .replace(/%24/g, '$');
}

/** The same query with a new $skiptoken, so $select/$top/$filter/$count survive every page. */
function nextLink(ctx: RequestContext, cursor: PageCursor): string {
  const parts: string[] = [];
  for (const [key, value] of ctx.url.searchParams) {
    if (key.replace(/^\$/, '').toLowerCase() === 'skiptoken') continue;
    parts.push(`${key}=${encodeQueryValue(value)}`);
  }
  parts.push(`$skiptoken=${encodeSkipToken(cursor)}`);
  return `${ctx.baseUrl}${ctx.url.pathname}?${parts.join('&')}`;
}

export function currentCursor(ctx: RequestContext): PageCursor {
  const raw = queryOption(ctx.url.searchParams, 'skiptoken');
  return raw === null ? { offset: 0, page: 0 } : decodeSkipToken(raw);
}

/**
 * Real Graph sometimes returns fewer items than $top even mid-collection; the
 * 'short' pattern reproduces that so clients must rely on nextLink alone.
 */
export function pageSizeFor(ctx: RequestContext, top: number, page: number): number {
  const size = Math.min(top, ctx.settings.maxPageSize);
  if (ctx.settings.pageSizePattern === 'short' && page % 3 === 1) return Math.max(1, Math.floor(size / 2));
  return size;
}

/**
 * Serialises one page. Items are projected lazily so a 999-item page of a
 * 100k collection costs only those 999 projections.
 */
export function renderPage<T>(
  ctx: RequestContext,
  items: readonly T[],
  context: string,
  project: (item: T) => unknown,
  request: PageRequest,
): string {
  const cursor = currentCursor(ctx);
  const size = pageSizeFor(ctx, request.top, cursor.page);
  const end = Math.min(items.length, cursor.offset + size);
  const value: unknown[] = [];
  for (let i = cursor.offset; i < end; i++) value.push(project(items[i] as T));
  const body: Record<string, unknown> = { '@odata.context': context, ...request.annotations };
  if (end < items.length) body['@odata.nextLink'] = nextLink(ctx, { offset: end, page: cursor.page + 1 });
  body.value = value;
  return JSON.stringify(body);
}
