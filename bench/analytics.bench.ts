/**
 * npm run bench:analytics — seat analytics on a demo tenant of BENCH_USERS (default 100,000)
 * users with about BENCH_SEATS (default 20,000) Copilot seats.
 *
 * Three processes/threads, as in bench:api: the demo tenant (Graph) in its own process; the app
 * (startSeatSteward) in a child process; BENCH_CONCURRENCY (default 20) REST callers in a worker
 * thread of this process. Latencies are server-side: measured inside the app, from the HTTP
 * request's arrival to its response's end (Node's http diagnostics channels), so the callers'
 * own CPU on a small machine does not count.
 *
 * Targets (issue #7): analytics ≤ 10% of its sync's time; server-side p99 of copilot/seats?limit=50
 * and copilot/summary ≤ 50 ms under 20 concurrent callers; peak RSS of the app ≤ 300 MB.
 * The `inactive` command p99 and the digest fan-out join through EXTRA_PROBES (see below).
 */
import { BenchAppChannel, runBench, spawnBenchApp } from './compiled-app';
import { spawn, type ChildProcess } from 'node:child_process';
import diagnostics from 'node:diagnostics_channel';
import fs from 'node:fs';
import http from 'node:http';
import type { IncomingMessage } from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { Writable } from 'node:stream';
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';
import pino from 'pino';
import { demoTrustEnv } from '../src/app/demo-trust';
import { startSeatStewardForTests } from '../src/app/test-hooks';
import { loadConfig, parseConfig } from '../src/config/config';
import { remoteDemoTenant } from './remote-demo-tenant';
import { inactiveCommandProbe } from './inactive-probe';
import { breakdownLines, memoryBreakdown, peakSampler, type MemoryBreakdown } from './memory-breakdown';

const USERS = Number(process.env.BENCH_USERS ?? 100_000);
const SEATS = Number(process.env.BENCH_SEATS ?? 20_000);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 20);
const LOAD_SECONDS = Number(process.env.BENCH_SECONDS ?? 15);
const SYNC_ROUNDS = Number(process.env.BENCH_SYNC_ROUNDS ?? 2);
const API_KEY = 'bench-api-key-0123456789abcdef';
const TARGET = { analyticsShare: 0.1, p99Ms: 50, rssMb: 300 };

/**
 * The generator buys Copilot seats for a share of members and assigns 80 to 90% of them; this
 * share gives about SEATS assigned seats (members are about 95% of the users).
 */
const SEAT_SHARE = Math.min(1, SEATS / (USERS * 0.95 * 0.85));

interface DemoInfo {
  url: string;
  tenantId: string;
  clientId: string;
  clientSecret: string;
}

/** What the lead adds here: more measurements against the running app (the `inactive` command p99, the digest fan-out). */
export interface ExtraProbeContext {
  appUrl: string;
  tenantId: string;
  apiKey: string;
  /** Server-side durations (ms) of requests whose path matches, recorded in the app since the last reset. */
  serverTimings(): Promise<Record<string, number[]>>;
  resetServerTimings(): Promise<void>;
}
export interface ExtraProbe {
  name: string;
  /** Lines of figures to print, [label, value]. */
  run(ctx: ExtraProbeContext): Promise<Array<[string, string]>>;
}
export const EXTRA_PROBES: ExtraProbe[] = process.env.BENCH_SKIP_INACTIVE
  ? []
  : [inactiveCommandProbe({ concurrency: CONCURRENCY, seconds: Math.max(5, Math.round(LOAD_SECONDS / 2)) })];

// ---------------------------------------------------------------- the app (child process)

type AppRequest = { id: number; cmd: 'sync' | 'timings' | 'reset' | 'stop' | 'memory'; label?: string; full?: boolean };
type AppMessage =
  | { ready: { url: string; tenantId: string } }
  | {
      id: number;
      sync: {
        ms: number;
        analyticsMs: number | null;
        seats: number | null;
        candidates: number | null;
        decided: number | null;
        status: string;
        users: number;
        error: string | null;
      };
    }
  | { id: number; timings: Record<string, number[]> }
  | { id: number; done: true }
  | { id: number; memory: MemoryBreakdown }
  | { id: number; rssMb: number; peak: MemoryBreakdown | undefined };

