import { randomBytes } from 'node:crypto';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { EmbeddedDemoTenant } from '../src/app/demo-connection';
import { HOUR_MS } from '../src/domain/sync-schedule';
import { enqueueTenantSyncs, tenantSyncJob } from '../src/usecases/sync/sync-jobs';
import { generateDemoTenant } from '../demo-tenant/generator';
import { ConnectorRecorder, cardText } from './helpers/connector-recorder';
import { startHarness, startTestDemoTenant, TEST_API_KEY, type Harness } from './helpers/harness';
import { message, personal, post } from './helpers/teams-activities';

/**
 * The per-tenant sync schedule in the real app (SQLite, the outbox and its runner, the Graph client
 * over HTTPS against demo tenants), on a stepped clock: the interval tick is driven minute by minute
 * and sync runs are stamped with the same clock, so hours pass in seconds and nothing sleeps.
 */

const T0 = Date.parse('2026-03-02T00:00:00.000Z');
const MINUTE = 60_000;

interface ExtraTenant {
  demo: EmbeddedDemoTenant;
  entraTenantId: string;
  appClientId: string;
  secret: string;
}

const extras: ExtraTenant[] = [];
let h: Harness | undefined;

beforeAll(async () => {
  for (let i = 0; i < 4; i++) {
    const entraTenantId = `4c1d2e3f-5a6b-4c7d-8e9f-0a1b2c3d4e${(50 + i).toString()}`;
    const appClientId = `8e7d6c5b-4a39-4281-9f0e-1d2c3b4a59${(60 + i).toString()}`;
    const secret = `Ext${i}8Q~schedule.demo.tenant.secret.value`;
    const demo = await startTestDemoTenant(
      generateDemoTenant({
        users: 20 + 5 * i,
        seed: 10 + i,
        tenantId: entraTenantId,
        clientId: appClientId,
        clientSecret: secret,
      }),
    );
    extras.push({ demo, entraTenantId, appClientId, secret });
  }
});
afterAll(async () => {
  for (const x of extras) await x.demo.close();
});
afterEach(async () => {
  await h?.close();
  h = undefined;
  for (const x of extras) x.demo.server.faults.clear();
});

function addTenant(app: Harness['app'], x: ExtraTenant, secret = x.secret): string {
  return app.tenantRegistry.add({
    entraTenantId: x.entraTenantId,
    tenantName: `Tenant ${x.entraTenantId.slice(-2)}`,
    source: 'demo',
    connection: {
      appClientId: x.appClientId,
      authorityHost: x.demo.server.url,
      graphEndpoint: x.demo.server.url,
      credential: { kind: 'secret', secret },
    },
  }).tenantId;
}

/** What the REST API (another helper's PATCH, later) sets: here straight in the tenants row. */
function setInterval(app: Harness['app'], tenantId: string, hours: number | null): void {
  app.db.prepare('UPDATE tenants SET sync_interval_hours = ? WHERE id = ?').run(hours, tenantId);
}

const finished = (app: Harness['app'], jobIds: number[]) => () =>
  jobIds.every((id) => ['done', 'dead'].includes(app.outbox.get(id)?.status ?? ''));

function startsOf(app: Harness['app'], tenantId: string): Array<{ at: number; status: string; code: string | null }> {
  return (
    app.db
      .prepare('SELECT started_at, status, error_code FROM sync_runs WHERE tenant_id = ? ORDER BY id')
      .all(tenantId) as Array<{ started_at: string; status: string; error_code: string | null }>
  ).map((r) => ({ at: Date.parse(r.started_at), status: r.status, code: r.error_code }));
}

interface TenantJson {
  id: string;
  tenant_id: string;
  client_id: string | null;
  last_sync_status: string | null;
  health: {
    state: string;
    last_success: string | null;
    consecutive_failures: number;
    reason: { code: string; message: string } | null;
    next_sync: string | null;
    schedule: string;
  };
}

async function listTenants(app: Harness['app']): Promise<TenantJson[]> {
  const res = await fetch(`${app.url}/api/v1/m365/tenants`, { headers: { authorization: `Bearer ${TEST_API_KEY}` } });
  expect(res.status).toBe(200);
  return ((await res.json()) as { data: TenantJson[] }).data;
}

