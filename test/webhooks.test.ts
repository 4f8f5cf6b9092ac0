import systemDns from 'node:dns/promises';
import fs from 'node:fs';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { Webhook } from 'standardwebhooks';
import { SecretBox } from '../src/adapters/secrets/secret-box';
import { databaseFile } from '../src/adapters/sqlite/database';
import { deliveryListSql, SqliteWebhookStore } from '../src/adapters/sqlite/webhook-store';
import type { ResolvedAddress } from '../src/adapters/webhooks/webhook-sender';
import type { WebhookEventInput } from '../src/domain/webhook-events';
import { watchRunnerPasses, type RunnerPasses } from './helpers/runner-passes';
import { Receiver, signaturesMatching } from './helpers/webhook-receiver';
import { startHarness, TEST_API_KEY, type Harness } from './helpers/harness';

/**
 * Webhooks end to end: endpoints made through the REST API, events recorded in the real event log
 * (a real SQLite file), delivered by the outbox over real HTTP to a receiver on loopback. The
 * runner's clock is stepped, so backoff is waited out by moving the clock, never by sleeping.
 */

/** Host names the tests resolve: rebind.example.test answers a public address, then (flipped) a private one. */
const dns = { rebindPrivate: false };
async function lookup(host: string): Promise<ResolvedAddress[]> {
  if (host === 'internal.example.test') return [{ address: '192.168.10.20', family: 4 }];
  // Only this resolver knows it: the system's would answer ENOTFOUND.
  if (host === 'pinned.example.test') return [{ address: '127.0.0.1', family: 4 }];
  if (host === 'mapped.example.test') return [{ address: '::ffff:10.0.0.9', family: 6 }];
  if (host === 'rebind.example.test')
    return [dns.rebindPrivate ? { address: '10.0.0.5', family: 4 } : { address: '93.184.216.34', family: 4 }];
  return (await systemDns.lookup(host, { all: true })).map((a) => ({
    address: a.address,
    family: a.family === 6 ? 6 : 4,
  }));
}

const CLIENT = '7d3f9a10-2b4c-4e5f-8a9b-0c1d2e3f4a5b';
/** A key limited to CLIENT's tenants. */
const SCOPED_KEY = 'scoped-key-0123456789abcdef';

let h: Harness;
let receiver: Receiver;
let passes: RunnerPasses;
let offsetMs = 0;
/** The runner's clock: real time plus what the tests stepped. */
const clock = () => new Date(Date.now() + offsetMs);
let tenant: { id: string; entraTenantId: string; mspClientId: string | null };

beforeAll(async () => {
  receiver = new Receiver();
  await receiver.start();
  h = await startHarness({
    config: { WEBHOOK_ALLOW_HTTP_LOOPBACK: 'on', API_KEYS: `${TEST_API_KEY},${CLIENT}:${SCOPED_KEY}` },
    app: { outbox: { clock, pollIntervalMs: 200 }, webhooks: { lookup, timeoutMs: 1_500 } },
  });
  passes = watchRunnerPasses(h.app.outbox);
  tenant = h.app.tenants.list()[0];
});
afterEach(() => {
  dns.rebindPrivate = false;
});
afterAll(async () => {
  await h?.close();
  await receiver?.stop();
});

interface Body {
  data: Record<string, unknown> & Array<Record<string, unknown>>;
  pagination: { total: number };
  counts: Record<string, number>;
  error: { code: string; message: string };
}

