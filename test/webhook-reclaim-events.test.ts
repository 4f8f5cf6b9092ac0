import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SKU } from '../demo-tenant/constants';
import { generateDemoTenant } from '../demo-tenant/generator';
import { createLogger } from '../src/adapters/logging/logger';
import type { ReclaimItem } from '../src/domain/reclaim-request';
import { ConnectorRecorder, executeActions } from './helpers/connector-recorder';
import { startSyncedHarness, TEST_API_KEY, type Harness } from './helpers/harness';
import { expectRealLogHolds, RecordingEventLog } from './helpers/recording-event-log';
import { Receiver, subscribeEverything } from './helpers/webhook-receiver';
import { until, valid, type Card } from './helpers/reclaim-kit';
import { ADMIN, cardAction, channel, message, post } from './helpers/teams-activities';

/**
 * The reclaim workflow's webhook events, through real activities to /api/messages, the real Graph
 * client removing the licence in the demo tenant, and the REST API's undo: one event per move.
 */
const APPROVER = { id: '29:approver', name: 'Adele Approver', aadObjectId: '2b3c4d5e-6f70-4182-93a4-b5c6d7e8f901' };
const COPILOT = SKU.COPILOT.toLowerCase();

describe('reclaim webhook events', () => {
  let h: Harness;
  let tenantId: string;
  let connector: ConnectorRecorder;
  let serviceUrl: string;
  const log = new RecordingEventLog();
  const receiver = new Receiver();
  let subscribedAt = 0;
  const room = channel();

  beforeAll(async () => {
    ({ h, tenantId } = await startSyncedHarness({
      data: generateDemoTenant({ users: 300, seed: 11 }),
      config: { RECLAIM_MODE: 'on', ADMINS: `${ADMIN.aadObjectId},${APPROVER.aadObjectId}` },
      app: { outbox: { pollIntervalMs: 50 }, logger: createLogger('silent'), webhookEventLog: log.wrap },
    }));
    connector = new ConnectorRecorder();
    serviceUrl = await connector.start();
    // The real log keeps only what some webhook wants: from here on (the first sync's events are not kept).
    await receiver.start();
    await subscribeEverything(h.app.url, TEST_API_KEY, receiver);
    subscribedAt = log.events.length;
  });
  afterAll(async () => {
    await h?.close();
    await connector?.stop();
    await receiver.stop();
  });

  async function press(verb: string, data: unknown, from: object): Promise<Card> {
    const res = await post(h.app.url, { ...cardAction(serviceUrl, room, verb, data), from });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    return valid((res.body as { value: Card }).value);
  }
  const itemsOf = (requestId: string) =>
    h.app.reclaims.history({ tenantId, offset: 0, limit: 500 }).items.filter((i) => i.requestId === requestId);
  const reclaimEvents = () => log.events.filter((e) => e.type.startsWith('seat_steward.reclaim.'));

  it('records requested, approved, removed and undone, once each, with the request, the seat, who and when', async () => {
    const seat = (
      h.app.analytics.seats(tenantId, { recommendation: 'reclaim', offset: 0, limit: 500 })?.rows ?? []
    ).find((s) => s.accountEnabled && s.direct && s.groups.length === 0 && s.skuId.toLowerCase() === COPILOT);
    if (!seat) throw new Error('no idle direct Copilot seat in the demo tenant');
    expect(reclaimEvents()).toEqual([]);

    connector.clear();
    await post(h.app.url, { ...message(serviceUrl, room, `reclaim ${seat.userPrincipalName}`), from: ADMIN });
    const requestId = await until(
      'the request',
      () => (h.app.reclaims.history({ tenantId, offset: 0, limit: 1 }).items[0] as ReclaimItem | undefined)?.requestId,
    );
    const requested = await until('the requested event', () =>
      log.ofType('seat_steward.reclaim.requested').find((e) => e.data.request_id === requestId),
    );
    expect(requested).toMatchObject({
      tenantId,
      data: {
        request_id: requestId,
        mode: 'on',
        source: 'command',
        requested_by: { name: ADMIN.name, aad_object_id: ADMIN.aadObjectId },
        items: [
          expect.objectContaining({
            user_id: seat.userId,
            user_principal_name: seat.userPrincipalName,
            sku_id: expect.stringMatching(new RegExp(COPILOT, 'i')),
            assignment: 'direct',
          }),
        ],
      },
    });

    const view = await press('reclaim.view', { requestId }, APPROVER);
    const approve = executeActions(view).find((a) => a.verb === 'reclaim.approve');
    await press('reclaim.approve', approve?.data ?? { requestId }, APPROVER);
    const item = await until('the seat removed', () => itemsOf(requestId).find((i) => i.state === 'removed'));
    const approved = log.ofType('seat_steward.reclaim.approved');
    expect(approved).toHaveLength(1);
    expect(approved[0].data).toMatchObject({
      request_id: requestId,
      approved_by: { name: APPROVER.name, aad_object_id: APPROVER.aadObjectId },
      approved_at: expect.any(String),
      items: [expect.objectContaining({ item_id: item.id, user_principal_name: seat.userPrincipalName })],
    });
    const removed = log.ofType('seat_steward.reclaim.removed');
    expect(removed).toHaveLength(1);
    expect(removed[0].data).toMatchObject({
      request_id: requestId,
      item_id: item.id,
      user_principal_name: seat.userPrincipalName,
      state: 'removed',
      removed_at: expect.any(String),
      removed_by: expect.objectContaining({ name: expect.any(String) }),
    });

    const res = await fetch(`${h.app.url}/api/v1/m365/tenants/${tenantId}/reclaims/${item.id}/undo`, {
      method: 'POST',
      headers: { authorization: `Bearer ${TEST_API_KEY}` },
    });
    expect(res.status).toBe(200);
    await until('the undo', () => (itemsOf(requestId).find((i) => i.state === 'undone') ? true : undefined));
    const undone = log.ofType('seat_steward.reclaim.undone');
    expect(undone).toHaveLength(1);
    expect(undone[0].data).toMatchObject({
      request_id: requestId,
      item_id: item.id,
      user_principal_name: seat.userPrincipalName,
      undone_by: { name: 'REST API' },
      undone_at: expect.any(String),
    });
    // One event per move, each id its own.
    expect(reclaimEvents().map((e) => e.type)).toEqual([
      'seat_steward.reclaim.requested',
      'seat_steward.reclaim.approved',
      'seat_steward.reclaim.removed',
      'seat_steward.reclaim.undone',
    ]);
    // The real log (SQLite) holds them, with the syncs' events, each once and numbered without gaps.
    expectRealLogHolds(h.app.db, log.events.slice(subscribedAt), h.app.tenants.list());
  });
});
