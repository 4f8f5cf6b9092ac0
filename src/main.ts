import { spawn } from 'node:child_process';
import { demoTrustEnv, trustsDemoCertificate } from './app/demo-trust';
import { startSeatSteward } from './app/seat-steward';
import { ConfigError, loadConfig, type AppConfig } from './config/config';
import { createLogger } from './adapters/logging/logger';
import { startAgentsPlayground, type RunningPlayground } from './adapters/playground/agents-playground';

/** `npm start`: the bot, the REST API, the scheduler and (by default) the demo tenant and the Agents Playground. */
async function main(): Promise<void> {
  let config: AppConfig;
  try {
    config = loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(error.message);
      process.exit(1);
    }
    throw error;
  }

  if (config.tenant.kind === 'demo') {
    const { caFile } = await demoTrustEnv(config.dataDir);
    if (!trustsDemoCertificate(caFile)) return restartTrusting(caFile);
  }

  const logger = createLogger(config.logLevel);
  const app = await startSeatSteward(config, { logger });
  let playground: RunningPlayground | undefined;
  if (config.playground.enabled) {
    try {
      playground = await startAgentsPlayground({ botPort: app.port, port: config.playground.port, logger });
    } catch (error) {
      logger.error({ err: error }, 'the Agents Playground did not start; the bot runs without it (PLAYGROUND=off hides this)');
    }
  }

  const tenantLine =
    config.tenant.kind === 'demo'
      ? `built-in demo tenant (${app.demoTenant?.organizationName}, ${app.demoTenant?.server.url})`
      : `tenant ${config.tenant.entraTenantId} via ${config.tenant.graphEndpoint}`;
  console.log(
    [
      '',
      'Seat Steward is running',
      `  Bot endpoint   http://localhost:${app.port}/api/messages${config.bot.mode === 'anonymous' ? ' (anonymous: no BOT_ID)' : ''}`,
      `  REST API       http://localhost:${app.port}/api/v1/m365/tenants${config.apiKeys.length === 0 ? ' (set API_KEYS to enable)' : ''}`,
      `  Health         http://localhost:${app.port}/healthz`,
      `  Tenant         ${tenantLine}`,
      `  Sync schedule  ${config.syncCron} (UTC)`,
      playground ? `  Playground     ${playground.url}  <- open this to chat with the bot` : '',
      '',
    ]
      .filter((l) => l !== '')
      .join('\n'),
  );

  let stopping = false;
  const stop = async (signal: string) => {
    // A second Ctrl+C while a sync winds down means "now": the start-up sweep cleans up after it.
    if (stopping) process.exit(1);
    stopping = true;
    logger.info({ signal }, 'stopping');
    await playground?.stop();
    await app.close();
    process.exit(0);
  };
  process.on('SIGINT', () => void stop('SIGINT'));
  process.on('SIGTERM', () => void stop('SIGTERM'));
}

/** Node reads NODE_EXTRA_CA_CERTS only at start-up, so run ourselves again with it set. */
function restartTrusting(caFile: string): void {
  const child = spawn(process.execPath, [...process.execArgv, ...process.argv.slice(1)], {
    stdio: 'inherit',
    env: { ...process.env, NODE_EXTRA_CA_CERTS: caFile },
  });
  for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, () => child.kill(signal));
  child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.stack ?? error.message : error);
  process.exit(1);
});
