/**
 * npm run bench:audit — incremental ingestion of about 1,000,000 CopilotInteraction records
 * (BENCH_AUDIT_RECORDS) through the real stack: the audit_graph source, the Graph client over
 * HTTPS, the SQLite store. The demo tenant runs in its own process (records generated page by
 * page from its story, scaled up), so the peak RSS printed is the ingesting process's alone.
 *
 * Target (issue #6): peak RSS <= 300 MB; records per second is printed.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { ensureDemoCertificate } from '../demo-tenant/certificate';
import { auditRecordsPage } from '../demo-tenant/audit-records';
import { generateDemoTenant } from '../demo-tenant/generator';
import { startDemoTenant } from '../demo-tenant/server';
import { createGraphClient, type TenantConnection } from '../src/adapters/graph/graph-client';
import { GraphAuditLogQueryApi } from '../src/adapters/graph/audit-log-query-api';
import { openDatabase } from '../src/adapters/sqlite/database';
import { SqliteCopilotInteractionStore } from '../src/adapters/sqlite/copilot-interactions';
import { AuditGraphSource } from '../src/usecases/audit/audit-graph-source';

const TARGET = Number(process.env.BENCH_AUDIT_RECORDS ?? 1_000_000);
const USERS = Number(process.env.BENCH_USERS ?? 10_000);
const LOOKBACK_DAYS = 30;
const DAY_MS = 86_400_000;

interface DemoInfo {
  url: string;
  tenantId: string;
  clientId: string;
  clientSecret: string;
  records: number;
  scale: number;
}

/** Child mode: serve a demo tenant whose audit log holds about TARGET records in the lookback window. */
async function serveDemo(): Promise<void> {
  // The certificate this process tree trusts (scripts/with-demo-ca.ts sets NODE_EXTRA_CA_CERTS).
  const certificate = await ensureDemoCertificate(path.dirname(process.env.NODE_EXTRA_CA_CERTS as string));
  const data = generateDemoTenant({ users: USERS });
  const now = Date.now();
  let base = 0;
  for (let page = auditRecordsPage(data, now - LOOKBACK_DAYS * DAY_MS, now, null, 100_000); ;) {
    base += page.records.length;
    if (!page.next) break;
    page = auditRecordsPage(data, now - LOOKBACK_DAYS * DAY_MS, now, page.next, 100_000);
  }
  const scale = Math.max(1, Math.ceil(TARGET / Math.max(1, base)));
  data.audit = { scale, pageSize: 1000 };
  const server = await startDemoTenant({
    data,
    tls: { cert: certificate.cert, key: certificate.key },
    maxPageSize: 1000,
  });
  const info: DemoInfo = {
    url: server.url,
    tenantId: server.tenantId,
    clientId: server.clientId,
    clientSecret: server.clientSecret,
    records: base * scale,
    scale,
  };
  process.stdout.write(`${JSON.stringify(info)}\n`);
  process.stdin.resume();
  process.stdin.on('end', () => void server.close().then(() => process.exit(0)));
}

async function main(): Promise<void> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'seat-steward-bench-audit-'));
  const child = spawn(process.execPath, ['--import', 'tsx', __filename, 'demo'], {
    stdio: ['pipe', 'pipe', 'inherit'],
    env: { ...process.env, BENCH_DATA_DIR: dataDir },
  });
  const line = await new Promise<string>((resolve, reject) => {
    createInterface({ input: child.stdout! }).once('line', resolve);
    child.once('exit', (code) => reject(new Error(`demo tenant exited with ${code}`)));
  });
  const info = JSON.parse(line) as DemoInfo;
  try {
    const conn: TenantConnection = {
      entraTenantId: info.tenantId,
      appClientId: info.clientId,
      credential: { kind: 'secret', secret: info.clientSecret },
      graphEndpoint: info.url,
      authorityHost: info.url,
    };
    const db = openDatabase(path.join(dataDir, 'bench.db'));
    const now = new Date().toISOString();
    db.prepare(
      "INSERT INTO tenants (id, tenant_id, tenant_name, source, created_at, updated_at) VALUES ('bench', ?, 'Bench', 'demo', ?, ?)",
    ).run(info.tenantId, now, now);
    const store = new SqliteCopilotInteractionStore(db);
    const api = new GraphAuditLogQueryApi(createGraphClient(conn), conn);
    const source = new AuditGraphSource({
      tenantId: 'bench',
      api,
      store,
      queryWaitMs: 60_000,
      pollIntervalMs: 100,
      overlapMs: 15 * 60_000,
      lookbackMs: LOOKBACK_DAYS * DAY_MS,
    });

    console.log(
      `bench:audit — ${USERS.toLocaleString()} users, ${info.records.toLocaleString()} CopilotInteraction records in ${LOOKBACK_DAYS} days (story scale ×${info.scale}), pages of 1,000`,
    );
    let peak = 0;
    const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 50);
    const started = performance.now();
    const first = await source.run({ now: new Date(), previous: undefined });
    const firstMs = performance.now() - started;
    const stored = db
      .prepare("SELECT COUNT(*) FROM audit_seen_records WHERE tenant_id = 'bench'")
      .pluck()
      .get() as number;
    const secondStart = performance.now();
    const second = await source.run({ now: new Date(), previous: undefined });
    const secondMs = performance.now() - secondStart;
    clearInterval(sampler);
    peak = Math.max(peak, process.resourceUsage().maxRSS * 1024);
    const users = db
      .prepare("SELECT COUNT(*) FROM copilot_last_interactions WHERE tenant_id = 'bench'")
      .pluck()
      .get() as number;
    console.log(
      `first (full) ingestion : ${stored.toLocaleString()} records stored, ${users.toLocaleString()} users, ${(firstMs / 1000).toFixed(1)} s, ${Math.round(stored / (firstMs / 1000)).toLocaleString()} records/s, ${first.requests} Graph requests`,
    );
    console.log(
      `second (incremental)   : ${(secondMs / 1000).toFixed(2)} s, ${second.requests} Graph requests (window = since the first run, less 15 min overlap)`,
    );
    console.log(`peak RSS               : ${Math.round(peak / 1024 / 1024)} MB (target <= 300 MB)`);
    db.close();
  } finally {
    child.stdin!.end();
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}

if (process.argv[2] === 'demo') void serveDemo();
else
  main().catch((error: unknown) => {
    console.error(error);
    process.exitCode = 1;
  });
