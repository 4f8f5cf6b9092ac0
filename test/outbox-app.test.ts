import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { SqliteOutboxStore } from '../src/adapters/sqlite/outbox-store';
import { databaseFile, openDatabase } from '../src/adapters/sqlite/database';
import { SyncRunStore } from '../src/adapters/sqlite/sync-runs';
import { TenantStore } from '../src/adapters/sqlite/tenants';
import type { OutboxJob } from '../src/usecases/outbox/outbox-store';
import { enqueueTenantSyncs, tenantSyncKey } from '../src/usecases/sync/sync-jobs';
import { postSyncResultJob } from '../src/usecases/sync/sync-result-report';
import { ConnectorRecorder, cardText, type RecordedActivity } from './helpers/connector-recorder';
import { startHarness, TEST_API_KEY, type Harness } from './helpers/harness';
import { ADMIN, BOT, cardAction, channel, groupChat, message, personal, post } from './helpers/teams-activities';
import { watchRunnerPasses } from './helpers/runner-passes';

/**
 * The outbox inside the real app: sync result posts through the local connector (with injected
 * failures), the scheduled sync slots, and the admin's jobs endpoints.
 */
let h: Harness;
let connector: ConnectorRecorder;
let serviceUrl: string;
const extra: Harness[] = [];

beforeAll(async () => {
  h = await startHarness({ app: { cardSyncWaitMs: 50 } });
  connector = new ConnectorRecorder();
  serviceUrl = await connector.start();
});
afterEach(async () => {
  for (const x of extra.splice(0)) await x.close();
  h.demo.server.faults.clear();
});
afterAll(async () => {
  await h?.close();
  await connector?.stop();
});

const isResult = (a: RecordedActivity['activity']) =>
  (a.attachments ?? []).some((x) => /Sync (succeeded|failed|partly)/.test(cardText(x.content)));
const results = (conversationId: string) =>
  connector.messages().filter((a) => a.conversationId === conversationId && isResult(a.activity));

