/**
 * npm run bench:msp — an MSP's portfolio: BENCH_TENANTS (default 500) customer tenants of
 * BENCH_USERS_PER_TENANT (200) users each, every source, in one app.
 *
 * Three processes, so the measured one runs nothing else:
 * - the demo tenants, one server per organisation in ONE process of their own (bench/demo-fleet.ts),
 *   each answer delayed BENCH_LATENCY_MS (100) as a remote tenant's is;
 * - the app, compiled and started with production's Node flags (as bench:api), the MSP's own
 *   organisation as its environment tenant;
 * - this one: adds the customers the way an MSP does (POST /api/v1/m365/tenants, credentials
 *   JWE-encrypted to the server's key, spread over BENCH_CLIENTS (50) MSP client ids), then drives the
 *   syncs through the REST API and talks to the bot as Teams does (activities POSTed to /api/messages,
 *   replies caught by a local connector).
 *
 * Every tenant is added with syncing off, so adding (and its permission check) is not timed as
 * syncing. Then:
 * 1. Baseline: BENCH_BASELINE (5) more tenants, each turned on alone (PATCH sync_enabled: true queues
 *    its first sync as a tenant.sync job) and synced with nothing else running, then deleted.
 * 2. All: every customer turned on at once; the outbox runs SYNC_CONCURRENCY (default 3) of their
 *    first syncs at a time. Time to sync all against mean single sync × tenants / concurrency
 *    (target ≤ 1.3×), while `status <one tenant>` is asked one at a time (reply p99 target ≤ 1 s).
 * 3. The portfolio: BENCH_CALLERS (20) callers send `portfolio` for BENCH_SECONDS (15), each its next
 *    as soon as the last is answered (reply p99 target ≤ 200 ms); then GET /api/v1/m365/portfolio the
 *    same way (no target).
 * The app's peak RSS (the kernel's high-water mark over the whole run) has a target of ≤ 400 MB.
 */
import { BenchAppChannel, runBench, spawnBenchApp } from './compiled-app';
import { randomUUID } from 'node:crypto';
import type { ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import type { JWK } from 'jose';
import { demoTrustEnv } from '../src/app/demo-trust';
import { startSeatStewardForTests } from '../src/app/test-hooks';
import { loadConfig, parseConfig } from '../src/config/config';
import { remoteDemoTenant } from './remote-demo-tenant';
import { createLogger } from '../src/adapters/logging/logger';
import { encrypt } from '../scripts/tenant-cli';
import { message } from '../test/helpers/teams-activities';
import { breakdownLines, memoryBreakdown, peakSampler, type MemoryBreakdown } from './memory-breakdown';
import { startDemoFleet, type FleetTenant } from './demo-fleet';

const TENANTS = Number(process.env.BENCH_TENANTS ?? 500);
const USERS_PER_TENANT = Number(process.env.BENCH_USERS_PER_TENANT ?? 200);
const LATENCY_MS = Number(process.env.BENCH_LATENCY_MS ?? 100);
const CALLERS = Number(process.env.BENCH_CALLERS ?? 20);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 15);
const BASELINE = Number(process.env.BENCH_BASELINE ?? 5);
const CLIENTS = Number(process.env.BENCH_CLIENTS ?? 50);
const API_KEY = 'bench-msp-api-key-0123456789abcdef';
const TARGET = { syncRatio: 1.3, peakRssMb: 400, portfolioP99Ms: 200, statusP99Ms: 1000 };

// ---------------------------------------------------------------- the app (child process)

interface FinishedRun {
  id: number;
  entraTenantId: string;
  startedAt: string;
  finishedAt: string;
  status: string;
  error: string | null;
  warnings: string[];
}

type AppCommand = { cmd: 'sync-own' } | { cmd: 'runs'; afterRunId: number; finishedSince: string } | { cmd: 'stop' };
type AppRequest = AppCommand & { id: number };
type AppAnswer =
  | { id: number; status: string; ms: number; error: string | null }
  | { id: number; runs: FinishedRun[]; lastRunId: number; running: number; maxRunning: number }
  | { id: number; memory: MemoryBreakdown[] };
type AppMessage = { ready: { url: string; syncConcurrency: number } } | AppAnswer;

