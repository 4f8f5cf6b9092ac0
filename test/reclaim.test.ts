import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateDemoTenant } from '../demo-tenant/generator';
import { SKU } from '../demo-tenant/constants';
import type { GraphUser } from '../demo-tenant/model';
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
import { createLogger } from '../src/adapters/logging/logger';

/**
 * The reclaim workflow end to end: real activities to /api/messages, the request card caught at
 * the local connector (posted, then updated in place with PUT), the real Graph client removing
 * licences in the demo tenant through $batch, and the state trail in SQLite. What must have
 * happened is checked in the demo tenant's own data.
 */
const APPROVER = { id: '29:approver', name: 'Adele Approver', aadObjectId: '2b3c4d5e-6f70-4182-93a4-b5c6d7e8f901' };
const STRANGER = { id: '29:stranger', name: 'Sam Stranger', aadObjectId: '5f0e1d2c-3b4a-4968-8776-655443322110' };
const COPILOT = SKU.COPILOT.toLowerCase();

describe('reclaim, RECLAIM_MODE=on', () => {
  let h: Harness;
  let tenantId: string;
  let connector: ConnectorRecorder;
  let serviceUrl: string;
  const room = channel();
  const data = generateDemoTenant({ users: 800, seed: 11 });

  beforeAll(async () => {
    ({ h, tenantId } = await startSyncedHarness({
      data,
      config: { RECLAIM_MODE: 'on', ADMINS: `${ADMIN.aadObjectId},${APPROVER.aadObjectId}` },
      app: { outbox: { pollIntervalMs: 50 }, logger: createLogger('silent') },
    }));
    connector = new ConnectorRecorder();
    serviceUrl = await connector.start();
    idleSeats('direct');
    idleSeats('group');
  });
  afterAll(async () => {
    await h?.close();
    await connector?.stop();
  });

  /**
   * Certain-idle seats the analytics recommend reclaiming, assigned the given way, as the first sync
   * saw them: each test takes its own by index. (An executed reclaim syncs the tenant, so the current
   * list loses the seats removed by earlier tests and its indices shift.)
   */
  const pool = new Map<'direct' | 'group', Array<{ userId: string; upn: string }>>();
  function idleSeats(via: 'direct' | 'group'): Array<{ userId: string; upn: string }> {
    const known = pool.get(via);
    if (known) return known;
    const page = h.app.analytics.seats(tenantId, { recommendation: 'reclaim', offset: 0, limit: 500 });
    const seats = (page?.rows ?? [])
      .filter(
        (s) =>
          s.accountEnabled &&
          (via === 'direct' ? s.direct && s.groups.length === 0 : !s.direct && s.groups.length === 1),
      )
      .map((s) => ({ userId: s.userId, upn: s.userPrincipalName }));
    pool.set(via, seats);
    return seats;
  }

  async function say(text: string, from: object = ADMIN): Promise<string[]> {
    connector.clear();
    expect((await post(h.app.url, { ...message(serviceUrl, room, text), from })).status).toBe(200);
    await connector.waitFor((m) => m.some((a) => typeof a.activity.text === 'string'));
    return connector
      .messages()
      .map((m) => m.activity.text ?? '')
      .filter(Boolean);
  }

  async function press(
    verb: string,
    data: unknown,
    from: object,
    trigger: 'manual' | 'automatic' = 'manual',
    where: ConversationShape = room,
  ): Promise<Card> {
    const activity = cardAction(serviceUrl, where, verb, data) as { value: { trigger: string } };
    activity.value.trigger = trigger;
    const res = await post(h.app.url, { ...activity, from });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    return valid((res.body as { value: Card }).value);
  }

  /** Approve as the approver's card offers it: the button's data (the seats it listed) plus the toggles ticked. */
  async function approve(
    requestId: string,
    toggles: Record<string, string> = {},
    from: object = APPROVER,
  ): Promise<Card> {
    const view = await press('reclaim.view', { requestId }, APPROVER);
    const button = executeActions(view).find((a) => a.verb === 'reclaim.approve');
    return press('reclaim.approve', { ...(button?.data ?? { requestId }), ...toggles }, from);
  }

  const latestRequest = () => h.app.reclaims.history({ tenantId, offset: 0, limit: 1 }).items[0] as ReclaimItem;
  const itemsOf = (requestId: string) =>
    h.app.reclaims.history({ tenantId, offset: 0, limit: 500 }).items.filter((i) => i.requestId === requestId);

  it('posts the request card, shows Approve only to approvers other than the requester, removes once, and undoes', async () => {
    const [one, two] = idleSeats('direct');
    const replies = await say(`reclaim ${one.upn}, ${two.upn}`);
    expect(replies.join('\n')).toContain('reclaim request for 2 seats posted here for approval');
    const requestId = latestRequest().requestId;
    const posted = await until('the request card', () =>
      connector.messages().find((m) => m.method === 'POST' && m.activity.attachments?.length),
    );
    const everyone = valid(posted.activity.attachments?.[0]?.content as Card);
    // The posted card is seen by everyone in the chat: state and totals, no names.
    expect(cardText(everyone)).not.toContain(one.upn);
    expect(cardText(everyone)).toContain('Waiting for an approver');
    expect(((everyone.actions ?? []) as Card[]).map((a) => a.title)).toEqual(['Review']);
    // Teams refreshes the card for the approvers it knows (those who have talked to the bot), never
    // for the requester under the two-person rule: the approver has not talked to the bot yet.
    expect((everyone.refresh as { userIds?: string[] } | undefined)?.userIds ?? []).not.toContain(ADMIN.id);

    // The refresh Teams sends for listed approvers (trigger automatic), and the same from others.
    const approverView = await press('reclaim.view', { requestId }, APPROVER, 'automatic');
    expect(executeActions(approverView).map((a) => a.title)).toEqual(['Approve and remove', 'Reject']);
    const strangerView = await press('reclaim.view', { requestId }, STRANGER, 'automatic');
    expect(executeActions(strangerView).map((a) => a.title)).not.toContain('Approve and remove');
    expect(cardText(strangerView)).toContain('Only the people in ADMINS may approve or reject reclaims.');
    const requesterView = await press('reclaim.view', { requestId }, ADMIN, 'automatic');
    expect(executeActions(requesterView).map((a) => a.title)).not.toContain('Approve and remove');
    expect(cardText(requesterView)).toContain('two-person rule');

    // Where no refresh happens the buttons can still be pressed: the server refuses.
    expect(cardText(await approve(requestId, {}, ADMIN))).toContain('two-person rule');
    expect(cardText(await approve(requestId, {}, STRANGER))).toContain('Only the people in ADMINS');
    expect(itemsOf(requestId).map((i) => i.state)).toEqual(['requested', 'requested']);
    expect(holdsCopilot(h.demo.server.data, one.userId)).toHaveLength(1);

    // A double click: two approvals at once decide once.
    const approveData = executeActions(approverView).find((x) => x.verb === 'reclaim.approve')?.data;
    const [a, b] = await Promise.all([
      press('reclaim.approve', approveData, APPROVER),
      press('reclaim.approve', approveData, APPROVER),
    ]);
    expect([cardText(a), cardText(b)].filter((t) => t.includes('Already approved'))).toHaveLength(1);
    await until('both removed', () => (itemsOf(requestId).every((i) => i.state === 'removed') ? true : undefined));
    expect(holdsCopilot(h.demo.server.data, one.userId)).toEqual([]);
    expect(holdsCopilot(h.demo.server.data, two.userId)).toEqual([]);
    const writes = h.demo.server.requests.filter(
      (r) =>
        r.inBatch &&
        r.method === 'POST' &&
        /assignLicense/.test(r.path) &&
        r.path.toLowerCase().includes(one.userId.toLowerCase()),
    );
    expect(writes.map((w) => w.status)).toEqual([200]);
    const trailOf = itemsOf(requestId)[0].transitions.map((t) => t.to);
    expect(trailOf).toEqual(['requested', 'approved', 'rechecking', 'removing', 'removed']);

    // The card was updated in place (PUT to the posted activity) and now offers Undo to an approver.
    const updated = await until('the card update', () =>
      connector.activities.find(
        (m) => m.method === 'PUT' && cardText(m.activity.attachments?.[0]?.content).includes('Done · 2 removed'),
      ),
    );
    // In place: the PUT targets the message the first post created.
    const cardId = h.app.reclaims.view(requestId, { aadObjectId: undefined, name: undefined }, new Date())?.request
      .cardActivityId;
    expect(cardId).toMatch(/^recorded-\d+$/);
    expect(updated.replyToId).toBe(cardId);
    expect(
      connector.activities.filter(
        (m) =>
          m.method === 'POST' &&
          m.activity.attachments?.length &&
          cardText(m.activity.attachments[0].content).includes('Reclaim request'),
      ),
    ).toHaveLength(1);
    // The approver has talked to the bot since: the posted card's refresh now names them too.
    const refreshed = (updated.activity.attachments?.[0]?.content as { refresh: { userIds: string[] } }).refresh
      .userIds;
    expect(refreshed).toContain(APPROVER.id);
    expect(refreshed).not.toContain(ADMIN.id);
    const doneView = await press('reclaim.view', { requestId }, APPROVER);
    const undo = executeActions(doneView).find((x) => x.verb === 'reclaim.undo');
    expect(undo?.title).toMatch(/^Undo /);
    expect(cardText(await press('reclaim.undo', undo?.data, STRANGER))).toContain('Only the people in ADMINS');
    // No free seat (someone took it): the undo says so and changes nothing; with a seat bought, it goes through.
    const sku = h.demo.server.data.subscribedSkus.find((x) => x.skuId.toLowerCase() === COPILOT);
    if (!sku) throw new Error('no Copilot SKU');
    const enabled = sku.prepaidUnits.enabled;
    sku.prepaidUnits.enabled = sku.consumedUnits;
    await press('reclaim.undo', undo?.data, APPROVER);
    const refused = await until('the refused undo', () => itemsOf(requestId).find((i) => i.undoError !== null));
    expect(refused.undoError).toContain('No free seat of Microsoft_365_Copilot');
    expect(refused.state).toBe('removed');
    sku.prepaidUnits.enabled = enabled;
    await press('reclaim.undo', undo?.data, APPROVER);
    const undone = await until('the undo', () => itemsOf(requestId).find((i) => i.state === 'undone'));
    expect(holdsCopilot(h.demo.server.data, undone.userId)).toEqual([
      { groupId: null, disabledPlans: undone.disabledPlans ?? [] },
    ]);

    // The trail over REST.
    const res = await fetch(`${h.app.url}/api/v1/m365/tenants/${tenantId}/reclaims?state=removed`, {
      headers: { authorization: `Bearer ${TEST_API_KEY}` },
    });
    expect(res.status).toBe(200);
    const body = (await res.json()) as {
      data: Array<{ state: string; transitions: unknown[] }>;
      freed_to_date: { seats: number };
    };
    expect(body.data.every((d) => d.state === 'removed')).toBe(true);
    expect(body.freed_to_date.seats).toBe(1);
    // The status card counts it.
    connector.clear();
    await post(h.app.url, { ...message(serviceUrl, room, 'status'), from: ADMIN });
    await connector.waitFor((m) => m.some((a) => (a.activity.attachments?.length ?? 0) > 0));
    // A removed seat is still billed until the subscription is reduced: freed, not "saved".
    const statusText = cardText(connector.messages()[0].activity.attachments?.[0]?.content);
    expect(statusText).toContain(
      '1 Copilot seat freed by reclaims to date; still paid for until the subscription is reduced, then $30 a month less.',
    );
    expect(statusText).not.toMatch(/a month saved|Saved \$/);
    const bad = await fetch(`${h.app.url}/api/v1/m365/tenants/${tenantId}/reclaims?state=gone`, {
      headers: { authorization: `Bearer ${TEST_API_KEY}` },
    });
    expect(bad.status).toBe(400);
  });

  it('requests the seats ticked on the inactive card, refusing non-admins and tampered ids', async () => {
    const picks = idleSeats('direct').slice(5, 7);
    // The inactive card names people, so it is where they may be named: the admin's personal chat.
    const mine = personal();
    const before = h.app.reclaims.history({ tenantId, offset: 0, limit: 1 }).total;
    expect(
      cardText(
        await press(
          'reclaim.request',
          { tenantId, users: picks.map((p) => p.userId).join(',') },
          STRANGER,
          'manual',
          mine,
        ),
      ),
    ).toContain('Only Seat Steward admins');
    expect(
      cardText(
        await press('reclaim.request', { tenantId, users: `${picks[0].userId},1 OR 1=1` }, ADMIN, 'manual', mine),
      ),
    ).toContain('This reclaim request is not valid');
    expect(h.app.reclaims.history({ tenantId, offset: 0, limit: 1 }).total).toBe(before);
    const page = await press(
      'reclaim.request',
      { tenantId, users: picks.map((p) => p.userId).join(',') },
      ADMIN,
      'manual',
      mine,
    );
    expect(cardText(page)).toContain('reclaim request for 2 seats posted here for approval');
    expect(cardText(page)).toContain('Copilot seats to take back');
    const latest = latestRequest();
    expect(
      itemsOf(latest.requestId)
        .map((i) => i.userId)
        .sort(),
    ).toEqual(picks.map((p) => p.userId.toLowerCase()).sort());
    // Asking again for the same seats: already in an open request, nothing new.
    expect(
      cardText(await press('reclaim.request', { tenantId, users: picks[0].userId }, ADMIN, 'manual', mine)),
    ).toContain('already in another open request');
  });

  it('re-checks before removing: skips a seat someone removed meanwhile and a group seat without "remove from group"; removes from the group when chosen', async () => {
    const gone = idleSeats('direct')[2];
    const groups = idleSeats('group');
    expect(groups.length).toBeGreaterThanOrEqual(2);
    await say(`reclaim ${gone.upn}, ${groups[0].upn}, ${groups[1].upn}`);
    const requestId = latestRequest().requestId;
    // Someone removes the licence in the admin center after the request.
    const user = h.demo.server.data.users.find((u) => u.id === gone.userId) as GraphUser;
    user.licenseAssignmentStates = user.licenseAssignmentStates.filter((s) => s.skuId.toLowerCase() !== COPILOT);
    user.assignedLicenses = user.assignedLicenses.filter((s) => s.skuId.toLowerCase() !== COPILOT);
    const view = await press('reclaim.view', { requestId }, APPROVER);
    const toggles = JSON.stringify(view).match(/"group:\d+"/g) ?? [];
    expect(toggles).toHaveLength(2);
    const second = itemsOf(requestId).find((i) => i.userId === groups[1].userId) as ReclaimItem;
    await approve(requestId, { [`group:${second.id}`]: 'true' });
    await until('all decided', () =>
      itemsOf(requestId).every((i) => ['removed', 'skipped', 'failed'].includes(i.state)) ? true : undefined,
    );
    const byUser = new Map(itemsOf(requestId).map((i) => [i.userId, i]));
    expect(byUser.get(gone.userId)?.skipCode).toBe('licence_gone');
    expect(byUser.get(groups[0].userId)?.skipCode).toBe('group_inherited');
    expect(holdsCopilot(h.demo.server.data, groups[0].userId)).toHaveLength(1);
    expect(byUser.get(groups[1].userId)?.state).toBe('removed');
    expect(holdsCopilot(h.demo.server.data, groups[1].userId)).toEqual([]);
  });

  it('retries a per-item 429 inside $batch and fails clearly without the write permission', async () => {
    const [slow, denied] = idleSeats('direct').slice(3, 5);
    h.demo.server.faults.add({
      method: 'POST',
      path: new RegExp(`/users/${slow.userId}/assignLicense`, 'i'),
      status: 429,
      retryAfterSeconds: 1,
      times: 1,
    });
    await say(`reclaim ${slow.upn}`);
    const first = latestRequest().requestId;
    await approve(first);
    await until('the throttled removal', () => (itemsOf(first)[0]?.state === 'removed' ? true : undefined));
    const tries = h.demo.server.requests
      .filter((r) => r.inBatch && /assignLicense/.test(r.path) && r.path.includes(slow.userId))
      .map((r) => r.status);
    expect(tries).toEqual([429, 200]);

    // Graph's answer for an app without LicenseAssignment.ReadWrite.All, for this one item.
    h.demo.server.faults.add({
      method: 'POST',
      path: new RegExp(`/users/${denied.userId}/assignLicense`, 'i'),
      status: 403,
      code: 'Authorization_RequestDenied',
      times: 1,
    });
    await say(`reclaim ${denied.upn}`);
    const second = latestRequest().requestId;
    await approve(second);
    const failed = await until('the refusal', () =>
      itemsOf(second)[0]?.state === 'failed' ? itemsOf(second)[0] : undefined,
    );
    expect(failed.stateReason).toContain('LicenseAssignment.ReadWrite.All');
    expect(holdsCopilot(h.demo.server.data, denied.userId)).toHaveLength(1);
  });

  it('reclaims and gives the seat to the offered candidate when the approver chooses it, each exactly once; no Undo then', async () => {
    const unasked = (seat: { userId: string }) =>
      h.app.reclaims.history({ tenantId, user: seat.userId, offset: 0, limit: 1 }).total === 0;
    // Disabled accounts too: the enabled idle direct seats are used up by the tests before.
    const direct = (
      h.app.analytics.seats(tenantId, { recommendation: 'reclaim', offset: 0, limit: 500 })?.rows ?? []
    ).filter((x) => x.direct && x.groups.length === 0);
    const [given, kept] = direct.map((x) => ({ userId: x.userId, upn: x.userPrincipalName })).filter(unasked);
    const [other] = idleSeats('group').filter(unasked);
    expect([given, kept, other].every(Boolean)).toBe(true);
    await say(`reclaim ${given.upn}, ${kept.upn}`);
    const requestId = latestRequest().requestId;
    // In request order (the history lists newest first).
    const items = itemsOf(requestId).sort((a, b) => a.id - b.id);
    const offers = items.map((i) => i.reassignTo?.userId);
    // Each seat is offered to a different candidate, best first, never to a holder of this request.
    expect(offers.every((o) => typeof o === 'string')).toBe(true);
    expect(new Set(offers).size).toBe(2);
    const ranked =
      h.app.analytics.candidates(tenantId, { offset: 0, limit: 50 })?.rows.map((c) => c.userId.toLowerCase()) ?? [];
    const takenBefore = h.app.reclaims
      .history({ tenantId, offset: 0, limit: 500 })
      .items.filter(
        (i) =>
          i.requestId !== requestId && ['requested', 'nudged', 'approved', 'rechecking', 'removing'].includes(i.state),
      )
      .map((i) => i.reassignTo?.userId);
    expect(offers).toEqual(ranked.filter((c) => !takenBefore.includes(c)).slice(0, 2));
    for (const o of offers) expect(holdsCopilot(h.demo.server.data, o as string)).toEqual([]);
    // A second open request offers other candidates.
    await say(`reclaim ${other.upn}`);
    const otherRequest = latestRequest();
    expect(offers).not.toContain(otherRequest.reassignTo?.userId);

    const view = await press('reclaim.view', { requestId }, APPROVER);
    expect(cardText(view)).toContain('Can go to');
    const gives = JSON.stringify(view).match(/"give:\d+"/g) ?? [];
    expect(gives).toHaveLength(2);
    const givenItem = items.find((i) => i.userId === given.userId.toLowerCase()) as ReclaimItem;
    // A toggle naming another request's seat is ignored: only this request's seats move.
    await approve(requestId, { [`give:${givenItem.id}`]: 'true', [`give:${otherRequest.id}`]: 'true' });
    const done = await until('the seat given', () => {
      const i = itemsOf(requestId).find((x) => x.id === givenItem.id);
      return i?.reassignState === 'assigned' ? i : undefined;
    });
    const candidate = done.reassignTo?.userId as string;
    expect(holdsCopilot(h.demo.server.data, given.userId)).toEqual([]);
    expect(holdsCopilot(h.demo.server.data, candidate)).toEqual([
      { groupId: null, disabledPlans: done.disabledPlans ?? [] },
    ]);
    const assigns = h.demo.server.requests.filter(
      (r) => r.inBatch && r.method === 'POST' && r.path.toLowerCase().includes(`/users/${candidate}/assignlicense`),
    );
    expect(assigns.map((r) => r.status)).toEqual([200]);
    expect(done.transitions.map((t) => t.reason)).toEqual(
      expect.arrayContaining([expect.stringContaining('Giving the seat to'), expect.stringMatching(/^Given to /)]),
    );
    // The other seat was removed and not given: its candidate still has no seat.
    await until('the other removed', () => (itemsOf(requestId).every((i) => i.state === 'removed') ? true : undefined));
    const notGiven = itemsOf(requestId).find((i) => i.id !== givenItem.id) as ReclaimItem;
    expect(notGiven.reassignState).toBeNull();
    expect(holdsCopilot(h.demo.server.data, notGiven.reassignTo?.userId as string)).toEqual([]);
    expect(itemsOf(otherRequest.requestId)[0].state).toBe('requested');
    const rest = await fetch(`${h.app.url}/api/v1/m365/tenants/${tenantId}/reclaims?user=${given.upn}`, {
      headers: { authorization: `Bearer ${TEST_API_KEY}` },
    });
    const restItem = ((await rest.json()) as { data: Array<Record<string, unknown>> }).data[0];
    expect(restItem).toMatchObject({
      reassign_state: 'assigned',
      reassign_to: { user_id: candidate },
      nudge_outcome: null,
    });
    const finalView = await press('reclaim.view', { requestId }, APPROVER);
    expect(cardText(finalView)).toContain('Given to ');
    // Undo would take the seat from the candidate: refused, saying why.
    expect(cardText(await press('reclaim.undo', { itemId: givenItem.id }, APPROVER))).toContain('was given to');
    expect(holdsCopilot(h.demo.server.data, candidate)).toHaveLength(1);
    await press('reclaim.reject', { requestId: otherRequest.requestId }, APPROVER);
  });
});

