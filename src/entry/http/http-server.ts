// Before restify, which loads http-deceiver (see the module).
import './silence-http-parser-deprecation';
import { randomUUID } from 'node:crypto';
import restify, { type Route, type Server } from 'restify';
import type { Logger } from 'pino';
import { ApiError, sendApiError } from '../api/api-errors';
import { registerJobRoutes, type JobRouteDeps } from '../api/job-routes';
import { registerTenantRoutes, type TenantRouteDeps } from '../api/tenant-routes';
import { openApiJson } from '../api/openapi-document';
import type { HealthReport } from '../../domain/health';
import type { HealthJson } from './server-doc';
import { parseActivity, serviceUrlRefusal } from './activity-envelope';
import {
  answerClientErrorsAsJson,
  answerRestifyErrorsAsJson,
  headAsGet,
  readJsonBody,
  refuseEncodedBodies,
} from './http-edge';

/** How the bot (src/entry/bot) disposed of a validated activity; the HTTP answer is decided here. */
export type ActivityOutcome =
  | { kind: 'answered'; status: number; body?: unknown }
  /** The Bot Framework token is missing, forged, expired or for another bot. */
  | { kind: 'unauthorized'; cause: unknown }
  /** The token could not be checked: the Bot Framework's signing keys are unreachable. */
  | { kind: 'auth_unavailable'; cause: unknown };

export type ActivityProcessor = (activity: Record<string, unknown>, authorization: string) => Promise<ActivityOutcome>;

export interface HttpServerDeps {
  processActivity: ActivityProcessor;
  /**
   * Anonymous mode (no BOT_ID) checks no Bot Framework token, so /api/messages then accepts only
   * loopback callers whose replies go to a loopback connector (the Playground, tests): otherwise
   * anyone on the network could read license data or make the bot post to any URL.
   */
  loopbackOnly: boolean;
  /** With BOT_ID: connector URL prefixes accepted besides the Bot Framework's own hosts (BOT_SERVICE_URLS). */
  extraServiceUrls?: readonly string[];
  api: TenantRouteDeps;
  jobs: JobRouteDeps;
  health: () => HealthReport;
  /** Further /api/v1 route groups (sync, check, usage, security, audit...), each registering its own routes. */
  routes?: Array<(server: Server) => void>;
  logger: Logger;
}

const MAX_BODY_BYTES = 1024 * 1024;

/** What the HTTP caller hears for each outcome; token failures never name the outbound calls behind them. */
function httpAnswerOf(outcome: ActivityOutcome): ApiError | { status: number; body?: unknown } {
  switch (outcome.kind) {
    case 'unauthorized':
      return new ApiError(401, 'unauthorized', 'The request does not carry a valid Bot Framework token for this bot.');
    case 'auth_unavailable':
      return new ApiError(
        503,
        'bot_auth_unavailable',
        'Seat Steward cannot check Bot Framework tokens right now; try again shortly.',
      );
    case 'answered':
      if (outcome.body !== undefined) return outcome;
      // botbuilder answers an invoke no handler took with a bare 501.
      if (outcome.status === 501)
        return new ApiError(501, 'invoke_not_supported', 'Seat Steward does not handle this kind of invoke activity.');
      if (outcome.status >= 400)
        return new ApiError(outcome.status, 'invoke_failed', 'The bot did not accept this invoke activity.');
      return outcome;
  }
}