/** The kind of a request, by path: what the figures are grouped by. */
function kindOf(url: string): string {
  const p = url.split('?')[0] ?? '';
  if (/\/copilot\/seats$/.test(p)) return 'copilot/seats';
  if (/\/copilot\/summary$/.test(p)) return 'copilot/summary';
  if (/\/copilot\/candidates$/.test(p)) return 'copilot/candidates';
  if (p === '/api/messages') return 'bot';
  return 'other';
}

async function appProcess(): Promise<void> {
  const info = JSON.parse(process.env.BENCH_DEMO ?? '') as DemoInfo;
  const config = parseConfig({
    DATA_DIR: process.env.BENCH_DATA_DIR ?? '',
    PORT: '0',
    PLAYGROUND: 'off',
    LOG_LEVEL: 'info',
    API_KEYS: API_KEY,
  });

  // Server-side time of every HTTP request, from its arrival to the end of its response.
  const started = new WeakMap<IncomingMessage, number>();
  let timings: Record<string, number[]> = {};
  diagnostics.subscribe('http.server.request.start', (m) =>
    started.set((m as { request: IncomingMessage }).request, performance.now()),
  );
  diagnostics.subscribe('http.server.response.finish', (m) => {
    const req = (m as { request: IncomingMessage }).request;
    const t = started.get(req);
    if (t === undefined) return;
    (timings[kindOf(req.url ?? '')] ??= []).push(performance.now() - t);
  });

  // The sync's own log lines carry the analytics step's time; warnings and errors still reach stderr.
  let lastAnalytics: { ms: number; seats: number; candidates: number; decided: number | null } | null = null;
  const logStream = new Writable({
    write(chunk: Buffer, _enc, done) {
      for (const line of chunk.toString().split('\n')) {
        if (!line) continue;
        const entry = JSON.parse(line) as {
          level: number;
          msg: string;
          ms?: number;
          seats?: number;
          candidates?: number;
          decided?: number;
        };
        if (entry.msg === 'seat analytics computed')
          lastAnalytics = {
            ms: entry.ms ?? 0,
            seats: entry.seats ?? 0,
            candidates: entry.candidates ?? 0,
            decided: entry.decided ?? null,
          };
        if (entry.level >= 40) process.stderr.write(`${line}\n`);
      }
      done();
    },
  });
  const logger = pino({ level: 'info' }, logStream);

  const demoTenant = remoteDemoTenant(info, 'Bench');
  const app = await startSeatStewardForTests(config, { logger, demoTenant, schedule: false });
  const sampler = peakSampler();
  const tenantId = app.tenants.list()[0].id;
  const send = (m: AppMessage) => process.send?.(m);
  process.on('message', (req: AppRequest) => {
    switch (req.cmd) {
      case 'memory':
        void memoryBreakdown(req.label ?? '', { collect: true }).then((memory) => send({ id: req.id, memory }));
        return;
      case 'stop':
        void app.close().then(() => {
          send({ id: req.id, rssMb: process.resourceUsage().maxRSS / 1024, peak: sampler.stop() });
          setTimeout(() => process.exit(0), 100);
        });
        return;
      case 'timings':
        send({ id: req.id, timings });
        return;
      case 'reset':
        timings = {};
        send({ id: req.id, done: true });
        return;
      case 'sync': {
        lastAnalytics = null;
        // The baseline rounds decide every row again, as before the incremental analytics (read by the writer thread at each computation).
        if (req.full) process.env.BENCH_ANALYTICS_FULL = '1';
        else delete process.env.BENCH_ANALYTICS_FULL;
        const t0 = performance.now();
        void app.sync.request(tenantId, 'benchmark').done.then(async (run) => {
          const ms = performance.now() - t0;
          await app.sync.idle();
          const a = lastAnalytics as { ms: number; seats: number; candidates: number; decided: number | null } | null;
          send({
            id: req.id,
            sync: {
              ms,
              analyticsMs: a?.ms ?? null,
              seats: a?.seats ?? null,
              candidates: a?.candidates ?? null,
              decided: a?.decided ?? null,
              status: run.status,
              users: run.counts?.users ?? 0,
              error: [run.errorText, ...run.warnings].filter(Boolean).join(' | ') || null,
            },
          });
        });
      }
    }
  });
  send({ ready: { url: app.url, tenantId } });
}

