import { GraphError } from './http';

/**
 * The slice of OData v4 query syntax Graph's directory endpoints accept,
 * parsed well enough to reject what Graph rejects with the same codes.
 */

/** Graph accepts system query options with or without `$`, in any case. */
export function queryOption(query: URLSearchParams, name: string): string | null {
  const bare = name.replace(/^\$/, '').toLowerCase();
  for (const [key, value] of query) {
    if (key.replace(/^\$/, '').toLowerCase() === bare) return value;
  }
  return null;
}

const KNOWN_OPTIONS = new Set([
  'select',
  'top',
  'filter',
  'count',
  'skiptoken',
  'skip',
  'orderby',
  'search',
  'expand',
  'format',
]);

/** Rejects `$options` this demo does not implement so callers find out instead of silently getting everything. */
export function rejectUnsupportedOptions(query: URLSearchParams, supported: readonly string[]): void {
  for (const key of query.keys()) {
    if (!key.startsWith('$') && !KNOWN_OPTIONS.has(key.toLowerCase())) continue;
    const bare = key.replace(/^\$/, '').toLowerCase();
    if (supported.includes(bare)) continue;
    if (bare === 'skip') throw new GraphError(400, 'Request_BadRequest', "'$skip' is not supported by the service.");
    if (bare === 'orderby')
      throw new GraphError(400, 'Request_UnsupportedQuery', 'Sorting not supported for current query.');
    if (bare === 'search')
      throw new GraphError(
        400,
        'Request_UnsupportedQuery',
        "Request with $search query parameter only works through MSGraph with a special request header: 'ConsistencyLevel: eventual'",
      );
    if (KNOWN_OPTIONS.has(bare))
      throw new GraphError(400, 'BadRequest', `Query option '$${bare}' is not supported for this resource.`);
    throw new GraphError(400, 'BadRequest', `The query parameter '${key}' is not supported.`);
  }
}

/** Maps requested names to canonical property names, rejecting unknown ones the way Graph's OData layer does. */
export function parseSelect(raw: string | null, known: readonly string[], entityType: string): string[] | null {
  if (raw === null || raw.trim() === '') return null;
  const byLower = new Map(known.map((k) => [k.toLowerCase(), k]));
  const out: string[] = [];
  for (const part of raw.split(',')) {
    const name = part.trim();
    if (name === '') continue;
    if (name === '*') return [...known];
    const canonical = byLower.get(name.toLowerCase());
    if (!canonical) {
      throw new GraphError(
        400,
        'BadRequest',
        `Parsing OData Select and Expand failed: Could not find a property named '${name}' on type '${entityType}'.`,
      );
    }
    if (!out.includes(canonical)) out.push(canonical);
  }
  if (!out.includes('id')) out.unshift('id');
  return out;
}

export const GRAPH_MAX_TOP = 999;

export function parseTop(raw: string | null, defaultTop: number): number {
  if (raw === null) return defaultTop;
  const n = /^\s*-?\d+\s*$/.test(raw) ? Number(raw) : NaN;
  if (!Number.isInteger(n) || n < 1 || n > GRAPH_MAX_TOP) {
    throw new GraphError(
      400,
      'Request_BadRequest',
      `Invalid page size specified: '${raw}'. Must be between 1 and ${GRAPH_MAX_TOP} inclusive.`,
    );
  }
  return n;
}

export function parseCount(raw: string | null): boolean {
  if (raw === null) return false;
  const v = raw.trim().toLowerCase();
  if (v === 'true') return true;
  if (v === 'false') return false;
  throw new GraphError(
    400,
    'BadRequest',
    `Invalid value '${raw}' for $count query option found. The $count query option requires a Boolean value.`,
  );
}

export function isEventualConsistency(header: string | string[] | undefined): boolean {
  const value = Array.isArray(header) ? header[0] : header;
  return (value ?? '').trim().toLowerCase() === 'eventual';
}

// ---------------------------------------------------------------- $filter

