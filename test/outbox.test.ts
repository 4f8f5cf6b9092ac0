import path from 'node:path';
import pino, { type Logger } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { CLAIMABLE, SqliteOutboxStore } from '../src/adapters/sqlite/outbox-store';
import { createLogger } from '../src/adapters/logging/logger';
import { openDatabase, type Db } from '../src/adapters/sqlite/database';
import { NotReadyError, PermanentError, RetryableError } from '../src/usecases/outbox/job-errors';
import { JobRunner, type JobRunnerOptions } from '../src/usecases/outbox/job-runner';
import { defineJobType, JobRegistry, type JobContext, type JobLimits } from '../src/usecases/outbox/job-type';
import { tempDir } from './helpers/harness';
import { watchRunnerPasses } from './helpers/runner-passes';

/** The outbox on a real SQLite file: the store's guarantees and the runner's retry rules. */

const logger = createLogger('silent');
const open: Array<{ db: Db; runner?: JobRunner }> = [];

afterEach(async () => {
  for (const o of open.splice(0)) {
    await o.runner?.stop(2_000);
    if (o.db.open) o.db.close();
  }
});

function outboxFile(): string {
  return path.join(tempDir('outbox'), 'seat-steward.sqlite');
}

function openStore(file = outboxFile()): { db: Db; store: SqliteOutboxStore; file: string } {
  const db = openDatabase(file);
  open.push({ db });
  return { db, store: new SqliteOutboxStore(db), file };
}

const note = z.object({ text: z.string() });

interface Call {
  payload: z.infer<typeof note>;
  ctx: JobContext;
  at: number;
}

/** A runner with one job kind whose handler the test scripts, call by call. */
function startRunner(
  handler: (payload: z.infer<typeof note>, ctx: JobContext, call: number) => Promise<void>,
  options: { file?: string; limits?: Partial<JobLimits>; runner?: Partial<JobRunnerOptions>; logger?: Logger } = {},
) {
  const { db, store, file } = openStore(options.file);
  const type = defineJobType('test.note', note, { maxAttempts: 3, ...options.limits });
  const calls: Call[] = [];
  const registry = new JobRegistry().on(type, async (payload, ctx) => {
    calls.push({ payload, ctx, at: Date.now() });
    await handler(payload, ctx, calls.length);
  });
  const runner = new JobRunner(store, registry, options.logger ?? logger, {
    pollIntervalMs: 200,
    retryPolicy: { baseDelayMs: 20, maxDelayMs: 50 },
    ...options.runner,
  });
  open[open.length - 1].runner = runner;
  const started = runner.start();
  return { db, store, file, runner, type, calls, started };
}

