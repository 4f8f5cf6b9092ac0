import https from 'node:https';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { TokenService, registerAuthRoutes } from './auth';
import { registerControlRoutes, type RequestRecord } from './control';
import { FaultInjector, type FaultRule } from './faults';
import { GRAPH_VERSIONS } from './graph/common';
import { registerGroupRoutes } from './graph/groups';
import { registerIdentityRoutes } from './graph/identity';
import { registerOrganizationRoutes } from './graph/organization';
import { registerReportRoutes } from './graph/reports';
import { registerSubscribedSkuRoutes } from './graph/subscribed-skus';
import { registerUserRoutes } from './graph/users';
import { registerAuditLogRoutes, type DemoAuditQuerySummary } from './graph/audit-log';
import { registerManagementApiRoutes } from './management-api';
import { registerLicenceWriteRoutes, ThrottledWrite } from './graph/licence-writes';
import { registerTeamsAppRoutes } from './graph/teams-apps';
import { Readable } from 'node:stream';
import {
  GraphError,
  newRequestId,
  readBody,
  sendGraphJson,
  sendEntraError,
  sendGraphError,
  type RequestContext,
  type ServerSettings,
} from './http';
import type { DemoTenantData } from './model';
import { Router } from './router';
import { TenantStore } from './store';

export interface StartDemoTenantOptions {
  data: DemoTenantData;
  tls: { cert: string; key: string };
  /** Default 127.0.0.1. */
  host?: string;
  /** 0 (default) picks a free port. */
  port?: number;
  /** Server-side cap on page size, applied after $top validation. Default 999. */
  maxPageSize?: number;
  /** 'short' makes every third page shorter than $top, as real Graph sometimes does. */
  pageSizePattern?: 'full' | 'short';
  /** Mount POST/DELETE /_demo/faults and GET/DELETE /_demo/requests. */
  control?: boolean;
  /** Default 3599, like Entra. */
  tokenLifetimeSeconds?: number;
  /**
   * Entra answers OpenID discovery for an unknown tenant with AADSTS90002, so
   * MSAL reports only "endpoints_resolution_error". Set to serve discovery for
   * any tenant, letting the token endpoint's AADSTS90002 reach the caller.
   */
  discoverUnknownTenants?: boolean;
  /** Size of the `requests` ring buffer. Default 1000. */
  requestLogSize?: number;
  /**
   * Serve through another server instead of listening: that server's origin (`https://host:port`)
   * is then the one every link, issuer and redirect names, and it hands this tenant its requests
   * through `handle`. bench:msp puts hundreds of tenants behind one origin this way, as real
   * tenants all answer at graph.microsoft.com and login.microsoftonline.com.
   */
  sharedOrigin?: string;
}

export interface DemoTenant {
  /** `https://127.0.0.1:port`: both the authorityHost and the Graph baseUrl. */
  url: string;
  /** `127.0.0.1:port`. */
  host: string;
  /**
   * `127.0.0.1`. The Graph SDK compares customHosts against the hostname
   * without port, so this (not `host`) is what belongs in customHosts.
   */
  hostname: string;
  port: number;
  readonly tenantId: string;
  readonly clientId: string;
  readonly clientSecret: string;
  readonly data: DemoTenantData;
  faults: FaultInjector;
  /** Most recent requests, oldest first. */
  requests: RequestRecord[];
  /** Audit log queries created so far (window and user filter), oldest first: what a test asked Graph to search. */
  auditQueries(): ReadonlyArray<DemoAuditQuerySummary>;
  setData(data: DemoTenantData): void;
  /** Serves one request (what the listening server calls; with `sharedOrigin`, the sharing server does). */
  handle(req: IncomingMessage, res: ServerResponse): void;
  close(): Promise<void>;
}

const AUTH_SEGMENTS = new Set(['oauth2', 'v2.0', '.well-known', 'discovery']);

function isAuthPath(segments: readonly string[]): boolean {
  return segments.length >= 2 && AUTH_SEGMENTS.has((segments[1] as string).toLowerCase());
}

