import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import readline from 'node:readline';
import { BUILT_APP_DIR } from '../global-setup';
import { trustedDemoCertificate } from './harness';

/**
 * Seat Steward and the demo tenant as real processes, started the ways an admin starts them.
 * Each runs in its own process group so that a test can check that nothing of it is left over.
 */
export const ROOT = path.resolve(__dirname, '../..');

export interface RunningProcess {
  child: ChildProcess;
  pid: number;
  output(): string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** True while any process of its group (npm, shells, re-executed children) is alive. */
  groupAlive(): boolean;
  killGroup(signal: NodeJS.Signals): void;
}

/**
 * - `production`: `node <out>/main.js`, the app as `npm run build` compiles it (the test run's
 *   global setup builds it into BUILT_APP_DIR), as the README runs it under systemd and in containers;
 * - `npm`: `npm start`.
 */
export type StartCommand = 'production' | 'npm';

/** The environment of a process manager: no npm variables leak in from an `npm test` run. */
function cleanEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!k.startsWith('npm_') && v !== undefined) env[k] = v;
  return { ...env, LOG_LEVEL: 'warn', ...extra };
}

export function spawnTracked(
  command: string,
  args: string[],
  env: NodeJS.ProcessEnv,
  extra: { stdio?: 'ipc' } = {},
): RunningProcess {
  let output = '';
  const child = spawn(command, args, {
    cwd: ROOT,
    env,
    stdio: extra.stdio === 'ipc' ? ['ignore', 'pipe', 'pipe', 'ipc'] : ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  if (!child.pid) throw new Error(`could not start ${command}`);
  const pid = child.pid;
  child.stdout?.on('data', (c: Buffer) => (output += c.toString()));
  child.stderr?.on('data', (c: Buffer) => (output += c.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  );
  return {
    child,
    pid,
    output: () => output,
    exited,
    groupAlive() {
      try {
        process.kill(-pid, 0);
        return true;
      } catch {
        return false;
      }
    },
    killGroup(signal) {
      try {
        process.kill(-pid, signal);
      } catch {
        // Already gone.
      }
    },
  };
}

export function startApp(command: StartCommand, env: Record<string, string>): RunningProcess {
  const full = cleanEnv(env);
  return command === 'npm'
    ? spawnTracked('npm', ['start', '--silent'], full)
    : spawnTracked(process.execPath, [path.join(BUILT_APP_DIR, 'main.js')], full);
}

/** `node <outDir>/main.js`: the app as `npm run build` compiled it, with no TypeScript loader. */
export function startBuiltApp(outDir: string, env: Record<string, string>): RunningProcess {
  return spawnTracked(process.execPath, [path.join(outDir, 'main.js')], cleanEnv(env));
}

export interface DemoTenantInfo {
  url: string;
  tenantId: string;
  clientId: string;
  clientSecret: string;
}

/**
 * The demo tenant as its own process (demo-tenant/cli.ts), serving the certificate `npm test`
 * trusts. Its sign-in metadata names the host it listens on, as Entra's names its own.
 */
export async function startDemoTenantProcess(
  users: number,
  host = '127.0.0.1',
): Promise<{ info: DemoTenantInfo; process: RunningProcess; caFile: string }> {
  const cert = await trustedDemoCertificate();
  const caFile = process.env.NODE_EXTRA_CA_CERTS as string;
  const proc = spawnTracked(
    process.execPath,
    [
      '--import',
      'tsx',
      'demo-tenant/cli.ts',
      '--users',
      String(users),
      '--host',
      host,
      '--tls-dir',
      path.dirname(cert.certPath),
    ],
    cleanEnv({}),
  );
  const line = await new Promise<string>((resolve, reject) => {
    readline.createInterface({ input: proc.child.stdout as NodeJS.ReadableStream }).once('line', resolve);
    proc.child.once('exit', () => reject(new Error(`the demo tenant CLI exited early:\n${proc.output()}`)));
  });
  return { info: JSON.parse(line) as DemoTenantInfo, process: proc, caFile };
}

/** The settings that configure the app as a real tenant reached at the demo tenant process's URL. */
export function realTenantEnv(demo: { info: DemoTenantInfo; caFile: string }): Record<string, string> {
  return {
    TENANT_ID: demo.info.tenantId,
    CLIENT_ID: demo.info.clientId,
    SECRET_CLIENT_SECRET: demo.info.clientSecret,
    // 32 bytes, base64: the key that seals the stored client secret.
    SECRET_STORE_KEY: 'MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=',
    GRAPH_ENDPOINT: demo.info.url,
    AUTHORITY_HOST: demo.info.url,
    NODE_EXTRA_CA_CERTS: demo.caFile,
  };
}

export async function waitFor(
  predicate: () => boolean | Promise<boolean>,
  what: string,
  output: () => string,
  timeoutMs = 60_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await predicate())) {
    if (Date.now() > deadline)
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}; output:\n${output()}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** The port of the start banner's bot endpoint line, once it is printed. */
export async function bannerPort(run: RunningProcess): Promise<number> {
  const pattern = /Bot endpoint\s+http:\/\/localhost:(\d+)/;
  await waitFor(() => pattern.test(run.output()), 'the start banner', run.output);
  return Number(pattern.exec(run.output())?.[1]);
}

export type Health = { tenants?: Array<{ lastSync: string; syncing: boolean }> };

export async function health(port: number): Promise<Health> {
  return (await (await fetch(`http://127.0.0.1:${port}/healthz`)).json()) as Health;
}

/** Waits for the start-up sync to end and returns its outcome ('success', 'failed', ...). */
export async function firstSyncOutcome(port: number, run: RunningProcess): Promise<string> {
  let last = 'never';
  await waitFor(
    async () => {
      last = (await health(port)).tenants?.[0]?.lastSync ?? 'never';
      return last !== 'never';
    },
    'the start-up sync to finish',
    run.output,
  );
  return last;
}

export function portAccepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

export function lockFile(dataDir: string): string {
  return path.join(dataDir, 'seat-steward.lock');
}

export function lockHeld(dataDir: string): boolean {
  return fs.existsSync(lockFile(dataDir));
}