async function until(predicate: () => boolean, what: string, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

const later = (ms: number) => new Date(Date.now() + ms);

describe('SqliteOutboxStore', () => {
  it('enqueue with an existing idempotency key returns the existing job, never a second one', () => {
    const { db, store } = openStore();
    const first = store.enqueue({
      kind: 'k',
      idempotencyKey: 'sync:t1:2025-03-01T12:00Z',
      tenantId: 't1',
      payload: { n: 1 },
      maxAttempts: 3,
      runAfter: new Date(),
    });
    const again = store.enqueue({
      kind: 'k',
      idempotencyKey: 'sync:t1:2025-03-01T12:00Z',
      tenantId: 't1',
      payload: { n: 2 },
      maxAttempts: 9,
      runAfter: new Date(),
    });
    expect(first.created).toBe(true);
    expect(again.created).toBe(false);
    expect(again.job).toEqual(first.job);
    expect(again.job.payload).toEqual({ n: 1 });
    expect(db.prepare('SELECT COUNT(*) FROM outbox_jobs').pluck().get()).toBe(1);
    // Still one after the job ran to the end: a done key is remembered, not re-queued.
    const [claimed] = store.claim({ limit: 5, now: new Date(), leaseUntil: later(60_000) });
    expect(store.complete(claimed.id, claimed.attempts, new Date())).toBe(true);
    expect(
      store.enqueue({
        kind: 'k',
        idempotencyKey: 'sync:t1:2025-03-01T12:00Z',
        payload: {},
        maxAttempts: 3,
        runAfter: new Date(),
      }),
    ).toMatchObject({ created: false, job: { status: 'done' } });
  });

  it('claims due pending jobs oldest-due first, once each, across two connections to the file', () => {
    const a = openStore();
    const b = openStore(a.file);
    const now = Date.now();
    for (let i = 0; i < 10; i++) {
      a.store.enqueue({
        kind: 'k',
        idempotencyKey: `key-${i}`,
        payload: { i },
        maxAttempts: 3,
        runAfter: new Date(now - (10 - i) * 1000),
      });
    }
    a.store.enqueue({ kind: 'k', idempotencyKey: 'future', payload: {}, maxAttempts: 3, runAfter: later(60_000) });
    const claimA = a.store.claim({ limit: 4, now: new Date(), leaseUntil: later(60_000) });
    const claimB = b.store.claim({ limit: 100, now: new Date(), leaseUntil: later(60_000) });
    expect(claimA.map((j) => j.idempotencyKey)).toEqual(['key-0', 'key-1', 'key-2', 'key-3']);
    expect(claimB.map((j) => j.idempotencyKey)).toEqual(['key-4', 'key-5', 'key-6', 'key-7', 'key-8', 'key-9']);
    for (const j of [...claimA, ...claimB])
      expect(j).toMatchObject({ status: 'running', attempts: 1, leaseUntil: expect.any(String) });
    expect(a.store.claim({ limit: 100, now: new Date(), leaseUntil: later(60_000) })).toEqual([]);
    expect(a.store.countByStatus()).toEqual({ pending: 1, running: 10, done: 0, dead: 0 });
  });

  it('skips kinds at their concurrency limit when claiming', () => {
    const { store } = openStore();
    store.enqueue({
      kind: 'slow',
      idempotencyKey: 's',
      payload: {},
      maxAttempts: 3,
      runAfter: new Date(Date.now() - 5000),
    });
    store.enqueue({ kind: 'quick', idempotencyKey: 'q', payload: {}, maxAttempts: 3, runAfter: new Date() });
    expect(
      store.claim({ limit: 1, now: new Date(), leaseUntil: later(1000), excludeKinds: ['slow'] }).map((j) => j.kind),
    ).toEqual(['quick']);
    expect(store.nextRunAfter(['slow'])).toBeUndefined();
    expect(store.nextRunAfter()).toBeInstanceOf(Date);
  });

  it('fences every outcome by attempt: a stale attempt cannot overwrite a newer one', () => {
    const { store } = openStore();
    store.enqueue({ kind: 'k', idempotencyKey: 'x', payload: {}, maxAttempts: 5, runAfter: new Date() });
    const [first] = store.claim({ limit: 1, now: new Date(), leaseUntil: later(1000) });
    expect(store.retry(first.id, 1, new Date(), 'lease ran out', new Date())).toBe(true);
    const [second] = store.claim({ limit: 1, now: new Date(), leaseUntil: later(1000) });
    expect(second.attempts).toBe(2);
    expect(store.complete(first.id, 1, new Date())).toBe(false);
    expect(store.dead(first.id, 1, 'late', new Date())).toBe(false);
    expect(store.get(first.id)).toMatchObject({ status: 'running', attempts: 2 });
    expect(store.complete(second.id, 2, new Date())).toBe(true);
  });

  it('serves the claim and the dead-letter list from indexes, without sorting', () => {
    const { db, store } = openStore();
    const kinds = ['tenant.sync', 'post.sync-result', 'digest'];
    for (let i = 0; i < 3000; i++) {
      store.enqueue({
        kind: kinds[i % 3],
        idempotencyKey: `k${i}`,
        payload: { i },
        maxAttempts: 3,
        runAfter: new Date(Date.now() - i * 1000),
      });
    }
    db.exec(
      `UPDATE outbox_jobs SET status = CASE id % 4 WHEN 0 THEN 'done' WHEN 1 THEN 'dead' WHEN 2 THEN 'running' ELSE 'pending' END`,
    );
    const plan = (sql: string, params: Record<string, unknown>) =>
      (db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all(params) as Array<{ detail: string }>)
        .map((r) => r.detail)
        .join('\n');
    const check = () => {
      const claim = plan(`UPDATE outbox_jobs SET status = 'running' WHERE id IN (${CLAIMABLE} LIMIT 1) RETURNING *`, {
        now: new Date().toISOString(),
        excluded: '["digest"]',
      });
      expect(claim).toMatch(/USING INDEX outbox_jobs_due \(status=\? AND run_after<\?\)/);
      expect(claim).not.toMatch(/TEMP B-TREE/);
      for (const status of ['dead', 'pending', 'running', 'done']) {
        const list = plan(
          'SELECT * FROM outbox_jobs WHERE status = @status ORDER BY id DESC LIMIT @limit OFFSET @offset',
          { status, limit: 20, offset: 0 },
        );
        expect(list).toMatch(/USING INDEX outbox_jobs_by_status \(status=\?\)/);
        expect(list).not.toMatch(/TEMP B-TREE/);
      }
      expect(plan('SELECT COUNT(*) FROM outbox_jobs WHERE status = @status', { status: 'dead' })).toMatch(
        /COVERING INDEX outbox_jobs_by_status/,
      );
      expect(plan('SELECT status, COUNT(*) AS n FROM outbox_jobs GROUP BY status', {})).toMatch(
        /COVERING INDEX outbox_jobs_by_status/,
      );
    };
    check();
    // Statistics (ANALYZE, or PRAGMA optimize) must not change the choice.
    db.exec('ANALYZE');
    check();
    // And the list the store really runs answers from it.
    expect(store.list({ status: 'dead', limit: 5, offset: 0 }).rows.map((j) => j.status)).toEqual(
      Array(5).fill('dead'),
    );
  });

  it('prunes done jobs past their retention only', () => {
    const { db, store } = openStore();
    for (const key of ['old', 'new', 'dead'])
      store.enqueue({ kind: 'k', idempotencyKey: key, payload: {}, maxAttempts: 1, runAfter: new Date() });
    for (const j of store.claim({ limit: 3, now: new Date(), leaseUntil: later(1000) })) {
      if (j.idempotencyKey === 'dead') store.dead(j.id, j.attempts, 'x', new Date());
      else store.complete(j.id, j.attempts, new Date());
    }
    db.prepare(
      "UPDATE outbox_jobs SET finished_at = '2020-01-01T00:00:00.000Z' WHERE idempotency_key IN ('old', 'dead')",
    ).run();
    expect(store.pruneDone(new Date('2024-01-01T00:00:00.000Z'))).toBe(1);
    expect(
      store
        .list({ limit: 10, offset: 0 })
        .rows.map((j) => j.idempotencyKey)
        .sort(),
    ).toEqual(['dead', 'new']);
  });
});

describe('JobRunner', () => {
  it('runs a job once, handing it its idempotency key and attempt number', async () => {
    const r = startRunner(async () => undefined);
    const { job } = r.runner.enqueue(r.type, { text: 'hello' }, { key: 'greeting:1', tenantId: 't1' });
    r.runner.enqueue(r.type, { text: 'hello again' }, { key: 'greeting:1' });
    await until(() => r.store.get(job.id)?.status === 'done', 'the job to finish');
    expect(r.calls).toHaveLength(1);
    expect(r.calls[0].payload).toEqual({ text: 'hello' });
    expect(r.calls[0].ctx).toMatchObject({
      jobId: job.id,
      idempotencyKey: 'greeting:1',
      tenantId: 't1',
      attempt: 1,
      maxAttempts: 3,
    });
    expect(r.store.get(job.id)).toMatchObject({ attempts: 1, leaseUntil: null, finishedAt: expect.any(String) });
  });

  it('waits at least the Retry-After a RetryableError carries before the next attempt', async () => {
    let failedAt = 0;
    const r = startRunner(async (_p, _ctx, call) => {
      if (call === 1) {
        failedAt = Date.now();
        throw new RetryableError('Teams said 429', { retryAfter: 1 });
      }
    });
    const { job } = r.runner.enqueue(r.type, { text: 'x' }, { key: 'retry-after' });
    await until(() => r.store.get(job.id)?.status === 'done', 'the retry to succeed');
    expect(r.calls).toHaveLength(2);
    expect(r.calls[1].at - failedAt).toBeGreaterThanOrEqual(1_000);
    expect(r.calls[1].ctx.attempt).toBe(2);
    expect(r.store.get(job.id)?.lastError).toBe('Teams said 429');
  });

  it('honours a Retry-After given as a date', async () => {
    let failedAt = 0;
    const r = startRunner(async (_p, _ctx, call) => {
      if (call === 1) {
        failedAt = Date.now();
        throw new RetryableError('busy until then', { retryAfter: new Date(failedAt + 800) });
      }
    });
    const { job } = r.runner.enqueue(r.type, { text: 'x' }, { key: 'retry-date' });
    await until(() => r.store.get(job.id)?.status === 'done', 'the retry to succeed');
    expect(r.calls[1].at - failedAt).toBeGreaterThanOrEqual(800);
  });

  it('without a Retry-After, schedules the retry by jittered backoff', async () => {
    const r = startRunner(
      async () => {
        throw new Error('connection reset');
      },
      { runner: { retryPolicy: { baseDelayMs: 40_000, maxDelayMs: 600_000 }, random: () => 0.25 } },
    );
    const { job } = r.runner.enqueue(r.type, { text: 'x' }, { key: 'backoff' });
    await until(() => r.store.get(job.id)?.lastError === 'connection reset', 'the first failure');
    const row = r.store.get(job.id);
    expect(row).toMatchObject({ status: 'pending', attempts: 1 });
    // First retry: jitter 0.25 of the 40 s ceiling.
    expect(Date.parse(row?.runAfter ?? '') - Date.parse(row?.updatedAt ?? '')).toBe(10_000);
  });

  it('dead-letters after max attempts with the last error', async () => {
    const r = startRunner(async (_p, _ctx, call) => {
      throw new Error(`Graph 503 on try ${call}`);
    });
    const { job } = r.runner.enqueue(r.type, { text: 'x' }, { key: 'doomed' });
    await until(() => r.store.get(job.id)?.status === 'dead', 'the job to die');
    expect(r.calls.map((c) => c.ctx.attempt)).toEqual([1, 2, 3]);
    expect(r.store.get(job.id)).toMatchObject({
      attempts: 3,
      lastError: 'Gave up after 3 attempts. Last error: Graph 503 on try 3',
      finishedAt: expect.any(String),
    });
    expect(r.store.countByStatus().dead).toBe(1);
  });

  it('dead-letters at once on a PermanentError', async () => {
    const r = startRunner(async () => {
      throw new PermanentError('The bot was removed from this chat.');
    });
    const { job } = r.runner.enqueue(r.type, { text: 'x' }, { key: 'gone' });
    await until(() => r.store.get(job.id)?.status === 'dead', 'the job to die');
    expect(r.calls).toHaveLength(1);
    expect(r.store.get(job.id)).toMatchObject({ attempts: 1, lastError: 'The bot was removed from this chat.' });
  });

  it('dead-letters a tampered payload or an unknown kind with the reason, without calling a handler', async () => {
    const r = startRunner(async () => undefined);
    const { job } = r.store.enqueue({
      kind: 'test.note',
      idempotencyKey: 'tampered',
      payload: { text: 42 },
      maxAttempts: 3,
      runAfter: new Date(),
    });
    const { job: alien } = r.store.enqueue({
      kind: 'licence.remove.v9',
      idempotencyKey: 'alien',
      payload: {},
      maxAttempts: 3,
      runAfter: new Date(),
    });
    r.runner.wake();
    await until(() => r.store.countByStatus().dead === 2, 'both jobs to die');
    expect(r.calls).toHaveLength(0);
    expect(r.store.get(job.id)?.lastError).toMatch(
      /payload does not fit job kind "test.note" \(text: Expected string, received number\)/,
    );
    expect(r.store.get(alien.id)?.lastError).toMatch(/No handler for job kind "licence.remove.v9"/);
    // And the runner carries on with good jobs.
    const ok = r.runner.enqueue(r.type, { text: 'fine' }, { key: 'fine' });
    await until(() => r.store.get(ok.job.id)?.status === 'done', 'a good job after them');
  });

  it('refuses to enqueue a payload that does not fit its kind', () => {
    const r = startRunner(async () => undefined);
    expect(() => r.runner.enqueue(r.type, { text: 1 } as unknown as { text: string }, { key: 'bad' })).toThrow(
      /Invalid payload for job kind "test.note"/,
    );
  });

  it('re-queues a job that is not ready without using up an attempt, and runs it when its precondition settles', async () => {
    let release: () => void = () => undefined;
    const ready = new Promise<void>((resolve) => (release = resolve));
    const r = startRunner(async (_p, _ctx, call) => {
      // The fallback delay is an hour: only `until` can bring it back in this test.
      if (call <= 3)
        throw new NotReadyError('the sync is still running', {
          retryAfterMs: call < 3 ? 0 : 3_600_000,
          until: call < 3 ? undefined : ready,
        });
    });
    const { job } = r.runner.enqueue(r.type, { text: 'x' }, { key: 'not-ready' });
    await until(() => r.calls.length === 3 && r.store.get(job.id)?.status === 'pending', 'the third not-ready attempt');
    expect(r.store.get(job.id)?.attempts).toBe(0);
    release();
    await until(() => r.store.get(job.id)?.status === 'done', 'the job to run once ready');
    expect(r.calls.map((c) => c.ctx.attempt)).toEqual([1, 1, 1, 1]);
  });

  it('keeps to the concurrency limits, overall and per kind', async () => {
    let running = 0;
    let peak = 0;
    const r = startRunner(
      async () => {
        running++;
        peak = Math.max(peak, running);
        await new Promise((resolve) => setTimeout(resolve, 30));
        running--;
      },
      { runner: { concurrency: 3 } },
    );
    for (let i = 0; i < 12; i++) r.runner.enqueue(r.type, { text: String(i) }, { key: `c${i}` });
    await until(() => r.store.countByStatus().done === 12, 'all jobs');
    expect(peak).toBe(3);

    let kindRunning = 0;
    let kindPeak = 0;
    const k = startRunner(
      async () => {
        kindRunning++;
        kindPeak = Math.max(kindPeak, kindRunning);
        await new Promise((resolve) => setTimeout(resolve, 30));
        kindRunning--;
      },
      { limits: { concurrency: 1 }, runner: { concurrency: 4 } },
    );
    for (let i = 0; i < 6; i++) k.runner.enqueue(k.type, { text: String(i) }, { key: `k${i}` });
    await until(() => k.store.countByStatus().done === 6, 'all jobs of the kind');
    expect(kindPeak).toBe(1);
  });

  it('abandons an attempt that outlives its lease, retries it, and ignores the late answer', async () => {
    const warnings: string[] = [];
    let aborted: unknown;
    let finishLate: () => void = () => undefined;
    const r = startRunner(
      async (_p, ctx, call) => {
        if (call === 1) {
          ctx.signal.addEventListener('abort', () => (aborted = ctx.signal.reason));
          await new Promise<void>((resolve) => (finishLate = resolve));
        }
      },
      {
        limits: { timeoutMs: 300 },
        logger: pino({ level: 'warn' }, { write: (line: string) => void warnings.push(line) }),
      },
    );
    const { job } = r.runner.enqueue(r.type, { text: 'x' }, { key: 'hangs' });
    await until(() => r.store.get(job.id)?.status === 'done', 'the retry after the lease ran out');
    expect(r.calls.map((c) => c.ctx.attempt)).toEqual([1, 2]);
    expect(String(aborted)).toMatch(/ran out of time/);
    expect(r.store.get(job.id)?.lastError).toMatch(/did not finish within 300 ms \(its lease\)/);
    finishLate();
    // The runner says when it has dealt with the late answer: only then is the row checked again.
    await until(
      () => warnings.some((l) => l.includes('job finished after its lease ran out')),
      'the runner to handle the late answer',
    );
    expect(r.store.get(job.id)).toMatchObject({ status: 'done', attempts: 2 });
  });

  it("keeps an overdue attempt that still runs counted toward its kind's limit until it ends", async () => {
    let release: () => void = () => undefined;
    const r = startRunner(
      async (_p, _ctx, call) => {
        if (call === 1) await new Promise<void>((resolve) => (release = resolve));
      },
      { limits: { timeoutMs: 200, concurrency: 1 } },
    );
    const passes = watchRunnerPasses(r.store);
    const { job } = r.runner.enqueue(r.type, { text: 'x' }, { key: 'overdue' });
    await until(() => r.store.get(job.id)?.lastError?.includes('its lease') === true, 'the lease to run out');
    // The retry falls due, but the first attempt (a sync, say) still runs: the runner's next look
    // at the outbox after that must leave the retry waiting.
    const due = new Date(r.store.get(job.id)?.runAfter ?? Date.now());
    await passes.idle(r.runner, due);
    expect(r.store.get(job.id)?.status).toBe('pending');
    expect(r.calls).toHaveLength(1);
    release();
    await until(() => r.store.get(job.id)?.status === 'done', 'the retry once the overdue attempt ended');
    expect(r.calls).toHaveLength(2);
  });

  it('re-queues at start a job a crashed runner left running; one out of attempts is dead-lettered instead', async () => {
    const crashed = openStore();
    crashed.store.enqueue({
      kind: 'test.note',
      idempotencyKey: 'mid-flight',
      payload: { text: 'x' },
      maxAttempts: 3,
      runAfter: new Date(),
    });
    crashed.store.enqueue({
      kind: 'test.note',
      idempotencyKey: 'last-try',
      payload: { text: 'y' },
      maxAttempts: 1,
      runAfter: new Date(),
    });
    const claimed = crashed.store.claim({ limit: 2, now: new Date(), leaseUntil: later(3_600_000) });
    expect(claimed.map((j) => j.status)).toEqual(['running', 'running']);
    // The process dies: nothing records the outcome, the rows stay 'running' with a lease far ahead.
    crashed.db.close();

    const r = startRunner(async () => undefined, { file: crashed.file });
    expect(r.started).toEqual({ requeued: 1, dead: 1 });
    await until(() => r.store.countByStatus().done === 1, 'the re-queued job');
    const [midFlight, lastTry] = claimed.map((j) => r.store.get(j.id));
    expect(midFlight).toMatchObject({
      status: 'done',
      attempts: 2,
      lastError: expect.stringMatching(/stopped while this attempt ran/),
    });
    expect(r.calls[0].ctx.attempt).toBe(2);
    expect(lastTry).toMatchObject({ status: 'dead', lastError: expect.stringMatching(/used all 1 of its attempts/) });
  });

  it('stops gracefully: a handler that gives up is re-queued without losing the attempt; one that does not is left for the next start', async () => {
    const r = startRunner(async (_p, ctx) => {
      await new Promise<void>((_resolve, reject) =>
        ctx.signal.addEventListener('abort', () => reject(ctx.signal.reason as Error)),
      );
    });
    const { job } = r.runner.enqueue(r.type, { text: 'x' }, { key: 'polite' });
    await until(() => r.calls.length === 1, 'the job to start');
    await r.runner.stop();
    expect(r.store.get(job.id)).toMatchObject({
      status: 'pending',
      attempts: 0,
      lastError: expect.stringMatching(/Interrupted by a stop/),
    });

    const stubborn = startRunner(() => new Promise<void>(() => undefined));
    const { job: hung } = stubborn.runner.enqueue(stubborn.type, { text: 'x' }, { key: 'stubborn' });
    await until(() => stubborn.calls.length === 1, 'the stubborn job to start');
    await stubborn.runner.stop(100);
    expect(stubborn.store.get(hung.id)?.status).toBe('running');
    stubborn.db.close();
    const next = startRunner(async () => undefined, { file: stubborn.file });
    expect(next.started.requeued).toBe(1);
    await until(() => next.store.get(hung.id)?.status === 'done', 'the next start to run it');
  });

  it('records the outcome of an attempt that ends after the stop stopped waiting, so the next start does not run it again', async () => {
    let finish!: () => void;
    const r = startRunner(() => new Promise<void>((resolve) => (finish = resolve)));
    const { job } = r.runner.enqueue(r.type, { text: 'x' }, { key: 'slow-sync' });
    await until(() => r.calls.length === 1, 'the job to start');
    await r.runner.stop(100);
    expect(r.store.get(job.id)?.status).toBe('running');
    // What close() does: the sync the handler waits on ends, then the runner's stragglers settle.
    finish();
    await r.runner.settled(2_000);
    expect(r.store.get(job.id)).toMatchObject({ status: 'done', attempts: 1 });
    r.db.close();
    const next = startRunner(async () => undefined, { file: r.file });
    expect(next.started.requeued).toBe(0);
  });

  it("re-queues a dead job on an admin's retry, with fresh attempts", async () => {
    let fail = true;
    const r = startRunner(async () => {
      if (fail) throw new PermanentError('chat gone');
    });
    const { job } = r.runner.enqueue(r.type, { text: 'x' }, { key: 'revived' });
    await until(() => r.store.get(job.id)?.status === 'dead', 'the job to die');
    expect(r.runner.retryDead(9_999)).toBeUndefined();
    fail = false;
    expect(r.runner.retryDead(job.id)).toMatchObject({ status: 'pending', attempts: 0, lastError: 'chat gone' });
    await until(() => r.store.get(job.id)?.status === 'done', 'the retried job');
    expect(r.runner.retryDead(job.id)).toBeUndefined();
  });
});
