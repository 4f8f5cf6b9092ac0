import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateDemoTenant } from '../demo-tenant/generator';
import type { DemoTenantData } from '../demo-tenant/model';
import { DEFAULT_APP_ROLES } from '../demo-tenant/constants';
import { holdsCopilot, until, valid, type Card } from './helpers/reclaim-kit';
import { ConnectorRecorder, cardText, executeActions } from './helpers/connector-recorder';
import { startHarness, startSyncedHarness, TEST_API_KEY, type Harness } from './helpers/harness';
import { ADMIN, cardAction, channel, message, personal, post } from './helpers/teams-activities';
import type { ReclaimItem } from '../src/domain/reclaim-request';
import { createLogger } from '../src/adapters/logging/logger';

/**
 * The re-check reads activity newer than the last sync before any removal: a holder who used
 * Copilot after the sync (a new CopilotInteraction record in the audit log) keeps the seat, and a
 * seat whose fresh activity cannot be read in time is not removed on old evidence. Real activities
 * to /api/messages, a second person approves, the demo tenant serves the audit log over HTTPS.
 */
const APPROVER = { id: '29:approver', name: 'Adele Approver', aadObjectId: '2b3c4d5e-6f70-4182-93a4-b5c6d7e8f901' };

interface Rig {
  h: Harness;
  tenantId: string;
  connector: ConnectorRecorder;
  serviceUrl: string;
  data: DemoTenantData;
}

async function startRig(config: Record<string, string>, seed: number): Promise<Rig> {
  const data = generateDemoTenant({ users: 400, seed });
  const { h, tenantId } = await startSyncedHarness({
    data,
    config: {
      RECLAIM_MODE: 'on',
      ADMINS: `${ADMIN.aadObjectId},${APPROVER.aadObjectId}`,
      AUDIT_POLL_SECONDS: '0.05',
      AUDIT_QUERY_WAIT_SECONDS: '0.3',
      ...config,
    },
    app: { outbox: { pollIntervalMs: 50 }, logger: createLogger('silent') },
  });
  const connector = new ConnectorRecorder();
  const serviceUrl = await connector.start();
  return { h, tenantId, connector, serviceUrl, data };
}

const room = channel();

/** Idle direct seats as the first look saw them: an executed reclaim syncs the tenant, and the current list shrinks. */
const pools = new WeakMap<Rig, Array<{ userId: string; upn: string }>>();
function idleDirectSeats(rig: Rig): Array<{ userId: string; upn: string }> {
  const known = pools.get(rig);
  if (known) return known;
  const page = rig.h.app.analytics.seats(rig.tenantId, { recommendation: 'reclaim', offset: 0, limit: 500 });
  const seats = (page?.rows ?? [])
    .filter((s) => s.accountEnabled && s.direct && s.groups.length === 0)
    .map((s) => ({ userId: s.userId, upn: s.userPrincipalName }));
  pools.set(rig, seats);
  return seats;
}

async function requestAndApprove(rig: Rig, upns: string[]): Promise<string> {
  rig.connector.clear();
  expect(
    (await post(rig.h.app.url, { ...message(rig.serviceUrl, room, `reclaim now ${upns.join(', ')}`), from: ADMIN }))
      .status,
  ).toBe(200);
  await rig.connector.waitFor((m) => m.some((a) => typeof a.activity.text === 'string'));
  const requestId = (
    rig.h.app.reclaims.history({ tenantId: rig.tenantId, offset: 0, limit: 1 }).items[0] as ReclaimItem
  ).requestId;
  // As an approver does: open the request (Review), then press the Approve button that view carries.
  const view = await post(rig.h.app.url, {
    ...cardAction(rig.serviceUrl, room, 'reclaim.view', { requestId }),
    from: APPROVER,
  });
  const approve = executeActions(valid((view.body as { value: Card }).value)).find((a) => a.verb === 'reclaim.approve');
  expect(approve?.data).toBeDefined();
  const res = await post(rig.h.app.url, {
    ...cardAction(rig.serviceUrl, room, 'reclaim.approve', approve?.data),
    from: APPROVER,
  });
  expect(res.status).toBe(200);
  expect(cardText(valid((res.body as { value: Card }).value))).not.toContain('not approved');
  return requestId;
}

