import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Logger } from 'pino';
import { writePlaygroundConfig, type PlaygroundIdentity } from './playground-config';

const PLAYGROUND_PACKAGE = '@microsoft/m365agentsplayground';

/**
 * Where the Agents Playground is installed, or undefined: it is a development dependency, so a
 * production install (`npm ci --omit=dev`) leaves it out and the app runs without it.
 */
export function agentsPlaygroundDir(): string | undefined {
  try {
    return path.dirname(require.resolve(`${PLAYGROUND_PACKAGE}/package.json`));
  } catch {
    return undefined;
  }
}

export interface RunningPlayground {
  url: string;
  stop(): Promise<void>;
}

/**
 * Starts the Microsoft 365 Agents Playground (a local Teams-like client) against the bot, so
 * the bot can be tried in a browser without a Microsoft account. Resolves once its web UI
 * answers. The playground silently takes another port when the requested one is busy, so the
 * URL is read from its "Listening on <port>" line rather than assumed.
 */
export async function startAgentsPlayground(options: {
  botPort: number;
  port: number;
  logger: Logger;
  timeoutMs?: number;
  /** Where its config file (tenant and user ids) is written: DATA_DIR; a new temporary folder if unset. */
  configDir?: string;
  /** Unset: the Playground's own tenant and user. */
  identity?: PlaygroundIdentity;
  /** The config file's name in configDir: a second Playground (another user) needs its own. */
  configFileName?: string;
  /** The address it and the bot listen on (LISTEN_HOST); undefined = all interfaces, its own behaviour. */
  listenHost?: string;
}): Promise<RunningPlayground> {
  const packageDir = agentsPlaygroundDir();
  if (packageDir === undefined)
    throw new Error(`${PLAYGROUND_PACKAGE} is not installed (it is a development dependency)`);
  const configFile = writePlaygroundConfig(
    options.configDir ?? fs.mkdtempSync(path.join(os.tmpdir(), 'seat-steward-playground-')),
    options.identity ?? {},
    options.configFileName,
  );
  // Bound to one address, the bot and the Playground answer there only (localhost may resolve to ::1 first).
  const host =
    !options.listenHost || ['0.0.0.0', '::'].includes(options.listenHost)
      ? 'localhost'
      : options.listenHost.includes(':')
        ? `[${options.listenHost}]`
        : options.listenHost;
  const child = spawn(
    process.execPath,
    [
      '--require',
      path.join(__dirname, 'listen-host-preload.cjs'),
      path.join(packageDir, 'cli.js'),
      'start',
      '-e',
      `http://${host}:${options.botPort}/api/messages`,
      '-c',
      'msteams',
      '--dt',
      '-p',
      String(options.port),
    ],
    // A plain Node program: it must not inherit our TypeScript loader flags. It would open a
    // browser itself and die where it cannot (no xdg-open); openInBrowser does that safely.
    {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: {
        ...process.env,
        NODE_OPTIONS: '',
        TEAMSAPPTESTER_BROWSER: 'none',
        // Read instead of a .m365agentsplayground.yml in the working directory.
        M365_AGENTS_PLAYGROUND_CONFIG_PATH: configFile,
        SEAT_STEWARD_LISTEN_HOST: options.listenHost ?? '',
      },
    },
  );
  const log = options.logger.child({ component: 'agents-playground' });
  let output = '';
  const collect = (chunk: Buffer) => {
    const text = chunk.toString();
    output = (output + text).slice(-4000);
    log.debug(text.trim());
  };
  child.stdout?.on('data', collect);
  child.stderr?.on('data', collect);
  // If our process dies without stopping it, don't leave the playground behind.
  const killOnExit = () => child.kill('SIGKILL');
  process.once('exit', killOnExit);
  child.once('exit', (code, signal) => {
    process.off('exit', killOnExit);
    log.info({ code, signal }, 'Agents Playground exited');
  });

  const stop = () =>
    new Promise<void>((resolve) => {
      if (child.exitCode !== null || child.signalCode !== null) return resolve();
      const force = setTimeout(() => child.kill('SIGKILL'), 5_000);
      child.once('exit', () => {
        clearTimeout(force);
        resolve();
      });
      child.kill('SIGTERM');
    });

  const timeoutMs = options.timeoutMs ?? 45_000;
  const deadline = Date.now() + timeoutMs;
  try {
    for (;;) {
      if (child.exitCode !== null) throw new Error(`the Agents Playground exited before it was ready:\n${output}`);
      const port = /Listening on (\d+)/.exec(output)?.[1];
      if (port) {
        const url = `http://localhost:${port}`;
        if (
          await fetch(`http://${host}:${port}`).then(
            (res) => res.ok,
            () => false,
          )
        )
          return { url, stop };
      }
      if (Date.now() > deadline)
        throw new Error(`the Agents Playground did not answer within ${timeoutMs} ms:\n${output}`);
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  } catch (error) {
    await stop();
    throw error;
  }
}

/**
 * How to show a URL in the user's browser, or undefined where no browser can be opened: Linux
 * and the BSDs need a desktop session (DISPLAY or WAYLAND_DISPLAY) and xdg-open, which servers,
 * containers and SSH sessions lack.
 */
export function browserCommand(
  url: string,
  platform: NodeJS.Platform = process.platform,
  env: NodeJS.ProcessEnv = process.env,
): { command: string; args: string[] } | undefined {
  if (platform === 'win32') return { command: env.ComSpec || 'cmd.exe', args: ['/d', '/c', 'start', '""', url] };
  if (platform === 'darwin') return onPath('open', env) ? { command: 'open', args: [url] } : undefined;
  if (!env.DISPLAY && !env.WAYLAND_DISPLAY) return undefined;
  return onPath('xdg-open', env) ? { command: 'xdg-open', args: [url] } : undefined;
}

/** Opens the URL in a browser where one can be opened; never fails, since the URL is printed anyway. */
export function openInBrowser(url: string, logger: Logger): void {
  const how = browserCommand(url);
  if (!how) return;
  try {
    const child = spawn(how.command, how.args, { stdio: 'ignore', detached: true, windowsVerbatimArguments: true });
    child.on('error', (error) => logger.debug({ err: error }, 'could not open a browser'));
    child.unref();
  } catch (error) {
    logger.debug({ err: error }, 'could not open a browser');
  }
}

function onPath(command: string, env: NodeJS.ProcessEnv): boolean {
  return (env.PATH ?? '')
    .split(path.delimiter)
    .filter(Boolean)
    .some((dir) => {
      try {
        fs.accessSync(path.join(dir, command), fs.constants.X_OK);
        return true;
      } catch {
        return false;
      }
    });
}
