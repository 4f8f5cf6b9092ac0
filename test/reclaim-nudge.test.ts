import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateDemoTenant } from '../demo-tenant/generator';
import { DEMO_TEAMS_APP_CATALOG_ID } from '../demo-tenant/constants';
import { holdsCopilot, until, valid, type Card } from './helpers/reclaim-kit';
import { ConnectorRecorder, cardText, executeActions, type RecordedActivity } from './helpers/connector-recorder';
import { startSyncedHarness, type Harness } from './helpers/harness';
import { ADMIN, cardAction, channel, message, personal, post } from './helpers/teams-activities';
import type { ReclaimItem } from '../src/domain/reclaim-request';
import { createLogger } from '../src/adapters/logging/logger';

/**
 * "Keep your seat?": a request that asks the holders first, end to end. Activities go to
 * /api/messages, the holders' 1:1 questions are caught at the local connector (in a chat the bot
 * already has, or in the chat Graph gives after installing the app for the holder in the demo
 * tenant), answers come back as invokes from the holders themselves, and the approval opens only
 * once every holder has answered or the time is up.
 */
const APPROVER = { id: '29:approver', name: 'Adele Approver', aadObjectId: '2b3c4d5e-6f70-4182-93a4-b5c6d7e8f901' };
const STRANGER = { id: '29:stranger', name: 'Sam Stranger', aadObjectId: '5f0e1d2c-3b4a-4968-8776-655443322110' };

