import { randomUUID } from 'node:crypto';
import http from 'node:http';
import type { Duplex } from 'node:stream';
import type { Logger } from 'pino';
import type { Next, Request, RequestHandler, Response, Server } from 'restify';
import { ApiError, sendApiError } from '../api/api-errors';

/**
 * Guards in front of every route. Nothing here may throw: restify runs handlers outside any
 * try/catch, so one bad header would take the whole process down for everyone (it did: a gzip
 * header with a body that does not inflate crashed restify's body reader before any auth ran).
 */

/**
 * Bot Framework and the REST clients never compress request bodies, and inflating one lets a
 * 200 KB request grow to 200 MB past any size limit. So only identity is accepted.
 */
export const refuseEncodedBodies: RequestHandler = (req: Request, res: Response, next: Next) => {
  const encoding = (req.headers['content-encoding'] ?? '').trim().toLowerCase();
  if (encoding === '' || encoding === 'identity') return next();
  // The body is not read; closing spares draining what may be a large upload.
  res.setHeader('Connection', 'close');
  sendApiError(
    res,
    new ApiError(
      415,
      'unsupported_content_encoding',
      'Seat Steward does not accept compressed request bodies: send the body without Content-Encoding (or with Content-Encoding: identity).',
    ),
  );
  return next(false);
};

/** HEAD is GET without a body: Node already drops the body of a HEAD response, so the GET route can answer it. */
export const headAsGet: RequestHandler = (req: Request, _res: Response, next: Next) => {
  if (req.method === 'HEAD') req.method = 'GET';
  return next();
};

function isJsonMediaType(contentType: string | undefined): boolean {
  const type = (contentType ?? '').split(';')[0].trim().toLowerCase();
  return type === '' || type === 'application/json' || type.endsWith('+json');
}

/**
 * Reads a JSON body of at most maxBytes into req.body. Replaces restify's bodyParser, which inflated
 * gzip bodies past its limit and wrote multipart uploads to disk before any auth had run.
 */
export function readJsonBody(maxBytes: number): RequestHandler {
  const tooLarge = () => new ApiError(413, 'payload_too_large', `The request body is larger than ${maxBytes} bytes.`);
  return (req: Request, res: Response, next: Next) => {
    if (!isJsonMediaType(req.headers['content-type'])) {
      res.setHeader('Connection', 'close');
      sendApiError(
        res,
        new ApiError(415, 'unsupported_media_type', 'Send the body as JSON (Content-Type: application/json).'),
      );
      return next(false);
    }
    const declared = Number(req.headers['content-length']);
    if (Number.isFinite(declared) && declared > maxBytes) {
      res.setHeader('Connection', 'close');
      sendApiError(res, tooLarge());
      return next(false);
    }
    const chunks: Buffer[] = [];
    let size = 0;
    let settled = false;
    const settle = (error?: ApiError) => {
      if (settled) return;
      settled = true;
      if (!error) return next();
      res.setHeader('Connection', 'close');
      sendApiError(res, error);
      return next(false);
    };
    req.on('data', (chunk: Buffer) => {
      if (settled) return;
      size += chunk.length;
      if (size > maxBytes) return settle(tooLarge());
      chunks.push(chunk);
    });
    req.on('end', () => {
      if (settled) return;
      let text: string;
      try {
        text = new TextDecoder('utf-8', { fatal: true }).decode(Buffer.concat(chunks));
      } catch {
        return settle(new ApiError(400, 'invalid_json', 'The request body is not UTF-8 text.'));
      }
      try {
        req.body = JSON.parse(text) as unknown;
      } catch {
        return settle(new ApiError(400, 'invalid_json', 'The request body is not valid JSON.'));
      }
      return settle();
    });
    // The client went away mid-body: nobody is left to answer, but the handler chain must end.
    const abandon = () => {
      if (settled) return;
      settled = true;
      next(false);
    };
    req.on('error', abandon);
    req.on('aborted', abandon);
  };
}

const snakeCase = (name: string) =>
  name
    .replace(/Error$/, '')
    .replace(/([a-z0-9])([A-Z])/g, '$1_$2')
    .toLowerCase();

/**
 * Every failure restify produces itself (no route, wrong method, a handler that threw) answers in
 * the API's one error shape; a 500 carries an error id for the log, never the internal message.
 */
export function answerRestifyErrorsAsJson(server: Server, logger: Logger): void {
  server.on(
    'restifyError',
    (req: Request, res: Response, err: Error & { statusCode?: unknown }, callback: () => void) => {
      if (!res.headersSent) sendApiError(res, describeRestifyError(req, res, err, logger));
      return callback();
    },
  );
}

function describeRestifyError(
  req: Request,
  res: Response,
  err: Error & { statusCode?: unknown },
  logger: Logger,
): ApiError {
  const status = typeof err.statusCode === 'number' ? err.statusCode : 500;
  if (err.name === 'ResourceNotFoundError') {
    return new ApiError(
      404,
      'not_found',
      'No such route. Seat Steward serves POST /api/messages, GET /healthz and GET /api/v1/m365/tenants[/{id}/users|/{id}/licenses].',
    );
  }
  if (err.name === 'MethodNotAllowedError') {
    const allow = res.getHeader('allow');
    return new ApiError(
      405,
      'method_not_allowed',
      `This route does not take ${req.method}${allow ? `; it takes ${String(allow)}` : ''}.`,
    );
  }
  if (status >= 400 && status < 500)
    return new ApiError(
      status,
      snakeCase(err.name || 'bad_request'),
      http.STATUS_CODES[status] ?? 'The request was not accepted.',
    );
  const errorId = randomUUID();
  logger.error({ err, errorId, method: req.method, path: req.path() }, 'request failed');
  return new ApiError(
    500,
    'internal_error',
    `Seat Steward failed to answer; quote error id ${errorId} to its administrator.`,
  );
}

/**
 * Node answers requests it cannot parse (a 100 KB query line, bytes that are not HTTP) on its own,
 * with an empty body; these answer in the error shape too.
 */
export function answerClientErrorsAsJson(server: http.Server): void {
  server.on('clientError', (err: NodeJS.ErrnoException, socket: Duplex) => {
    const inFlight = (socket as Duplex & { _httpMessage?: { headersSent?: boolean } })._httpMessage;
    if (err.code === 'ECONNRESET' || !socket.writable || inFlight?.headersSent) {
      socket.destroy();
      return;
    }
    const [status, code, message] =
      err.code === 'HPE_HEADER_OVERFLOW'
        ? [
            431,
            'request_header_fields_too_large',
            'The request line and headers are larger than 16 KB; shorten the query string or the headers.',
          ]
        : err.code === 'ERR_HTTP_REQUEST_TIMEOUT'
          ? [408, 'request_timeout', 'The request was not received in time.']
          : [400, 'bad_request', 'The request is not valid HTTP/1.1.'];
    const body = JSON.stringify({ error: { code, message } });
    socket.end(
      `HTTP/1.1 ${status} ${http.STATUS_CODES[status]}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
    );
  });
}