const itemsOf = (rig: Rig, requestId: string) =>
  rig.h.app.reclaims
    .history({ tenantId: rig.tenantId, offset: 0, limit: 500 })
    .items.filter((i) => i.requestId === requestId);
const settled = (rig: Rig, requestId: string) => () => {
  const items = itemsOf(rig, requestId);
  return items.length > 0 && items.every((i) => ['removed', 'skipped', 'failed'].includes(i.state)) ? items : undefined;
};
const cardUpdates = (rig: Rig) =>
  rig.connector.activities.filter((m) => m.method === 'PUT').map((m) => cardText(m.activity.attachments?.[0]?.content));

describe('reclaim re-check: fresh activity from the audit log', () => {
  let rig: Rig;
  beforeAll(async () => {
    rig = await startRig({ RECLAIM_RECHECK_WAIT_MINUTES: '0.05' }, 21);
    idleDirectSeats(rig);
  });
  afterAll(async () => {
    await rig?.h.close();
    await rig?.connector.stop();
  });

  it('keeps the seat of a holder who used Copilot after the last sync, reading only the seats being removed', async () => {
    const [active, idle, bystander] = idleDirectSeats(rig);
    // After the sync: the holder uses Copilot, and so does someone who is not in the request.
    const justNow = new Date(Date.now() - 90_000).toISOString();
    rig.data.audit = {
      ...rig.data.audit,
      extraRecords: [
        { id: '0f6a3e1c-1111-4a1b-8c2d-000000000001', userId: active.userId, at: justNow, appHost: 'Word' },
        { id: '0f6a3e1c-1111-4a1b-8c2d-000000000002', userId: bystander.userId, at: justNow, appHost: 'Word' },
      ],
    };
    const requestId = await requestAndApprove(rig, [active.upn, idle.upn]);
    const items = await until('the re-check', settled(rig, requestId));

    const kept = items.find((i) => i.userId === active.userId.toLowerCase()) as ReclaimItem;
    expect(kept.state).toBe('skipped');
    expect(kept.skipCode).toBe('became_active');
    expect(kept.stateReason).toContain('the audit log');
    expect(kept.stateReason).toMatch(/activity checked up to \d+ \w{3} \d{4} \d\d:\d\d UTC from the audit log/);
    expect(holdsCopilot(rig.h.demo.server.data, active.userId)).toHaveLength(1);
    const removed = items.find((i) => i.userId === idle.userId.toLowerCase()) as ReclaimItem & {
      transitions: Array<{ to: string; reason: string | null }>;
    };
    expect(removed.state).toBe('removed');
    expect(holdsCopilot(rig.h.demo.server.data, idle.userId)).toEqual([]);
    // The trail says how fresh the re-check was.
    expect(removed.transitions.find((t) => t.to === 'removing')?.reason).toMatch(
      /^Re-check passed \(activity checked up to .+ UTC from the audit log \(Microsoft Graph\)\): removing\.$/,
    );

    // One query scoped to exactly the two holders; the bystander was not read (the sync that follows
    // a reclaim reads everyone, so the cache is not the place to check this).
    const scoped = rig.h.demo.server.auditQueries().filter((q) => q.userPrincipalNameFilters.length > 0);
    expect(scoped.map((q) => [...q.userPrincipalNameFilters].sort())).toEqual([
      [active.upn.toLowerCase(), idle.upn.toLowerCase()].sort(),
    ]);
    // Its window starts where the sync's audit coverage ended (less the overlap), not at the evidence.
    expect(Date.now() - Date.parse(scoped[0].start)).toBeLessThan(60 * 60_000);
    // The card says how fresh it was.
    const done = await until('the done card', () =>
      cardUpdates(rig).find((t) => t.includes('Done · 1 removed, 1 skipped')),
    );
    expect(done).toMatch(/activity checked up to .+ UTC from the audit log/);
    // The removal syncs the tenant at once: the idle lists and the figures follow without waiting for the schedule.
    const listed = () =>
      (rig.h.app.analytics.seats(rig.tenantId, { recommendation: 'reclaim', offset: 0, limit: 500 })?.rows ?? []).map(
        (r) => r.userId,
      );
    await until('the removed seat to leave the idle list', () =>
      listed().includes(idle.userId.toLowerCase()) ? undefined : true,
    );
    expect(listed()).not.toContain(idle.userId.toLowerCase());
  });

  it('waits while the audit log query runs, says so on the card, then skips the seat rather than remove it on old evidence', async () => {
    const [seat] = idleDirectSeats(rig).slice(5);
    // The query never finishes within the wait (RECLAIM_RECHECK_WAIT_MINUTES is read per request at its first wait).
    rig.data.audit = { ...rig.data.audit, queryPolls: 1_000_000 };
    rig.connector.clear();
    const requestId = await requestAndApprove(rig, [seat.upn]);
    const waiting = await until('the waiting card', () =>
      cardUpdates(rig).find((t) => t.includes('re-checking: waiting for the audit log until')),
    );
    expect(waiting).toMatch(/waiting for the audit log until \d+ \w{3} \d{4} \d\d:\d\d UTC/);
    const [item] = await until('the skip', settled(rig, requestId), 30_000);
    expect(item.state).toBe('skipped');
    expect(item.skipCode).toBe('stale_evidence');
    expect(item.stateReason).toContain('is still running');
    expect(item.stateReason).toContain('never removed on old evidence');
    expect(holdsCopilot(rig.h.demo.server.data, seat.userId)).toHaveLength(1);
    // The running query was polled by each attempt, never created again.
    const created = rig.h.demo.server.requests.filter(
      (r) =>
        r.method === 'POST' &&
        /security\/auditLog\/queries$/.test(r.path) &&
        r.startedAt >= Date.parse(item.transitions?.[0]?.at ?? '0'),
    );
    expect(created).toHaveLength(1);
    rig.data.audit = { ...rig.data.audit, queryPolls: 0 };
  });
});