class AppProcess {
  private readonly channel: BenchAppChannel<AppMessage>;
  private constructor(
    readonly child: ChildProcess,
    readonly url: string,
    readonly tenantId: string,
  ) {
    this.channel = new BenchAppChannel<AppMessage>(child);
  }

  static async start(demo: DemoInfo, dataDir: string, children: ChildProcess[]): Promise<AppProcess> {
    const { child, ready } = await spawnBenchApp<{ url: string; tenantId: string }>(
      __filename,
      { BENCH_DEMO: JSON.stringify(demo), BENCH_DATA_DIR: dataDir },
      children,
    );
    return new AppProcess(child, ready.url, ready.tenantId);
  }

  ask<T extends AppMessage>(cmd: AppRequest['cmd'], label?: string, full?: boolean): Promise<T> {
    return this.channel.ask<T>({ cmd, label, full } satisfies Omit<AppRequest, 'id'>);
  }

  async sync(options: { full?: boolean } = {}) {
    const { sync } = await this.ask<Extract<AppMessage, { sync: unknown }>>('sync', undefined, options.full);
    if (sync.status === 'failed') throw new Error(`sync failed: ${sync.error}`);
    if (sync.users !== USERS) throw new Error(`sync stored ${sync.users} users, expected ${USERS}`);
    return sync;
  }

  async timings(): Promise<Record<string, number[]>> {
    return (await this.ask<Extract<AppMessage, { timings: unknown }>>('timings')).timings;
  }

  async reset(): Promise<void> {
    await this.ask('reset');
  }

  async memory(label: string): Promise<MemoryBreakdown> {
    return (await this.ask<Extract<AppMessage, { memory: unknown }>>('memory', label)).memory;
  }

  async stop(): Promise<{ rssMb: number; peak: MemoryBreakdown | undefined }> {
    const { rssMb, peak } = await this.ask<Extract<AppMessage, { rssMb: number }>>('stop');
    return { rssMb, peak };
  }
}

// ---------------------------------------------------------------- the REST load (worker thread)

type LoadCommand = { cmd: 'start' } | { cmd: 'stop' };
interface LoadResult {
  requests: number;
  errors: number;
  firstError: string | null;
  seconds: number;
}

function loadWorker(): void {
  const { url, tenantId } = workerData as { url: string; tenantId: string };
  const agent = new http.Agent({ keepAlive: true, maxSockets: CONCURRENCY });
  const base = new URL(url);
  const filters = [
    '',
    '&recommendation=reclaim',
    '&status=inactive',
    '&tier=certain',
    '&recommendation=reclaim&tier=probable',
  ];
  // Half seat pages (first pages, filters, and a few deeper pages), half summaries: what the cards and dashboards ask.
  const pick = (): string => {
    if (Math.random() < 0.5) return `/api/v1/m365/tenants/${tenantId}/copilot/summary`;
    const filter = filters[Math.floor(Math.random() * filters.length)];
    const offset = Math.random() < 0.8 ? 0 : 50 * Math.floor(Math.random() * 100);
    return `/api/v1/m365/tenants/${tenantId}/copilot/seats?limit=50&offset=${offset}${filter}`;
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
      const p = pick();
      try {
        const status = await get(p);
        if (status !== 200) throw new Error(`HTTP ${status} for ${p}`);
        result.requests++;
      } catch (error) {
        result.errors++;
        result.firstError ??= error instanceof Error ? error.message : String(error);
      }
    }
  };
  parentPort?.on('message', (c: LoadCommand) => {
    if (c.cmd !== 'start') return;
    result = { requests: 0, errors: 0, firstError: null, seconds: 0 };
    running = true;
    const t0 = performance.now();
    const callers = Array.from({ length: CONCURRENCY }, caller);
    parentPort?.once('message', () => {
      running = false;
      result.seconds = (performance.now() - t0) / 1000;
      void Promise.all(callers).then(() => parentPort?.postMessage(result));
    });
  });
}

