/**
 * npm run bench:outbox — the outbox on a real SQLite file: enqueue rate, end-to-end job
 * throughput through the runner (no-op handlers), and the cost of one claim when the table
 * already holds BENCH_DONE finished jobs (the claim reads the (status, run_after) index, so it
 * should not grow with history).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { z } from 'zod';
import { createLogger } from '../src/adapters/logging/logger';
import { openDatabase } from '../src/adapters/sqlite/database';
import { SqliteOutboxStore } from '../src/adapters/sqlite/outbox-store';
import { JobRunner } from '../src/usecases/outbox/job-runner';
import { defineJobType, JobRegistry } from '../src/usecases/outbox/job-type';

const JOBS = Number(process.env.BENCH_JOBS ?? 10_000);
const DONE = Number(process.env.BENCH_DONE ?? 200_000);

async function main(): Promise<void> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'seat-steward-bench-outbox-'));
  const db = openDatabase(path.join(dir, 'seat-steward.sqlite'));
  const store = new SqliteOutboxStore(db);
  const type = defineJobType('bench.noop', z.object({ n: z.number() }));
  let handled = 0;
  const registry = new JobRegistry().on(type, async () => {
    handled++;
  });
  const runner = new JobRunner(store, registry, createLogger('silent'), { concurrency: 4 });
  const rows: Array<[string, string]> = [];
  try {
    // Enqueue with the runner not started, so this measures the inserts alone.
    let t = process.hrtime.bigint();
    for (let i = 0; i < JOBS; i++) runner.enqueue(type, { n: i }, { key: `bench:${i}` });
    const enqueueMs = Number(process.hrtime.bigint() - t) / 1e6;
    rows.push([
      'enqueue (one transaction each)',
      `${Math.round(JOBS / (enqueueMs / 1000)).toLocaleString('en-US')} jobs/s (${JOBS.toLocaleString('en-US')} in ${enqueueMs.toFixed(0)} ms)`,
    ]);

    t = process.hrtime.bigint();
    runner.start();
    while (store.countByStatus().done < JOBS) await new Promise((r) => setTimeout(r, 5));
    const runMs = Number(process.hrtime.bigint() - t) / 1e6;
    await runner.stop();
    rows.push([
      'claim + run + complete (4 at once)',
      `${Math.round(JOBS / (runMs / 1000)).toLocaleString('en-US')} jobs/s (${handled.toLocaleString('en-US')} in ${runMs.toFixed(0)} ms)`,
    ]);

    // History: many finished jobs, then time single claims among them.
    const now = new Date().toISOString();
    const insert = db.prepare(
      `INSERT INTO outbox_jobs (kind, idempotency_key, payload, status, attempts, max_attempts, run_after, created_at, updated_at, finished_at)
       VALUES ('bench.noop', ?, '{}', 'done', 1, 8, ?, ?, ?, ?)`,
    );
    db.transaction(() => {
      for (let i = 0; i < DONE; i++) insert.run(`history:${i}`, now, now, now, now);
    })();
    const samples: number[] = [];
    for (let i = 0; i < 1_000; i++) {
      store.enqueue({
        kind: 'bench.noop',
        idempotencyKey: `probe:${i}`,
        payload: { n: i },
        maxAttempts: 8,
        runAfter: new Date(),
      });
      const c = process.hrtime.bigint();
      const [job] = store.claim({ limit: 1, now: new Date(), leaseUntil: new Date(Date.now() + 60_000) });
      samples.push(Number(process.hrtime.bigint() - c) / 1e3);
      store.complete(job.id, job.attempts, new Date());
    }
    samples.sort((a, b) => a - b);
    const pct = (p: number) => samples[Math.min(samples.length - 1, Math.floor(p * samples.length))].toFixed(0);
    rows.push([
      `one claim, ${(DONE + JOBS).toLocaleString('en-US')} done rows`,
      `p50 ${pct(0.5)} µs, p99 ${pct(0.99)} µs`,
    ]);
    rows.push([
      'database file',
      `${(fs.statSync(path.join(dir, 'seat-steward.sqlite')).size / 1048576).toFixed(1)} MB (WAL not counted)`,
    ]);

    console.log(`\nbench:outbox — node ${process.version}, ${os.cpus().length} cores`);
    for (const [k, v] of rows) console.log(`  ${k.padEnd(40)} ${v}`);
  } finally {
    await runner.stop();
    db.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