describe('reclaim re-check without a readable audit source', () => {
  it('skips the seat (RECLAIM_RECHECK_AUDIT=required), and goes on with the usage report when best-effort', async () => {
    for (const [mode, expected] of [
      ['required', 'skipped'],
      ['best-effort', 'removed'],
    ] as const) {
      const data = generateDemoTenant({ users: 400, seed: 23 });
      // Neither audit road is granted: AuditLogsQuery.Read.All and ActivityFeed.Read are missing.
      data.app.roles = (data.app.roles ?? [...DEFAULT_APP_ROLES]).filter(
        (r) => r !== 'AuditLogsQuery.Read.All' && r !== 'ActivityFeed.Read',
      );
      const rig = await startRigAllowingWarnings({ RECLAIM_RECHECK_AUDIT: mode }, data);
      try {
        const [seat] = idleDirectSeats(rig);
        const requestId = await requestAndApprove(rig, [seat.upn]);
        const [item] = await until('the re-check', settled(rig, requestId));
        expect(item.state).toBe(expected);
        if (mode === 'required') {
          expect(item.skipCode).toBe('stale_evidence');
          expect(item.stateReason).toContain('no audit source has been read for this tenant');
        } else {
          expect(item.transitions?.find((t) => t.to === 'removing')?.reason).toContain(
            'from the Copilot usage report (no audit source readable)',
          );
        }
      } finally {
        await rig.h.close();
        await rig.connector.stop();
      }
    }
  });
});

/** A sync that is partial (the audit sources refused) still publishes the analytics. */
async function startRigAllowingWarnings(config: Record<string, string>, data: DemoTenantData): Promise<Rig> {
  const h = await startHarness({
    data,
    config: { RECLAIM_MODE: 'on', ADMINS: `${ADMIN.aadObjectId},${APPROVER.aadObjectId}`, ...config },
    app: { outbox: { pollIntervalMs: 50 }, logger: createLogger('silent') },
  });
  const tenantId = h.app.tenants.list()[0].id;
  await h.app.sync.request(tenantId, 'test').done;
  const connector = new ConnectorRecorder();
  const serviceUrl = await connector.start();
  return { h, tenantId, connector, serviceUrl, data };
}

