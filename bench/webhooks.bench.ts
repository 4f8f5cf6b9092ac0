/**
 * npm run bench:webhooks — webhooks' cost on a sync, and their delivery rate, with the real event
 * log and delivery: a repeat sync of a BENCH_USERS (default 100,000) user demo tenant in which
 * BENCH_CHANGES (default 10,000) licences changed since the last sync (the demo tenant's knob
 * POST /_demo/licence-churn), timed
 * (a) with no webhook endpoint: the sync's events are recorded, nothing is queued for delivery;
 * (b) with BENCH_ENDPOINTS (default 1) endpoints subscribed to every event, created through the REST
 *     API, pointing at a local receiver (another process, plain HTTP on loopback, answering 204 and
 *     verifying nothing, so what is measured is our side): each event is also queued as a delivery
 *     and its outbox job, in the same transaction, and delivered after.
 * Rounds alternate the two (BENCH_ROUNDS of each, default 3), each after its own licence changes,
 * so drift on a shared machine falls on both. After a (b) sync the bench waits until the delivery
 * rows and their outbox jobs are all finished (polled, not a fixed sleep): the delivery rate is the
 * deliveries finished after the sync's end over the time from the sync's end until the last one.
 * The endpoints are deleted before each (a) round.
 *
 * Four processes, as bench:api runs them: the demo tenant (Graph), the app (startSeatSteward:
 * HTTP server, REST API, SQLite, sync, outbox; compiled, production's Node flags), the receiver,
 * and this one, which drives them. Target (issue 17): the sync with endpoints ≤ 1.1× without.
 */
import { BenchAppChannel, runBench, spawnBenchApp } from './compiled-app';
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { demoTrustEnv } from '../src/app/demo-trust';
import { startSeatStewardForTests } from '../src/app/test-hooks';
import { loadConfig, parseConfig } from '../src/config/config';
import { createLogger } from '../src/adapters/logging/logger';
import { WEBHOOK_EVENT_TYPES } from '../src/domain/webhook-events';
import { webhookDeliveryJob } from '../src/usecases/webhooks/webhook-delivery';
import { remoteDemoTenant, type RemoteDemoTenantInfo } from './remote-demo-tenant';
import { memoryBreakdown } from './memory-breakdown';

const USERS = Number(process.env.BENCH_USERS ?? 100_000);
const CHANGES = Number(process.env.BENCH_CHANGES ?? 10_000);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const ENDPOINTS = Number(process.env.BENCH_ENDPOINTS ?? 1);
/** How long the deliveries of one sync may take before the bench gives up (a stuck outbox). */
const DRAIN_TIMEOUT_MS = Number(process.env.BENCH_DRAIN_TIMEOUT_S ?? 600) * 1000;
const API_KEY = 'bench-api-key-0123456789abcdef';
const TARGET_RATIO = 1.1;

// ---------------------------------------------------------------- the app (child process)

type AppRequest = { id: number; cmd: 'sync'; drain: boolean } | { id: number; cmd: 'stop' };
/** A request as the orchestrator writes it (the channel adds its id). */
type AppCommand = { cmd: 'sync'; drain: boolean } | { cmd: 'stop' };

/** One sync as the app saw it. */
interface SyncResult {
  id: number;
  ms: number;
  status: string;
  users: number;
  error: string | null;
  /** Events the sync recorded in the event log, by name. */
  events: Record<string, number>;
  /** Deliveries (and outbox jobs) the sync queued. */
  queued: number;
  /** Of those, delivered by the time the sync ended. */
  deliveredAtEnd: number;
  /** From the sync's end until no delivery of it and no delivery job is left to run (0 when none was queued). */
  drainMs: number;
  delivered: number;
  dead: number;
}
type AppMessage =
  { ready: { url: string; tenantId: string } } | SyncResult | { id: number; peakRssMb: number; rssMb: number };

