import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateDemoTenant } from '../demo-tenant/generator';
import { holdsCopilot, until, valid, type Card } from './helpers/reclaim-kit';
import { ConnectorRecorder, cardText, executeActions } from './helpers/connector-recorder';
import { startSyncedHarness, TEST_API_KEY, type Harness } from './helpers/harness';
import {
  ADMIN,
  cardAction,
  channel,
  message,
  personal,
  post,
  type ConversationShape,
} from './helpers/teams-activities';
import type { ReclaimItem } from '../src/domain/reclaim-request';
import type { ReclaimMode } from '../src/domain/reclaim';
import type { GraphUser } from '../demo-tenant/model';
import { SKU } from '../demo-tenant/constants';
import { createLogger } from '../src/adapters/logging/logger';

/**
 * What an approver, a requester and everyone else see and may do on a reclaim request, through the
 * bot protocol against the demo tenant: every seat an approval acts on is on the card that approves
 * it, seats can be left out or the request cancelled, every removed seat can be undone (card,
 * command, REST) with the person recorded, and people who are not approvers see no names.
 */
const APPROVER = { id: '29:approver', name: 'Adele Approver', aadObjectId: '2b3c4d5e-6f70-4182-93a4-b5c6d7e8f901' };
const STRANGER = { id: '29:stranger', name: 'Sam Stranger', aadObjectId: '5f0e1d2c-3b4a-4968-8776-655443322110' };