/** One restify server for the Bot Framework endpoint, the REST API and the health probe. */
export function createHttpServer(deps: HttpServerDeps): Server {
  const server = restify.createServer({ name: 'seat-steward', handleUncaughtExceptions: false });
  answerClientErrorsAsJson(server.server);
  answerRestifyErrorsAsJson(server, deps.logger);
  server.pre(refuseEncodedBodies);
  server.pre(headAsGet);
  const queryParser = restify.plugins.queryParser({ mapParams: false });
  server.use((req, res, next) => {
    // restify's parser (qs) reads "a[b]=1" as a nested object and silently drops "search[__proto__]",
    // so a filter the caller meant vanished and everything was answered. No parameter is nested.
    const bracketed = [...new URLSearchParams(req.getQuery()).keys()].find((key) => /[[\]]/.test(key));
    if (bracketed !== undefined) {
      const name = bracketed.length > 60 ? `${bracketed.slice(0, 60)}…` : bracketed;
      sendApiError(
        res,
        new ApiError(
          400,
          'invalid_parameter',
          `Invalid query parameter: ${name}: bracketed (nested or array) parameter names are not supported; give each parameter once as name=value`,
          [`${name}: bracketed parameter names are not supported`],
        ),
      );
      return next(false);
    }
    try {
      queryParser(req, res, next);
    } catch {
      sendApiError(res, new ApiError(400, 'invalid_parameter', 'The query string could not be parsed.'));
      next(false);
    }
  });

  const policy = deps.loopbackOnly
    ? ({ kind: 'loopback' } as const)
    : ({ kind: 'bot-framework', extra: deps.extraServiceUrls ?? [] } as const);

  server.post('/api/messages', readJsonBody(MAX_BODY_BYTES), async (req, res) => {
    // The adapter would fail deep inside (or reply into the void) on these; tell the sender plainly instead.
    const parsed = parseActivity(req.body);
    if (!parsed.ok) {
      deps.logger.warn(
        { remote: req.socket.remoteAddress, problems: parsed.error.details },
        'activity refused: not a valid Bot Framework activity',
      );
      return sendApiError(res, parsed.error);
    }
    // Checked before the token: a serviceUrl that was not validated is never stored or called.
    const refusal = serviceUrlRefusal(parsed.serviceUrl, policy, req.socket.remoteAddress);
    if (refusal) {
      deps.logger.warn(
        { remote: req.socket.remoteAddress, serviceUrl: parsed.serviceUrl.origin, code: refusal.code },
        'activity refused: replies would go to a connector that is not allowed',
      );
      return sendApiError(res, refusal);
    }
    let outcome: ActivityOutcome;
    try {
      outcome = await deps.processActivity(parsed.activity, req.header('authorization') ?? '');
    } catch (error) {
      if (res.headersSent) return;
      const errorId = randomUUID();
      deps.logger.error({ err: error, errorId }, 'activity processing failed');
      return sendApiError(
        res,
        new ApiError(
          500,
          'activity_failed',
          `The bot could not process this activity; quote error id ${errorId} to its administrator.`,
        ),
      );
    }
    if (res.headersSent) return;
    const answer = httpAnswerOf(outcome);
    if (outcome.kind === 'unauthorized')
      deps.logger.warn(
        { err: outcome.cause, remote: req.socket.remoteAddress },
        'activity refused: Bot Framework token not accepted',
      );
    if (outcome.kind === 'auth_unavailable') {
      deps.logger.error(
        { err: outcome.cause },
        'could not check a Bot Framework token: the OpenID metadata or signing keys are unreachable (BOT_OPENID_METADATA_URL)',
      );
      res.setHeader('Retry-After', '30');
    }
    if (answer instanceof ApiError) sendApiError(res, answer);
    else if (answer.body !== undefined) res.json(answer.status, answer.body);
    else {
      res.status(answer.status);
      res.end();
    }
  });

  server.get('/healthz', async (_req, res) => {
    const body: HealthJson = { status: 'ok', ...deps.health() };
    res.json(200, body);
  });

  // The REST API's description, public like /healthz: it names routes and shapes, no data.
  server.get('/openapi.json', async (_req, res) => {
    res.sendRaw(200, openApiJson(), { 'Content-Type': 'application/json' });
  });

  registerTenantRoutes(server, deps.api);
  registerJobRoutes(server, deps.jobs);
  for (const register of deps.routes ?? []) register(server);
  return server;
}

/** Every route the server registered (method, restify path): the OpenAPI contract test checks each is documented. */
export function registeredRoutes(server: Server): Array<{ method: string; path: string }> {
  // restify's registry is keyed by route name; its typings call it an array.
  return Object.values(server.router.getRoutes() as unknown as Record<string, Route>).map((r) => ({
    method: r.method.toLowerCase(),
    path: String(r.path),
  }));
}