async function appProcess(): Promise<void> {
  const info = JSON.parse(process.env.BENCH_DEMO ?? '') as RemoteDemoTenantInfo;
  const config = parseConfig({
    DATA_DIR: process.env.BENCH_DATA_DIR ?? '',
    PORT: '0',
    PLAYGROUND: 'off',
    LOG_LEVEL: 'warn',
    API_KEYS: API_KEY,
    // The receiver is plain HTTP on loopback (on by default in the demo; said here so the bench does not depend on it).
    WEBHOOK_ALLOW_HTTP_LOOPBACK: 'on',
  });
  const demoTenant = remoteDemoTenant(info, 'Bench');
  const app = await startSeatStewardForTests(config, { logger: createLogger('warn'), demoTenant, schedule: false });
  const tenantId = app.tenants.list()[0].id;
  const db = app.db;
  const lastEventRow = db.prepare('SELECT COALESCE(MAX(rowid), 0) FROM webhook_events').pluck();
  const lastDelivery = db.prepare('SELECT COALESCE(MAX(id), 0) FROM webhook_deliveries').pluck();
  const eventsSince = db.prepare('SELECT type, COUNT(*) AS n FROM webhook_events WHERE rowid > ? GROUP BY type');
  const deliveriesSince = db.prepare(
    'SELECT status, COUNT(*) AS n FROM webhook_deliveries WHERE id > ? GROUP BY status',
  );
  const jobsLeft = db
    .prepare("SELECT COUNT(*) FROM outbox_jobs WHERE status IN ('pending', 'running') AND kind = ?")
    .pluck();
  const byStatus = (from: number) =>
    Object.fromEntries(
      (deliveriesSince.all(from) as Array<{ status: string; n: number }>).map((r) => [r.status, r.n]),
    ) as Record<string, number | undefined>;
  const send = (m: AppMessage) => process.send?.(m);

  process.on('message', (req: AppRequest) => {
    if (req.cmd === 'stop') {
      void memoryBreakdown('at the end').then(async (end) => {
        send({ id: req.id, peakRssMb: end.peakRssMb, rssMb: end.rssMb });
        await app.close();
        process.exit(0);
      });
      return;
    }
    void (async () => {
      const eventsFrom = lastEventRow.get() as number;
      const deliveriesFrom = lastDelivery.get() as number;
      const started = performance.now();
      const run = await app.sync.request(tenantId, 'benchmark').done;
      const ended = performance.now();
      const atEnd = byStatus(deliveriesFrom);
      const queued = Object.values(atEnd).reduce<number>((a, n) => a + (n ?? 0), 0);
      // Wait on the rows themselves: every delivery of this sync finished (delivered or dead) and no
      // delivery job pending or running. Polled every 20 ms, so the time is exact to that.
      let drainMs = 0;
      let final = atEnd;
      if (req.drain && queued > 0) {
        for (;;) {
          final = byStatus(deliveriesFrom);
          if (!final.pending && !final.failed && (jobsLeft.get(webhookDeliveryJob.kind) as number) === 0) break;
          if (performance.now() - ended > DRAIN_TIMEOUT_MS) {
            throw new Error(
              `deliveries not finished ${DRAIN_TIMEOUT_MS / 1000} s after the sync: ${JSON.stringify(final)}`,
            );
          }
          await new Promise((r) => setTimeout(r, 20));
        }
        drainMs = performance.now() - ended;
      }
      // The replaced snapshot is dropped after the flip; let it finish before the next round.
      await app.sync.idle();
      send({
        id: req.id,
        ms: ended - started,
        status: run.status,
        users: run.counts?.users ?? 0,
        error: run.errorText,
        events: Object.fromEntries(
          (eventsSince.all(eventsFrom) as Array<{ type: string; n: number }>).map((r) => [r.type, r.n]),
        ),
        queued,
        deliveredAtEnd: atEnd.delivered ?? 0,
        drainMs,
        delivered: final.delivered ?? 0,
        dead: final.dead ?? 0,
      });
    })().catch((error: unknown) => {
      console.error(error);
      process.exit(1);
    });
  });
  send({ ready: { url: app.url, tenantId } });
}

