import fs from 'node:fs';
import net from 'node:net';

export const DEFAULT_CHROMIUM_PATH = '/usr/bin/chromium';

export type BrowserSuiteDecision =
  { kind: 'run'; executablePath: string } | { kind: 'skip'; message: string } | { kind: 'fail'; message: string };

/**
 * Whether the browser suite can run: it drives a local Chromium (CHROMIUM_PATH, else Debian's
 * /usr/bin/chromium) and downloads none. Without one, a fresh machine skips the suite with one
 * line saying how to get it, instead of failing; CI sets REQUIRE_BROWSER_TESTS=1 so that the
 * suite can never be skipped there without failing.
 */
export function browserSuiteDecision(
  env: NodeJS.ProcessEnv,
  isExecutable: (file: string) => boolean = executable,
): BrowserSuiteDecision {
  const configured = env.CHROMIUM_PATH?.trim();
  const executablePath = configured || DEFAULT_CHROMIUM_PATH;
  if (isExecutable(executablePath)) return { kind: 'run', executablePath };
  const missing = configured
    ? `CHROMIUM_PATH=${configured} is not an executable file`
    : `no Chromium at ${DEFAULT_CHROMIUM_PATH}`;
  const howTo =
    'install it (Debian/Ubuntu: sudo apt-get install chromium) or set CHROMIUM_PATH to a Chromium or Chrome binary';
  if (env.REQUIRE_BROWSER_TESTS === '1') {
    return {
      kind: 'fail',
      message: `The browser tests are required (REQUIRE_BROWSER_TESTS=1) but ${missing}: ${howTo}.`,
    };
  }
  return {
    kind: 'skip',
    message: `SKIPPED the browser tests (test/browser/playground.test.ts): ${missing}; ${howTo}.`,
  };
}

function executable(file: string): boolean {
  try {
    fs.accessSync(file, fs.constants.X_OK);
    return fs.statSync(file).isFile();
  } catch {
    return false;
  }
}

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

export type { RunningPlayground as StartedPlayground } from '../../src/adapters/playground/agents-playground';
export { startAgentsPlayground as startPlayground } from '../../src/adapters/playground/agents-playground';
