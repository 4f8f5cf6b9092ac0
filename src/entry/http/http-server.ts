// Before restify, which loads http-deceiver (see the module).
import './silence-http-parser-deprecation';
import restify, { type Server } from 'restify';
import { z } from 'zod';
import type { Logger } from 'pino';
import { registerJobRoutes, type JobRouteDeps } from '../api/job-routes';
import { registerTenantRoutes, type TenantRouteDeps } from '../api/tenant-routes';

/** Hands a validated Bot Framework request to the bot (src/entry/bot), which answers on `res`. */
export type ActivityProcessor = (req: restify.Request, res: restify.Response) => Promise<void>;

export interface HttpServerDeps {
  processActivity: ActivityProcessor;
  /**
   * Anonymous mode (no BOT_ID) checks no Bot Framework token, so /api/messages then accepts only
   * loopback callers whose replies go to a loopback connector (the Playground, tests): otherwise
   * anyone on the network could read license data or make the bot post to any URL.
   */
  loopbackOnly: boolean;
  api: TenantRouteDeps;
  jobs: JobRouteDeps;
  health: () => Record<string, unknown>;
  logger: Logger;
}

/** The fields every Bot Framework activity carries and the bot needs to answer it. */
const activityEnvelope = z.object(
  {
    type: z.string({ required_error: 'required (message, invoke, conversationUpdate, ...)' }).min(1),
    serviceUrl: z.string({ required_error: 'required (where replies go)' }).url('expected the connector URL'),
    conversation: z.object({ id: z.string({ required_error: 'required' }).min(1) }, { required_error: 'required' }),
    channelId: z.string({ required_error: 'required' }).min(1),
  },
  { invalid_type_error: 'expected a JSON object' },
);

function isLoopbackAddress(address: string | undefined): boolean {
  if (!address) return false;
  const v4 = address.replace(/^::ffff:/, '');
  return v4.startsWith('127.') || address === '::1';
}

function isLoopbackUrl(url: string): boolean {
  const host = new URL(url).hostname.replace(/^\[|\]$/g, '');
  return host === 'localhost' || isLoopbackAddress(host);
}

/** One restify server for the Bot Framework endpoint, the REST API and the health probe. */
export function createHttpServer(deps: HttpServerDeps): Server {
  const server = restify.createServer({ name: 'seat-steward', handleUncaughtExceptions: false });
  server.use(restify.plugins.queryParser({ mapParams: false }));
  server.use(restify.plugins.bodyParser({ mapParams: false, maxBodySize: 1024 * 1024 }));

  server.post('/api/messages', async (req, res) => {
    // The adapter would fail deep inside (or reply into the void) on these; tell the sender plainly instead.
    const envelope = activityEnvelope.safeParse(req.body);
    if (!envelope.success) {
      const problems = envelope.error.issues.map((i) => `${i.path.join('.') || 'body'}: ${i.message}`);
      res.status(400);
      res.json({ error: { code: 'invalid_activity', message: `Not a Bot Framework activity: ${problems.join('; ')}` } });
      return;
    }
    if (deps.loopbackOnly && !(isLoopbackAddress(req.socket.remoteAddress) && isLoopbackUrl(envelope.data.serviceUrl))) {
      res.status(401);
      res.json({
        error: {
          code: 'anonymous_mode_loopback_only',
          message: 'Without BOT_ID the bot accepts activities only from this machine, replying to a local connector. Register the bot (BOT_ID, SECRET_BOT_PASSWORD) to serve Teams.',
        },
      });
      return;
    }
    try {
      await deps.processActivity(req, res);
    } catch (error) {
      deps.logger.error({ err: error }, 'activity processing failed');
      if (!res.headersSent) {
        res.status(500);
        res.json({ error: { code: 'activity_failed', message: 'The bot could not process this activity; see its log.' } });
      }
    }
  });

  server.get('/healthz', async (_req, res) => {
    res.json(200, { status: 'ok', ...deps.health() });
  });

  registerTenantRoutes(server, deps.api);
  registerJobRoutes(server, deps.jobs);
  return server;
}