// ---------------------------------------------------------------- the receiver (child process)

/**
 * Plain JavaScript run with `node -e`: answers 204 to every request once its body is read, verifies
 * nothing (the bench measures our side), and tells how many it answered when asked over IPC.
 */
const RECEIVER = `
const http = require('node:http');
let received = 0;
const server = http.createServer((req, res) => {
  req.resume();
  req.on('end', () => { received++; res.writeHead(204).end(); });
});
server.listen(0, '127.0.0.1', () => process.send({ port: server.address().port }));
process.on('message', () => process.send({ received }));
process.on('disconnect', () => process.exit(0));
`;

class Receiver {
  private constructor(
    readonly child: ChildProcess,
    readonly port: number,
  ) {}

  static async start(children: ChildProcess[]): Promise<Receiver> {
    const child = spawn(process.execPath, ['-e', RECEIVER], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    children.push(child);
    const port = await new Promise<number>((resolve, reject) => {
      child.once('exit', (code) => reject(new Error(`the receiver exited with ${code}`)));
      child.once('message', (m: { port: number }) => resolve(m.port));
    });
    return new Receiver(child, port);
  }

  received(): Promise<number> {
    return new Promise((resolve) => {
      this.child.once('message', (m: { received: number }) => resolve(m.received));
      this.child.send('count');
    });
  }
}

// ---------------------------------------------------------------- the orchestrator

async function startDemoProcess(dataDir: string): Promise<{ info: RemoteDemoTenantInfo; child: ChildProcess }> {
  const cli = path.join(__dirname, '..', 'demo-tenant', 'cli.ts');
  // Node itself with tsx's loader (not the tsx CLI, which would add a wrapper process a kill does not reach).
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', cli, '--users', String(USERS), '--data-dir', dataDir, '--control', '--no-report-budget'],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  const lines = createInterface({ input: child.stdout! });
  const info = await new Promise<RemoteDemoTenantInfo>((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`demo tenant exited with ${code}`)));
    lines.once('line', (line) => resolve(JSON.parse(line) as RemoteDemoTenantInfo));
  });
  return { info, child };
}

/** The demo tenant's knob: changes `licences` users' licences before the next sync. */
async function churn(url: string, licences: number): Promise<number> {
  const res = await fetch(`${url}/_demo/licence-churn`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ licences }),
  });
  if (!res.ok) throw new Error(`licence churn failed: ${res.status} ${await res.text()}`);
  return ((await res.json()) as { changed: number }).changed;
}

class AppProcess {
  private readonly channel: BenchAppChannel<Exclude<AppMessage, { ready: unknown }>>;
  private constructor(
    readonly child: ChildProcess,
    readonly url: string,
  ) {
    this.channel = new BenchAppChannel(child);
  }

  static async start(demo: RemoteDemoTenantInfo, dataDir: string, children: ChildProcess[]): Promise<AppProcess> {
    const { child, ready } = await spawnBenchApp<{ url: string; tenantId: string }>(
      __filename,
      { BENCH_DEMO: JSON.stringify(demo), BENCH_DATA_DIR: dataDir },
      children,
    );
    return new AppProcess(child, ready.url);
  }

  private ask(req: AppCommand): Promise<Exclude<AppMessage, { ready: unknown }>> {
    return this.channel.ask(req);
  }

  async sync(drain: boolean): Promise<SyncResult> {
    const result = (await this.ask({ cmd: 'sync', drain })) as SyncResult;
    if (result.status === 'partial')
      console.log(`  note: a sync was partial (a source failed: ${result.error ?? 'see the warnings'})`);
    else if (result.status !== 'success') throw new Error(`sync ${result.status}: ${result.error}`);
    if (result.users !== USERS) throw new Error(`sync stored ${result.users} users, expected ${USERS}`);
    return result;
  }

