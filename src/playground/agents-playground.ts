import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import type { Logger } from 'pino';

export interface RunningPlayground {
  url: string;
  process: ChildProcess;
  stop(): Promise<void>;
}

/**
 * Starts the Microsoft 365 Agents Playground (a local Teams-like client) against the bot,
 * so the bot can be tried in a browser without a Microsoft account.
 */
export function startAgentsPlayground(options: { botPort: number; port: number; logger: Logger }): RunningPlayground {
  const packageDir = path.dirname(require.resolve('@microsoft/m365agentsplayground/package.json'));
  const cli = path.join(packageDir, 'cli.js');
  const child = spawn(
    process.execPath,
    [cli, 'start', '-e', `http://localhost:${options.botPort}/api/messages`, '-c', 'msteams', '--dt', '-p', String(options.port)],
    // The playground is a plain Node process; it must not inherit our TypeScript loader flags.
    { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, NODE_OPTIONS: '' } },
  );
  const log = options.logger.child({ component: 'agents-playground' });
  child.stdout?.on('data', (chunk: Buffer) => log.debug(chunk.toString().trim()));
  child.stderr?.on('data', (chunk: Buffer) => log.debug(chunk.toString().trim()));
  child.on('exit', (code, signal) => log.info({ code, signal }, 'Agents Playground exited'));
  return {
    url: `http://localhost:${options.port}`,
    process: child,
    stop: () =>
      new Promise((resolve) => {
        if (child.exitCode !== null || child.signalCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}