async function appProcess(): Promise<void> {
  const own = JSON.parse(process.env.BENCH_OWN_TENANT ?? '') as FleetTenant;
  const config = parseConfig({
    DATA_DIR: process.env.BENCH_DATA_DIR ?? '',
    PORT: '0',
    PLAYGROUND: 'off',
    LOG_LEVEL: 'warn',
    API_KEYS: API_KEY,
    ...(process.env.SYNC_CONCURRENCY ? { SYNC_CONCURRENCY: process.env.SYNC_CONCURRENCY } : {}),
  });
  // The MSP's own organisation is the environment's (demo) tenant; it runs in the fleet's process.
  const demoTenant = remoteDemoTenant(own, own.name);
  const app = await startSeatStewardForTests(config, { logger: createLogger('warn'), demoTenant, schedule: false });
  const sampler = peakSampler();
  let maxRunning = 0;
  let running = 0;
  app.sync.onRunningChange((n) => {
    running = n;
    maxRunning = Math.max(maxRunning, n);
  });
  const finished = app.db.prepare<[number, string], Omit<FinishedRun, 'warnings'> & { warnings: string }>(
    `SELECT r.id, t.tenant_id AS entraTenantId, r.started_at AS startedAt, r.finished_at AS finishedAt,
            r.status, r.error_text AS error, r.warnings
       FROM sync_runs r JOIN tenants t ON t.id = r.tenant_id
      WHERE r.id > ? AND r.finished_at >= ? ORDER BY r.id`,
  );
  const lastRun = app.db.prepare<[], { id: number | null }>('SELECT MAX(id) AS id FROM sync_runs');
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
    if (req.cmd === 'runs') {
      const runs = finished
        .all(req.afterRunId, req.finishedSince)
        .map((r) => ({ ...r, warnings: JSON.parse(r.warnings) as string[] }) satisfies FinishedRun);
      send({ id: req.id, runs, lastRunId: lastRun.get()?.id ?? 0, running, maxRunning });
      maxRunning = running;
      return;
    }
    const started = performance.now();
    void app.sync.request(app.tenants.list()[0].id, 'benchmark').done.then(async (run) => {
      await app.sync.idle();
      send({ id: req.id, status: run.status, ms: performance.now() - started, error: run.errorText });
    });
  });
  send({ ready: { url: app.url, syncConcurrency: config.syncConcurrency } });
}

// ---------------------------------------------------------------- the orchestrator's parts

class AppProcess {
  private readonly channel: BenchAppChannel<AppAnswer>;
  private constructor(
    readonly child: ChildProcess,
    readonly url: string,
    readonly syncConcurrency: number,
  ) {
    this.channel = new BenchAppChannel<AppAnswer>(child);
  }

  static async start(own: FleetTenant, dataDir: string, children: ChildProcess[]): Promise<AppProcess> {
    const { child, ready } = await spawnBenchApp<{ url: string; syncConcurrency: number }>(
      __filename,
      { BENCH_OWN_TENANT: JSON.stringify(own), BENCH_DATA_DIR: dataDir },
      children,
    );
    return new AppProcess(child, ready.url, ready.syncConcurrency);
  }

  private ask<T extends AppAnswer>(req: AppCommand): Promise<T> {
    return this.channel.ask<T>(req);
  }

  syncOwn() {
    return this.ask<Extract<AppAnswer, { ms: number }>>({ cmd: 'sync-own' });
  }

  /**
   * Runs after run `afterRunId` that finished at `finishedSince` or later (so a poll reads only
   * what is new), the last run's id, and the most syncs seen at once since the last call.
   */
  runs(afterRunId: number, finishedSince = '') {
    return this.ask<Extract<AppAnswer, { runs: FinishedRun[] }>>({ cmd: 'runs', afterRunId, finishedSince });
  }

  /** Stops the app; its memory breakdown at the end and at the sampled peak. */
  async stop(): Promise<MemoryBreakdown[]> {
    const exited = new Promise((resolve) => this.child.once('exit', resolve));
    const answer = await this.ask<Extract<AppAnswer, { memory: MemoryBreakdown[] }>>({ cmd: 'stop' });
    await exited;
    return answer.memory;
  }
}

/** The REST API as an MSP's tooling calls it. */
class Api {
  private key?: JWK;
  constructor(private readonly url: string) {}