describe('reclaim approval cards', () => {
  let h: Harness;
  let tenantId: string;
  let connector: ConnectorRecorder;
  let serviceUrl: string;
  const room = channel();
  const data = generateDemoTenant({ users: 2000, seed: 11 });

  beforeAll(async () => {
    ({ h, tenantId } = await startSyncedHarness({
      data,
      config: { RECLAIM_MODE: 'on', ADMINS: `${ADMIN.aadObjectId},${APPROVER.aadObjectId}` },
      app: { outbox: { pollIntervalMs: 50 }, logger: createLogger('silent') },
    }));
    connector = new ConnectorRecorder();
    serviceUrl = await connector.start();
  });
  afterAll(async () => {
    await h?.close();
    await connector?.stop();
  });

  /** Idle direct seats (enabled accounts) nobody has asked for yet. */
  function freshDirectSeats(anyAssignment = false): Array<{ userId: string; upn: string; name: string }> {
    const page = h.app.analytics.seats(tenantId, { recommendation: 'reclaim', offset: 0, limit: 500 });
    return (page?.rows ?? [])
      .filter((s) => anyAssignment || (s.direct && s.groups.length === 0))
      .filter((s) => h.app.reclaims.history({ tenantId, user: s.userId, offset: 0, limit: 1 }).total === 0)
      .map((s) => ({ userId: s.userId, upn: s.userPrincipalName, name: s.displayName ?? s.userPrincipalName }));
  }

  async function say(text: string, from: object = ADMIN, where = room): Promise<string[]> {
    connector.clear();
    expect((await post(h.app.url, { ...message(serviceUrl, where, text), from })).status).toBe(200);
    await connector.waitFor((m) => m.some((a) => typeof a.activity.text === 'string'));
    return connector
      .messages()
      .map((m) => m.activity.text ?? '')
      .filter(Boolean);
  }

  async function press(verb: string, value: unknown, from: object, where: ConversationShape = room): Promise<Card> {
    const res = await post(h.app.url, { ...cardAction(serviceUrl, where, verb, value), from });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    return valid((res.body as { value: Card }).value);
  }

  /** Approve as the approver's card offers it: the button's data (the seats listed) plus the toggles ticked. */
  async function approve(requestId: string, toggles: Record<string, string> = {}): Promise<Card> {
    const view = await press('reclaim.view', { requestId }, APPROVER);
    const button = executeActions(view).find((a) => a.verb === 'reclaim.approve');
    if (!button) throw new Error(`no Approve on the approver's card: ${cardText(view)}`);
    return press('reclaim.approve', { ...button.data, ...toggles }, APPROVER);
  }

  const itemsOf = (requestId: string) =>
    h.app.reclaims
      .history({ tenantId, offset: 0, limit: 500 })
      .items.filter((i) => i.requestId === requestId)
      .sort((a, b) => a.id - b.id);
  const latest = () => h.app.reclaims.history({ tenantId, offset: 0, limit: 1 }).items[0] as ReclaimItem;

  it('splits a large pick into cards that list every seat they approve; Approve acts only on the seats its card listed; an approver can leave seats out', async () => {
    const seats = freshDirectSeats().slice(0, 12);
    expect(seats).toHaveLength(12);
    const replies = await say(`reclaim ${seats.map((s) => s.upn).join(', ')}`);
    expect(replies.join('\n')).toContain(
      'reclaim request for 12 seats posted here for approval as 2 requests of at most 10 seats',
    );
    const requests = [
      ...new Set(h.app.reclaims.history({ tenantId, offset: 0, limit: 12 }).items.map((i) => i.requestId)),
    ];
    expect(requests).toHaveLength(2);
    const [big] = requests.map((r) => itemsOf(r)).sort((a, b) => b.length - a.length);
    expect(big).toHaveLength(10);
    const requestId = big[0].requestId;

    // The approver's card lists every seat of its request, each with its toggles.
    const view = await press('reclaim.view', { requestId }, APPROVER);
    for (const item of big) {
      expect(cardText(view)).toContain(item.userPrincipalName);
      expect(JSON.stringify(view)).toContain(`"drop:${item.id}"`);
    }
    expect(JSON.stringify(view).match(/"give:\d+"/g)?.length ?? 0).toBe(
      big.filter((i) => i.reassignTo !== null).length,
    );
    const button = executeActions(view).find((a) => a.verb === 'reclaim.approve');
    expect(String(button?.data?.seats).split(',').map(Number).sort()).toEqual(big.map((i) => i.id).sort());

    // A card that did not list a waiting seat (stale, forged, or no list at all) approves nothing.
    const shortList = big
      .slice(1)
      .map((i) => i.id)
      .join(',');
    expect(cardText(await press('reclaim.approve', { requestId, seats: shortList }, APPROVER))).toContain(
      'did not show 1 of the seats',
    );
    expect(cardText(await press('reclaim.approve', { requestId }, APPROVER))).toContain('did not show 10 of the seats');
    expect(itemsOf(requestId).every((i) => i.state === 'requested')).toBe(true);

    // Leave two seats out: they stay, with the approver named in the trail; the rest are removed.
    const [out1, out2] = big;
    await approve(requestId, { [`drop:${out1.id}`]: 'true', [`drop:${out2.id}`]: 'true' });
    await until('the rest removed', () =>
      itemsOf(requestId).filter((i) => i.state === 'removed').length === 8 ? true : undefined,
    );
    for (const left of [out1, out2]) {
      const item = itemsOf(requestId).find((i) => i.id === left.id) as ReclaimItem & {
        transitions: Array<{ actor: { aadObjectId: string | null; name: string | null }; reason: string | null }>;
      };
      expect(item.state).toBe('rejected');
      expect(item.transitions.at(-1)?.actor).toEqual({ aadObjectId: APPROVER.aadObjectId, name: APPROVER.name });
      expect(item.stateReason).toContain('Left out by Adele Approver');
      expect(holdsCopilot(h.demo.server.data, item.userId)).toHaveLength(1);
    }
    await press('reclaim.reject', { requestId: requests.find((r) => r !== requestId) }, APPROVER);
  });

  it('shows the seats only to approvers, admins and the requester; others get the state and totals', async () => {
    const [one] = freshDirectSeats();
    connector.clear();
    await say(`reclaim ${one.upn}`);
    const requestId = latest().requestId;
    const posted = await until('the request card', () =>
      connector.messages().find((m) => m.method === 'POST' && m.activity.attachments?.length),
    );
    const everyone = valid(posted.activity.attachments?.[0]?.content as Card);
    expect(cardText(everyone)).toContain('Reclaim request · 1 Copilot seat');
    expect(cardText(everyone)).not.toContain(one.upn);
    expect(cardText(everyone)).not.toContain(one.name);
    const stranger = await press('reclaim.view', { requestId }, STRANGER);
    expect(cardText(stranger)).not.toContain(one.upn);
    expect(cardText(stranger)).toContain('shown to its approvers, the admins and the requester only');
    expect(cardText(await press('reclaim.view', { requestId }, APPROVER))).toContain(one.upn);
    expect(cardText(await press('reclaim.view', { requestId }, ADMIN))).toContain(one.upn);
    await approve(requestId);
    await until('removed', () => (itemsOf(requestId)[0].state === 'removed' ? true : undefined));
    // Approve / Reject after the decision: "already decided", still without names.
    const late = await press('reclaim.approve', { requestId, seats: String(itemsOf(requestId)[0].id) }, STRANGER);
    expect(cardText(late)).toContain('Already approved');
    expect(cardText(late)).not.toContain(one.upn);
    expect(cardText(await press('reclaim.reject', { requestId }, STRANGER))).not.toContain(one.upn);
  });

  it("answers a stranger pressing a holder's Keep without naming the holder", async () => {
    const [one] = freshDirectSeats();
    await say(`reclaim ask ${one.upn}`);
    const item = latest();
    const answer = await press('reclaim.nudge', { itemId: item.id, answer: 'keep' }, STRANGER);
    expect(cardText(answer)).toContain('only they can answer it');
    expect(cardText(answer)).not.toContain(one.name);
    expect(cardText(answer)).not.toContain(one.upn);
    await approveOrReject(item.requestId);
  });

  async function approveOrReject(requestId: string) {
    await press('reclaim.reject', { requestId }, APPROVER);
  }

  it('lets the requester cancel an open request (recorded with their name), and nobody else', async () => {
    const [one] = freshDirectSeats();
    await say(`reclaim ${one.upn}`);
    const requestId = latest().requestId;
    const mine = await press('reclaim.view', { requestId }, ADMIN);
    const cancel = executeActions(mine).find((a) => a.verb === 'reclaim.cancel');
    expect(cancel?.title).toBe('Cancel my request');
    expect(executeActions(await press('reclaim.view', { requestId }, APPROVER)).map((a) => a.verb)).not.toContain(
      'reclaim.cancel',
    );
    expect(cardText(await press('reclaim.cancel', cancel?.data, APPROVER))).toContain('Only the person who asked');
    expect(itemsOf(requestId)[0].state).toBe('requested');
    const done = await press('reclaim.cancel', cancel?.data, ADMIN);
    expect(cardText(done)).toContain(`Cancelled by ${ADMIN.name}`);
    const item = itemsOf(requestId)[0] as ReclaimItem & {
      transitions: Array<{ to: string; actor: { aadObjectId: string | null } }>;
    };
    expect(item.state).toBe('rejected');
    expect(item.transitions.at(-1)?.actor.aadObjectId).toBe(ADMIN.aadObjectId);
    expect(cardText(await press('reclaim.approve', { requestId, seats: String(item.id) }, APPROVER))).toContain(
      'Already rejected',
    );
  });

  it("`reclaim pending` posts the open requests' cards again in this chat, and they are followed there", async () => {
    const [one] = freshDirectSeats();
    await say(`reclaim ${one.upn}`);
    const requestId = latest().requestId;
    const elsewhere = channel();
    connector.clear();
    await say('reclaim pending', ADMIN, elsewhere);
    const reposted = await until('the card posted again', () =>
      connector.activities.find(
        (m) =>
          m.method === 'POST' &&
          m.conversationId === elsewhere.conversationId &&
          cardText(m.activity.attachments?.[0]?.content ?? {}).includes('Reclaim request'),
      ),
    );
    expect(reposted).toBeDefined();
    const request = h.app.reclaims.view(requestId, { aadObjectId: undefined, name: undefined }, new Date())?.request;
    expect(request?.approvalsTarget.conversation.id).toBe(elsewhere.conversationId);
    await until('the new card recorded', () =>
      h.app.reclaims.view(requestId, { aadObjectId: undefined, name: undefined }, new Date())?.request.cardActivityId
        ? true
        : undefined,
    );
    await press('reclaim.reject', { requestId }, APPROVER);
  });

  it('a request made in dry-run cannot be approved once RECLAIM_MODE is on; it says so and can be rejected', async () => {
    const [one] = freshDirectSeats();
    const mode = h.config.reclaim as { mode: ReclaimMode };
    mode.mode = 'dry-run';
    try {
      await say(`reclaim ${one.upn}`);
    } finally {
      // As after a restart with RECLAIM_MODE=on.
      mode.mode = 'on';
    }
    const requestId = latest().requestId;
    const view = await press('reclaim.view', { requestId }, APPROVER);
    expect(cardText(view)).toContain('dry run');
    expect(cardText(view)).toContain('RECLAIM_MODE is now on');
    expect(executeActions(view).map((a) => a.verb)).toEqual(['reclaim.reject']);
    const seats = String(itemsOf(requestId)[0].id);
    expect(cardText(await press('reclaim.approve', { requestId, seats }, APPROVER))).toContain('made as a dry run');
    expect(itemsOf(requestId)[0].state).toBe('requested');
    expect(holdsCopilot(h.demo.server.data, one.userId)).toHaveLength(1);
    await press('reclaim.reject', { requestId }, APPROVER);
  });

  it('every removed seat can be undone from the card, by `reclaim undo <upn>` and over REST, recording who', async () => {
    const seats = freshDirectSeats().slice(0, 5);
    await say(`reclaim ${seats.map((s) => s.upn).join(', ')}`);
    const requestId = latest().requestId;
    await approve(requestId);
    await until('all removed', () => (itemsOf(requestId).every((i) => i.state === 'removed') ? true : undefined));
    const view = await press('reclaim.view', { requestId }, APPROVER);
    const undos = executeActions(view).filter((a) => a.verb === 'reclaim.undo');
    // One Undo per removed seat, beyond the third.
    expect(undos).toHaveLength(5);
    const items = itemsOf(requestId);
    expect(undos.map((u) => u.data?.itemId).sort()).toEqual(items.map((i) => i.id).sort());

    // From the card: the fourth seat.
    const fourth = items[3];
    await press('reclaim.undo', undos.find((u) => u.data?.itemId === fourth.id)?.data, APPROVER);
    const undone = await until('the undo', () =>
      itemsOf(requestId).find((i) => i.id === fourth.id && i.state === 'undone'),
    );
    expect(undone.transitions.at(-1)?.actor).toEqual({ aadObjectId: APPROVER.aadObjectId, name: APPROVER.name });
    expect(undone.stateReason).toContain('Given back by Adele Approver');
    expect(holdsCopilot(h.demo.server.data, fourth.userId)).toHaveLength(1);
    const after = cardText(await press('reclaim.view', { requestId }, APPROVER));
    expect(after).not.toMatch(/Given back \(undone\)\s+Licence removed\./);

    // By command, as an approver (a stranger is refused).
    const fifth = items[4];
    expect((await say(`reclaim undo ${fifth.userPrincipalName}`, APPROVER)).join('\n')).toContain(
      `Giving ${fifth.userPrincipalName}'s seat back`,
    );
    const byCommand = await until('the command undo', () =>
      itemsOf(requestId).find((i) => i.id === fifth.id && i.state === 'undone'),
    );
    expect(byCommand.transitions.at(-1)?.actor.aadObjectId).toBe(APPROVER.aadObjectId);

    // Over REST.
    const first = items[0];
    const url = (id: number | string) => `${h.app.url}/api/v1/m365/tenants/${tenantId}/reclaims/${id}/undo`;
    const auth = { authorization: `Bearer ${TEST_API_KEY}` };
    const res = await fetch(url(first.id), { method: 'POST', headers: auth });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ success: true, state: 'queued' });
    const byApi = await until('the REST undo', () =>
      itemsOf(requestId).find((i) => i.id === first.id && i.state === 'undone'),
    );
    expect(byApi.transitions.at(-1)?.actor).toEqual({ aadObjectId: null, name: 'REST API' });
    expect((await fetch(url(first.id), { method: 'POST', headers: auth })).status).toBe(200);
    expect((await fetch(url(99_999_999), { method: 'POST', headers: auth })).status).toBe(404);
    expect((await fetch(url('x'), { method: 'POST', headers: auth })).status).toBe(400);
    const refused = await fetch(url(items[1].id), { method: 'POST' });
    expect(refused.status).toBe(401);

    // `reclaim history <upn>` says how to give a still-removed seat back.
    const third = items[2];
    connector.clear();
    await post(h.app.url, {
      ...message(serviceUrl, room, `reclaim history ${third.userPrincipalName}`),
      from: APPROVER,
    });
    await connector.waitFor((m) => m.some((a) => (a.activity.attachments?.length ?? 0) > 0));
    expect(cardText(connector.messages()[0].activity.attachments?.[0]?.content)).toContain(
      `reclaim undo ${third.userPrincipalName}`,
    );
  });

  it('Request reclaim with nothing ticked keeps the inactive page, with an error line; a partial pick says what was left out and why; tick-boxes show the UPN', async () => {
    // The inactive card names people: it is pressed where they may be named, the admin's personal chat.
    const mine = personal();
    const empty = await press('reclaim.request', { tenantId, users: '' }, ADMIN, mine);
    expect(cardText(empty)).toContain('Copilot seats to take back');
    expect(cardText(empty)).toContain('No seat ticked');
    const choices =
      JSON.stringify(empty).match(/"title":"[^"]*· (Never used|Idle [^"]*|Activity unknown|Used today)"/g) ?? [];
    expect(choices.length).toBeGreaterThan(0);
    for (const c of choices) expect(c).toMatch(/@/);

    const [a, b, c, d, e] = freshDirectSeats(true);
    await say(`reclaim ${a.upn}, ${b.upn}`);
    const open = latest().requestId;
    const page = await press(
      'reclaim.request',
      { tenantId, users: [a, b, c, d, e].map((s) => s.userId).join(',') },
      ADMIN,
      mine,
    );
    const text = cardText(page);
    expect(text).toContain('3 of the 5 seats picked');
    expect(text).toContain('2 left out');
    expect(text).toContain(`${a.upn}: already in another open request`);
    expect(text).toContain(`${b.upn}: already in another open request`);
    await press('reclaim.reject', { requestId: open }, APPROVER);
    await press('reclaim.reject', { requestId: latest().requestId }, APPROVER);
  });

  it('a seat held directly and through a group shows both paths, offers the group choice, and with it removes (and undoes) both', async () => {
    const copilot = SKU.COPILOT.toLowerCase();
    const groupSeats = (
      h.app.analytics.seats(tenantId, { recommendation: 'reclaim', offset: 0, limit: 500 })?.rows ?? []
    ).filter(
      (s) =>
        s.accountEnabled &&
        !s.direct &&
        s.groups.length === 1 &&
        h.app.reclaims.history({ tenantId, user: s.userId, offset: 0, limit: 1 }).total === 0,
    );
    const [both, skipped] = groupSeats;
    expect(skipped).toBeDefined();
    // Someone also assigns the licence directly to these two holders; the next sync sees both paths.
    for (const seat of [both, skipped]) {
      const user = h.demo.server.data.users.find((u) => u.id === seat.userId) as GraphUser;
      const viaGroup = user.licenseAssignmentStates.find((x) => x.skuId.toLowerCase() === copilot);
      user.licenseAssignmentStates.push({
        ...(viaGroup as NonNullable<typeof viaGroup>),
        assignedByGroup: null,
        disabledPlans: [],
      });
    }
    // An earlier test's reclaim syncs the tenant: that sync may have read the users before the change above.
    await h.app.sync.idle();
    expect((await h.app.sync.request(tenantId, 'test').done).status).toBe('success');
    for (const seat of [both, skipped]) expect(holdsCopilot(h.demo.server.data, seat.userId)).toHaveLength(2);

    await say(`reclaim ${both.userPrincipalName}, ${skipped.userPrincipalName}`);
    const requestId = latest().requestId;
    const items = itemsOf(requestId);
    const itemBoth = items.find((i) => i.userId === both.userId.toLowerCase()) as ReclaimItem;
    const view = await press('reclaim.view', { requestId }, APPROVER);
    expect(cardText(view)).toContain(`direct assignment and via group ${both.groups[0].displayName}`);
    expect(cardText(view)).toContain('and remove the direct assignment');
    expect(JSON.stringify(view).match(/"group:\d+"/g)).toHaveLength(2);

    await approve(requestId, { [`group:${itemBoth.id}`]: 'true' });
    await until('both decided', () =>
      itemsOf(requestId).every((i) => ['removed', 'skipped', 'failed'].includes(i.state)) ? true : undefined,
    );
    const done = itemsOf(requestId);
    const removed = done.find((i) => i.id === itemBoth.id) as ReclaimItem;
    expect(removed.state).toBe('removed');
    expect(removed.stateReason).toContain('and the direct assignment removed');
    expect(holdsCopilot(h.demo.server.data, both.userId)).toEqual([]);
    const notChosen = done.find((i) => i.id !== itemBoth.id) as ReclaimItem;
    expect(notChosen.skipCode).toBe('group_inherited');
    expect(notChosen.stateReason).toContain('assigned directly and by the group');
    expect(holdsCopilot(h.demo.server.data, skipped.userId)).toHaveLength(2);

    // Undo gives both back: the group membership and the direct licence.
    await press('reclaim.undo', { itemId: itemBoth.id }, APPROVER);
    await until('the undo', () => itemsOf(requestId).find((i) => i.id === itemBoth.id && i.state === 'undone'));
    expect(
      holdsCopilot(h.demo.server.data, both.userId)
        .map((a) => a.groupId)
        .sort(),
    ).toEqual([both.groups[0].groupId, null].sort());

    // Half done: the direct licence goes, the group refuses (no GroupMember.ReadWrite.All). The seat fails,
    // naming the permission the group removal needs and that the direct assignment is already gone.
    h.demo.server.faults.add({
      method: 'DELETE',
      path: new RegExp(`/groups/[^/]+/members/${skipped.userId}`, 'i'),
      status: 403,
      code: 'Authorization_RequestDenied',
      times: 1,
    });
    await say(`reclaim ${skipped.userPrincipalName}`);
    const second = latest().requestId;
    const itemSkipped = itemsOf(second)[0] as ReclaimItem;
    await approve(second, { [`group:${itemSkipped.id}`]: 'true' });
    const failed = await until('the half-done removal', () => itemsOf(second).find((i) => i.state === 'failed'));
    expect(failed.stateReason).toContain('the app lacks GroupMember.ReadWrite.All');
    expect(failed.stateReason).toContain('The direct assignment was removed already');
    expect(holdsCopilot(h.demo.server.data, skipped.userId).map((a) => a.groupId)).toEqual([skipped.groups[0].groupId]);
  });
});
