/**
 * npm run bench:sync — syncs a generated demo tenant of BENCH_USERS (default 100,000) users
 * and compares it with fetching the same pages raw. The demo tenant runs in its own process
 * so the RSS printed is the syncing process's alone.
 *
 * Targets (issue #2): sync ≤ 2× the raw fetch, peak RSS ≤ 300 MB.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { ClientSecretCredential } from '@azure/identity';
import { demoTrustEnv } from '../src/app/demo-trust';
import { loadConfig } from '../src/config/config';
import { createGraphClient, type TenantConnection } from '../src/adapters/graph/graph-client';
import { GraphDirectorySource } from '../src/adapters/graph/graph-directory-source';
import { TenantReader, USER_PAGE_SIZE, USER_SELECT } from '../src/adapters/graph/tenant-reader';
import { copilotSkuMatcher } from '../src/domain/copilot-skus';
import { createLogger } from '../src/adapters/logging/logger';
import { openDatabase } from '../src/adapters/sqlite/database';
import { SnapshotWriterThread } from '../src/adapters/sqlite/snapshot-writer-thread';
import { SqliteCacheStorage } from '../src/adapters/sqlite/storage-full';
import { SyncRunStore } from '../src/adapters/sqlite/sync-runs';
import { TenantStore } from '../src/adapters/sqlite/tenants';
import { SyncService } from '../src/usecases/sync/sync-service';

const USERS = Number(process.env.BENCH_USERS ?? 100_000);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);

interface DemoInfo {
  url: string;
  tenantId: string;
  clientId: string;
  clientSecret: string;
}

async function startDemoProcess(dataDir: string): Promise<{ info: DemoInfo; child: ChildProcess }> {
  const cli = path.join(__dirname, '..', 'demo-tenant', 'cli.ts');
  const tsx = require.resolve('tsx/cli');
  const child = spawn(process.execPath, [tsx, cli, '--users', String(USERS), '--data-dir', dataDir], { stdio: ['ignore', 'pipe', 'inherit'] });
  const lines = createInterface({ input: child.stdout! });
  const info = await new Promise<DemoInfo>((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`demo tenant exited with ${code}`)));
    lines.once('line', (line) => resolve(JSON.parse(line) as DemoInfo));
  });
  return { info, child };
}

/** The baseline: the same pages with plain fetch, JSON-parsed (needed for the nextLink) and dropped. */
async function rawFetch(conn: TenantConnection): Promise<{ ms: number; users: number; pages: number }> {
  const credential = new ClientSecretCredential(conn.entraTenantId, conn.appClientId, (conn.credential as { secret: string }).secret, {
    authorityHost: conn.authorityHost,
    disableInstanceDiscovery: true,
  });
  const token = (await credential.getToken(`${conn.graphEndpoint}/.default`)).token;
  const started = performance.now();
  let next: string | undefined = `${conn.graphEndpoint}/v1.0/users?$select=${USER_SELECT.join(',')}&$top=${USER_PAGE_SIZE}`;
  let users = 0;
  let pages = 0;
  while (next) {
    const res = await fetch(next, { headers: { authorization: `Bearer ${token}` } });
    if (!res.ok) throw new Error(`raw fetch failed: ${res.status} ${await res.text()}`);
    const page = (await res.json()) as { value: unknown[]; '@odata.nextLink'?: string };
    users += page.value.length;
    pages += 1;
    next = page['@odata.nextLink'];
  }
  return { ms: performance.now() - started, users, pages };
}

