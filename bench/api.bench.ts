/**
 * npm run bench:api — the REST API and the bot under load, on a demo tenant of BENCH_USERS
 * (default 100,000) users.
 *
 * Four processes/threads, so the load does not run on the event loop it measures:
 * - the demo tenant (Graph) in its own process, as in bench:sync;
 * - the app (startSeatSteward: HTTP server, bot, REST API, SQLite, sync) in a child process;
 * - BENCH_CONCURRENCY (default 50) REST callers, each sending its next request as soon as the
 *   last one is answered, in a worker thread of this process;
 * - this thread: bot commands (`status`, `help`) POSTed to /api/messages one at a time, replies
 *   caught by a local connector, and searches one at a time.
 *
 * Targets (issue #3): REST p99 ≤ 50 ms; bot reply p99 ≤ 1 s under that load; a sync under that
 * load ≤ 1.5× its idle time.
 */
import { runBench, spawnBenchApp } from './compiled-app';
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';
import { demoTrustEnv } from '../src/app/demo-trust';
import { startSeatStewardForTests } from '../src/app/test-hooks';
import { loadConfig, parseConfig } from '../src/config/config';
import { remoteDemoTenant } from './remote-demo-tenant';
import { createLogger } from '../src/adapters/logging/logger';
import { ConnectorRecorder } from '../test/helpers/connector-recorder';
import { message, personal, post } from '../test/helpers/teams-activities';
import { breakdownLines, memoryBreakdown, peakSampler, type MemoryBreakdown } from './memory-breakdown';

const USERS = Number(process.env.BENCH_USERS ?? 100_000);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 50);
const LOAD_SECONDS = Number(process.env.BENCH_SECONDS ?? 15);
const SYNC_ROUNDS = Number(process.env.BENCH_SYNC_ROUNDS ?? 3);
/** random: pages anywhere in the snapshot (the costly case); first: the request, ?limit=100 alone. */
const OFFSETS = process.env.BENCH_OFFSETS === 'first' ? 'first' : 'random';
const API_KEY = 'bench-api-key-0123456789abcdef';
const TARGET = { restP99Ms: 50, botP99Ms: 1000, syncRatio: 1.5 };

interface DemoInfo {
  url: string;
  tenantId: string;
  clientId: string;
  clientSecret: string;
}

// ---------------------------------------------------------------- the app (child process)

type AppRequest =
  { id: number; cmd: 'sync' } | { id: number; cmd: 'stop' } | { id: number; cmd: 'render'; onMain: boolean };
type AppMessage =
  | { ready: { url: string; tenantId: string } }
  | { id: number; ms: number; status: string; users: number; error: string | null }
  | { id: number; memory: MemoryBreakdown[] }
  | { id: number; done: true };

async function appProcess(): Promise<void> {
  const info = JSON.parse(process.env.BENCH_DEMO ?? '') as DemoInfo;
  const config = parseConfig({
    DATA_DIR: process.env.BENCH_DATA_DIR ?? '',
    PORT: '0',
    PLAYGROUND: 'off',
    LOG_LEVEL: 'warn',
    API_KEYS: API_KEY,
  });
  // The demo tenant runs in its own process; the app needs its connection only.
  const demoTenant = remoteDemoTenant(info, 'Bench');
  const app = await startSeatStewardForTests(config, { logger: createLogger('warn'), demoTenant, schedule: false });
  const tenantId = app.tenants.list()[0].id;
  const sampler = peakSampler();
  const send = (m: AppMessage) => process.send?.(m);
  process.on('message', (req: AppRequest) => {
    if (req.cmd === 'stop') {
      void memoryBreakdown('at the end, before stopping').then(async (end) => {
        const peak = sampler.stop();
        send({ id: req.id, memory: peak ? [end, peak] : [end] });
        await app.close();
        process.exit(0);
      });
      return;
    }
    if (req.cmd === 'render') {
      // The baseline: pages rendered on the event loop, as before (read by the route at each request).
      if (req.onMain) process.env.BENCH_RENDER_ON_MAIN = '1';
      else delete process.env.BENCH_RENDER_ON_MAIN;
      send({ id: req.id, done: true });
      return;
    }
    const started = performance.now();
    void app.sync.request(tenantId, 'benchmark').done.then(async (run) => {
      const ms = performance.now() - started;
      // The replaced snapshot is dropped after the flip; let it finish before the next phase.
      await app.sync.idle();
      send({ id: req.id, ms, status: run.status, users: run.counts?.users ?? 0, error: run.errorText });
    });
  });
  send({ ready: { url: app.url, tenantId } });
}