class Load {
  private readonly worker: Worker;
  constructor(url: string, tenantId: string) {
    this.worker = new Worker(`require('tsx/cjs/api').register(); require(${JSON.stringify(__filename)});`, {
      eval: true,
      workerData: { url, tenantId },
    });
  }
  async run(seconds: number): Promise<LoadResult> {
    this.worker.postMessage({ cmd: 'start' } satisfies LoadCommand);
    await new Promise((r) => setTimeout(r, seconds * 1000));
    const result = new Promise<LoadResult>((resolve) => this.worker.once('message', resolve));
    this.worker.postMessage({ cmd: 'stop' } satisfies LoadCommand);
    return result;
  }
  close(): Promise<number> {
    return this.worker.terminate();
  }
}

// ---------------------------------------------------------------- the orchestrator

async function startDemoProcess(dataDir: string): Promise<{ info: DemoInfo; child: ChildProcess }> {
  const cli = path.join(__dirname, '..', 'demo-tenant', 'cli.ts');
  const child = spawn(
    process.execPath,
    [
      '--import',
      'tsx',
      cli,
      '--users',
      String(USERS),
      '--data-dir',
      dataDir,
      '--no-report-budget',
      '--copilot-seat-share',
      String(SEAT_SHARE),
    ],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  const lines = createInterface({ input: child.stdout! });
  const info = await new Promise<DemoInfo>((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`demo tenant exited with ${code}`)));
    lines.once('line', (line) => resolve(JSON.parse(line) as DemoInfo));
  });
  return { info, child };
}

const pct = (xs: number[], p: number) => {
  if (xs.length === 0) return NaN;
  const sorted = [...xs].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
};
const ms = (x: number) => `${x.toFixed(x < 10 ? 1 : 0)} ms`;
const median = (xs: number[]) => pct(xs, 50);

