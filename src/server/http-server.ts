import { randomUUID } from 'node:crypto';
import restify, { type Server } from 'restify';
import type { Activity } from 'botbuilder';
import type { Application, TurnState } from '@microsoft/teams-ai';
import type { Logger } from 'pino';
import { ApiError, sendApiError } from '../api/api-errors';
import { registerTenantRoutes, type TenantRouteDeps } from '../api/tenant-routes';
import { BotAuthError, type SeatStewardAdapter } from '../bot/teams-adapter';
import { parseActivity, serviceUrlRefusal } from './activity-envelope';
import { answerClientErrorsAsJson, answerRestifyErrorsAsJson, headAsGet, readJsonBody, refuseEncodedBodies } from './http-edge';

export interface HttpServerDeps {
  adapter: SeatStewardAdapter;
  /**
   * Anonymous mode (no BOT_ID) checks no Bot Framework token, so /api/messages then accepts only
   * loopback callers whose replies go to a loopback connector (the Playground, tests): otherwise
   * anyone on the network could read license data or make the bot post to any URL.
   */
  loopbackOnly: boolean;
  /** With BOT_ID: connector URL prefixes accepted besides the Bot Framework's own hosts (BOT_SERVICE_URLS). */
  extraServiceUrls?: readonly string[];
  bot: Application<TurnState>;
  api: TenantRouteDeps;
  health: () => Record<string, unknown>;
  logger: Logger;
}

const MAX_BODY_BYTES = 1024 * 1024;

/** Bot Framework timestamps arrive as strings; botbuilder's handlers expect Dates (what CloudAdapter.process did). */
function withDates(activity: Record<string, unknown>): Activity {
  for (const key of ['timestamp', 'localTimestamp', 'expiration'] as const) {
    const value = activity[key];
    if (typeof value === 'string') {
      activity[`raw${key[0].toUpperCase()}${key.slice(1)}`] = value;
      activity[key] = new Date(value);
    }
  }
  return activity as unknown as Activity;
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
    try {
      queryParser(req, res, next);
    } catch {
      sendApiError(res, new ApiError(400, 'invalid_parameter', 'The query string could not be parsed.'));
      next(false);
    }
  });

  const policy = deps.loopbackOnly ? ({ kind: 'loopback' } as const) : ({ kind: 'bot-framework', extra: deps.extraServiceUrls ?? [] } as const);

  server.post('/api/messages', readJsonBody(MAX_BODY_BYTES), async (req, res) => {
    // The adapter would fail deep inside (or reply into the void) on these; tell the sender plainly instead.
    const parsed = parseActivity(req.body);
    if (!parsed.ok) {
      deps.logger.warn({ remote: req.socket.remoteAddress, problems: parsed.error.details }, 'activity refused: not a valid Bot Framework activity');
      return sendApiError(res, parsed.error);
    }
    // Checked before the token: a serviceUrl that was not validated is never stored or called.
    const refusal = serviceUrlRefusal(parsed.serviceUrl, policy, req.socket.remoteAddress);
    if (refusal) {
      deps.logger.warn({ remote: req.socket.remoteAddress, serviceUrl: parsed.serviceUrl.origin, code: refusal.code }, 'activity refused: replies would go to a connector that is not allowed');
      return sendApiError(res, refusal);
    }
    try {
      const invoke = await deps.adapter.processInbound(withDates(parsed.activity), req.header('authorization') ?? '', async (context) => {
        await deps.bot.run(context);
      });
      const status = invoke?.status ?? 200;
      if (invoke?.body !== undefined) {
        res.json(status, invoke.body);
      } else if (status >= 400) {
        // botbuilder answers an invoke no handler took with a bare 501.
        sendApiError(
          res,
          status === 501
            ? new ApiError(501, 'invoke_not_supported', 'Seat Steward does not handle this kind of invoke activity.')
            : new ApiError(status, 'invoke_failed', 'The bot did not accept this invoke activity.'),
        );
      } else {
        res.status(status);
        res.end();
      }
    } catch (error) {
      if (res.headersSent) return;
      if (error instanceof BotAuthError && error.kind === 'unauthorized') {
        deps.logger.warn({ err: error.cause, remote: req.socket.remoteAddress }, 'activity refused: Bot Framework token not accepted');
        return sendApiError(res, new ApiError(401, 'unauthorized', 'The request does not carry a valid Bot Framework token for this bot.'));
      }
      if (error instanceof BotAuthError) {
        deps.logger.error({ err: error.cause }, 'could not check a Bot Framework token: the OpenID metadata or signing keys are unreachable (BOT_OPENID_METADATA_URL)');
        res.setHeader('Retry-After', '30');
        return sendApiError(res, new ApiError(503, 'bot_auth_unavailable', 'Seat Steward cannot check Bot Framework tokens right now; try again shortly.'));
      }
      const errorId = randomUUID();
      deps.logger.error({ err: error, errorId }, 'activity processing failed');
      sendApiError(res, new ApiError(500, 'activity_failed', `The bot could not process this activity; quote error id ${errorId} to its administrator.`));
    }
  });

  server.get('/healthz', async (_req, res) => {
    res.json(200, { status: 'ok', ...deps.health() });
  });

  registerTenantRoutes(server, deps.api);
  return server;
}