async function api(
  method: string,
  path: string,
  body?: unknown,
  key = TEST_API_KEY,
): Promise<{ status: number; body: Body }> {
  const res = await fetch(`${h.app.url}/api/v1/m365${path}`, {
    method,
    headers: {
      authorization: `Bearer ${key}`,
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: res.status, body: (await res.json()) as Body };
}

async function createWebhook(path: string, events: string[]): Promise<{ id: number; secret: string }> {
  const res = await api('POST', '/webhooks', { url: `${receiver.url}${path}`, events });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return { id: res.body.data.id as unknown as number, secret: res.body.data.secret as unknown as string };
}

async function until(predicate: () => boolean | Promise<boolean>, what: string, timeoutMs = 20_000): Promise<void> {
  await expect.poll(predicate, { timeout: timeoutMs, message: `waiting for ${what}` }).toBe(true);
}

/** Moves the runner's clock on and lets it look at the outbox at the new time. */
function advance(ms: number): void {
  offsetMs += ms;
  h.app.jobs.wake();
}

let seq = 0;
function event(type: WebhookEventInput['type'], data: WebhookEventInput['data'] = {}): WebhookEventInput {
  seq++;
  return { id: `test-${seq}-${type}`, type, tenantId: tenant.id, occurredAt: new Date().toISOString(), data };
}

async function deliveries(id: number, query = ''): Promise<Body> {
  const res = await api('GET', `/webhooks/${id}/deliveries${query}`);
  expect(res.status).toBe(200);
  return res.body;
}

describe('webhook delivery', () => {
  it('delivers each recorded event once, signed (checked by an independent implementation), with the tenant ids and increasing sequence numbers', async () => {
    const hook = await createWebhook('/ok', ['m365.license.assigned', 'm365.user.created']);
    expect(hook.secret).toMatch(/^whsec_[A-Za-z0-9+/=]{32}$/);
    const events = [
      event('m365.user.created', { user_id: 'u1' }),
      event('m365.license.assigned', { user_id: 'u1', sku_id: 's1' }),
      event('m365.user.deleted', { user_id: 'u9' }),
      event('m365.license.assigned', { user_id: 'u2', sku_id: 's1' }),
    ];
    h.app.webhookEventLog.record(events);
    // The same events recorded again (a sync run twice): ignored.
    h.app.webhookEventLog.record(events);
    await until(() => receiver.at('/ok').length >= 3, 'three deliveries');
    await passes.idle(h.app.jobs, clock());
    const got = receiver.at('/ok');
    expect(got).toHaveLength(3);

    for (const r of got) {
      expect(signaturesMatching(hook.secret, r)).toBe(1);
      expect(r.headers['content-type']).toBe('application/json');
      expect(Number(r.headers['webhook-timestamp'])).toBeGreaterThan(Date.now() / 1000 - 300);
      // A tampered body no longer matches.
      expect(signaturesMatching(hook.secret, { ...r, body: r.body.replace('u', 'v') })).toBe(0);
    }
    const bodies = got.map(
      (r) => JSON.parse(r.body) as { event: string; timestamp: string; data: Record<string, unknown> },
    );
    expect(bodies.map((b) => b.data.user_id).sort()).toEqual(['u1', 'u1', 'u2']);
    expect(new Set(got.map((r) => r.headers['webhook-id']))).toEqual(
      new Set([events[0].id, events[1].id, events[3].id]),
    );
    for (const b of bodies) {
      expect(Object.keys(b).sort()).toEqual(['data', 'event', 'timestamp']);
      expect(b.data).toMatchObject({
        tenant_id: tenant.entraTenantId,
        seat_steward_tenant_id: tenant.id,
        client_id: tenant.mspClientId,
      });
    }
    // Numbered per tenant in the order recorded; the event no webhook wants is not kept and takes no number.
    const byId = new Map(bodies.map((b, i) => [got[i].headers['webhook-id'], b.data.sequence as number]));
    const [s0, s1, s3] = [byId.get(events[0].id), byId.get(events[1].id), byId.get(events[3].id)] as number[];
    expect(s1).toBe(s0 + 1);
    expect(s3).toBe(s0 + 2);
    expect(h.app.db.prepare('SELECT count(*) FROM webhook_events WHERE id = ?').pluck().get(events[2].id)).toBe(0);

    const listed = await deliveries(hook.id);
    expect(listed.pagination.total).toBe(3);
    expect(listed.counts).toMatchObject({ delivered: 3, pending: 0, failed: 0, dead: 0 });
    expect(listed.data[0]).toMatchObject({ status: 'delivered', attempts: 1, last_response_code: 200 });
  });

  it('the test ping is signed with both secrets during a rotation, and the library receivers use verifies it', async () => {
    const hook = await createWebhook('/ping', ['m365.tenant.sync_failed']);
    const rotated = await api('POST', `/webhooks/${hook.id}/rotate-secret`);
    expect(rotated.status).toBe(200);
    const secret = rotated.body.data.secret as unknown as string;
    expect(secret).not.toBe(hook.secret);
    expect(rotated.body.data.previous_secret_valid_until).toEqual(expect.any(String));
    const ping = await api('POST', `/webhooks/${hook.id}/test`);
    expect(ping.status).toBe(202);
    await until(() => receiver.at('/ping').length === 1, 'the ping');
    const [r] = receiver.at('/ping');
    expect(String(r.headers['webhook-signature']).split(' ')).toHaveLength(2);
    expect(signaturesMatching(secret, r)).toBe(1);
    expect(signaturesMatching(hook.secret, r)).toBe(1);
    const verified = new Webhook(secret).verify(r.body, r.headers as Record<string, string>) as { event: string };
    expect(verified.event).toBe('seat_steward.webhook.test');
    // The secret is never shown again, and is stored sealed: neither secret is in the database file.
    const read = await api('GET', `/webhooks/${hook.id}`);
    expect(JSON.stringify(read.body)).not.toContain(secret.slice(6));
    const file = databaseFile(h.config.dataDir);
    const bytes = Buffer.concat([file, `${file}-wal`].filter((f) => fs.existsSync(f)).map((f) => fs.readFileSync(f)));
    for (const s of [secret, hook.secret]) expect(bytes.includes(Buffer.from(s.slice(6)))).toBe(false);
  });

  it('a receiver answering 500 gets the event again after the backoff, and not before; 200 then ends it', async () => {
    receiver.answer('/flaky', { status: 500 });
    const hook = await createWebhook('/flaky', ['m365.license.unassigned']);
    h.app.webhookEventLog.record([event('m365.license.unassigned', { user_id: 'u3' })]);
    await until(async () => (await deliveries(hook.id)).data[0]?.status === 'failed', 'the first attempt to fail');
    const failed = (await deliveries(hook.id)).data[0];
    expect(failed).toMatchObject({ attempts: 1, last_response_code: 500, last_response_body: 'answer 500 to /flaky' });
    expect(failed.last_error).toMatch(/answered 500/);
    const wait = Date.parse(String(failed.next_attempt_at)) - Date.parse(String(failed.last_attempt_at));
    // The first retry: 15 s ± 25 %.
    expect(wait).toBeGreaterThanOrEqual(11_250);
    expect(wait).toBeLessThanOrEqual(18_750);

    advance(11_000);
    await passes.idle(h.app.jobs, clock());
    expect(receiver.at('/flaky')).toHaveLength(1);

    advance(8_000);
    await until(() => receiver.at('/flaky').length === 2, 'the retry');
    await until(async () => (await deliveries(hook.id)).data[0]?.status === 'delivered', 'the retry to be recorded');
    expect((await deliveries(hook.id)).data[0]).toMatchObject({
      attempts: 2,
      last_response_code: 200,
      last_error: null,
    });
    const [first, second] = receiver.at('/flaky');
    expect(second.headers['webhook-id']).toBe(first.headers['webhook-id']);
    expect(signaturesMatching(hook.secret, second)).toBe(1);
  });

  it('follows no redirect and keeps only the first 4 KB of an answer', async () => {
    receiver.answer('/moved', { status: 302, headers: { location: `${receiver.url}/elsewhere` } });
    receiver.answer('/chatty', { status: 200, body: 'x'.repeat(1_000_000) });
    const moved = await createWebhook('/moved', ['m365.tenant.sync_completed']);
    const chatty = await createWebhook('/chatty', ['m365.tenant.sync_completed']);
    h.app.webhookEventLog.record([event('m365.tenant.sync_completed', { users_synced: 1 })]);
    await until(
      async () => (await deliveries(moved.id)).data[0]?.status === 'failed',
      'the redirect to count as a failure',
    );
    expect((await deliveries(moved.id)).data[0].last_error).toMatch(
      /answered 302 \(a redirect; redirects are not followed/,
    );
    await until(async () => (await deliveries(chatty.id)).data[0]?.status === 'delivered', 'the chatty receiver');
    expect(String((await deliveries(chatty.id)).data[0].last_response_body)).toBe('x'.repeat(4_096));
    await passes.idle(h.app.jobs, clock());
    expect(receiver.at('/elsewhere')).toHaveLength(0);
  });

  it('a receiver that never answers times out as a failed attempt, and holds back no other endpoint', async () => {
    receiver.answer('/hang', { status: 200, hang: true });
    const hang = await createWebhook('/hang', ['m365.tenant.sync_failed']);
    const fine = await createWebhook('/fine', ['m365.tenant.sync_failed']);
    const startedAt = Date.now();
    h.app.webhookEventLog.record([event('m365.tenant.sync_failed', { reason: 'test' })]);
    // The other endpoint's delivery does not wait for the hanging one.
    await until(async () => (await deliveries(fine.id)).data[0]?.status === 'delivered', 'the other endpoint');
    expect(receiver.at('/hang')).toHaveLength(1);
    expect((await deliveries(hang.id)).data[0].status).toBe('pending');
    await until(async () => (await deliveries(hang.id)).data[0]?.status === 'failed', 'the timeout');
    expect(Date.now() - startedAt).toBeGreaterThanOrEqual(1_500);
    expect((await deliveries(hang.id)).data[0]).toMatchObject({
      last_response_code: null,
      last_error: expect.stringMatching(/No answer from .*\/hang: no complete answer within 2 s/),
    });
  });

  it("honours a receiver's Retry-After", async () => {
    receiver.answer('/busy', { status: 503, headers: { 'retry-after': '120' } });
    const hook = await createWebhook('/busy', ['m365.license.unassigned']);
    h.app.webhookEventLog.record([event('m365.license.unassigned', { user_id: 'u4' })]);
    await until(async () => (await deliveries(hook.id)).data[0]?.status === 'failed', 'the 503');
    const failed = (await deliveries(hook.id)).data[0];
    expect(Date.parse(String(failed.next_attempt_at)) - Date.parse(String(failed.last_attempt_at))).toBe(120_000);
    advance(60_000);
    await passes.idle(h.app.jobs, clock());
    expect(receiver.at('/busy')).toHaveLength(1);
    advance(61_000);
    await until(() => receiver.at('/busy').length === 2, 'the retry after Retry-After');
  });

  it('410 Gone disables the endpoint, says why, and later events are not queued for it', async () => {
    receiver.answer('/gone', { status: 410 });
    const hook = await createWebhook('/gone', ['m365.user.deleted']);
    h.app.webhookEventLog.record([event('m365.user.deleted', { user_id: 'u5' })]);
    await until(
      async () => (await api('GET', `/webhooks/${hook.id}`)).body.data.enabled === false,
      'the endpoint disabled',
    );
    const endpoint = (await api('GET', `/webhooks/${hook.id}`)).body.data;
    expect(endpoint.disabled_reason).toMatch(/answered 410 Gone/);
    expect((await deliveries(hook.id)).data[0]).toMatchObject({ status: 'dead', attempts: 1, last_response_code: 410 });

    h.app.webhookEventLog.record([event('m365.user.deleted', { user_id: 'u6' })]);
    await passes.idle(h.app.jobs, clock());
    expect((await deliveries(hook.id)).pagination.total).toBe(1);
    expect(receiver.at('/gone')).toHaveLength(1);
  });

  it('after the last attempt the delivery is a dead letter the admin lists, and a replay delivers it', async () => {
    receiver.answer('/down', ...Array.from({ length: 10 }, () => ({ status: 502 })));
    const hook = await createWebhook('/down', ['m365.security.risk_detected']);
    h.app.webhookEventLog.record([event('m365.security.risk_detected', { user_id: 'u7' })]);
    for (let attempt = 1; attempt <= 10; attempt++) {
      await until(() => receiver.at('/down').length === attempt, `attempt ${attempt}`);
      await until(
        async () => (await deliveries(hook.id)).data[0]?.attempts === attempt,
        `attempt ${attempt} to be recorded`,
      );
      // At most 24 h between attempts.
      if (attempt < 10) advance(24 * 3_600_000 + 1_000);
    }
    const dead = await deliveries(hook.id, '?status=dead');
    expect(dead.pagination.total).toBe(1);
    expect(dead.data[0]).toMatchObject({
      status: 'dead',
      attempts: 10,
      last_response_code: 502,
      next_attempt_at: null,
    });
    expect(dead.data[0].last_error).toMatch(/Gave up after 10 attempts/);
    const firstAt = Number(receiver.at('/down')[0].headers['webhook-timestamp']) * 1000;
    const lastAt = Number(receiver.at('/down')[9].headers['webhook-timestamp']) * 1000;
    // Tried over about three days (the clock stepped past each wait).
    expect(lastAt - firstAt).toBeGreaterThan(2 * 86_400_000);

    const replay = await api('POST', `/webhooks/${hook.id}/deliveries/${dead.data[0].id as unknown as number}/retry`);
    expect(replay.status, JSON.stringify(replay.body)).toBe(200);
    expect(replay.body.data.status).toBe('pending');
    await until(() => receiver.at('/down').length === 11, 'the replay');
    await until(async () => (await deliveries(hook.id)).data[0]?.status === 'delivered', 'the replay recorded');
    expect(signaturesMatching(hook.secret, receiver.at('/down')[10])).toBe(1);
  });
});

describe('the deliveries list', () => {
  it('walks an index in id order, with and without a status filter', () => {
    for (const byStatus of [true, false]) {
      const sql = deliveryListSql(byStatus);
      const params = { endpoint: 1, status: 'dead', limit: 20, offset: 0 };
      const plan = (text: string) =>
        (h.app.db.prepare(`EXPLAIN QUERY PLAN ${text}`).all(params) as Array<{ detail: string }>)
          .map((r) => r.detail)
          .join('\n');
      const index = byStatus ? 'webhook_deliveries_by_status' : 'webhook_deliveries_by_endpoint';
      expect(plan(sql.page)).toMatch(new RegExp(`USING (COVERING )?INDEX ${index}`));
      expect(plan(sql.page)).not.toMatch(/TEMP B-TREE/);
      expect(plan(sql.count)).toMatch(new RegExp(`USING (COVERING )?INDEX ${index}`));
    }
  });
});

describe('webhook endpoint safety', () => {
  it.each([
    ['https://10.1.2.3/hook', /10\.1\.2\.3, a private address/],
    ['https://internal.example.test/hook', /192\.168\.10\.20, a private address/],
    ['https://mapped.example.test/hook', /::ffff:10\.0\.0\.9, a private address/],
    ['https://[fd00::1]/hook', /fd00::1, a unique-local address/],
    ['https://169.254.169.254/latest', /a link-local address/],
    ['https://100.64.0.1/', /a carrier-grade NAT address/],
    ['https://localhost/hook', /a loopback address/],
    ['https://0.0.0.0/', /an unspecified address/],
    ['http://internal.example.test/hook', /http is only taken for a loopback receiver/],
    ['ftp://example.com/hook', /must use https, not ftp/],
  ])('refuses %s at creation, naming the address class', async (url, message) => {
    const res = await api('POST', '/webhooks', { url, events: ['m365.user.created'] });
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('unsafe_url');
    expect(res.body.error.message).toMatch(message);
  });

  it('connects to the address it checked, with no second lookup', async () => {
    const port = new URL(receiver.url).port;
    const created = await api('POST', '/webhooks', {
      url: `http://pinned.example.test:${port}/pinned`,
      events: ['m365.user.created'],
    });
    expect(created.status).toBe(201);
    h.app.webhookEventLog.record([event('m365.user.created', { user_id: 'p1' })]);
    // A second lookup (the system's resolver) would fail: the delivery arriving shows the checked address was used.
    await until(() => receiver.at('/pinned').length === 1, 'the delivery to the checked address');
    expect(receiver.at('/pinned')[0].headers.host).toBe(`pinned.example.test:${port}`);
  });

  it('checks again at each delivery, so a host that now resolves to a private address gets nothing', async () => {
    const created = await api('POST', '/webhooks', {
      url: 'https://rebind.example.test/hook',
      events: ['m365.user.created'],
    });
    expect(created.status).toBe(201);
    const id = created.body.data.id as unknown as number;
    dns.rebindPrivate = true;
    h.app.webhookEventLog.record([event('m365.user.created', { user_id: 'u8' })]);
    await until(async () => (await deliveries(id)).data[0]?.status === 'failed', 'the refused attempt');
    expect((await deliveries(id)).data[0].last_error).toMatch(
      /Not sent: the URL resolves to 10\.0\.0\.5, a private address/,
    );
  });
});

describe('webhooks and API keys limited to MSP clients', () => {
  it("a client-scoped key manages only its own webhooks, which receive only its clients' tenants' events", async () => {
    const theirs = h.app.tenants.ensure({
      entraTenantId: '5e6f7a8b-9c0d-4e1f-8a2b-3c4d5e6f7a8b',
      tenantName: 'Client Tenant',
      source: 'demo',
      mspClientId: CLIENT,
    });
    const unscoped = await createWebhook('/all', ['m365.user.created']);
    expect((await api('GET', `/webhooks/${unscoped.id}`, undefined, SCOPED_KEY)).status).toBe(404);
    expect((await api('DELETE', `/webhooks/${unscoped.id}`, undefined, SCOPED_KEY)).status).toBe(404);

    const outside = await api(
      'POST',
      '/webhooks',
      { url: `${receiver.url}/x`, events: ['m365.user.created'], clients: ['0a0b0c0d-0e0f-4a1b-8c2d-3e4f5a6b7c8d'] },
      SCOPED_KEY,
    );
    expect(outside.status).toBe(403);
    expect(outside.body.error.code).toBe('key_scoped_to_clients');
    // The MSP's own tenant (no client) is not the key's to subscribe to.
    const own = await api(
      'POST',
      '/webhooks',
      { url: `${receiver.url}/x`, events: ['m365.user.created'], tenants: [tenant.id] },
      SCOPED_KEY,
    );
    expect(own.status).toBe(404);

    const made = await api(
      'POST',
      '/webhooks',
      { url: `${receiver.url}/client`, events: ['m365.user.created'] },
      SCOPED_KEY,
    );
    expect(made.status).toBe(201);
    const id = made.body.data.id as unknown as number;
    const listed = await api('GET', '/webhooks', undefined, SCOPED_KEY);
    expect(listed.body.data.map((w) => w.id)).toEqual([id]);

    const mine = { ...event('m365.user.created', { user_id: 'c1' }), tenantId: theirs.id };
    h.app.webhookEventLog.record([event('m365.user.created', { user_id: 'own1' }), mine]);
    await until(() => receiver.at('/client').length === 1, "the client tenant's event");
    await until(() => receiver.at('/all').length === 2, 'both events to the unscoped webhook');
    await passes.idle(h.app.jobs, clock());
    const [got] = receiver.at('/client');
    expect(got.headers['webhook-id']).toBe(mine.id);
    expect(JSON.parse(got.body)).toMatchObject({
      data: { client_id: CLIENT, seat_steward_tenant_id: theirs.id, sequence: 1 },
    });
    expect((await api('GET', `/webhooks/${id}/deliveries`, undefined, SCOPED_KEY)).body.pagination.total).toBe(1);
  });
});

describe('retention', () => {
  it('removes old events and finished deliveries, keeps what is still being retried, and numbering goes on', async () => {
    receiver.answer('/keep', { status: 500 });
    const kept = await createWebhook('/keep', ['m365.license.assigned']);
    const done = await createWebhook('/done', ['m365.license.assigned']);
    const first = event('m365.license.assigned', { user_id: 'r1' });
    h.app.webhookEventLog.record([first]);
    await until(async () => (await deliveries(done.id)).data[0]?.status === 'delivered', 'the delivery');
    await until(async () => (await deliveries(kept.id)).data[0]?.status === 'failed', 'the failed attempt');
    const sequenceBefore = (JSON.parse(receiver.at('/done')[0].body) as { data: { sequence: number } }).data.sequence;

    const removed = new SqliteWebhookStore(h.app.db, SecretBox.ephemeral()).prune(new Date(clock().getTime() + 1_000));
    expect(removed.deliveries).toBeGreaterThanOrEqual(1);
    expect((await deliveries(done.id)).pagination.total).toBe(0);
    // Still retried: the delivery and its event stay, and the retry sends the same body.
    expect((await deliveries(kept.id)).data[0]).toMatchObject({ status: 'failed', event_id: first.id });
    advance(24 * 3_600_000);
    await until(() => receiver.at('/keep').length === 2, 'the retry after the prune');
    expect(receiver.at('/keep')[1].body).toBe(receiver.at('/keep')[0].body);

    h.app.webhookEventLog.record([event('m365.license.assigned', { user_id: 'r2' })]);
    await until(() => receiver.at('/done').length === 2, 'the next event');
    const next = JSON.parse(receiver.at('/done')[1].body) as { data: { sequence: number } };
    expect(next.data.sequence).toBe(sequenceBefore + 1);
  });
});

describe('a secret sealed with a key the server no longer holds', () => {
  it('dead-letters the delivery saying to rotate; after a rotation the replay is signed with the new secret', async () => {
    // The demo without SECRET_STORE_KEY seals with a per-process key: a restart loses it.
    const first = await startHarness({ config: { WEBHOOK_ALLOW_HTTP_LOOPBACK: 'on' } });
    const dataDir = first.config.dataDir;
    const made = await fetch(`${first.app.url}/api/v1/m365/webhooks`, {
      method: 'POST',
      headers: { authorization: `Bearer ${TEST_API_KEY}`, 'content-type': 'application/json' },
      body: JSON.stringify({ url: `${receiver.url}/restart`, events: ['m365.user.created'] }),
    });
    expect(made.status).toBe(201);
    const id = ((await made.json()) as { data: { id: number } }).data.id;
    await first.close();

    const again = await startHarness({ config: { WEBHOOK_ALLOW_HTTP_LOOPBACK: 'on', DATA_DIR: dataDir } });
    try {
      const call = async (method: string, path: string) => {
        const res = await fetch(`${again.app.url}/api/v1/m365/webhooks/${id}${path}`, {
          method,
          headers: { authorization: `Bearer ${TEST_API_KEY}` },
        });
        return { status: res.status, body: (await res.json()) as Body };
      };
      const t = again.app.tenants.list()[0];
      again.app.webhookEventLog.record([
        { id: 'restart-1', type: 'm365.user.created', tenantId: t.id, occurredAt: new Date().toISOString(), data: {} },
      ]);
      await until(async () => (await call('GET', '/deliveries')).body.data[0]?.status === 'dead', 'the dead letter');
      const dead = (await call('GET', '/deliveries')).body.data[0];
      expect(dead.last_error).toMatch(/cannot be opened with this server's SECRET_STORE_KEY.*Rotate the secret/);
      expect(receiver.at('/restart')).toHaveLength(0);

      const rotated = await call('POST', '/rotate-secret');
      expect(rotated.status).toBe(200);
      expect(rotated.body.data.previous_secret_valid_until).toBeNull();
      const secret = rotated.body.data.secret as unknown as string;
      expect((await call('POST', `/deliveries/${dead.id as unknown as number}/retry`)).status).toBe(200);
      await until(() => receiver.at('/restart').length === 1, 'the replay');
      const [r] = receiver.at('/restart');
      expect(String(r.headers['webhook-signature']).split(' ')).toHaveLength(1);
      expect(signaturesMatching(secret, r)).toBe(1);
    } finally {
      await again.close();
    }
  });
});