  /** Stops the app; its peak RSS (the kernel's high-water mark) and RSS at the end, MB. */
  async stop(): Promise<{ peakRssMb: number; rssMb: number }> {
    const exited = new Promise((resolve) => this.child.once('exit', resolve));
    const answer = (await this.ask({ cmd: 'stop' })) as { peakRssMb: number; rssMb: number };
    await exited;
    return answer;
  }

  async api(method: string, route: string, body?: unknown): Promise<unknown> {
    const res = await fetch(`${this.url}${route}`, {
      method,
      headers: { authorization: `Bearer ${API_KEY}`, ...(body ? { 'content-type': 'application/json' } : {}) },
      body: body ? JSON.stringify(body) : undefined,
    });
    const text = await res.text();
    if (!res.ok) throw new Error(`${method} ${route} answered ${res.status}: ${text}`);
    return text ? (JSON.parse(text) as unknown) : null;
  }
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? NaN;
const seconds = (ms: number) => `${(ms / 1000).toFixed(2)} s`;
const n = (x: number) => x.toLocaleString('en-US');
const total = (events: Record<string, number>) => Object.values(events).reduce((a, b) => a + b, 0);
const licenceEvents = (events: Record<string, number>) =>
  (events['m365.license.assigned'] ?? 0) + (events['m365.license.unassigned'] ?? 0);

async function main(): Promise<void> {
  const config = loadConfig();
  await demoTrustEnv(config.dataDir);
  const children: ChildProcess[] = [];
  // Whatever ends this process (an error, Ctrl+C) must not leave the app, the receiver or the demo tenant running.
  process.once('exit', () => children.forEach((c) => c.kill('SIGKILL')));
  for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => process.exit(130));
  const { info, child: demo } = await startDemoProcess(config.dataDir);
  children.push(demo);
  const workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'seat-steward-bench-webhooks-'));
  const receiver = await Receiver.start(children);
  const app = await AppProcess.start(info, workDir, children);
  try {
    const createEndpoints = async (): Promise<number[]> => {
      const ids: number[] = [];
      for (let i = 0; i < ENDPOINTS; i++) {
        const created = (await app.api('POST', '/api/v1/m365/webhooks', {
          url: `http://127.0.0.1:${receiver.port}/hooks/${i}`,
          events: [...WEBHOOK_EVENT_TYPES],
          description: 'bench:webhooks receiver',
        })) as { data: { id: number } };
        ids.push(created.data.id);
      }
      return ids;
    };
    const deleteEndpoints = async (ids: number[]) => {
      for (const id of ids) await app.api('DELETE', `/api/v1/m365/webhooks/${id}`);
    };
    /** One round: the licence changes, then the sync, with endpoints (and their deliveries) or without any. */
    const round = async (withEndpoints: boolean): Promise<SyncResult & { received: number }> => {
      const ids = withEndpoints ? await createEndpoints() : [];
      const changed = await churn(info.url, CHANGES);
      if (changed !== CHANGES) throw new Error(`the demo tenant changed ${changed} licences, not ${CHANGES}`);
      const before = await receiver.received();
      const result = await app.sync(withEndpoints);
      const received = (await receiver.received()) - before;
      await deleteEndpoints(ids);
      return { ...result, received };
    };

    console.log(
      `bench:webhooks — ${n(USERS)}-user demo tenant, ${n(CHANGES)} licences changed before each sync, ${ENDPOINTS} endpoint(s) subscribed to every event, ${ROUNDS} rounds, node ${process.version}, ${os.cpus().length} cores`,
    );
    // The baseline sync (a tenant's first emits no change events), then one round of each to warm
    // the token cache, the demo tenant's pages, the JIT and the delivery path.
    await app.sync(false);
    await round(true);
    await round(false);

    const runs = { with: [] as Array<SyncResult & { received: number }>, without: [] as SyncResult[] };
    for (let r = 0; r < ROUNDS; r++) {
      for (const side of r % 2 === 0 ? (['with', 'without'] as const) : (['without', 'with'] as const)) {
        const result = await round(side === 'with');
        if (side === 'with') runs.with.push(result);
        else runs.without.push(result);
        console.log(
          `  round ${r + 1} ${side.padEnd(7)} sync ${seconds(result.ms)}, ${n(total(result.events))} events, ${n(result.queued)} deliveries queued${side === 'with' ? `, all finished ${seconds(result.drainMs)} after the sync` : ''}`,
        );
      }
    }

    const withMs = runs.with.map((r) => r.ms);
    const withoutMs = runs.without.map((r) => r.ms);
    const ratio = median(withMs) / median(withoutMs);
    const last = runs.with[runs.with.length - 1];
    const rates = runs.with.map((r) => ((r.delivered - r.deliveredAtEnd) / r.drainMs) * 1000);
    const problems: string[] = [];
    for (const r of runs.with) {
      if (licenceEvents(r.events) !== CHANGES)
        problems.push(`a sync recorded ${licenceEvents(r.events)} licence events, not ${CHANGES}`);
      if (r.queued !== total(r.events) * ENDPOINTS)
        problems.push(`${r.queued} deliveries queued for ${total(r.events)} events × ${ENDPOINTS} endpoint(s)`);
      if (r.delivered !== r.queued)
        problems.push(`${r.delivered} of ${r.queued} deliveries delivered (${r.dead} dead)`);
      if (r.received < r.queued) problems.push(`the receiver got ${r.received} of ${r.queued} deliveries`);
    }
    for (const r of runs.without) if (r.queued !== 0) problems.push(`${r.queued} deliveries queued with no endpoint`);

    const rows: Array<[string, string]> = [
      [
        'events recorded per sync',
        `${n(total(last.events))} (${Object.entries(last.events)
          .map(([type, count]) => `${type} ${n(count)}`)
          .join(', ')})`,
      ],
      ['deliveries queued per sync', `${n(last.queued)} (one delivery and one outbox job per event and endpoint)`],
      ['delivered before the sync ended', runs.with.map((r) => n(r.deliveredAtEnd)).join(', ')],
      [
        'all delivered, after the sync',
        `median ${seconds(median(runs.with.map((r) => r.drainMs)))}  [${runs.with.map((r) => seconds(r.drainMs)).join(', ')}]`,
      ],
      [
        'delivery rate to the receiver',
        `median ${n(Math.round(median(rates)))}/s  [${rates.map((x) => n(Math.round(x))).join(', ')}]`,
      ],
      [
        'receiver answered (per sync)',
        runs.with.map((r) => n(r.received)).join(', ') +
          (runs.with.some((r) => r.received > r.queued) ? ' (more than queued: a delivery re-sent)' : ''),
      ],
      [`sync with endpoints (median of ${ROUNDS})`, `${seconds(median(withMs))}  [${withMs.map(seconds).join(', ')}]`],
      [`sync without (median of ${ROUNDS})`, `${seconds(median(withoutMs))}  [${withoutMs.map(seconds).join(', ')}]`],
      ['with / without', `${ratio.toFixed(3)}×  (target ≤ ${TARGET_RATIO}×)`],
    ];
    for (const [k, v] of rows) console.log(`  ${k.padEnd(40)} ${v}`);
    const memory = await app.stop();
    console.log(
      `  ${'app process RSS: peak / at the end'.padEnd(40)} ${memory.peakRssMb.toFixed(0)} MB / ${memory.rssMb.toFixed(0)} MB`,
    );
    for (const p of problems) console.log(`  WARNING: ${p}`);
    const ok = ratio <= TARGET_RATIO && problems.length === 0;
    console.log(ok ? '  result: within target' : '  result: OUTSIDE target');
    process.exitCode = ok ? 0 : 1;
  } finally {
    for (const c of children) if (c.exitCode === null) c.kill('SIGTERM');
    fs.rmSync(workDir, { recursive: true, force: true });
  }
}

runBench({ app: appProcess, main });