  async call(method: string, route: string, body?: unknown): Promise<{ status: number; body: unknown }> {
    const res = await fetch(`${this.url}${route}`, {
      method,
      headers: {
        authorization: `Bearer ${API_KEY}`,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    return { status: res.status, body: text ? (JSON.parse(text) as unknown) : undefined };
  }

  async expect(method: string, route: string, status: number, body?: unknown): Promise<Record<string, unknown>> {
    const answer = await this.call(method, route, body);
    if (answer.status !== status)
      throw new Error(`${method} ${route} answered ${answer.status}: ${JSON.stringify(answer.body)}`);
    return answer.body as Record<string, unknown>;
  }

  /** Adds a customer tenant with syncing off; its Seat Steward id. */
  async add(tenant: FleetTenant, clientId: string): Promise<string> {
    this.key ??= (await this.expect('GET', '/api/v1/m365/encryption-key', 200)) as JWK;
    const added = await this.expect('POST', '/api/v1/m365/tenants', 201, {
      client_id: clientId,
      tenant_id: tenant.tenantId,
      tenant_name: tenant.name,
      domain_name: tenant.domain,
      client_id_encrypted: await encrypt(tenant.clientId, this.key),
      client_secret_encrypted: await encrypt(tenant.clientSecret, this.key),
      sync_enabled: false,
      graph_endpoint: tenant.url,
      authority_host: tenant.url,
    });
    return String(added.id);
  }

  /** Until the permission check started with the tenant has ended (it runs in the background). */
  async checked(id: string): Promise<void> {
    for (;;) {
      const tenant = await this.expect('GET', `/api/v1/m365/tenants/${id}`, 200);
      if ((tenant.first_check as { status?: string } | null)?.status !== 'running') return;
      await new Promise((r) => setTimeout(r, 200));
    }
  }

  /** Turns syncing on: a tenant never synced gets its first sync queued at once. */
  async startSyncing(id: string): Promise<void> {
    const changed = await this.expect('PATCH', `/api/v1/m365/tenants/${id}`, 200, { sync_enabled: true });
    if (changed.sync_started !== true) throw new Error(`turning syncing on for ${id} queued no sync`);
  }

  /** Deletes a tenant once its sync job has let go of it (409 tenant_busy until then). */
  async remove(id: string, entraTenantId: string): Promise<void> {
    for (;;) {
      const answer = await this.call('DELETE', `/api/v1/m365/tenants/${id}?confirm=${entraTenantId}`);
      if (answer.status === 200) return;
      if (answer.status !== 409)
        throw new Error(`DELETE ${id} answered ${answer.status}: ${JSON.stringify(answer.body)}`);
      await new Promise((r) => setTimeout(r, 200));
    }
  }
}

/** A local Bot Framework connector that hands each conversation's next reply to whoever waits for it. */
class ReplyCatcher {
  private server?: http.Server;
  private readonly waiters = new Map<string, (reply: { bytes: number; card: boolean }) => void>();
  serviceUrl = '';

  async start(): Promise<void> {
    this.server = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const body = Buffer.concat(chunks);
        const m = /^\/v3\/conversations\/([^/]+)\/activities/.exec(req.url ?? '');
        // restify patches ServerResponse.writeHead globally and its version does not return the response.
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ id: randomUUID() }));
        if (!m) return;
        const activity = JSON.parse(body.toString('utf8')) as { type?: string; attachments?: unknown[] };
        if (activity.type !== 'message') return;
        const conversation = decodeURIComponent(m[1]);
        const waiter = this.waiters.get(conversation);
        this.waiters.delete(conversation);
        waiter?.({ bytes: body.length, card: (activity.attachments?.length ?? 0) > 0 });
      });
    });
    await new Promise<void>((resolve) => this.server?.listen(0, '127.0.0.1', resolve));
    this.serviceUrl = `http://127.0.0.1:${(this.server?.address() as AddressInfo).port}/`;
  }

  /** Posts `text` in `conversation` and resolves with the milliseconds until its reply reached the connector. */
  async ask(appUrl: string, conversation: string, text: string): Promise<{ ms: number; bytes: number; card: boolean }> {
    const started = performance.now();
    const reply = new Promise<{ bytes: number; card: boolean }>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no reply to "${text}" within 60 s`)), 60_000);
      this.waiters.set(conversation, (r) => {
        clearTimeout(timer);
        resolve(r);
      });
    });
    const res = await fetch(`${appUrl}/api/messages`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(message(this.serviceUrl, { scope: 'personal', conversationId: conversation }, text)),
    });
    await res.arrayBuffer();
    if (res.status !== 200) throw new Error(`the bot answered HTTP ${res.status} to "${text}"`);
    const { bytes, card } = await reply;
    return { ms: performance.now() - started, bytes, card };
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) => this.server?.close(() => resolve()) ?? resolve());
  }
}

/** `callers` loops, each sending its next request as soon as the last is answered, for `seconds`. */
async function closedLoop(callers: number, seconds: number, one: (caller: number) => Promise<number>) {
  const times: number[] = [];
  const until = performance.now() + seconds * 1000;
  await Promise.all(
    Array.from({ length: callers }, async (_, caller) => {
      while (performance.now() < until) times.push(await one(caller));
    }),
  );
  return times;
}

/** Runs `work` over `items`, `width` at a time. */
async function inParallel<T, R>(items: T[], width: number, work: (item: T, i: number) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array<R>(items.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(width, items.length) }, async () => {
      while (next < items.length) {
        const i = next++;
        out[i] = await work(items[i], i);
      }
    }),
  );
  return out;
}

const pct = (xs: number[], p: number) => {
  if (xs.length === 0) return NaN;
  const sorted = [...xs].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
};
const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
const ms = (x: number) => `${x.toFixed(x < 10 ? 1 : 0)} ms`;
const s = (x: number) => `${(x / 1000).toFixed(1)} s`;
const duration = (r: FinishedRun) => Date.parse(r.finishedAt) - Date.parse(r.startedAt);
/** The MSP client a customer belongs to: BENCH_CLIENTS ids, tenants dealt out in turn. */
const mspClientId = (index: number) => `c11e0000-0000-4000-8000-${(index % CLIENTS).toString(16).padStart(12, '0')}`;

/** The kernel's high-water mark of a process's RSS, in MB (Linux). */
function peakRssMb(pid: number | undefined): number {
  try {
    const m = /^VmHWM:\s+(\d+) kB/m.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) / 1024 : NaN;
  } catch {
    return NaN;
  }
}

/**
 * Waits until every tenant in `entraIds` has a sync run finished after `afterRunId`; those runs.
 * With `progressEveryMs`, prints how far it got now and then (a full run takes most of an hour).
 */
async function untilSynced(
  app: AppProcess,
  entraIds: Set<string>,
  afterRunId: number,
  options: { onPoll?: (maxRunning: number) => void; progressEveryMs?: number } = {},
): Promise<Map<string, FinishedRun>> {
  const found = new Map<string, FinishedRun>();
  const started = performance.now();
  let since = '';
  let printed = started;
  for (;;) {
    const answer = await app.runs(afterRunId, since);
    options.onPoll?.(answer.maxRunning);
    for (const run of answer.runs) {
      if (entraIds.has(run.entraTenantId)) found.set(run.entraTenantId, run);
      if (run.finishedAt > since) since = run.finishedAt;
    }
    if (found.size >= entraIds.size) return found;
    if (options.progressEveryMs && performance.now() - printed >= options.progressEveryMs) {
      printed = performance.now();
      console.log(`    … ${found.size}/${entraIds.size} synced after ${s(printed - started)}`);
    }
    await new Promise((r) => setTimeout(r, 250));
  }
}

function outcomes(runs: FinishedRun[]): string {
  const by = new Map<string, number>();
  for (const r of runs) by.set(r.status, (by.get(r.status) ?? 0) + 1);
  const first = runs.find((r) => r.status !== 'success');
  const why = first ? ` (first: ${(first.error ?? first.warnings[0] ?? '').slice(0, 160)})` : '';
  return `${[...by].map(([k, v]) => `${v} ${k}`).join(', ')}${why}`;
}

// ---------------------------------------------------------------- the orchestrator

async function main(): Promise<void> {
  const config = loadConfig();
  await demoTrustEnv(config.dataDir);
  const children: ChildProcess[] = [];
  // Whatever ends this process (an error, Ctrl+C) must not leave the app or the demo tenants running.
  process.once('exit', () => children.forEach((c) => c.kill('SIGKILL')));
  for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => process.exit(130));
  console.log(
    `bench:msp — ${TENANTS} customer tenants of ${USERS_PER_TENANT} users (+ ${BASELINE} for the baseline, + the MSP's own), ${LATENCY_MS} ms per answer, ${CLIENTS} MSP clients, node ${process.version}, ${os.cpus().length} cores`,
  );

  let started = performance.now();
  const fleet = await startDemoFleet({
    count: 1 + BASELINE + TENANTS,
    usersPerTenant: USERS_PER_TENANT,
    latencyMs: LATENCY_MS,
    dataDir: config.dataDir,
  });
  children.push(fleet.child);
  const [own, ...others] = fleet.tenants;
  const baselineTenants = others.slice(0, BASELINE);
  const customers = others.slice(BASELINE);
  console.log(`  demo tenants serving (one process)  ${fleet.tenants.length} in ${s(performance.now() - started)}`);

  const workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'seat-steward-bench-msp-'));
  const app = await AppProcess.start(own, workDir, children);
  const api = new Api(app.url);
  const bot = new ReplyCatcher();
  await bot.start();
  const rows: Array<[string, string]> = [];
  const verdicts: boolean[] = [];
  try {
    // The MSP's own tenant syncs first: it warms the app (JIT, threads) before anything is timed.
    const ownSync = await app.syncOwn();
    if (ownSync.status === 'failed') throw new Error(`the MSP's own tenant did not sync: ${ownSync.error}`);
    console.log(`  the MSP's own tenant synced         ${s(ownSync.ms)} (${ownSync.status}, warm-up)`);

    // Every customer added through the REST API, syncing off; then their permission checks end.
    started = performance.now();
    const ids = await inParallel(customers, 4, (t, i) => api.add(t, mspClientId(i)));
    const addSeconds = (performance.now() - started) / 1000;
    await inParallel(ids, 4, (id) => api.checked(id));
    rows.push([
      'tenants added (POST /tenants)',
      `${ids.length} in ${addSeconds.toFixed(1)} s (${Math.round(ids.length / addSeconds)}/s, 4 at a time); their permission checks ended after ${s(performance.now() - started)}`,
    ]);
    console.log(`  ${rows[rows.length - 1][0].padEnd(36)} ${rows[rows.length - 1][1]}`);

    // 1. The baseline: single-tenant syncs, each with nothing else running, in the app holding every customer.
    const alone: FinishedRun[] = [];
    for (const tenant of baselineTenants) {
      const id = await api.add(tenant, mspClientId(0));
      await api.checked(id);
      const mark = (await app.runs(Number.MAX_SAFE_INTEGER)).lastRunId;
      await api.startSyncing(id);
      const run = (await untilSynced(app, new Set([tenant.tenantId]), mark)).get(tenant.tenantId)!;
      alone.push(run);
      await api.remove(id, tenant.tenantId);
    }
    const single = mean(alone.map(duration));
    console.log(
      `  single-tenant syncs, alone          ${alone.map((r) => s(duration(r))).join(', ')} (${outcomes(alone)})`,
    );

    // 2. Every customer turned on at once, with `status <one tenant>` asked one at a time meanwhile.
    const concurrency = app.syncConcurrency;
    console.log(
      `  syncing all ${customers.length} now, ${concurrency} at a time (≈ ${s((single * customers.length) / concurrency)} at the baseline's pace)`,
    );
    const mark = (await app.runs(Number.MAX_SAFE_INTEGER)).lastRunId;
    let maxRunning = 0;
    const statusTimes: number[] = [];
    let syncing = true;
    const statusProbe = (async () => {
      const conversation = `a:bench-status-${randomUUID()}`;
      while (syncing) {
        const reply = await bot.ask(app.url, conversation, `status ${customers[0].domain}`);
        if (!reply.card) throw new Error('`status` answered without its card');
        statusTimes.push(reply.ms);
        await new Promise((r) => setTimeout(r, 100));
      }
    })();
    const startedAt = Date.now();
    await inParallel(ids, 8, (id) => api.startSyncing(id));
    const queuedMs = Date.now() - startedAt;
    const batch = await untilSynced(app, new Set(customers.map((t) => t.tenantId)), mark, {
      onPoll: (n) => (maxRunning = Math.max(maxRunning, n)),
      progressEveryMs: 60_000,
    });
    // From the first PATCH to the last sync's end, as the app stamped it.
    const allMs = Math.max(...[...batch.values()].map((r) => Date.parse(r.finishedAt))) - startedAt;
    syncing = false;
    await statusProbe;
    const batchRuns = [...batch.values()];
    const expected = (single * customers.length) / concurrency;
    const ratio = allMs / expected;
    const eachInBatch = mean(batchRuns.map(duration));
    rows.push(
      ['single-tenant sync, alone (mean)', `${s(single)} over ${alone.length}`],
      [`time to sync all ${customers.length}`, `${s(allMs)} (queued in ${s(queuedMs)}; ${outcomes(batchRuns)})`],
      [`  mean alone × ${customers.length} / ${concurrency} (SYNC_CONCURRENCY)`, s(expected)],
      ['  ratio', `${ratio.toFixed(2)}×  (target ≤ ${TARGET.syncRatio}×)`],
      [
        '  each sync among the others (mean)',
        `${s(eachInBatch)} (${(eachInBatch / single).toFixed(2)}× alone); at most ${maxRunning} at once`,
      ],
      [
        'bot `status <tenant>` while syncing',
        `n=${statusTimes.length}  p50 ${ms(pct(statusTimes, 50))}  p99 ${ms(pct(statusTimes, 99))}  (target ≤ ${TARGET.statusP99Ms} ms)`,
      ],
    );
    verdicts.push(ratio <= TARGET.syncRatio, pct(statusTimes, 99) <= TARGET.statusP99Ms);

    // 3. The portfolio, every customer synced: the card to BENCH_CALLERS callers, then the REST route.
    const portfolio = await api.expect('GET', '/api/v1/m365/portfolio', 200);
    const totals = portfolio.totals as { tenants: number; tenants_with_figures: number };
    if (totals.tenants !== customers.length + 1)
      throw new Error(`the portfolio shows ${totals.tenants} tenants, expected ${customers.length + 1}`);
    const conversations = Array.from({ length: CALLERS }, () => `a:bench-portfolio-${randomUUID()}`);
    let cardBytes = 0;
    await bot.ask(app.url, conversations[0], 'portfolio');
    const cardTimes = await closedLoop(CALLERS, SECONDS, async (caller) => {
      const reply = await bot.ask(app.url, conversations[caller], 'portfolio');
      if (!reply.card) throw new Error('`portfolio` answered without its card');
      cardBytes = reply.bytes;
      return reply.ms;
    });
    const restTimes = await closedLoop(CALLERS, SECONDS, async () => {
      const t0 = performance.now();
      await api.expect('GET', '/api/v1/m365/portfolio', 200);
      return performance.now() - t0;
    });
    rows.push(
      [
        `portfolio card, ${CALLERS} callers`,
        `n=${cardTimes.length} (${(cardTimes.length / SECONDS).toFixed(1)}/s)  p50 ${ms(pct(cardTimes, 50))}  p99 ${ms(pct(cardTimes, 99))}  (target ≤ ${TARGET.portfolioP99Ms} ms); ${totals.tenants} tenants (${totals.tenants_with_figures} with figures), reply ${Math.round(cardBytes / 1024)} KB`,
      ],
      [
        `GET /portfolio, ${CALLERS} callers`,
        `n=${restTimes.length} (${(restTimes.length / SECONDS).toFixed(1)}/s)  p50 ${ms(pct(restTimes, 50))}  p99 ${ms(pct(restTimes, 99))}  (no target)`,
      ],
    );
    verdicts.push(pct(cardTimes, 99) <= TARGET.portfolioP99Ms);
  } finally {
    await bot.stop();
    const appPeak = peakRssMb(app.child.pid);
    const fleetPeak = peakRssMb(fleet.child.pid);
    const memory = await app.stop();
    rows.push(
      ['peak RSS of the app', `${appPeak.toFixed(0)} MB  (target ≤ ${TARGET.peakRssMb} MB)`],
      ['peak RSS of the demo tenants', `${fleetPeak.toFixed(0)} MB (their own process, not the app's)`],
    );
    verdicts.push(appPeak <= TARGET.peakRssMb);
    console.log('');
    for (const [k, v] of rows) console.log(`  ${k.padEnd(36)} ${v}`);
    console.log("  where the app's RSS goes (MB):");
    for (const b of memory) for (const line of breakdownLines(b)) console.log(`    ${line}`);
    fleet.child.kill('SIGTERM');
    fs.rmSync(workDir, { recursive: true, force: true });
  }
  const ok = verdicts.every(Boolean) && verdicts.length === 4;
  console.log(ok ? '  result: within targets' : '  result: OUTSIDE targets');
  process.exitCode = ok ? 0 : 1;
}

runBench({ app: appProcess, main });