describe('reclaim, RECLAIM_MODE=dry-run (the default)', () => {
  it('walks the workflow and changes nothing in the tenant', async () => {
    const data = generateDemoTenant({ users: 200, seed: 5 });
    const { h, tenantId } = await startSyncedHarness({
      data,
      config: { ADMINS: `${ADMIN.aadObjectId},${APPROVER.aadObjectId}` },
      app: { outbox: { pollIntervalMs: 50 } },
    });
    const connector = new ConnectorRecorder();
    const serviceUrl = await connector.start();
    try {
      const seat = h.app.analytics
        .seats(tenantId, { recommendation: 'reclaim', offset: 0, limit: 100 })
        ?.rows.find((s) => s.direct && s.groups.length === 0 && s.accountEnabled);
      if (!seat) throw new Error('no direct idle seat in the demo tenant');
      const room = channel();
      await post(h.app.url, { ...message(serviceUrl, room, `reclaim ${seat.userPrincipalName}`), from: ADMIN });
      const requestId = await until(
        'the request',
        () => h.app.reclaims.history({ tenantId, offset: 0, limit: 1 }).items[0]?.requestId,
      );
      const seats = h.app.reclaims
        .history({ tenantId, offset: 0, limit: 1 })
        .items.map((i) => i.id)
        .join(',');
      const res = await post(h.app.url, {
        ...cardAction(serviceUrl, room, 'reclaim.approve', { requestId, seats }),
        from: APPROVER,
      });
      expect(cardText((res.body as { value: Card }).value)).toContain('DRY RUN');
      const item = await until('the dry run', () => {
        const i = h.app.reclaims.history({ tenantId, offset: 0, limit: 1 }).items[0];
        return i?.state === 'skipped' ? i : undefined;
      });
      expect(item.skipCode).toBe('dry_run');
      expect(item.stateReason).toContain('would have removed');
      expect(holdsCopilot(h.demo.server.data, seat.userId)).toHaveLength(1);
      expect(h.demo.server.requests.filter((r) => /assignLicense/.test(r.path))).toEqual([]);
      expect(h.app.reclaims.freed(tenantId).seats).toBe(0);

      // "Ask the holders first" in a dry run asks nobody and installs nothing: straight to the approvers.
      const other = h.app.analytics
        .seats(tenantId, { recommendation: 'reclaim', offset: 0, limit: 100 })
        ?.rows.find((s) => s.direct && s.groups.length === 0 && s.userId !== seat.userId);
      if (!other) throw new Error('no second idle seat in the demo tenant');
      const before = connector.messages().length;
      await post(h.app.url, { ...message(serviceUrl, room, `reclaim ask ${other.userPrincipalName}`), from: ADMIN });
      const asked = await until('the dry-run nudge', () => {
        const i = h.app.reclaims.history({ tenantId, user: other.userId, offset: 0, limit: 1 }).items[0];
        return i?.nudgeOutcome === 'dry_run' ? i : undefined;
      });
      expect(asked.state).toBe('requested');
      expect(asked.stateReason).toContain('Dry run: the holder was not asked');
      expect(
        h.app.reclaims.view(asked.requestId, { aadObjectId: APPROVER.aadObjectId, name: APPROVER.name }, new Date())
          ?.phase,
      ).toBe('awaiting_approval');
      expect(h.demo.server.requests.filter((r) => /teamwork\/installedApps/.test(r.path))).toEqual([]);
      expect(
        connector
          .messages()
          .slice(before)
          .filter((m) => cardText(m.activity.attachments?.[0]?.content ?? {}).includes('Keep your seat?')),
      ).toEqual([]);
    } finally {
      await h.close();
      await connector.stop();
    }
  });

  it('the digest\'s "Reclaim N certain seats" button requests every certain seat, for admins only', async () => {
    const data = generateDemoTenant({ users: 200, seed: 5 });
    const { h, tenantId } = await startSyncedHarness({
      data,
      config: { ADMINS: ADMIN.aadObjectId },
      app: { outbox: { pollIntervalMs: 50 } },
    });
    const connector = new ConnectorRecorder();
    const serviceUrl = await connector.start();
    try {
      const tenant = h.app.tenants.list()[0];
      const digest = valid(h.app.digests.service.card(tenant, '2026-11-24', new Date()) as Card);
      const certain =
        h.app.analytics.seats(tenantId, { recommendation: 'reclaim', tier: 'certain', offset: 0, limit: 500 })?.total ??
        0;
      expect(certain).toBeGreaterThan(0);
      const button = executeActions(digest).find((a) => a.verb === 'reclaim.request');
      expect(button?.title).toBe(`Reclaim ${certain} certain seat${certain === 1 ? '' : 's'}`);
      expect(button?.data).toEqual({ tenantId, tier: 'certain', open: 'message' });
      const room = channel();
      const pressAs = async (from: object, value: unknown) => {
        const res = await post(h.app.url, { ...cardAction(serviceUrl, room, 'reclaim.request', value), from });
        expect(res.status).toBe(200);
        return res.body as { type: string; value: unknown };
      };
      // The digest stays as it was: every answer is a message to the presser, never a card in its place.
      const digestNote = (body: { type: string; value: unknown }) => {
        expect(body.type).toBe('application/vnd.microsoft.activity.message');
        return String(body.value);
      };
      expect(digestNote(await pressAs(APPROVER, button?.data))).toContain('Only Seat Steward admins');
      expect(
        cardText(valid((await pressAs(ADMIN, { tenantId, tier: 'everyone', open: 'message' })).value as Card)),
      ).toContain('This reclaim request is not valid');
      expect(h.app.reclaims.history({ tenantId, offset: 0, limit: 1 }).total).toBe(0);
      // One certain seat is already in an open request: the answer says it was left out, and why.
      const [taken] =
        h.app.analytics.seats(tenantId, { recommendation: 'reclaim', tier: 'certain', offset: 0, limit: 1 })?.rows ??
        [];
      await pressAs(ADMIN, { tenantId, users: taken.userId });
      const note = digestNote(await pressAs(ADMIN, button?.data));
      expect(note).toContain(`reclaim request for ${certain - 1} of the ${certain} seats`);
      expect(note).toMatch(/1 left out/);
      expect(note).toContain('already in another open request');
      // More than SEATS_PER_REQUEST: one request (one card, one approval) per 10 seats.
      expect(
        new Set(h.app.reclaims.history({ tenantId, offset: 0, limit: 500 }).items.map((i) => i.requestId)).size,
      ).toBe(1 + Math.ceil((certain - 1) / 10));
      const items = h.app.reclaims.history({ tenantId, offset: 0, limit: 500 }).items;
      expect(items).toHaveLength(certain);
      expect(items.every((i) => i.evidence.tier === 'certain' && i.state === 'requested')).toBe(true);
      const request = h.app.reclaims.view(
        items.find((i) => i.userId !== taken.userId.toLowerCase())?.requestId ?? '',
        { aadObjectId: undefined, name: undefined },
        new Date(),
      )?.request;
      expect(request?.source).toBe('digest');
    } finally {
      await h.close();
      await connector.stop();
    }
  });
});