// ---------------------------------------------------------------- the REST load (worker thread)

type Kind = 'users' | 'users_enabled' | 'tenants' | 'licenses';
const KINDS: Kind[] = ['users', 'users_enabled', 'tenants', 'licenses'];
type LoadCommand = { cmd: 'start' } | { cmd: 'stop' };
interface LoadResult {
  samples: Record<Kind, number[]>;
  errors: number;
  firstError: string | null;
  seconds: number;
}

function loadWorker(): void {
  const { url, tenantId, users } = workerData as { url: string; tenantId: string; users: number };
  const agent = new http.Agent({ keepAlive: true, maxSockets: CONCURRENCY });
  const base = new URL(url);
  const pick = (): [Kind, string] => {
    const r = Math.random();
    const offset = (max: number) => (OFFSETS === 'first' ? 0 : Math.floor(Math.random() * Math.max(1, max - 100)));
    if (r < 0.7) return ['users', `/api/v1/m365/tenants/${tenantId}/users?limit=100&offset=${offset(users)}`];
    if (r < 0.85)
      return [
        'users_enabled',
        `/api/v1/m365/tenants/${tenantId}/users?limit=100&account_enabled=true&offset=${offset(users * 0.8)}`,
      ];
    if (r < 0.95) return ['tenants', '/api/v1/m365/tenants'];
    return ['licenses', `/api/v1/m365/tenants/${tenantId}/licenses`];
  };
  const get = (p: string) =>
    new Promise<number>((resolve, reject) => {
      const req = http.get(
        { host: base.hostname, port: base.port, path: p, agent, headers: { authorization: `Bearer ${API_KEY}` } },
        (res) => {
          res.on('data', () => undefined);
          res.on('end', () => resolve(res.statusCode ?? 0));
        },
      );
      req.on('error', reject);
    });

  let running = false;
  let result: LoadResult;
  const caller = async () => {
    while (running) {
      const [kind, p] = pick();
      const started = performance.now();
      try {
        const status = await get(p);
        if (status !== 200) throw new Error(`HTTP ${status} for ${p}`);
        if (running) result.samples[kind].push(performance.now() - started);
      } catch (error) {
        result.errors++;
        result.firstError ??= error instanceof Error ? error.message : String(error);
      }
    }
  };
  parentPort?.on('message', (c: LoadCommand) => {
    if (c.cmd === 'start') {
      result = {
        samples: { users: [], users_enabled: [], tenants: [], licenses: [] },
        errors: 0,
        firstError: null,
        seconds: 0,
      };
      running = true;
      const started = performance.now();
      const callers = Array.from({ length: CONCURRENCY }, caller);
      parentPort?.once('message', () => {
        running = false;
        result.seconds = (performance.now() - started) / 1000;
        void Promise.all(callers).then(() => parentPort?.postMessage(result));
      });
    }
  });
}

// ---------------------------------------------------------------- the orchestrator

async function startDemoProcess(dataDir: string): Promise<{ info: DemoInfo; child: ChildProcess }> {
  const cli = path.join(__dirname, '..', 'demo-tenant', 'cli.ts');
  // Node itself with tsx's loader (not the tsx CLI, which would add a wrapper process a kill does not reach).
  const child = spawn(process.execPath, ['--import', 'tsx', cli, '--users', String(USERS), '--data-dir', dataDir], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const lines = createInterface({ input: child.stdout! });
  const info = await new Promise<DemoInfo>((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`demo tenant exited with ${code}`)));
    lines.once('line', (line) => resolve(JSON.parse(line) as DemoInfo));
  });
  return { info, child };
}

