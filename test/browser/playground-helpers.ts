import net from 'node:net';
import type { Logger } from 'pino';
import { startAgentsPlayground } from '../../src/playground/agents-playground';

export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/** Headless and quiet: the machine has no network but loopback, so nothing may be fetched. */
export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** A port nothing listens on right now (so the test never clashes with a running `npm start` on 56150). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => (port > 0 ? resolve(port) : reject(new Error('no free port'))));
    });
  });
}

export interface StartedPlayground {
  url: string;
  stop(): Promise<void>;
}

/**
 * Starts the Agents Playground against the bot and resolves once its web UI answers.
 * The playground picks a random port when the requested one is taken, so the URL is
 * taken from its "Listening on <port>" line rather than assumed.
 */
export async function startPlayground(options: { botPort: number; port: number; logger: Logger; timeoutMs?: number }): Promise<StartedPlayground> {
  const running = startAgentsPlayground(options);
  const child = running.process;
  let output = '';
  let exited = false;
  const collect = (chunk: Buffer) => {
    output = (output + chunk.toString()).slice(-4000);
  };
  child.stdout?.on('data', collect);
  child.stderr?.on('data', collect);
  // If the test process ends without afterAll (a killed worker), don't leave the playground behind.
  const killOnExit = () => child.kill('SIGKILL');
  process.once('exit', killOnExit);
  child.once('exit', () => {
    exited = true;
    process.off('exit', killOnExit);
  });

  const stop = async () => {
    const killed = new Promise<void>((resolve) => {
      const timer = setTimeout(() => {
        child.kill('SIGKILL');
        resolve();
      }, 5_000);
      void running.stop().then(() => {
        clearTimeout(timer);
        resolve();
      });
    });
    await killed;
  };

  const deadline = Date.now() + (options.timeoutMs ?? 45_000);
  try {
    for (;;) {
      if (exited) throw new Error(`the Agents Playground exited before it was ready:\n${output}`);
      const port = /Listening on (\d+)/.exec(output)?.[1];
      if (port) {
        const url = `http://localhost:${port}`;
        const ok = await fetch(url).then(
          (res) => res.ok,
          () => false,
        );
        if (ok) return { url, stop };
      }
      if (Date.now() > deadline) throw new Error(`the Agents Playground did not answer within ${options.timeoutMs ?? 45_000} ms:\n${output}`);
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  } catch (error) {
    await stop();
    throw error;
  }
}
