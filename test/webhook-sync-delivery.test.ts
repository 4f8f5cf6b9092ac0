import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WEBHOOK_EVENT_TYPES } from '../src/domain/webhook-events';
import { generateDemoTenant } from '../demo-tenant/generator';
import { CHANGE_TYPES, changeDirectory, changeLine } from './helpers/directory-changes';
import { startHarness, TEST_API_KEY, type Harness } from './helpers/harness';
import { watchRunnerPasses, type RunnerPasses } from './helpers/runner-passes';
import { Receiver, signaturesMatching, type Received } from './helpers/webhook-receiver';

/**
 * A sync's webhook events end to end, nothing stood in for: an endpoint made through the REST API,
 * the demo tenant changed between syncs over HTTPS, the real event log, the outbox delivering over
 * real HTTP to a receiver on loopback, each delivery's signature checked by an independent
 * implementation of Standard Webhooks.
 */
interface Delivered {
  id: string;
  event: string;
  timestamp: string;
  data: { [key: string]: unknown; sequence: number };
  received: Received;
}

describe('a sync delivers its webhook events to a receiver', () => {
  let h: Harness;
  let receiver: Receiver;
  let passes: RunnerPasses;
  let tenant: { id: string; entraTenantId: string; mspClientId: string | null };
  let secret: string;
  let hookId: number;

  beforeAll(async () => {
    receiver = new Receiver();
    await receiver.start();
    h = await startHarness({
      data: generateDemoTenant({ users: 120, seed: 17 }),
      config: { WEBHOOK_ALLOW_HTTP_LOOPBACK: 'on' },
      app: { outbox: { pollIntervalMs: 200 } },
    });
    passes = watchRunnerPasses(h.app.outbox);
    tenant = h.app.tenants.list()[0];
    // Every event: so the sequence numbers the receiver sees leave no gap.
    const res = await fetch(`${h.app.url}/api/v1/m365/webhooks`, {
      method: 'POST',
      headers: { authorization: `Bearer ${TEST_API_KEY}`, 'content-type': 'application/json' },
      body: JSON.stringify({ url: `${receiver.url}/hook`, events: WEBHOOK_EVENT_TYPES }),
    });
    const body = (await res.json()) as { data: { id: number; secret: string } };
    expect(res.status, JSON.stringify(body)).toBe(201);
    ({ id: hookId, secret } = body.data);
  });
  afterAll(async () => {
    await h?.close();
    await receiver?.stop();
  });

  /** The endpoint's delivery counts, as the REST API lists them. */
  async function deliveryCounts(): Promise<Record<string, number>> {
    const res = await fetch(`${h.app.url}/api/v1/m365/webhooks/${hookId}/deliveries`, {
      headers: { authorization: `Bearer ${TEST_API_KEY}` },
    });
    expect(res.status).toBe(200);
    return ((await res.json()) as { counts: Record<string, number> }).counts;
  }

  /** Syncs, then waits until every delivery is done; returns what the receiver got meanwhile. */
  async function syncAndDeliver(): Promise<Delivered[]> {
    const mark = receiver.received.length;
    const run = await h.app.sync.request(tenant.id, 'test').done;
    expect(run.status, run.errorText ?? '').toBe('success');
    // The sync's events are recorded (and their deliveries queued) before its run ends.
    await expect
      .poll(() => deliveryCounts(), { timeout: 20_000, message: 'every delivery done' })
      .toMatchObject({ pending: 0, failed: 0 });
    // Then the runner looks once more and finds nothing: no second delivery of anything.
    await passes.idle(h.app.jobs);
    // Every request the receiver got is one delivery, delivered the first time.
    expect(await deliveryCounts()).toMatchObject({ dead: 0, delivered: receiver.received.length });
    return receiver.received.slice(mark).map((r) => {
      expect(r.path).toBe('/hook');
      expect(signaturesMatching(secret, r), 'a valid v1 signature').toBe(1);
      const parsed = JSON.parse(r.body) as Omit<Delivered, 'id' | 'received'>;
      expect(Object.keys(parsed).sort()).toEqual(['data', 'event', 'timestamp']);
      expect(parsed.data).toMatchObject({
        tenant_id: tenant.entraTenantId,
        seat_steward_tenant_id: tenant.id,
        client_id: tenant.mspClientId,
        sync_run_id: run.id,
      });
      return { ...parsed, id: String(r.headers['webhook-id']), received: r };
    });
  }
  const bySequence = (d: Delivered[]) => [...d].sort((a, b) => a.data.sequence - b.data.sequence);
  let lastSequence = 0;
  /** Each id once, and the tenant's sequence numbers continuing from the last sync's without a gap. */
  function expectOnceInSequence(delivered: Delivered[]): void {
    expect(new Set(delivered.map((d) => d.id)).size).toBe(delivered.length);
    expect(bySequence(delivered).map((d) => d.data.sequence)).toEqual(delivered.map((_, i) => lastSequence + i + 1));
    lastSequence += delivered.length;
  }

  it('the first sync is a baseline: only sync_completed, saying so', async () => {
    const delivered = await syncAndDeliver();
    expect(delivered.map((d) => d.event)).toEqual(['m365.tenant.sync_completed']);
    expect(delivered[0].data).toMatchObject({ baseline: true, users_synced: 120, errors: 0, status: 'success' });
    expectOnceInSequence(delivered);
  });

  it('after licences and users changed, each change arrives once, signed and in sequence, then sync_completed', async () => {
    const data = h.demo.server.data;
    const { expected } = changeDirectory(data);
    h.demo.server.setData(data);

    const delivered = await syncAndDeliver();
    const changes = delivered.filter((d) => (CHANGE_TYPES as readonly string[]).includes(d.event));
    expect(changes.map((d) => changeLine(d.event, d.data)).sort()).toEqual(expected);
    expect(delivered.filter((d) => !changes.includes(d)).map((d) => d.event)).toEqual(['m365.tenant.sync_completed']);
    expectOnceInSequence(delivered);
    // Recorded after the changes, so numbered after them.
    expect(bySequence(delivered).at(-1)?.event).toBe('m365.tenant.sync_completed');
    expect(bySequence(delivered).at(-1)?.data).toMatchObject({ baseline: false, users_synced: 120 });
    // The header's id is the event's: a receiver can drop a redelivery by it.
    const ids = new Set(h.app.db.prepare('SELECT id FROM webhook_events').pluck().all() as string[]);
    for (const d of delivered) expect(ids.has(d.id)).toBe(true);
  });

  it('a third sync with no change delivers only sync_completed', async () => {
    const delivered = await syncAndDeliver();
    expect(delivered.map((d) => d.event)).toEqual(['m365.tenant.sync_completed']);
    expect(delivered[0].data).toMatchObject({ baseline: false });
    expectOnceInSequence(delivered);
  });
});