describe('per-tenant sync schedule', () => {
  it("syncs each tenant at its own slots, backs a failing tenant off (1 h, 2 h, 4 h, 8 h) without delaying a healthy one, and shows each one's health", async () => {
    let now = T0;
    h = await startHarness({
      data: generateDemoTenant({ users: 30 }),
      config: { SECRET_STORE_KEY: randomBytes(32).toString('base64') },
      app: { clock: () => new Date(now) },
    });
    const app = h.app;
    const healthy = app.tenants.list()[0].id;
    // The second demo tenant with a wrong secret: every sync fails to sign in.
    const failing = addTenant(app, extras[0], 'Bad8Q~not.the.secret');
    setInterval(app, healthy, 1);
    setInterval(app, failing, 1);
    // SYNC_CRON no longer queues them: they follow their interval.
    expect(
      enqueueTenantSyncs(
        { queue: app.jobs, outbox: app.outbox, tenants: app.tenants },
        { trigger: 'schedule', slot: '2026-03-02T00:00Z' },
      ),
    ).toEqual([]);

    const queuedAt = new Map<string, number[]>([
      [healthy, []],
      [failing, []],
    ]);
    for (let minute = 0; minute <= 16 * 60; minute++) {
      now = T0 + minute * MINUTE;
      const jobs = app.syncTick(new Date(now));
      for (const id of jobs) queuedAt.get(app.outbox.get(id)?.tenantId ?? '')?.push(now);
      // A second tick in the same minute queues nothing more.
      expect(app.syncTick(new Date(now))).toEqual([]);
      if (jobs.length > 0)
        await expect
          .poll(finished(app, jobs), { timeout: 60_000, message: `the syncs queued at minute ${minute}` })
          .toBe(true);
    }

    const hours = (xs: number[]) => xs.slice(1).map((x, i) => (x - xs[i]) / HOUR_MS);
    const good = startsOf(app, healthy);
    const bad = startsOf(app, failing);
    // Each sync started in the minute it was queued: nothing waited for the failing tenant.
    expect(good.map((r) => r.at)).toEqual(queuedAt.get(healthy));
    expect(bad.map((r) => r.at)).toEqual(queuedAt.get(failing));
    expect(good.every((r) => r.status === 'success')).toBe(true);
    expect(bad.every((r) => r.status === 'failed' && r.code === 'invalid_client_secret')).toBe(true);

    // Never synced: at once. Then its own slot (somewhere in the first hour, by its id), then every hour exactly.
    expect(good[0].at).toBe(T0);
    expect(good[1].at - T0).toBeGreaterThan(HOUR_MS / 2);
    expect(good[1].at - T0).toBeLessThanOrEqual(1.5 * HOUR_MS);
    expect(hours(good.slice(1).map((r) => r.at)).every((gap) => gap === 1)).toBe(true);
    expect(good.length).toBeGreaterThanOrEqual(16);
    // The failing tenant: first at once, then its slot, then 2 h, 4 h, 8 h between attempts.
    expect(bad[0].at).toBe(T0);
    expect(bad).toHaveLength(5);
    expect(hours(bad.slice(1).map((r) => r.at))).toEqual([2, 4, 8]);
    // Their slots differ: the hash spreads tenants over the interval.
    expect(good[1].at).not.toBe(bad[1].at);

    const listed = await listTenants(app);
    const goodJson = listed.find((t) => t.id === healthy);
    const badJson = listed.find((t) => t.id === failing);
    const lastGood = good[good.length - 1].at;
    expect(goodJson?.health).toMatchObject({
      state: 'healthy',
      consecutive_failures: 0,
      reason: null,
      schedule: 'interval',
      next_sync: new Date(lastGood + HOUR_MS).toISOString(),
    });
    expect(goodJson?.health.last_success).not.toBeNull();
    const lastBad = bad[bad.length - 1].at;
    expect(badJson?.health).toMatchObject({
      state: 'sign_in_failed',
      last_success: null,
      consecutive_failures: 5,
      reason: { code: 'invalid_client_secret', message: expect.stringContaining('Certificates & secrets') },
      // Five failures: 16 h after the last attempt.
      next_sync: new Date(lastBad + 16 * HOUR_MS).toISOString(),
    });
    // Seed 000's fields are all still there, unchanged.
    expect(Object.keys(goodJson ?? {})).toEqual(
      expect.arrayContaining([
        'id',
        'client_id',
        'tenant_id',
        'tenant_name',
        'status',
        'sync_enabled',
        'last_sync',
        'last_sync_status',
        'total_licenses',
      ]),
    );
    expect(badJson?.last_sync_status).toBe('failed');

    // The status card of the failing tenant says when it is tried next and that it backs off.
    const connector = new ConnectorRecorder();
    const serviceUrl = await connector.start();
    try {
      await post(app.url, message(serviceUrl, personal(), `status ${extras[0].entraTenantId}`));
      await connector.waitFor((m) =>
        m.some((a) => cardText(a.activity.attachments?.[0]?.content).includes('5 failed syncs in a row')),
      );
      const card = connector
        .messages()
        .map((a) => cardText(a.activity.attachments?.[0]?.content))
        .find((t) => t.includes('failed syncs in a row'));
      expect(card).toContain(`Next scheduled sync`);
      expect(card).toContain('(every 1 h)');
      expect(card).toContain('at most 24 h apart');
    } finally {
      await connector.stop();
    }

    // A tenant with sync switched off is not scheduled, even at its slot.
    app.db.prepare('UPDATE tenants SET sync_enabled = 0 WHERE id = ?').run(healthy);
    now = lastGood + HOUR_MS;
    expect(app.syncTick(new Date(now)).filter((id) => app.outbox.get(id)?.tenantId === healthy)).toEqual([]);
    expect((await listTenants(app)).find((t) => t.id === healthy)?.health).toMatchObject({
      state: 'disabled',
      next_sync: null,
    });
  });

  it('runs at most SYNC_CONCURRENCY syncs at once, syncs asked for by hand included; the rest wait in the outbox and all run', async () => {
    h = await startHarness({
      data: generateDemoTenant({ users: 30 }),
      config: { SECRET_STORE_KEY: randomBytes(32).toString('base64'), SYNC_CONCURRENCY: '2' },
    });
    const app = h.app;
    const first = app.tenants.list()[0].id;
    const scheduled = extras.slice(1).map((x) => addTenant(app, x));
    for (const id of scheduled) setInterval(app, id, 1);
    // Slow every tenant down so syncs overlap; the assertions count, they do not time.
    for (const server of [h.demo.server, ...extras.map((x) => x.demo.server)])
      server.faults.add({ path: '/v1.0/subscribedSkus', delayMs: 300, times: Infinity });

    let peak = 0;
    let waitedWhileFull = 0;
    const stop = app.sync.onRunningChange((running) => {
      peak = Math.max(peak, running);
      if (running >= 2) {
        const pending = app.outbox.list({ kind: tenantSyncJob.kind, status: 'pending', limit: 100, offset: 0 }).total;
        waitedWhileFull = Math.max(waitedWhileFull, pending);
      }
    });
    try {
      // An admin's sync takes one of the two slots.
      const manual = app.sync.request(first, 'test');
      const jobs = app.syncTick(new Date());
      expect(jobs).toHaveLength(3);
      await expect.poll(finished(app, jobs), { timeout: 60_000, message: 'the scheduled syncs' }).toBe(true);
      expect((await manual.done).status).toBe('success');
    } finally {
      stop();
    }
    expect(peak).toBe(2);
    expect(waitedWhileFull).toBeGreaterThanOrEqual(1);
    for (const id of scheduled) {
      expect(startsOf(app, id).map((r) => r.status)).toEqual(['success']);
      expect(app.outbox.countOpen(tenantSyncJob.kind, id)).toBe(0);
    }
    const jobs = app.outbox.list({ kind: tenantSyncJob.kind, limit: 100, offset: 0 }).rows;
    expect(jobs.map((j) => j.status)).toEqual(['done', 'done', 'done']);
  });
});
