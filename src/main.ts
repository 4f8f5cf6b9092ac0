import { spawn } from 'node:child_process';
import { demoTrustEnv, trustsDemoCertificate } from './app/demo-trust';
import { PortUnavailableError, startSeatSteward, type SeatSteward } from './app/seat-steward';
import { isAlive } from './adapters/sqlite/instance-lock';
import { ConfigError, loadConfig, type AppConfig } from './config/config';
import { createLogger } from './adapters/logging/logger';
import {
  agentsPlaygroundDir,
  openInBrowser,
  startAgentsPlayground,
  type RunningPlayground,
} from './adapters/playground/agents-playground';

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
  let app: SeatSteward;
  try {
    app = await startSeatSteward(config, { logger });
  } catch (error) {
    if (error instanceof PortUnavailableError) {
      console.error(error.message);
      process.exit(1);
    }
    throw error;
  }
  let playground: RunningPlayground | undefined;
  if (config.playground.enabled && agentsPlaygroundDir() === undefined) {
    logger.warn(
      'the Agents Playground is not offered: it is a development dependency, and this install has none (npm ci --omit=dev); the bot runs without it (PLAYGROUND=off hides this line)',
    );
  } else if (config.playground.enabled) {
    try {
      playground = await startAgentsPlayground({
        botPort: app.port,
        port: config.playground.port,
        logger,
        configDir: config.dataDir,
        identity: { tenantId: config.playground.tenantId, userObjectId: config.playground.user },
        listenHost: config.listenHost,
      });
    } catch (error) {
      logger.error(
        { err: error },
        'the Agents Playground did not start; the bot runs without it (PLAYGROUND=off hides this)',
      );
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
      `  Listening on   ${config.listenHost ?? 'all interfaces'}${config.listenHost === '127.0.0.1' && config.bot.mode === 'anonymous' ? ' (loopback only: anonymous mode; LISTEN_HOST changes it)' : ''}`,
      `  Admins         ${adminsLine(config)}`,
      playground ? `  Playground     ${playground.url}  <- open this to chat with the bot` : '',
      playground ? `  Playground as  ${playgroundUserLine(config)}` : '',
      '',
    ]
      .filter((l) => l !== '')
      .join('\n'),
  );
  if (playground) openInBrowser(playground.url, logger);

  let stopping = false;
  const stop = async (reason: string) => {
    if (stopping) {
      // A second Ctrl+C while a sync winds down means "now": the start-up sweep cleans up after it.
      // A repeated SIGTERM does not: process managers may send it to every process of the app at
      // once, and they escalate to SIGKILL themselves.
      if (reason === 'SIGINT') process.exit(1);
      return;
    }
    stopping = true;
    logger.info({ reason }, 'stopping');
    await playground?.stop();
    await app.close();
    process.exit(0);
  };
  process.on('SIGINT', () => void stop('SIGINT'));
  process.on('SIGTERM', () => void stop('SIGTERM'));
  whenStarterGone((reason) => void stop(reason));
}

/** What ADMINS means for who may use the admin commands (inactive, candidates, reclaim, digest, price, savings exports). */
function adminsLine(config: AppConfig): string {
  if (config.admins.length > 0) return `${config.admins.length} listed in ADMINS may use the admin commands`;
  return config.tenant.kind === 'demo'
    ? 'ADMINS is empty: with the demo tenant everyone may use the admin commands'
    : 'ADMINS is empty: with a real tenant NOBODY may use the admin commands (inactive, candidates, reclaim, digest, price); set ADMINS to object ids or UPNs';
}

/** Who the Playground chats as, so a trial against a real tenant is not refused or treated as a stranger. */
function playgroundUserLine(config: AppConfig): string {
  const tenant = config.playground.tenantId ? ` in tenant ${config.playground.tenantId}` : '';
  if (config.playground.user)
    return `user ${config.playground.user}${tenant} (PLAYGROUND_USER, else the first object id in ADMINS)`;
  return config.tenant.kind === 'demo'
    ? "Alex Wilber, the Playground's own user (PLAYGROUND_USER sets another object id)"
    : `the Playground's own user${tenant}, who is not in your directory: set PLAYGROUND_USER (or an object id in ADMINS) to an admin's Entra object id`;
}

/** Set in the environment of the process restartTrusting starts, which holds an IPC channel to its parent. */
const RESTARTED = 'SEAT_STEWARD_RESTARTED_TRUSTING';

/**
 * Node reads NODE_EXTRA_CA_CERTS only at start-up, so run ourselves again with it set. This
 * process stays the one a process manager knows: it passes stop requests on and exits with
 * the child.
 */
function restartTrusting(caFile: string): void {
  const child = spawn(process.execPath, [...process.execArgv, ...process.argv.slice(1)], {
    stdio: ['inherit', 'inherit', 'inherit', 'ipc'],
    env: { ...process.env, NODE_EXTRA_CA_CERTS: caFile, [RESTARTED]: '1' },
  });
  // Always SIGTERM: Ctrl+C at a terminal reaches the child directly too, and a second SIGINT
  // from us would count as the user's second Ctrl+C ("stop now").
  const passOn = () => child.kill('SIGTERM');
  process.on('SIGINT', passOn);
  process.on('SIGTERM', passOn);
  whenStarterGone(passOn);
  child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
}

/**
 * Stop requests a signal handler never sees. The process restartTrusting started stops when that
 * parent is gone however it went (even SIGKILL): the IPC channel to it closes. Under `npm start`,
 * SIGTERM to npm kills the `sh -c` between npm and us without passing it on; nobody could stop us
 * then, so we stop when our parent process changes. Started any other way (systemd, a container,
 * nohup), losing the parent means nothing.
 */
function whenStarterGone(stop: (reason: string) => void): void {
  if (process.env[RESTARTED] === '1' && process.channel) {
    if (!process.connected) return stop('parent process exited');
    process.once('disconnect', () => stop('parent process exited'));
    // The channel alone must not keep the process alive.
    process.channel.unref();
    return;
  }
  if (!process.env.npm_lifecycle_event) return;
  const parent = process.ppid;
  const timer = setInterval(() => {
    if (process.ppid === parent && isAlive(parent)) return;
    clearInterval(timer);
    stop(`${process.env.npm_lifecycle_event === 'start' ? 'npm start' : 'the package manager'} exited`);
  }, 1000);
  timer.unref();
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? (error.stack ?? error.message) : error);
  process.exit(1);
});