class AppProcess {
  private nextId = 1;
  private readonly waiting = new Map<number, (m: Extract<AppMessage, { id: number }>) => void>();
  private constructor(
    readonly child: ChildProcess,
    readonly url: string,
    readonly tenantId: string,
  ) {
    child.on('message', (m: AppMessage) => {
      if ('id' in m) this.waiting.get(m.id)?.(m);
    });
  }

  static async start(demo: DemoInfo, dataDir: string, children: ChildProcess[]): Promise<AppProcess> {
    // BENCH_PROFILE=<dir>: a CPU profile of the app's threads, written when it stops.
    const profile = process.env.BENCH_PROFILE
      ? ['--cpu-prof', `--cpu-prof-dir=${path.resolve(process.env.BENCH_PROFILE)}`]
      : [];
    const { child, ready } = await spawnBenchApp<{ url: string; tenantId: string }>(
      __filename,
      { BENCH_DEMO: JSON.stringify(demo), BENCH_DATA_DIR: dataDir },
      children,
      profile,
    );
    return new AppProcess(child, ready.url, ready.tenantId);
  }

  /** Milliseconds from the sync request to its published result, measured inside the app. */
  async sync(): Promise<number> {
    const id = this.nextId++;
    const done = new Promise<Extract<AppMessage, { id: number }>>((resolve) => this.waiting.set(id, resolve));
    this.child.send({ id, cmd: 'sync' } satisfies AppRequest);
    const result = (await done) as Extract<AppMessage, { ms: number }>;
    this.waiting.delete(id);
    // On a machine too busy for the demo tenant to answer every source in time a source can fail; the
    // directory (what the REST load reads) must still be whole, and the run says so.
    if (result.status === 'partial')
      console.log(`  note: a sync was partial (a source failed: ${result.error ?? 'see the warnings'})`);
    else if (result.status !== 'success') throw new Error(`sync ${result.status}: ${result.error}`);
    if (result.users !== USERS) throw new Error(`sync stored ${result.users} users, expected ${USERS}`);
    return result.ms;
  }

  async renderOnMain(onMain: boolean): Promise<void> {
    const id = this.nextId++;
    const done = new Promise<unknown>((resolve) => this.waiting.set(id, resolve));
    this.child.send({ id, cmd: 'render', onMain } satisfies AppRequest);
    await done;
    this.waiting.delete(id);
  }

  /** Stops the app; returns its memory breakdown at the end and at the sampled peak. */
  async stop(): Promise<MemoryBreakdown[]> {
    const exited = new Promise((resolve) => this.child.once('exit', resolve));
    const id = this.nextId++;
    const memory = new Promise<Extract<AppMessage, { memory: unknown }>>((resolve) =>
      this.waiting.set(id, resolve as (m: Extract<AppMessage, { id: number }>) => void),
    );
    this.child.send({ id, cmd: 'stop' } satisfies AppRequest);
    const answer = await memory;
    await exited;
    return answer.memory;
  }
}

class Load {
  private readonly worker: Worker;
  constructor(url: string, tenantId: string) {
    // Worker threads start without tsx's loader; register it, then run this file's loadWorker().
    this.worker = new Worker(`require('tsx/cjs/api').register(); require(${JSON.stringify(__filename)});`, {
      eval: true,
      workerData: { url, tenantId, users: USERS },
    });
  }
  start(): void {
    this.worker.postMessage({ cmd: 'start' } satisfies LoadCommand);
  }
  stop(): Promise<LoadResult> {
    const result = new Promise<LoadResult>((resolve) => this.worker.once('message', resolve));
    this.worker.postMessage({ cmd: 'stop' } satisfies LoadCommand);
    return result;
  }
  close(): Promise<number> {
    return this.worker.terminate();
  }
}