async function main(): Promise<void> {
  const config = loadConfig();
  await demoTrustEnv(config.dataDir);
  const { info, child } = await startDemoProcess(config.dataDir);
  const workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'seat-steward-bench-'));
  try {
    const conn: TenantConnection = {
      entraTenantId: info.tenantId,
      appClientId: info.clientId,
      credential: { kind: 'secret', secret: info.clientSecret },
      graphEndpoint: info.url,
      authorityHost: info.url,
      disableInstanceDiscovery: true,
    };
    const file = path.join(workDir, 'bench.sqlite');
    const db = openDatabase(file);
    const sink = new SnapshotWriterThread(file, db);
    const tenants = new TenantStore(db);
    const runs = new SyncRunStore(db);
    const tenant = tenants.ensure({ entraTenantId: info.tenantId, tenantName: 'Bench', source: 'demo' });
    const reader = new TenantReader(createGraphClient(conn), conn);
    const source = new GraphDirectorySource(reader, copilotSkuMatcher(), 'Bench');
    const sync = new SyncService({ tenants, runs, sourceFor: () => source, sink, storage: new SqliteCacheStorage(db), logger: createLogger(process.env.BENCH_DEBUG ? 'info' : 'warn') });

    // Warm both sides (token cache, demo tenant's page cache, JIT) before measuring.
    await rawFetch(conn);

    const rawTimes: number[] = [];
    const syncTimes: number[] = [];
    const cleanupTimes: number[] = [];
    let peakRss = 0;
    let syncedUsers = 0;
    let pages = 0;
    for (let round = 0; round < ROUNDS; round++) {
      const raw = await rawFetch(conn);
      rawTimes.push(raw.ms);
      pages = raw.pages;

      const sampler = setInterval(() => { const m = process.memoryUsage(); if (m.rss > peakRss) { peakRss = m.rss; if (process.env.BENCH_DEBUG) console.log(JSON.stringify({ rss: m.rss >> 20, heapTotal: m.heapTotal >> 20, heapUsed: m.heapUsed >> 20, external: m.external >> 20, ab: m.arrayBuffers >> 20 })); } }, 5);
      const started = performance.now();
      const run = await sync.request(tenant.id, 'benchmark').done;
      syncTimes.push(performance.now() - started);
      clearInterval(sampler);
      peakRss = Math.max(peakRss, process.memoryUsage().rss);
      if (run.status !== 'success') throw new Error(`sync ${run.status}: ${run.errorText}`);
      // The replaced snapshot is dropped right after publishing; time it too, apart from the sync.
      const cleanupStarted = performance.now();
      await sync.idle();
      cleanupTimes.push(performance.now() - cleanupStarted);
      syncedUsers = run.counts?.users ?? 0;
    }
    await sink.close();
    db.close();

    const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
    const syncMs = median(syncTimes);
    const rawMs = median(rawTimes);
    const mb = (bytes: number) => (bytes / 1024 / 1024).toFixed(0);
    const ratio = syncMs / rawMs;
    const rows = [
      ['users synced', syncedUsers.toLocaleString('en-US')],
      ['pages ($top=999)', String(pages)],
      ['sync wall time (median of ' + ROUNDS + ')', `${(syncMs / 1000).toFixed(2)} s  [${syncTimes.map((t) => (t / 1000).toFixed(2)).join(', ')}]`],
      ['sync throughput', `${Math.round(syncedUsers / (syncMs / 1000)).toLocaleString('en-US')} users/s`],
      ['raw fetch wall time (median)', `${(rawMs / 1000).toFixed(2)} s  [${rawTimes.map((t) => (t / 1000).toFixed(2)).join(', ')}]`],
      ['old snapshot drop (after publish)', `${median(cleanupTimes).toFixed(0)} ms  [${cleanupTimes.map((t) => t.toFixed(0)).join(', ')}]`],
      ['sync / raw fetch', `${ratio.toFixed(2)}×  (target ≤ 2×)`],
      ['peak RSS during sync', `${mb(peakRss)} MB  (target ≤ 300 MB; process max ${mb(process.resourceUsage().maxRSS * 1024)} MB)`],
    ];
    console.log(`\nbench:sync — ${USERS.toLocaleString('en-US')}-user demo tenant, node ${process.version}, ${os.cpus().length} cores`);
    for (const [k, v] of rows) console.log(`  ${k.padEnd(32)} ${v}`);
    const ok = ratio <= 2 && peakRss <= 300 * 1024 * 1024;
    console.log(ok ? '  result: within targets' : '  result: OUTSIDE targets');
    process.exitCode = ok ? 0 : 1;
  } finally {
    child.kill('SIGTERM');
    fs.rmSync(workDir, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
