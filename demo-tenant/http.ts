import crypto from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { TenantStore } from './store';

export interface ServerSettings {
  maxPageSize: number;
  pageSizePattern: 'full' | 'short';
  tokenLifetimeSeconds: number;
  discoverUnknownTenants: boolean;
}

export interface RequestContext {
  req: IncomingMessage;
  res: ServerResponse;
  method: string;
  url: URL;
  /** Decoded path segments. */
  segments: string[];
  params: Record<string, string>;
  /** Server-generated id, echoed the way Graph and Entra do for support tickets. */
  requestId: string;
  /** The caller's client-request-id header, or the request id when absent (as Graph does). */
  clientRequestId: string;
  /** `https://127.0.0.1:port`, used for nextLinks and metadata documents. */
  baseUrl: string;
  store: TenantStore;
  settings: ServerSettings;
}

export type Handler = (ctx: RequestContext) => void | Promise<void>;

const MAX_BODY_BYTES = 1024 * 1024;

export function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) {
        reject(new Error('request body too large'));
        req.destroy();
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

export const GRAPH_JSON =
  'application/json;odata.metadata=minimal;odata.streaming=true;IEEE754Compatible=false;charset=utf-8';

/** Headers every Graph response carries; clients log request-id for support cases. */
function graphHeaders(ctx: RequestContext): Record<string, string> {
  return {
    'request-id': ctx.requestId,
    'client-request-id': ctx.clientRequestId,
    'x-ms-ags-diagnostic': JSON.stringify({
      ServerInfo: { DataCenter: 'Demo Loopback', Slice: 'E', Ring: '0', ScaleUnit: '000', RoleInstance: 'DEMO-TENANT' },
    }),
    'Cache-Control': 'no-cache',
    'OData-Version': '4.0',
    'Strict-Transport-Security': 'max-age=31536000',
  };
}

export function sendGraphJson(
  ctx: RequestContext,
  status: number,
  body: string,
  extraHeaders: Record<string, string> = {},
): void {
  ctx.res.writeHead(status, {
    ...graphHeaders(ctx),
    'Content-Type': GRAPH_JSON,
    'Content-Length': String(Buffer.byteLength(body)),
    ...extraHeaders,
  });
  ctx.res.end(body);
}

export function sendGraphText(ctx: RequestContext, status: number, body: string): void {
  ctx.res.writeHead(status, {
    ...graphHeaders(ctx),
    'Content-Type': 'text/plain; charset=utf-8',
    'Content-Length': String(Buffer.byteLength(body)),
  });
  ctx.res.end(body);
}

/** Graph's innerError.date: second precision, no zone suffix. */
function graphErrorDate(): string {
  return new Date().toISOString().slice(0, 19);
}

export function graphErrorBody(ctx: RequestContext, code: string, message: string): string {
  return JSON.stringify({
    error: {
      code,
      message,
      innerError: { date: graphErrorDate(), 'request-id': ctx.requestId, 'client-request-id': ctx.clientRequestId },
    },
  });
}

export function sendGraphError(
  ctx: RequestContext,
  status: number,
  code: string,
  message: string,
  extraHeaders: Record<string, string> = {},
): void {
  sendGraphJson(ctx, status, graphErrorBody(ctx, code, message), extraHeaders);
}

/** A failure a handler raises to be rendered as a Graph error response. */
export class GraphError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'GraphError';
  }
}

/** Entra's timestamp format inside error bodies: `2024-05-01 12:34:56Z`. */
export function entraTimestamp(date = new Date()): string {
  return `${date.toISOString().slice(0, 10)} ${date.toISOString().slice(11, 19)}Z`;
}

export interface EntraError {
  status: number;
  error: string;
  code: number;
  /** Text after `AADSTS<code>: `. */
  description: string;
}

export function sendEntraJson(
  ctx: RequestContext,
  status: number,
  body: unknown,
  extraHeaders: Record<string, string> = {},
): void {
  const text = JSON.stringify(body);
  ctx.res.writeHead(status, {
    'Content-Type': 'application/json; charset=utf-8',
    'Content-Length': String(Buffer.byteLength(text)),
    'Cache-Control': 'no-store, no-cache',
    Pragma: 'no-cache',
    'x-ms-request-id': ctx.requestId,
    'client-request-id': ctx.clientRequestId,
    'x-ms-ests-server': 'demo-tenant',
    ...extraHeaders,
  });
  ctx.res.end(text);
}

/** Renders the exact body shape Entra ID uses for OAuth errors, trace and correlation ids included. */
export function sendEntraError(ctx: RequestContext, err: EntraError, extraHeaders: Record<string, string> = {}): void {
  const timestamp = entraTimestamp();
  const prefix = /^AADSTS\d+:/.test(err.description) ? '' : `AADSTS${err.code}: `;
  sendEntraJson(
    ctx,
    err.status,
    {
      error: err.error,
      error_description: `${prefix}${err.description}\r\nTrace ID: ${ctx.requestId}\r\nCorrelation ID: ${ctx.clientRequestId}\r\nTimestamp: ${timestamp}`,
      error_codes: [err.code],
      timestamp,
      trace_id: ctx.requestId,
      correlation_id: ctx.clientRequestId,
      error_uri: `https://login.microsoftonline.com/error?code=${err.code}`,
    },
    extraHeaders,
  );
}

export function newRequestId(): string {
  return crypto.randomUUID();
}