describe('approvers configured by UPN', () => {
  it('get the approver view automatically (refresh.userIds), resolved through the directory; the requester is left out under the two-person rule', async () => {
    const data = generateDemoTenant({ users: 300, seed: 27 });
    const person = data.users.find((u) => u.accountEnabled && u.userType === 'Member');
    if (!person) throw new Error('no member in the demo tenant');
    const approver = { id: '29:upn-approver', name: person.displayName, aadObjectId: person.id };
    const { h, tenantId } = await startSyncedHarness({
      data,
      config: {
        RECLAIM_MODE: 'on',
        ADMINS: `${ADMIN.aadObjectId},${person.userPrincipalName.toUpperCase()}`,
        RECLAIM_APPROVERS: `${person.userPrincipalName},${ADMIN.aadObjectId}`,
      },
      app: { outbox: { pollIntervalMs: 50 }, logger: createLogger('silent') },
    });
    const connector = new ConnectorRecorder();
    const serviceUrl = await connector.start();
    try {
      // The approver has talked to the bot: Teams ids are known only for people who have.
      await post(h.app.url, { ...message(serviceUrl, room, 'help'), from: approver });
      await connector.waitFor((m) =>
        m.some((a) => typeof a.activity.text === 'string' || (a.activity.attachments?.length ?? 0) > 0),
      );
      // A seat on the first page of the idle list, so the list can be checked for its mark below.
      const first = (
        h.app.analytics.seats(tenantId, { recommendation: 'reclaim', offset: 0, limit: 10 })?.rows ?? []
      ).find((s) => s.accountEnabled && s.direct && s.groups.length === 0);
      if (!first) throw new Error('no idle direct seat on the first page');
      const seat = { userId: first.userId, upn: first.userPrincipalName };
      connector.clear();
      await post(h.app.url, { ...message(serviceUrl, room, `reclaim now ${seat.upn}`), from: ADMIN });
      const posted = await until('the request card', () =>
        connector
          .messages()
          .find(
            (m) => m.method === 'POST' && cardText(m.activity.attachments?.[0]?.content).includes('Reclaim request'),
          ),
      );
      const card = valid(posted.activity.attachments?.[0]?.content as Card);
      const ids = (card.refresh as { userIds: string[] }).userIds;
      expect(ids).toContain(approver.id);
      expect(ids).not.toContain(ADMIN.id);

      // Every list marks a seat an open request walks: the REST rows and the inactive card (not offered again).
      const res = await fetch(
        `${h.app.url}/api/v1/m365/tenants/${tenantId}/copilot/seats?recommendation=reclaim&limit=500`,
        { headers: { authorization: `Bearer ${TEST_API_KEY}` } },
      );
      const rows = ((await res.json()) as { data: Array<{ user_id: string; reclaim: unknown }> }).data;
      expect(rows.find((r) => r.user_id === seat.userId.toLowerCase())?.reclaim).toEqual({
        status: 'in_request',
        state: 'requested',
        note: 'In an open reclaim request (waiting for a decision).',
      });
      expect(rows.filter((r) => r.reclaim !== null)).toHaveLength(1);
      connector.clear();
      await post(h.app.url, { ...message(serviceUrl, personal(), 'inactive'), from: ADMIN });
      const list = await until('the inactive card', () =>
        connector
          .messages()
          .find((m) => cardText(m.activity.attachments?.[0]?.content).includes('Copilot seats to take back')),
      );
      const listCard = valid(list.activity.attachments?.[0]?.content as Card);
      expect(cardText(listCard)).toContain('In an open reclaim request (waiting for a decision).');
      expect(JSON.stringify(listCard)).not.toContain(`"value":"${seat.userId}"`);
    } finally {
      await h.close();
      await connector.stop();
    }
  });
});