/** Bot commands and searches one at a time until stopped: what an admin does while the API is busy. */
function probes(app: AppProcess, connector: ConnectorRecorder, serviceUrl: string) {
  const bot: number[] = [];
  const search: number[] = [];
  let running = true;
  const terms = ['an', 'son', 'mar', 'li', 'ez', 'ber', 'contoso', 'ia', 'ol', 'ste'];
  const loop = (async () => {
    for (let i = 0; running; i++) {
      const conv = personal();
      const started = performance.now();
      const res = await post(app.url, message(serviceUrl, conv, i % 2 === 0 ? 'status' : 'help'));
      if (res.status !== 200) throw new Error(`bot answered HTTP ${res.status}: ${JSON.stringify(res.body)}`);
      await connector.waitFor((all) => all.some((m) => m.conversationId === conv.conversationId), 60_000);
      bot.push(performance.now() - started);
      connector.clear();

      const term = terms[i % terms.length];
      const searchStarted = performance.now();
      const found = await fetch(
        `${app.url}/api/v1/m365/tenants/${app.tenantId}/users?limit=100&search=${term}&offset=${(i * 100) % 1000}`,
        {
          headers: { authorization: `Bearer ${API_KEY}` },
        },
      );
      if (found.status !== 200) throw new Error(`search answered HTTP ${found.status}`);
      await found.arrayBuffer();
      search.push(performance.now() - searchStarted);
      await new Promise((r) => setTimeout(r, 50));
    }
  })();
  return {
    async stop() {
      running = false;
      await loop;
      return { bot, search };
    },
  };
}

const pct = (xs: number[], p: number) => {
  if (xs.length === 0) return NaN;
  const sorted = [...xs].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
};
const median = (xs: number[]) => pct(xs, 50);
const ms = (x: number) => `${x.toFixed(x < 10 ? 1 : 0)} ms`;

