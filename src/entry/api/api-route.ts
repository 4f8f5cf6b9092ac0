import { keySeesTenant } from './api-auth';
import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import type { Request, Response } from 'restify';
import { z } from './api-zod';
import type { TenantRecord } from '../../domain/tenant';
import { ApiError, badParameters, sendApiError } from './api-errors';
import { RenderedJson } from './rendered-pages';
import { positiveId } from './api-doc';
import { CONTROL_CHARACTER } from '../input-text';

/** The REST plumbing every /api/v1/m365 route shares: key check, JSON answer, one error shape. */

/**
 * Answers a failed request: an ApiError with its status and message, anything else a 500 with an
 * error id to quote (internal details, such as SQL or paths, stay in the log under that id).
 */
export function sendFailure(logger: Logger, req: Request, res: Response, error: unknown, what: string): void {
  if (error instanceof ApiError) return sendApiError(res, error);
  const errorId = randomUUID();
  logger.error({ err: error, errorId, path: req.path() }, `${what} failed`);
  sendApiError(
    res,
    new ApiError(
      500,
      'internal_error',
      `Seat Steward failed to answer; quote error id ${errorId} to its administrator.`,
    ),
  );
}

/**
 * sendFailure for a download: once its headers are out, a truncated file must not look complete,
 * so the connection is cut instead.
 */
export function failDownload(logger: Logger, req: Request, res: Response, error: unknown, what: string): void {
  if (res.headersSent) {
    logger.error({ err: error, path: req.path() }, `${what} failed part-way; the download was cut`);
    res.destroy();
    return;
  }
  sendFailure(logger, req, res, error, what);
}

/** An answer with a status other than 200 (201 for a created tenant). */
export class JsonAnswer {
  constructor(
    readonly status: number,
    readonly body: unknown,
  ) {}
}

/**
 * Wraps a route body: checks the API key, answers 200 with what the body returns, turns ApiErrors
 * into their status and anything else into a 500 with an error id (internal details, such as SQL or
 * paths, stay in the log).
 */
export function jsonRoute(deps: { authorize: (req: Request) => void; logger: Logger }) {
  return (fn: (req: Request) => unknown) => async (req: Request, res: Response) => {
    try {
      deps.authorize(req);
      const answer = await fn(req);
      if (answer instanceof RenderedJson) res.sendRaw(200, answer.body, { 'Content-Type': 'application/json' });
      else if (answer instanceof JsonAnswer) res.json(answer.status, answer.body);
      else res.json(200, answer);
    } catch (error) {
      sendFailure(deps.logger, req, res, error, 'REST API request');
    }
  };
}

export const integer = (name: string, min: number, max: number, fallback: number) =>
  z
    .string()
    .regex(/^\d+$/, `expected a whole number from ${min} to ${max}`)
    .transform(Number)
    .pipe(z.number().min(min, `${name} must be at least ${min}`).max(max, `${name} must be at most ${max}`))
    .optional()
    .transform((v) => v ?? fallback)
    // Documented as what it is to a caller: a whole number with its range and default.
    .openapi({ type: 'integer', minimum: min, maximum: max, description: `Default ${fallback}.` });

export function parseQuery<T extends z.ZodTypeAny>(schema: T, req: Request): z.infer<T> {
  const raw = (req.query ?? {}) as Record<string, unknown>;
  // A repeated parameter arrives as an array; the API takes each parameter once.
  for (const [key, value] of Object.entries(raw)) {
    if (Array.isArray(value))
      throw new ApiError(400, 'invalid_parameter', `Invalid query parameter: ${key} was given more than once`, [
        `${key}: given more than once`,
      ]);
    // A NUL cut the search short ("a%00zzzz" matched like "a"); no parameter has a use for control characters.
    if (CONTROL_CHARACTER.test(key) || (typeof value === 'string' && CONTROL_CHARACTER.test(value))) {
      const name = CONTROL_CHARACTER.test(key) ? 'a parameter name' : key;
      throw new ApiError(400, 'invalid_parameter', `Invalid query parameter: ${name} contains a control character`, [
        `${name}: contains a control character`,
      ]);
    }
  }
  const parsed = schema.safeParse(raw);
  if (!parsed.success) throw badParameters(parsed.error);
  return parsed.data;
}

/** A numeric id in the path (`:name`): a positive whole number (positiveId), else 400 naming the parameter and what it is. */
export function positiveIdParam(req: Request, name: string, what: string): number {
  const raw = String((req.params as Record<string, unknown>)[name] ?? '');
  if (!positiveId.safeParse(raw).success) {
    throw new ApiError(
      400,
      'invalid_parameter',
      `Invalid ${what} "${raw.slice(0, 40)}": expected a positive whole number.`,
      [`${name}: expected a positive whole number`],
    );
  }
  return Number(raw);
}

/** The tenant a route's `{id}` names (Seat Steward's id or the Microsoft tenant id); 404 when none. */
export function tenantFromPath(
  tenants: { find(idOrEntraTenantId: string): TenantRecord | undefined },
  req: Request,
): TenantRecord {
  const id = String(req.params.id ?? '');
  const found = tenants.find(id);
  // A tenant outside the key's clients answers as one that does not exist.
  const tenant = found && keySeesTenant(req, found) ? found : undefined;
  if (!tenant)
    throw new ApiError(404, 'tenant_not_found', `No tenant with id "${id}" (Seat Steward id or Microsoft tenant id).`);
  return tenant;
}

/** A JSON body checked against its schema: 400 `invalid_parameter` naming every field that is wrong. */
export function parseBody<T extends z.ZodTypeAny>(schema: T, req: Request): z.infer<T> {
  const parsed = schema.safeParse(req.body ?? {});
  if (parsed.success) return parsed.data;
  const details = parsed.error.issues.map((i) => `${i.path.join('.') || 'body'}: ${i.message}`);
  throw new ApiError(
    400,
    'invalid_parameter',
    `Invalid field${details.length > 1 ? 's' : ''}: ${details.join('; ')}`,
    details,
  );
}