const DEFAULT_GRAPH_CODES: Record<number, [string, string]> = {
  400: ['BadRequest', 'Bad request.'],
  401: ['InvalidAuthenticationToken', 'Access token validation failure.'],
  403: ['Authorization_RequestDenied', 'Insufficient privileges to complete the operation.'],
  404: ['Request_ResourceNotFound', 'Resource not found.'],
  409: ['Conflict', 'Conflict.'],
  429: ['TooManyRequests', 'Too many requests. Please retry after the time given in the Retry-After header.'],
  500: ['InternalServerError', 'An internal server error occurred.'],
  502: ['BadGateway', 'Bad gateway.'],
  503: ['ServiceUnavailable', 'The service is temporarily unavailable. Please retry later.'],
  504: ['GatewayTimeout', 'The gateway timed out.'],
};

function sendFault(ctx: RequestContext, rule: FaultRule, status: number): void {
  const headers: Record<string, string> = { ...rule.headers };
  if (rule.retryAfterSeconds !== undefined) headers['Retry-After'] = String(rule.retryAfterSeconds);
  if (isAuthPath(ctx.segments)) {
    const error =
      rule.code ??
      (status === 401
        ? 'invalid_client'
        : status >= 500 || status === 429
          ? 'temporarily_unavailable'
          : 'invalid_request');
    const code = Number(/^AADSTS(\d+)/.exec(rule.message ?? '')?.[1] ?? 90033);
    sendEntraError(
      ctx,
      { status, error, code, description: rule.message ?? 'A transient error has occurred. Please try again.' },
      headers,
    );
    return;
  }
  const [defaultCode, defaultMessage] = DEFAULT_GRAPH_CODES[status] ?? [
    'UnknownError',
    `Injected failure (${status}).`,
  ];
  sendGraphError(ctx, status, rule.code ?? defaultCode, rule.message ?? defaultMessage, headers);
}

