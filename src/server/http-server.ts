import restify, { type Server } from 'restify';
import type { Application, TeamsAdapter, TurnState } from '@microsoft/teams-ai';
import type { Logger } from 'pino';
import { registerTenantRoutes, type TenantRouteDeps } from '../api/tenant-routes';

export interface HttpServerDeps {
  adapter: TeamsAdapter;
  bot: Application<TurnState>;
  api: TenantRouteDeps;
  health: () => Record<string, unknown>;
  logger: Logger;
}

/** One restify server for the Bot Framework endpoint, the REST API and the health probe. */
export function createHttpServer(deps: HttpServerDeps): Server {
  const server = restify.createServer({ name: 'seat-steward', handleUncaughtExceptions: false });
  server.use(restify.plugins.queryParser({ mapParams: false }));
  server.use(restify.plugins.bodyParser({ mapParams: false, maxBodySize: 1024 * 1024 }));

  server.post('/api/messages', async (req, res) => {
    const body = req.body as unknown;
    // The adapter would throw deep inside on these; answer the sender plainly instead.
    if (typeof body !== 'object' || body === null || Array.isArray(body) || typeof (body as { type?: unknown }).type !== 'string') {
      res.status(400);
      res.json({ error: { code: 'invalid_activity', message: 'Expected a Bot Framework activity: a JSON object with a string "type".' } });
      return;
    }
    try {
      await deps.adapter.process(req, res, async (context) => {
        await deps.bot.run(context);
      });
    } catch (error) {
      deps.logger.error({ err: error }, 'activity processing failed');
      if (!res.headersSent) {
        res.status(500);
        res.json({ error: { code: 'activity_failed', message: error instanceof Error ? error.message : String(error) } });
      }
    }
  });

  server.get('/healthz', (_req, res) => {
    res.json(200, { status: 'ok', ...deps.health() });
  });

  registerTenantRoutes(server, deps.api);
  return server;
}