describe('reclaim nudge: the holders are asked first', () => {
  let h: Harness;
  let tenantId: string;
  let connector: ConnectorRecorder;
  let serviceUrl: string;
  const room = channel();
  const data = generateDemoTenant({ users: 800, seed: 11 });

  beforeAll(async () => {
    ({ h, tenantId } = await startSyncedHarness({
      data,
      config: {
        RECLAIM_MODE: 'on',
        ADMINS: `${ADMIN.aadObjectId},${APPROVER.aadObjectId}`,
        TEAMS_APP_CATALOG_ID: DEMO_TEAMS_APP_CATALOG_ID,
        RECLAIM_NUDGE_DAYS: '3',
        RECLAIM_KEEP_DAYS: '60',
      },
      app: { outbox: { pollIntervalMs: 50 }, logger: createLogger('silent') },
    }));
    connector = new ConnectorRecorder();
    serviceUrl = await connector.start();
  });
  afterAll(async () => {
    await h?.close();
    await connector?.stop();
  });

  function idleDirectSeats(): Array<{ userId: string; upn: string; name: string }> {
    const page = h.app.analytics.seats(tenantId, { recommendation: 'reclaim', offset: 0, limit: 500 });
    return (page?.rows ?? [])
      .filter((s) => s.accountEnabled && s.direct && s.groups.length === 0)
      .map((s) => ({ userId: s.userId, upn: s.userPrincipalName, name: s.displayName ?? s.userPrincipalName }));
  }

  async function press(verb: string, value: unknown, from: object, where = room): Promise<Card> {
    const res = await post(h.app.url, { ...cardAction(serviceUrl, where, verb, value), from });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    return valid((res.body as { value: Card }).value);
  }

  const itemsOf = (requestId: string) =>
    h.app.reclaims
      .history({ tenantId, offset: 0, limit: 500 })
      .items.filter((i) => i.requestId === requestId)
      .sort((a, b) => a.id - b.id);
  const itemOf = (requestId: string, userId: string) =>
    itemsOf(requestId).find((i) => i.userId === userId.toLowerCase()) as ReclaimItem & {
      transitions: Array<{ to: string; reason: string | null; actor: { name: string | null } }>;
    };
  const questionTo = (conversation: (id: string) => boolean): RecordedActivity | undefined =>
    connector
      .messages()
      .find(
        (m) =>
          m.method === 'POST' &&
          conversation(m.conversationId) &&
          cardText(m.activity.attachments?.[0]?.content ?? {}).includes('Keep your seat?'),
      );

  it('asks each holder 1:1 (their chat, or one made by installing the app), waits for Keep / Release, then the approver removes only the released', async () => {
    const [a, b, c] = idleDirectSeats();
    // A has talked to the bot in a personal chat; B and C never have.
    const chatA = personal();
    const holderA = { id: '29:holder-a', name: a.name, aadObjectId: a.userId };
    expect((await post(h.app.url, { ...message(serviceUrl, chatA, 'help'), from: holderA })).status).toBe(200);
    // C has blocked the bot: Teams refuses the message to the chat the install gives.
    connector.fail({
      status: 403,
      times: 5,
      match: (act) => (act.conversation?.id ?? '').includes(c.userId.toLowerCase()),
    });

    expect(
      (await post(h.app.url, { ...message(serviceUrl, room, `reclaim ask ${a.upn}, ${b.upn}, ${c.upn}`), from: ADMIN }))
        .status,
    ).toBe(200);
    await connector.waitFor((m) => m.some((x) => (x.activity.text ?? '').includes('reclaim request for 3 seats')));
    expect(
      connector
        .messages()
        .map((m) => m.activity.text ?? '')
        .join('\n'),
    ).toContain('each holder is asked first in Teams');
    const requestId = h.app.reclaims.history({ tenantId, offset: 0, limit: 1 }).items[0].requestId;

    const toA = await until("the question in A's chat", () => questionTo((id) => id === chatA.conversationId));
    const toB = await until("the question in B's new chat", () =>
      questionTo((id) => id.startsWith('19:') && id.includes(b.userId.toLowerCase())),
    );
    const cardA = valid(toA.activity.attachments?.[0]?.content as Card);
    expect(cardText(cardA)).toMatch(/You haven't used Copilot (since|in the time)/);
    expect(executeActions(cardA).map((x) => x.title)).toEqual(['Keep my seat', 'Release it']);
    await until('C marked not reachable', () =>
      itemOf(requestId, c.userId).nudgeOutcome === 'unreachable' ? true : undefined,
    );
    expect(itemOf(requestId, c.userId).stateReason).toContain('Teams refused the message');
    expect(itemOf(requestId, a.userId).state).toBe('nudged');
    expect(itemOf(requestId, b.userId).state).toBe('nudged');

    // The app was installed for B and C through Graph; A already had a chat, so nothing was installed for A.
    const installs = h.demo.server.requests.filter(
      (r) => r.method === 'POST' && /\/teamwork\/installedApps$/.test(r.path),
    );
    expect(installs.map((r) => r.path.split('/')[3]?.toLowerCase()).sort()).toEqual(
      [b.userId, c.userId].map((u) => u.toLowerCase()).sort(),
    );
    expect(data.teamsApps?.installed?.[a.userId.toLowerCase()]).toBeUndefined();

    // Approval waits for the holders: the approver's view says so, and Approve is refused.
    const waiting = await press('reclaim.view', { requestId }, APPROVER);
    expect(executeActions(waiting).map((x) => x.title)).not.toContain('Approve and remove');
    expect(cardText(waiting)).toContain('The holders are asked first');
    expect(cardText(await press('reclaim.approve', { requestId }, APPROVER))).toContain('The holders are asked first');
    expect(itemsOf(requestId).map((i) => i.state)).toEqual(['nudged', 'nudged', 'requested']);

    // Only the holder may answer: someone else pressing B's button changes nothing.
    const bItem = itemOf(requestId, b.userId).id;
    const forged = await press('reclaim.nudge', { itemId: bItem, answer: 'keep' }, STRANGER);
    expect(cardText(forged)).toContain(`only they can answer it`);
    expect(itemOf(requestId, b.userId).nudgeOutcome).toBe('pending');
    // Tampered data: a made-up answer is refused before it reaches the workflow.
    expect(
      cardText(
        await press('reclaim.nudge', { itemId: bItem, answer: 'delete' }, { ...STRANGER, aadObjectId: b.userId }),
      ),
    ).toContain('This answer is not valid');

    // A keeps the seat: the request ends for A, and A is left out of new requests until the keep ends.
    const holderB = { id: '29:holder-b', name: b.name, aadObjectId: b.userId };
    const kept = await press(
      'reclaim.nudge',
      { itemId: itemOf(requestId, a.userId).id, answer: 'keep' },
      holderA,
      chatA,
    );
    expect(cardText(kept)).toContain('You kept your seat');
    expect(executeActions(kept)).toEqual([]);
    expect(itemOf(requestId, a.userId).state).toBe('kept');
    expect(
      h.app.reclaims.history({ tenantId, user: a.upn, offset: 0, limit: 5 }).items[0].transitions.map((t) => t.to),
    ).toEqual(['requested', 'nudged', 'kept']);

    // B releases (a second press says it was already answered); the approval opens.
    const released = await press('reclaim.nudge', { itemId: bItem, answer: 'release' }, holderB);
    expect(cardText(released)).toContain('You released your seat');
    expect(cardText(await press('reclaim.nudge', { itemId: bItem, answer: 'keep' }, holderB))).toContain(
      'You already released your seat',
    );
    expect(itemOf(requestId, b.userId).nudgeOutcome).toBe('released');
    const open = await press('reclaim.view', { requestId }, APPROVER);
    expect(executeActions(open).map((x) => x.title)).toEqual(['Approve and remove', 'Reject']);
    expect(cardText(open)).toContain('Kept by the holder');
    expect(cardText(open)).toContain('Released by the holder');
    expect(cardText(open)).toContain('Holder not reachable');

    await press('reclaim.approve', executeActions(open).find((x) => x.verb === 'reclaim.approve')?.data, APPROVER);
    await until('B and C removed', () =>
      ['removed'].includes(itemOf(requestId, b.userId).state) && itemOf(requestId, c.userId).state === 'removed'
        ? true
        : undefined,
    );
    expect(holdsCopilot(h.demo.server.data, a.userId)).toHaveLength(1);
    expect(holdsCopilot(h.demo.server.data, b.userId)).toEqual([]);
    expect(holdsCopilot(h.demo.server.data, c.userId)).toEqual([]);
    expect(itemOf(requestId, a.userId).state).toBe('kept');

    // B's question is updated in place: the seat was removed.
    const update = await until("B's card updated", () =>
      connector
        .messages()
        .find(
          (m) =>
            m.method === 'PUT' &&
            m.conversationId === toB.conversationId &&
            cardText(m.activity.attachments?.[0]?.content ?? {}).includes('Your seat was removed'),
        ),
    );
    expect(executeActions(valid(update.activity.attachments?.[0]?.content as Card))).toEqual([]);
    // A's answer came back as the invoke's card and A's seat has not moved since: A's card is not sent again.
    expect(connector.messages().filter((m) => m.method === 'PUT' && m.conversationId === chatA.conversationId)).toEqual(
      [],
    );
    // B's card was sent again only when what it tells B changed: approved (if the job ran before the removal) and removed.
    const toBUpdates = connector
      .messages()
      .filter((m) => m.method === 'PUT' && m.conversationId === toB.conversationId)
      .map((m) => cardText(m.activity.attachments?.[0]?.content ?? {}));
    expect(toBUpdates.length).toBeGreaterThanOrEqual(1);
    expect(toBUpdates.length).toBeLessThanOrEqual(2);
    expect(new Set(toBUpdates).size).toBe(toBUpdates.length);

    // A kept the seat: a new request leaves A out, saying until when.
    const again = await post(h.app.url, { ...message(serviceUrl, room, `reclaim ${a.upn}`), from: ADMIN });
    expect(again.status).toBe(200);
    await connector.waitFor((m) => m.some((x) => (x.activity.text ?? '').includes('chose to keep the seat')));
    // From the next sync on, the seat is excluded in the analytics too (the inactive list and the digest).
    expect(
      h.app.analytics
        .seats(tenantId, { recommendation: 'reclaim', offset: 0, limit: 500 })
        ?.rows.some((x) => x.userId === a.userId),
    ).toBe(true);
    await h.app.sync.request(tenantId, 'test').done;
    const excluded = h.app.analytics
      .seats(tenantId, { recommendation: 'excluded', offset: 0, limit: 500 })
      ?.rows.find((x) => x.userId === a.userId);
    expect(excluded?.reasons[0]).toContain('chose to keep the seat until');
    expect(
      h.app.analytics
        .seats(tenantId, { recommendation: 'reclaim', offset: 0, limit: 500 })
        ?.rows.some((x) => x.userId === a.userId),
    ).toBe(false);
  });

  it('no answer by the deadline: the seat goes on to the approvers, and a late answer is refused', async () => {
    const seats = idleDirectSeats().filter(
      (s) => h.app.reclaims.history({ tenantId, user: s.userId, offset: 0, limit: 1 }).total === 0,
    );
    const d = seats[0];
    const chatD = personal();
    const holderD = { id: '29:holder-d', name: d.name, aadObjectId: d.userId };
    expect((await post(h.app.url, { ...message(serviceUrl, chatD, 'help'), from: holderD })).status).toBe(200);
    expect((await post(h.app.url, { ...message(serviceUrl, room, `reclaim ask ${d.upn}`), from: ADMIN })).status).toBe(
      200,
    );
    const requestId = await until(
      'the request',
      () => h.app.reclaims.history({ tenantId, user: d.userId, offset: 0, limit: 1 }).items[0]?.requestId,
    );
    await until('D asked', () => (itemOf(requestId, d.userId).state === 'nudged' ? true : undefined));
    const request = h.app.reclaims.view(requestId, { aadObjectId: undefined, name: undefined }, new Date())?.request;
    expect(request?.nudge).toBe(true);
    // Three days to answer (RECLAIM_NUDGE_DAYS=3), and the approvers' 14 days start after them.
    expect(Date.parse(request!.nudgeUntil!) - Date.parse(request!.requestedAt)).toBe(3 * 86_400_000);
    expect(Date.parse(request!.expiresAt) - Date.parse(request!.nudgeUntil!)).toBe(14 * 86_400_000);

    const after = new Date(Date.parse(request!.nudgeUntil!) + 60_000);
    h.app.reclaims.nudgeDeadline(requestId, after);
    expect(itemOf(requestId, d.userId).nudgeOutcome).toBe('no_answer');
    expect(itemOf(requestId, d.userId).transitions.at(-1)?.reason).toContain('No answer by');
    const view = h.app.reclaims.view(requestId, { aadObjectId: APPROVER.aadObjectId, name: APPROVER.name }, after);
    expect(view?.phase).toBe('awaiting_approval');
    expect(view?.rights.canDecide).toBe(true);
    const late = h.app.reclaims.answerNudge(
      itemOf(requestId, d.userId).id,
      { aadObjectId: d.userId, name: d.name },
      'keep',
      after,
    );
    expect(late.kind).toBe('refused');
    expect(late.message).toContain('The time to answer ended on');
    expect(itemOf(requestId, d.userId).state).toBe('nudged');
  });

  it('the inactive card\'s picker has an "ask each holder first" toggle that the request follows', async () => {
    const seats = idleDirectSeats().filter(
      (s) => h.app.reclaims.history({ tenantId, user: s.userId, offset: 0, limit: 1 }).total === 0,
    );
    const [e, f] = seats;
    // The inactive card names people: it is pressed where they may be named, the admin's personal chat.
    const mine = personal();
    expect(
      cardText(await press('reclaim.request', { tenantId, users: e.userId, nudge: 'maybe' }, ADMIN, mine)),
    ).toContain('This reclaim request is not valid');
    const page = await press('reclaim.request', { tenantId, users: e.userId, nudge: 'true' }, ADMIN, mine);
    expect(cardText(page)).toContain('Ask each holder first in Teams');
    expect(cardText(page)).toContain('each holder is asked first');
    const asked = h.app.reclaims.history({ tenantId, user: e.userId, offset: 0, limit: 1 }).items[0];
    expect(
      h.app.reclaims.view(asked.requestId, { aadObjectId: undefined, name: undefined }, new Date())?.request.nudge,
    ).toBe(true);
    // Off (RECLAIM_NUDGE is not set here): straight to the approvers.
    await press('reclaim.request', { tenantId, users: f.userId, nudge: 'false' }, ADMIN, mine);
    const direct = h.app.reclaims.history({ tenantId, user: f.userId, offset: 0, limit: 1 }).items[0];
    expect(h.app.reclaims.view(direct.requestId, { aadObjectId: undefined, name: undefined }, new Date())?.phase).toBe(
      'awaiting_approval',
    );
  });
});