async function main(): Promise<void> {
  const config = loadConfig();
  await demoTrustEnv(config.dataDir);
  const { info, child: demo } = await startDemoProcess(config.dataDir);
  const children: ChildProcess[] = [demo];
  // Whatever ends this process (an error, Ctrl+C) must not leave the app or the demo tenant running.
  process.once('exit', () => children.forEach((c) => c.kill('SIGKILL')));
  for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => process.exit(130));
  const workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'seat-steward-bench-api-'));
  const app = await AppProcess.start(info, workDir, children);
  const connector = new ConnectorRecorder();
  const serviceUrl = await connector.start();
  const load = new Load(app.url, app.tenantId);
  try {
    console.log(
      `bench:api — ${USERS.toLocaleString('en-US')} users, ${CONCURRENCY} concurrent REST callers, ${OFFSETS === 'first' ? 'first pages' : 'pages at random offsets'}, node ${process.version}, ${os.cpus().length} cores`,
    );
    // The first sync fills the cache (and warms the demo tenant's pages); the next ones are timed.
    await app.sync();
    const idle: number[] = [];
    for (let i = 0; i < SYNC_ROUNDS; i++) idle.push(await app.sync());
    console.log(`  idle syncs: ${idle.map((t) => (t / 1000).toFixed(2)).join(', ')} s`);

    // Phase 1: the REST load, with bot commands and searches beside it.
    load.start();
    await new Promise((r) => setTimeout(r, 1000));
    const warm = await load.stop();
    if (warm.errors > 0) throw new Error(`REST errors during warm-up: ${warm.firstError}`);
    load.start();
    const probe = probes(app, connector, serviceUrl);
    await new Promise((r) => setTimeout(r, LOAD_SECONDS * 1000));
    const rest = await load.stop();
    const { bot, search } = await probe.stop();
    if (rest.errors > 0) throw new Error(`${rest.errors} REST requests failed, first: ${rest.firstError}`);

    // Phase 1b, the baseline: the same load, bot commands and searches with pages rendered on the event loop, as before.
    await app.renderOnMain(true);
    load.start();
    const baselineProbe = probes(app, connector, serviceUrl);
    await new Promise((r) => setTimeout(r, LOAD_SECONDS * 1000));
    const onMain = await load.stop();
    await baselineProbe.stop();
    await app.renderOnMain(false);
    if (onMain.errors > 0)
      throw new Error(
        `${onMain.errors} REST requests failed (rendered on the event loop), first: ${onMain.firstError}`,
      );

    // Phase 2: the same load while a sync runs.
    const underLoad: number[] = [];
    const duringSync: number[] = [];
    const botDuringSync: number[] = [];
    for (let i = 0; i < SYNC_ROUNDS; i++) {
      load.start();
      const p = probes(app, connector, serviceUrl);
      await new Promise((r) => setTimeout(r, 500));
      underLoad.push(await app.sync());
      const r = await load.stop();
      botDuringSync.push(...(await p.stop()).bot);
      if (r.errors > 0) throw new Error(`${r.errors} REST requests failed during a sync, first: ${r.firstError}`);
      duringSync.push(...KINDS.flatMap((k) => r.samples[k]));
    }

    const all = KINDS.flatMap((k) => rest.samples[k]);
    const restP99 = pct(all, 99);
    const botP99 = pct(bot, 99);
    const ratio = median(underLoad) / median(idle);
    const rows: Array<[string, string]> = [
      [
        'REST requests',
        `${all.length.toLocaleString('en-US')} in ${rest.seconds.toFixed(1)} s = ${Math.round(all.length / rest.seconds)} req/s`,
      ],
      ['REST p50', ms(pct(all, 50))],
      ['REST p99', `${ms(restP99)}  (target ≤ ${TARGET.restP99Ms} ms)`],
      [
        '  baseline: rendered on the event loop',
        (() => {
          const b = KINDS.flatMap((k) => onMain.samples[k]);
          return `${Math.round(b.length / onMain.seconds)} req/s, p50 ${ms(pct(b, 50))}, p99 ${ms(pct(b, 99))}`;
        })(),
      ],
      ...KINDS.map((k): [string, string] => [
        `  ${k}`,
        `n=${rest.samples[k].length}  p50 ${ms(pct(rest.samples[k], 50))}  p99 ${ms(pct(rest.samples[k], 99))}`,
      ]),
      [
        'bot replies (status, help)',
        `n=${bot.length}  p50 ${ms(pct(bot, 50))}  p99 ${ms(botP99)}  (target ≤ ${TARGET.botP99Ms} ms)`,
      ],
      [
        'search, read worker (1 caller)',
        `n=${search.length}  p50 ${ms(pct(search, 50))}  p99 ${ms(pct(search, 99))}  (no target)`,
      ],
      [
        'sync idle (median)',
        `${(median(idle) / 1000).toFixed(2)} s  [${idle.map((t) => (t / 1000).toFixed(2)).join(', ')}]`,
      ],
      [
        'sync under load (median)',
        `${(median(underLoad) / 1000).toFixed(2)} s  [${underLoad.map((t) => (t / 1000).toFixed(2)).join(', ')}]`,
      ],
      ['sync under load / idle', `${ratio.toFixed(2)}×  (target ≤ ${TARGET.syncRatio}×)`],
      ['REST during syncs', `p50 ${ms(pct(duringSync, 50))}  p99 ${ms(pct(duringSync, 99))}  (no target)`],
      ['bot replies during syncs', `n=${botDuringSync.length}  p99 ${ms(pct(botDuringSync, 99))}  (no target)`],
    ];
    for (const [k, v] of rows) console.log(`  ${k.padEnd(32)} ${v}`);
    const ok = restP99 <= TARGET.restP99Ms && botP99 <= TARGET.botP99Ms && ratio <= TARGET.syncRatio;
    console.log(ok ? '  result: within targets' : '  result: OUTSIDE targets');
    process.exitCode = ok ? 0 : 1;
  } finally {
    await load.close();
    await connector.stop();
    const memory = await app.stop();
    console.log('  where the RSS goes (MB):');
    for (const b of memory) for (const line of breakdownLines(b)) console.log(`    ${line}`);
    demo.kill('SIGTERM');
    fs.rmSync(workDir, { recursive: true, force: true });
  }
}

if (!isMainThread) loadWorker();
else runBench({ app: appProcess, main });