async function until(predicate: () => boolean, what: string, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

const jobsOf = (app: Harness['app'], kind: string): OutboxJob[] =>
  app.outbox.list({ kind, limit: 100, offset: 0 }).rows;
const resultJobFor = (app: Harness['app'], conversationId: string) =>
  jobsOf(app, postSyncResultJob.kind).find((j) => j.idempotencyKey.endsWith(`:${conversationId}`));

interface ApiBody {
  data: Array<Record<string, unknown>> | Record<string, unknown>;
  pagination: { limit: number; offset: number; total: number; has_more: boolean };
  counts: Record<string, number>;
  error: { code: string; message: string };
}

async function api(
  app: Harness['app'],
  method: 'GET' | 'POST',
  path: string,
  key: string | null = TEST_API_KEY,
): Promise<{ status: number; body: ApiBody }> {
  const res = await fetch(`${app.url}${path}`, {
    method,
    headers: key === null ? {} : { authorization: `Bearer ${key}` },
  });
  return { status: res.status, body: (await res.json()) as ApiBody };
}

describe('sync result post', () => {
  it('is retried after Teams answers 503 with Retry-After, waiting at least that long, and delivered once', async () => {
    // Each refusal ends its attempt (the connector client's own retries are off): the outbox waits out Retry-After.
    connector.fail({ status: 503, retryAfter: '1', times: 4, match: isResult });
    const conv = channel();
    await post(h.app.url, message(serviceUrl, conv, 'sync'));
    await connector.waitFor(() => results(conv.conversationId).length > 0, 40_000);
    const job = resultJobFor(h.app, conv.conversationId);
    await until(() => h.app.outbox.get(job?.id ?? 0)?.status === 'done', 'the post job to be recorded done');

    const rejected = connector.rejected.filter((a) => a.conversationId === conv.conversationId);
    expect(rejected).toHaveLength(4);
    const [delivered] = results(conv.conversationId);
    for (let i = 1; i < rejected.length; i++) expect(rejected[i].at - rejected[i - 1].at).toBeGreaterThanOrEqual(1_000);
    expect(delivered.at - rejected[3].at).toBeGreaterThanOrEqual(1_000);
    expect(cardText(delivered.activity.attachments?.[0].content)).toContain('Sync succeeded');
    expect(h.app.outbox.get(job?.id ?? 0)).toMatchObject({
      status: 'done',
      attempts: 5,
      lastError: expect.stringMatching(/Teams could not take the sync result of Contoso Ltd right now \(503/),
    });
    expect(results(conv.conversationId)).toHaveLength(1);
  });

  it('is dead-lettered at once when the bot was removed (403), shown to the admin, and posted on their retry', async () => {
    connector.fail({ status: 403, times: 1, match: isResult });
    const conv = personal();
    await post(h.app.url, message(serviceUrl, conv, 'sync'));
    await until(() => resultJobFor(h.app, conv.conversationId)?.status === 'dead', 'the post to be dead-lettered');
    const job = resultJobFor(h.app, conv.conversationId) as OutboxJob;
    expect(job.attempts).toBe(1);
    expect(job.lastError).toMatch(
      /Teams refused the sync result of Contoso Ltd for conversation .*403.*the bot was removed from that chat or team/,
    );
    expect(results(conv.conversationId)).toHaveLength(0);
    // Teams says the bot is gone from that chat: later posts (digests) must skip it.
    expect(h.app.conversations.get(conv.conversationId)?.active).toBe(false);
    // The admin sees it on the tenant's status card too.
    connector.clear();
    await post(h.app.url, message(serviceUrl, personal(), 'status'));
    await connector.waitFor((m) =>
      m.some((a) => cardText(a.activity.attachments?.[0]?.content).includes('could not be delivered')),
    );

    const dead = await api(h.app, 'GET', '/api/v1/m365/jobs?status=dead');
    expect(dead.status).toBe(200);
    expect(dead.body.counts.dead).toBeGreaterThanOrEqual(1);
    const listed = (dead.body.data as Array<Record<string, unknown>>).find((j) => j.id === job.id);
    expect(listed).toMatchObject({
      kind: 'post.sync-result',
      status: 'dead',
      attempts: 1,
      max_attempts: 10,
      last_error: job.lastError,
      tenant_id: job.tenantId,
    });

    const retried = await api(h.app, 'POST', `/api/v1/m365/jobs/${job.id}/retry`);
    expect(retried.status).toBe(200);
    expect(retried.body.data).toMatchObject({ id: job.id, status: 'pending', attempts: 0 });
    await connector.waitFor(() => results(conv.conversationId).length === 1, 20_000);
    await until(() => h.app.outbox.get(job.id)?.status === 'done', 'the retried job to finish');
  });

  it('is posted once per chat however often that chat asks while the same sync runs', async () => {
    h.demo.server.faults.add({ path: '/v1.0/subscribedSkus', delayMs: 1_000 });
    const conv = groupChat();
    await post(h.app.url, message(serviceUrl, conv, 'sync'));
    await post(h.app.url, message(serviceUrl, conv, 'sync'));
    const other = personal();
    await post(h.app.url, message(serviceUrl, other, 'sync'));
    await connector.waitFor(
      () => results(conv.conversationId).length > 0 && results(other.conversationId).length > 0,
      30_000,
    );
    const runIds = new Set(
      jobsOf(h.app, postSyncResultJob.kind)
        .filter((j) => [conv.conversationId, other.conversationId].some((c) => j.idempotencyKey.endsWith(`:${c}`)))
        .map((j) => (j.payload as { runId: number }).runId),
    );
    expect(runIds.size).toBe(1);
    await until(
      () => h.app.outbox.countByStatus().pending === 0 && h.app.outbox.countByStatus().running === 0,
      'the outbox to drain',
    );
    expect(results(conv.conversationId)).toHaveLength(1);
    expect(results(other.conversationId)).toHaveLength(1);
  });

  it('follows a Sync now click that outlasts its wait with the result card', async () => {
    h.demo.server.faults.add({ path: '/v1.0/subscribedSkus', delayMs: 500 });
    const conv = personal();
    const tenant = h.app.tenants.list()[0];
    const res = await post(h.app.url, cardAction(serviceUrl, conv, 'tenant.sync', { tenantId: tenant.id }));
    expect(cardText((res.body as { value: unknown }).value)).not.toMatch(/Sync succeeded/);
    await connector.waitFor(() => results(conv.conversationId).length === 1, 30_000);
    expect(resultJobFor(h.app, conv.conversationId)?.idempotencyKey).toMatch(/^sync-result:\d+:a:personal-/);
  });

  it('is still posted after a crash: a post left running is re-queued at start and reports the interrupted sync', async () => {
    const first = await startHarness();
    const dataDir = first.config.dataDir;
    await first.close();
    // What a process killed mid-sync leaves: the run still 'running', the result post claimed and in flight.
    const db = openDatabase(databaseFile(dataDir));
    const tenant = new TenantStore(db).list()[0];
    const run = new SyncRunStore(db).start(tenant.id, 'command');
    const store = new SqliteOutboxStore(db);
    const conv = personal();
    const target = {
      serviceUrl,
      channelId: 'msteams',
      conversation: { id: conv.conversationId, conversationType: 'personal' },
      bot: BOT,
      user: ADMIN,
    };
    store.enqueue({
      kind: postSyncResultJob.kind,
      idempotencyKey: `sync-result:${run.id}:${conv.conversationId}`,
      tenantId: tenant.id,
      payload: { runId: run.id, target },
      maxAttempts: 10,
      runAfter: new Date(),
    });
    expect(store.claim({ limit: 1, now: new Date(), leaseUntil: new Date(Date.now() + 3_600_000) })).toHaveLength(1);
    db.close();

    const restarted = await startHarness({ config: { DATA_DIR: dataDir } });
    extra.push(restarted);
    await connector.waitFor(() => results(conv.conversationId).length === 1, 20_000);
    const text = cardText(results(conv.conversationId)[0].activity.attachments?.[0].content);
    expect(text).toContain('Sync failed');
    expect(text).toMatch(/interrupted/);
    await until(
      () => resultJobFor(restarted.app, conv.conversationId)?.status === 'done',
      'the recovered job to finish',
    );
    expect(resultJobFor(restarted.app, conv.conversationId)?.attempts).toBe(2);
  });
});

describe('scheduled syncs', () => {
  it('a schedule slot queued twice (a double tick, or after it already ran) syncs once', async () => {
    const tenant = h.app.tenants.list()[0];
    const deps = { queue: h.app.jobs, outbox: h.app.outbox, tenants: h.app.tenants };
    const slot = '2031-01-01T06:00Z';
    const before = h.app.runs.list(tenant.id, 1000).length;
    const first = enqueueTenantSyncs(deps, { trigger: 'schedule', slot });
    const doubleTick = enqueueTenantSyncs(deps, { trigger: 'schedule', slot });
    expect(first).toHaveLength(1);
    expect(doubleTick).toEqual([]);
    await until(() => h.app.outbox.get(first[0])?.status === 'done', 'the slot sync');
    expect(enqueueTenantSyncs(deps, { trigger: 'schedule', slot })).toEqual([]);
    // The runner looks at the outbox again and every job it took has ended: a second sync of the
    // slot would be in the runs by then.
    await watchRunnerPasses(h.app.outbox).idle(h.app.jobs);
    const runs = h.app.runs.list(tenant.id, 1000);
    expect(runs.length - before).toBe(1);
    expect(runs[0]).toMatchObject({ trigger: 'schedule', status: 'success' });
    expect(
      jobsOf(h.app, 'tenant.sync').filter((j) => j.idempotencyKey === tenantSyncKey(tenant.id, slot)),
    ).toHaveLength(1);
  });
});

describe('GET /api/v1/m365/jobs and POST /api/v1/m365/jobs/{id}/retry', () => {
  it('need the API key', async () => {
    expect((await api(h.app, 'GET', '/api/v1/m365/jobs', null)).status).toBe(401);
    expect((await api(h.app, 'POST', '/api/v1/m365/jobs/1/retry', 'wrong-key-wrong-key-wrong')).body.error.code).toBe(
      'unauthorized',
    );
  });

  it('list newest first with filters, pagination and counts by status', async () => {
    const all = await api(h.app, 'GET', '/api/v1/m365/jobs?limit=100');
    expect(all.status).toBe(200);
    const rows = all.body.data as Array<Record<string, unknown>>;
    expect(rows.length).toBeGreaterThan(2);
    expect(rows.map((r) => r.id)).toEqual([...rows.map((r) => r.id as number)].sort((a, b) => b - a));
    expect(Object.keys(rows[0]).sort()).toEqual(
      [
        'id',
        'kind',
        'idempotency_key',
        'tenant_id',
        'status',
        'attempts',
        'max_attempts',
        'run_after',
        'lease_until',
        'last_error',
        'payload',
        'created_at',
        'updated_at',
        'finished_at',
      ].sort(),
    );
    const counts = all.body.counts;
    expect(Object.keys(counts).sort()).toEqual(['dead', 'done', 'pending', 'running']);
    expect(all.body.pagination.total).toBe(counts.dead + counts.done + counts.pending + counts.running);

    const page = await api(h.app, 'GET', '/api/v1/m365/jobs?status=done&kind=post.sync-result&limit=1&offset=1');
    expect(page.body.pagination).toMatchObject({ limit: 1, offset: 1, has_more: page.body.pagination.total > 2 });
    expect(page.body.data).toEqual([rows.filter((r) => r.status === 'done' && r.kind === 'post.sync-result')[1]]);
  });

  it.each([
    ['status=failed', /status: expected pending, running, done, dead/],
    ['limit=0', /limit must be at least 1/],
    ['limit=101', /limit must be at most 100/],
    ['offset=x', /offset: expected a whole number/],
    ['colour=blue', /colour/],
    ['status=dead&status=done', /status was given more than once/],
  ])('reject %s with 400', async (query, expected) => {
    const res = await api(h.app, 'GET', `/api/v1/m365/jobs?${query}`);
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('invalid_parameter');
    expect(res.body.error.message).toMatch(expected);
  });

  it('retry answers 404, 409 and 400 for a missing job, a job that is not dead, and a bad id', async () => {
    expect(await api(h.app, 'POST', '/api/v1/m365/jobs/999999/retry')).toMatchObject({
      status: 404,
      body: { error: { code: 'job_not_found' } },
    });
    const done = (await api(h.app, 'GET', '/api/v1/m365/jobs?status=done&limit=1')).body.data as Array<
      Record<string, unknown>
    >;
    const conflict = await api(h.app, 'POST', `/api/v1/m365/jobs/${String(done[0].id)}/retry`);
    expect(conflict.status).toBe(409);
    expect(conflict.body.error).toMatchObject({
      code: 'job_not_dead',
      message: expect.stringMatching(/is done; only dead jobs can be retried/),
    });
    expect(await api(h.app, 'POST', '/api/v1/m365/jobs/abc/retry')).toMatchObject({
      status: 400,
      body: { error: { code: 'invalid_parameter' } },
    });
  });
});

describe('healthz', () => {
  it('shows the job counts, dead ones included, without names', async () => {
    const res = await fetch(`${h.app.url}/healthz`);
    const body = (await res.json()) as { jobs: Record<string, number> };
    expect(body.jobs).toEqual(h.app.outbox.countByStatus());
  });
});