function decodeSegments(pathname: string): string[] | null {
  try {
    return pathname.split('/').filter(Boolean).map(decodeURIComponent);
  } catch {
    return null;
  }
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Serves a simulated Entra ID + Microsoft Graph for one tenant over HTTPS on loopback. */
export async function startDemoTenant(options: StartDemoTenantOptions): Promise<DemoTenant> {
  const store = new TenantStore(options.data);
  const faults = new FaultInjector();
  const tokens = new TokenService();
  const requests: RequestRecord[] = [];
  const logSize = options.requestLogSize ?? 1000;
  const settings: ServerSettings = {
    maxPageSize: options.maxPageSize ?? 999,
    pageSizePattern: options.pageSizePattern ?? 'full',
    tokenLifetimeSeconds: options.tokenLifetimeSeconds ?? 3599,
    discoverUnknownTenants: options.discoverUnknownTenants ?? false,
  };

  const router = new Router();
  registerAuthRoutes(router, tokens);
  registerUserRoutes(router, tokens);
  registerSubscribedSkuRoutes(router, tokens);
  registerGroupRoutes(router, tokens);
  registerOrganizationRoutes(router, tokens);
  registerReportRoutes(router, tokens);
  registerIdentityRoutes(router, tokens);
  const auditLog = registerAuditLogRoutes(router, tokens);
  registerManagementApiRoutes(router, tokens);
  registerLicenceWriteRoutes(router, tokens);
  registerTeamsAppRoutes(router, tokens);
  const control = new Router();
  if (options.control) registerControlRoutes(control, faults, requests, store);

  let baseUrl = '';

  const record = (entry: RequestRecord): void => {
    requests.push(entry);
    if (requests.length > logSize) requests.splice(0, requests.length - logSize);
  };

  const dispatch = async (ctx: RequestContext): Promise<void> => {
    const isControl = ctx.segments[0] === '_demo';
    if (!isControl) {
      const fault = faults.take(ctx.method, ctx.url.pathname, ctx.url.search);
      if (fault) {
        if (fault.rule.delayMs !== undefined) await sleep(fault.rule.delayMs);
        if (fault.rule.dropConnection) {
          ctx.req.socket.destroy();
          return;
        }
        if (fault.rule.status !== undefined) {
          sendFault(ctx, fault.rule, fault.rule.status);
          return;
        }
      }
    }
    if (
      !isControl &&
      ctx.method === 'POST' &&
      ctx.segments.length === 2 &&
      (GRAPH_VERSIONS as readonly string[]).includes(ctx.segments[0] as string) &&
      ctx.segments[1] === '$batch'
    ) {
      await runBatch(ctx);
      return;
    }
    const match = (isControl ? control : router).match(ctx.method, ctx.segments);
    if (match.kind === 'found') {
      ctx.params = match.params;
      await match.handler(ctx);
      return;
    }
    if (match.kind === 'method-not-allowed') {
      sendGraphError(ctx, 405, 'Request_BadRequest', 'Specified HTTP method is not allowed for the request target.');
      return;
    }
    const [first, second] = ctx.segments;
    if (first !== undefined && (GRAPH_VERSIONS as readonly string[]).includes(first)) {
      sendGraphError(ctx, 400, 'BadRequest', `Resource not found for the segment '${second ?? first}'.`);
    } else if (first !== undefined && /^v\d/i.test(first)) {
      sendGraphError(ctx, 400, 'BadRequest', `Invalid version: ${first}`);
    } else {
      sendGraphError(ctx, 404, 'Request_ResourceNotFound', `Resource not found for the segment '${first ?? ''}'.`);
    }
  };

  /**
   * JSON batching as Graph does it: up to 20 requests, each run through the same dispatch as a
   * top-level one (the outer token, faults, routes), answered together with a 200. Each inner
   * request is logged with inBatch, so the log tells round-trips from the work inside them.
   */
  const runBatch = async (outer: RequestContext): Promise<void> => {
    let parsed: unknown;
    try {
      parsed = JSON.parse(await readBody(outer.req));
    } catch {
      throw new GraphError(
        400,
        'BadRequest',
        'Unable to read JSON request payload. Please ensure Content-Type header is set and payload is of valid JSON format.',
      );
    }
    const requests = (parsed as { requests?: unknown } | null)?.requests;
    if (!Array.isArray(requests) || requests.length === 0)
      throw new GraphError(400, 'BadRequest', 'Invalid batch payload format.');
    if (requests.length > 20)
      throw new GraphError(400, 'BadRequest', 'Number of batch request steps exceeds the maximum of 20.');
    const answers = [];
    for (const raw of requests as Array<Record<string, unknown>>) {
      const id = typeof raw.id === 'string' ? raw.id : String(raw.id ?? '');
      const method = typeof raw.method === 'string' ? raw.method.toUpperCase() : 'GET';
      const relative = typeof raw.url === 'string' ? raw.url : '';
      const version = outer.segments[0] as string;
      const path = `/${version}${relative.startsWith('/') ? '' : '/'}${relative}`;
      answers.push({
        id,
        ...(await runInner(outer, method, path, raw.body, (raw.headers ?? {}) as Record<string, string>)),
      });
    }
    sendGraphJson(outer, 200, JSON.stringify({ responses: answers }));
  };

  const runInner = async (
    outer: RequestContext,
    method: string,
    path: string,
    body: unknown,
    headers: Record<string, string>,
  ) => {
    const startedAt = Date.now();
    const started = performance.now();
    const text = body === undefined ? '' : JSON.stringify(body);
    const req = Readable.from(text === '' ? [] : [Buffer.from(text)]) as unknown as IncomingMessage;
    const lower: Record<string, string> = {};
    for (const [k, v] of Object.entries(headers)) lower[k.toLowerCase()] = String(v);
    Object.assign(req, {
      headers: { ...lower, authorization: outer.req.headers.authorization ?? '' },
      method,
      url: path,
    });
    let status = 500;
    let outHeaders: Record<string, string> = {};
    let outBody = '';
    let ended = false;
    const res = {
      get headersSent() {
        return ended;
      },
      destroyed: false,
      writeHead(code: number, h: Record<string, string> = {}) {
        status = code;
        outHeaders = h;
        return res;
      },
      end(chunk?: string) {
        outBody = chunk ?? '';
        ended = true;
      },
    };
    const url = new URL(path, baseUrl);
    const ctx: RequestContext = {
      req,
      res: res as unknown as ServerResponse,
      method,
      url,
      segments: decodeSegments(url.pathname) ?? [],
      params: {},
      requestId: newRequestId(),
      clientRequestId: outer.clientRequestId,
      baseUrl,
      store,
      settings,
    };
    try {
      await dispatch(ctx);
    } catch (err) {
      if (err instanceof GraphError)
        sendGraphError(
          ctx,
          err.status,
          err.code,
          err.message,
          err instanceof ThrottledWrite ? { 'Retry-After': String(err.retryAfterSeconds) } : {},
        );
      else
        sendGraphError(
          ctx,
          500,
          'InternalServerError',
          `Demo tenant failure: ${(err as Error).message ?? String(err)}`,
        );
    }
    record({
      method,
      path: `${url.pathname}${url.search}`,
      status,
      startedAt,
      durationMs: Math.round((performance.now() - started) * 100) / 100,
      inBatch: true,
    });
    const keep: Record<string, string> = {};
    for (const [k, v] of Object.entries(outHeaders)) if (/^(retry-after|content-type|location)$/i.test(k)) keep[k] = v;
    let parsedBody: unknown = null;
    if (outBody !== '') {
      try {
        parsedBody = JSON.parse(outBody);
      } catch {
        parsedBody = outBody;
      }
    }
    return { status, headers: keep, ...(parsedBody === null ? {} : { body: parsedBody }) };
  };

  const onRequest = (req: IncomingMessage, res: ServerResponse): void => {
    const startedAt = Date.now();
    const started = performance.now();
    const method = (req.method ?? 'GET').toUpperCase();
    const rawPath = req.url ?? '/';
    let recorded = false;
    const finish = (status: number): void => {
      if (recorded) return;
      recorded = true;
      record({
        method,
        path: rawPath,
        status,
        startedAt,
        durationMs: Math.round((performance.now() - started) * 100) / 100,
      });
    };
    res.on('finish', () => finish(res.statusCode));
    res.on('close', () => finish(res.writableFinished ? res.statusCode : 0));

    const requestId = newRequestId();
    const clientHeader = req.headers['client-request-id'];
    const url = new URL(rawPath, baseUrl);
    const ctx: RequestContext = {
      req,
      res,
      method,
      url,
      segments: [],
      params: {},
      requestId,
      // MSAL sends its correlation id as a query parameter on token requests, the Graph SDK as a header.
      clientRequestId:
        (Array.isArray(clientHeader) ? clientHeader[0] : clientHeader) ??
        url.searchParams.get('client-request-id') ??
        requestId,
      baseUrl,
      store,
      settings,
    };
    const segments = decodeSegments(url.pathname);
    if (!segments) {
      sendGraphError(ctx, 400, 'BadRequest', 'The request URI is not valid.');
      return;
    }
    ctx.segments = segments;
    dispatch(ctx).catch((err: unknown) => {
      if (res.headersSent || res.destroyed) return;
      if (err instanceof GraphError) {
        sendGraphError(
          ctx,
          err.status,
          err.code,
          err.message,
          err instanceof ThrottledWrite ? { 'Retry-After': String(err.retryAfterSeconds) } : {},
        );
      } else {
        sendGraphError(
          ctx,
          500,
          'InternalServerError',
          `Demo tenant failure: ${(err as Error).message ?? String(err)}`,
        );
      }
    });
  };

  const served = (at: { host: string; hostname: string; port: number }, close: () => Promise<void>): DemoTenant => ({
    url: baseUrl,
    ...at,
    get tenantId() {
      return store.data.tenantId;
    },
    get clientId() {
      return store.data.app.clientId;
    },
    get clientSecret() {
      return store.data.app.clientSecret;
    },
    get data() {
      return store.data;
    },
    faults,
    requests,
    auditQueries: () => auditLog.queries(),
    setData: (data) => store.replace(data),
    handle: onRequest,
    close,
  });

  if (options.sharedOrigin !== undefined) {
    const origin = new URL(options.sharedOrigin);
    baseUrl = origin.origin;
    return served({ host: origin.host, hostname: origin.hostname, port: Number(origin.port) }, () => Promise.resolve());
  }

  const server = https.createServer({ cert: options.tls.cert, key: options.tls.key }, onRequest);
  const hostname = options.host ?? '127.0.0.1';
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, hostname, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  const urlHost = hostname.includes(':') ? `[${hostname}]` : hostname;
  baseUrl = `https://${urlHost}:${port}`;
  return served(
    { host: `${urlHost}:${port}`, hostname: urlHost, port },
    () =>
      new Promise<void>((resolve, reject) => {
        server.close((err) => (err ? reject(err) : resolve()));
        server.closeAllConnections();
      }),
  );
}