export type Literal = { kind: 'literal'; value: string | number | boolean | null; quoted: boolean };
export type FilterNode =
  | { kind: 'compare'; path: string; op: CompareOp; value: Literal }
  | { kind: 'any'; collection: string; variable: string; predicate: FilterNode }
  | { kind: 'and' | 'or'; left: FilterNode; right: FilterNode }
  | { kind: 'not'; operand: FilterNode }
  | { kind: 'call'; fn: string; path: string; value: Literal };

export type CompareOp = 'eq' | 'ne' | 'gt' | 'ge' | 'lt' | 'le';
const COMPARE_OPS = new Set<string>(['eq', 'ne', 'gt', 'ge', 'lt', 'le']);

type Token =
  | { t: 'ident'; v: string; pos: number }
  | { t: 'string'; v: string; pos: number }
  | { t: 'punct'; v: '(' | ')' | ',' | ':'; pos: number };

function syntaxError(filter: string, pos: number): GraphError {
  return new GraphError(400, 'BadRequest', `Invalid filter clause: Syntax error at position ${pos} in '${filter}'.`);
}

function tokenize(filter: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < filter.length) {
    const c = filter[i] as string;
    if (/\s/.test(c)) {
      i++;
    } else if (c === '(' || c === ')' || c === ',' || c === ':') {
      tokens.push({ t: 'punct', v: c, pos: i });
      i++;
    } else if (c === "'") {
      const start = i++;
      let v = '';
      for (;;) {
        if (i >= filter.length) throw syntaxError(filter, start);
        if (filter[i] === "'") {
          if (filter[i + 1] === "'") {
            v += "'";
            i += 2;
            continue;
          }
          i++;
          break;
        }
        v += filter[i];
        i++;
      }
      tokens.push({ t: 'string', v, pos: start });
    } else {
      const start = i;
      while (i < filter.length && /[A-Za-z0-9_$./\-+]/.test(filter[i] as string)) i++;
      if (i === start) throw syntaxError(filter, start);
      tokens.push({ t: 'ident', v: filter.slice(start, i), pos: start });
    }
  }
  return tokens;
}

/** Graph limits a filter's `in` operator to 15 expressions by default. */
export const IN_OPERATOR_MAX_VALUES = 15;

const GUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function parseFilter(filter: string): FilterNode {
  const tokens = tokenize(filter);
  let p = 0;
  const peek = (): Token | undefined => tokens[p];
  const fail = (): never => {
    throw syntaxError(filter, peek()?.pos ?? filter.length);
  };
  const expectPunct = (v: string): void => {
    const tok = peek();
    if (!tok || tok.t !== 'punct' || tok.v !== v) fail();
    p++;
  };
  const isWord = (tok: Token | undefined, word: string): boolean => tok?.t === 'ident' && tok.v.toLowerCase() === word;

  const literal = (): Literal => {
    const tok = peek();
    if (!tok) return fail();
    p++;
    if (tok.t === 'string') return { kind: 'literal', value: tok.v, quoted: true };
    if (tok.t !== 'ident') return fail();
    const lower = tok.v.toLowerCase();
    if (lower === 'true' || lower === 'false') return { kind: 'literal', value: lower === 'true', quoted: false };
    if (lower === 'null') return { kind: 'literal', value: null, quoted: false };
    if (GUID_RE.test(tok.v)) return { kind: 'literal', value: tok.v, quoted: false };
    if (/^-?\d+(\.\d+)?$/.test(tok.v)) return { kind: 'literal', value: Number(tok.v), quoted: false };
    p--;
    return fail();
  };

  const primary = (): FilterNode => {
    const tok = peek();
    if (!tok) return fail();
    if (tok.t === 'punct' && tok.v === '(') {
      p++;
      const inner = orExpr();
      expectPunct(')');
      return inner;
    }
    if (isWord(tok, 'not')) {
      p++;
      return { kind: 'not', operand: primary() };
    }
    if (tok.t !== 'ident') return fail();
    p++;
    const anyMatch = /^(.+)\/(any|all)$/i.exec(tok.v);
    if (anyMatch && peek()?.t === 'punct' && peek()?.v === '(') {
      p++;
      const variable = peek();
      if (!variable || variable.t !== 'ident') return fail();
      p++;
      expectPunct(':');
      const predicate = orExpr();
      expectPunct(')');
      if ((anyMatch[2] as string).toLowerCase() === 'all')
        throw new GraphError(400, 'Request_UnsupportedQuery', "Unsupported query: lambda operator 'all'.");
      return { kind: 'any', collection: anyMatch[1] as string, variable: variable.v, predicate };
    }
    if (peek()?.t === 'punct' && peek()?.v === '(') {
      // Function call such as startswith(displayName,'Ad').
      p++;
      const arg = peek();
      if (!arg || arg.t !== 'ident') return fail();
      p++;
      expectPunct(',');
      const value = literal();
      expectPunct(')');
      return { kind: 'call', fn: tok.v.toLowerCase(), path: arg.v, value };
    }
    // `id in ('a','b')` is Graph's shorthand for a chain of eq; at most 15 values, like Graph.
    if (isWord(peek(), 'in')) {
      p++;
      expectPunct('(');
      const values: Literal[] = [literal()];
      while (peek()?.t === 'punct' && peek()?.v === ',') {
        p++;
        values.push(literal());
      }
      expectPunct(')');
      if (values.length > IN_OPERATOR_MAX_VALUES) {
        throw new GraphError(
          400,
          'Request_UnsupportedQuery',
          `Too many expressions in the 'in' operator: at most ${IN_OPERATOR_MAX_VALUES} are allowed.`,
        );
      }
      return values
        .map((value): FilterNode => ({ kind: 'compare', path: tok.v, op: 'eq', value }))
        .reduce((left, right) => ({ kind: 'or', left, right }));
    }
    const op = peek();
    if (!op || op.t !== 'ident' || !COMPARE_OPS.has(op.v.toLowerCase())) return fail();
    p++;
    return { kind: 'compare', path: tok.v, op: op.v.toLowerCase() as CompareOp, value: literal() };
  };

  const andExpr = (): FilterNode => {
    let left = primary();
    while (isWord(peek(), 'and')) {
      p++;
      left = { kind: 'and', left, right: primary() };
    }
    return left;
  };
  const orExpr = (): FilterNode => {
    let left = andExpr();
    while (isWord(peek(), 'or')) {
      p++;
      left = { kind: 'or', left, right: andExpr() };
    }
    return left;
  };

  if (tokens.length === 0) fail();
  const node = orExpr();
  if (p !== tokens.length) fail();
  return node;
}

/** Graph's wording when a filter parses but the property or operator is not filterable. */
export function unsupportedFilter(property: string, resource: string): GraphError {
  const name = property.split('/')[0] ?? property;
  return new GraphError(
    400,
    'Request_UnsupportedQuery',
    `Unsupported or invalid query filter clause specified for property '${name}' of resource '${resource}'.`,
  );
}

// ---------------------------------------------------------------- $skiptoken

export interface PageCursor {
  offset: number;
  page: number;
}

const TOKEN_PREFIX = 'DMT1';

/** Opaque to clients (like Graph's), but just a cursor: the query itself travels in the nextLink. */
export function encodeSkipToken(cursor: PageCursor): string {
  return Buffer.from(`${TOKEN_PREFIX}:${cursor.offset}:${cursor.page}`, 'utf8').toString('base64url');
}

export function decodeSkipToken(raw: string): PageCursor {
  const text = Buffer.from(raw, 'base64url').toString('utf8');
  const m = /^DMT1:(\d+):(\d+)$/.exec(text);
  if (!m) throw new GraphError(400, 'Request_BadRequest', `Invalid $skiptoken value '${raw}'.`);
  return { offset: Number(m[1]), page: Number(m[2]) };
}