async function main(): Promise<void> {
  const config = loadConfig();
  await demoTrustEnv(config.dataDir);
  const { info, child: demo } = await startDemoProcess(config.dataDir);
  const children: ChildProcess[] = [demo];
  process.once('exit', () => children.forEach((c) => c.kill('SIGKILL')));
  for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => process.exit(130));
  const workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'seat-steward-bench-analytics-'));
  const app = await AppProcess.start(info, workDir, children);
  const load = new Load(app.url, app.tenantId);
  let rssMb = NaN;
  try {
    console.log(
      `bench:analytics — ${USERS.toLocaleString('en-US')} users, about ${SEATS.toLocaleString('en-US')} Copilot seats, ${CONCURRENCY} concurrent REST callers, node ${process.version}, ${os.cpus().length} cores`,
    );
    const memory: MemoryBreakdown[] = [await app.memory('started, before any sync')];
    // The first sync fills the cache (its analytics see every seat for the first time); the next ones are timed.
    const first = await app.sync();
    memory.push(await app.memory('after the first sync'));
    // Repeat syncs the same day, alternating the baseline (every row decided again, as before) with
    // the incremental analytics (rows whose inputs did not change are copied), so load drifts hit both.
    const rounds = [];
    const fullRounds = [];
    for (let i = 0; i < SYNC_ROUNDS; i++) {
      fullRounds.push(await app.sync({ full: true }));
      rounds.push(await app.sync());
    }
    memory.push(await app.memory('after the repeat syncs'));
    const shares = rounds.map((r) => (r.analyticsMs ?? NaN) / r.ms);
    const fullShares = fullRounds.map((r) => (r.analyticsMs ?? NaN) / r.ms);

    await load.run(1);
    await app.reset();
    const rest = await load.run(LOAD_SECONDS);
    if (rest.errors > 0) throw new Error(`${rest.errors} REST requests failed, first: ${rest.firstError}`);
    memory.push(await app.memory('after the REST load'));
    const server = await app.timings();
    const seats = server['copilot/seats'] ?? [];
    const summary = server['copilot/summary'] ?? [];

    const extra: Array<[string, string]> = [];
    for (const probe of EXTRA_PROBES) {
      extra.push(
        ...(
          await probe.run({
            appUrl: app.url,
            tenantId: app.tenantId,
            apiKey: API_KEY,
            serverTimings: () => app.timings(),
            resetServerTimings: () => app.reset(),
          })
        ).map(([k, v]): [string, string] => [`${probe.name}: ${k}`, v]),
      );
    }
    memory.push(await app.memory('after the extra probes'));
    const stopped = await app.stop();
    rssMb = stopped.rssMb;
    if (stopped.peak) memory.push(stopped.peak);

    const rows: Array<[string, string]> = [
      [
        'Copilot seats / candidates',
        `${first.seats?.toLocaleString('en-US')} / ${first.candidates?.toLocaleString('en-US')}`,
      ],
      ['first sync (fills the cache)', `${(first.ms / 1000).toFixed(2)} s, analytics ${ms(first.analyticsMs ?? NaN)}`],
      [
        'sync (median)',
        `${(median(rounds.map((r) => r.ms)) / 1000).toFixed(2)} s  [${rounds.map((r) => (r.ms / 1000).toFixed(2)).join(', ')}]`,
      ],
      [
        'analytics per sync (median)',
        `${ms(median(rounds.map((r) => r.analyticsMs ?? NaN)))}  [${rounds.map((r) => ms(r.analyticsMs ?? NaN)).join(', ')}]`,
      ],
      [
        'analytics share of the sync',
        `${(100 * median(shares)).toFixed(1)}%  (target ≤ ${100 * TARGET.analyticsShare}%)`,
      ],
      [
        'rows decided anew (the rest copied)',
        rounds.map((r) => `${r.decided ?? '?'} of ${(r.seats ?? 0) + (r.candidates ?? 0)}`).join(', '),
      ],
      [
        'baseline: every row decided again',
        `sync ${(median(fullRounds.map((r) => r.ms)) / 1000).toFixed(2)} s, analytics ${ms(median(fullRounds.map((r) => r.analyticsMs ?? NaN)))} [${fullRounds.map((r) => ms(r.analyticsMs ?? NaN)).join(', ')}], share ${(100 * median(fullShares)).toFixed(1)}%`,
      ],
      [
        'REST requests',
        `${rest.requests.toLocaleString('en-US')} in ${rest.seconds.toFixed(1)} s = ${Math.round(rest.requests / rest.seconds)} req/s`,
      ],
      [
        'copilot/seats?limit=50, server',
        `n=${seats.length}  p50 ${ms(pct(seats, 50))}  p99 ${ms(pct(seats, 99))}  (target ≤ ${TARGET.p99Ms} ms)`,
      ],
      [
        'copilot/summary, server',
        `n=${summary.length}  p50 ${ms(pct(summary, 50))}  p99 ${ms(pct(summary, 99))}  (target ≤ ${TARGET.p99Ms} ms)`,
      ],
      ...extra,
      ['peak RSS of the app', `${rssMb.toFixed(0)} MB  (target ≤ ${TARGET.rssMb} MB)`],
    ];
    for (const [k, v] of rows) console.log(`  ${k.padEnd(34)} ${v}`);
    console.log('  where the RSS goes (MB):');
    for (const b of memory) for (const line of breakdownLines(b)) console.log(`    ${line}`);
    if (rounds.some((r) => r.status !== 'success'))
      console.log(
        `  note: a sync was ${rounds.find((r) => r.status !== 'success')?.status}: ${rounds.find((r) => r.error)?.error}`,
      );
    const ok =
      median(shares) <= TARGET.analyticsShare &&
      pct(seats, 99) <= TARGET.p99Ms &&
      pct(summary, 99) <= TARGET.p99Ms &&
      rssMb <= TARGET.rssMb;
    console.log(ok ? '  result: within targets' : '  result: OUTSIDE targets');
    process.exitCode = ok ? 0 : 1;
  } finally {
    await load.close();
    if (Number.isNaN(rssMb)) app.child.kill('SIGKILL');
    demo.kill('SIGTERM');
    // BENCH_KEEP_DATA: leave the app's data directory (a synced database to profile against).
    if (process.env.BENCH_KEEP_DATA) console.log(`  data kept in ${workDir}`);
    else fs.rmSync(workDir, { recursive: true, force: true });
  }
}

if (!isMainThread) loadWorker();
else runBench({ app: appProcess, main });
