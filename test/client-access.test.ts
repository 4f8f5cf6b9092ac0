import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EmbeddedDemoTenant } from '../src/app/demo-connection';
import { ConnectorRecorder, cardText, type RecordedActivity } from './helpers/connector-recorder';
import { addDemoCustomer } from './helpers/demo-customers';
import { LICENSE_GROUP_COPILOT_ID } from '../demo-tenant/constants';
import { startSyncedHarness, type Harness } from './helpers/harness';
import { ADMIN, cardAction, message, personal, post, type ConversationShape } from './helpers/teams-activities';

/**
 * Access per MSP client through the real app: the MSP's own tenant (no client) and two customer
 * tenants of two clients, each its own demo tenant over HTTPS. A technician granted client A sees
 * only A's tenant from every command, button and route; a colleague without grants sees only the
 * MSP's own tenant; an API key limited to client B reaches only B's tenant.
 */
const CLIENT_A = '1a2b3c4d-5e6f-4a7b-8c9d-0e1f2a3b4c5d';
const CLIENT_B = '6f5e4d3c-2b1a-4c9d-8e7f-6a5b4c3d2e1f';
const TECH_A = { id: '29:tech-a', name: 'Tess Tech', aadObjectId: 'aa11bb22-cc33-4d44-8e55-f66a77b88c99' };
const APPROVER_A = { id: '29:approver-a', name: 'Avery Approver', aadObjectId: 'bb22cc33-dd44-4e55-8f66-a77b88c99d00' };
const MEMBER = { id: '29:member', name: 'Morgan Member', aadObjectId: '5b0d4c1e-2f3a-4b5c-8d9e-0f1a2b3c4d5e' };
const ADMIN_KEY = 'access-admin-key-0123456789abcdef';
const B_KEY = 'client-b-key-0123456789abcdef';

let h: Harness;
let connector: ConnectorRecorder;
let serviceUrl: string;
const customers: EmbeddedDemoTenant[] = [];
const ids: { own: string; a: string; b: string } = { own: '', a: '', b: '' };
const names: { own: string; a: string; b: string } = { own: '', a: '', b: '' };

async function addCustomer(i: number, name: string, clientId: string): Promise<string> {
  const added = await addDemoCustomer(h.app, { index: i, name, clientId, users: 60, seed: 20 + i });
  customers.push(added.demo);
  return added.tenantId;
}

beforeAll(async () => {
  ({ h, tenantId: ids.own } = await startSyncedHarness({
    config: {
      ADMINS: ADMIN.aadObjectId,
      CLIENT_ACCESS: `${TECH_A.aadObjectId}=${CLIENT_A};${APPROVER_A.aadObjectId}=${CLIENT_A}:approve`,
      API_KEYS: `${ADMIN_KEY},${CLIENT_B}:${B_KEY}`,
    },
  }));
  ids.a = await addCustomer(1, 'Alpine Customer', CLIENT_A);
  ids.b = await addCustomer(2, 'Bayside Customer', CLIENT_B);
  names.own = h.app.tenants.find(ids.own)?.tenantName ?? '';
  names.a = h.app.tenants.find(ids.a)?.tenantName ?? '';
  names.b = h.app.tenants.find(ids.b)?.tenantName ?? '';
  connector = new ConnectorRecorder();
  serviceUrl = await connector.start();
}, 120_000);
afterAll(async () => {
  await h?.close();
  for (const c of customers) await c.close();
  await connector?.stop();
});

/** Every answer to one message (text and cards), flattened to text. */
async function say(from: typeof ADMIN, text: string): Promise<string> {
  const c: ConversationShape = personal();
  const mine = (all: RecordedActivity[]) => all.filter((m) => m.conversationId === c.conversationId);
  expect((await post(h.app.url, { ...message(serviceUrl, c, text), from })).status).toBe(200);
  await connector.waitFor((all) => mine(all).length > 0);
  // The turn's replies are sent before the POST answers, so all of them are in.
  return mine(connector.messages())
    .map((m) => [m.activity.text ?? '', ...(m.activity.attachments ?? []).map((a) => cardText(a.content))].join('\n'))
    .join('\n');
}

async function press(from: typeof ADMIN, verb: string, data: unknown): Promise<string> {
  const res = await post(h.app.url, { ...cardAction(serviceUrl, personal(), verb, data), from });
  expect(res.status).toBe(200);
  return JSON.stringify(res.body);
}

/** A reclaim request of every idle seat of the tenant, asked by an admin. */
async function requestEverySeatIn(tenantId: string): Promise<string> {
  const outcome = await h.app.reclaims.request(
    {
      tenantId,
      caller: { aadObjectId: ADMIN.aadObjectId, name: ADMIN.name },
      pick: { tier: 'all' },
      source: 'command',
      replyTarget: { serviceUrl, conversation: { id: 'a:approvals' } },
    },
    new Date(),
  );
  expect(outcome.kind).toBe('created');
  return outcome.kind === 'created' ? outcome.requests[0]!.id : '';
}

async function api(key: string, path: string, init: RequestInit = {}): Promise<{ status: number; body: unknown }> {
  const res = await fetch(`${h.app.url}${path}`, {
    ...init,
    headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
  });
  return { status: res.status, body: await res.json() };
}

describe('access per MSP client in chat', () => {
  it('a technician granted client A sees only its tenant from status, portfolio and the per-user lists', async () => {
    const status = await say(TECH_A, 'status');
    expect(status).toContain(names.a);
    expect(status).not.toContain(names.own);
    expect(status).not.toContain(names.b);

    const portfolio = await say(TECH_A, 'portfolio');
    expect(portfolio).toContain('Copilot portfolio · 1 tenant');
    expect(portfolio).toContain(names.a);
    expect(portfolio).not.toContain(names.b);

    // Naming another client's tenant finds nothing, and the hint lists only the technician's own.
    const named = await say(TECH_A, 'status bayside');
    expect(named).toContain('No tenant matches "bayside"');
    expect(named).not.toContain(names.b);

    const departments = await say(TECH_A, 'departments');
    expect(departments).toContain(names.a);
    expect(departments).not.toContain(names.b);
    expect(departments).not.toContain(names.own);

    // Granted a client, the technician is that tenant's admin: the per-user list is theirs.
    const inactive = await say(TECH_A, 'inactive');
    expect(inactive).not.toContain('Only Seat Steward admins');
    expect(inactive).toContain(names.a);
    expect(inactive).not.toContain(names.b);
  });

  it('buttons carrying another client’s tenant answer as for a tenant that does not exist', async () => {
    for (const [verb, data] of [
      ['tenant.status', { tenantId: ids.b }],
      ['tenant.sync', { tenantId: ids.b }],
      ['portfolio.open', { tenantId: ids.b }],
      ['inactive.page', { tenantId: ids.b, page: 1 }],
      ['export.link', { tenantId: ids.b, kind: 'underutilized' }],
    ] as const) {
      const answer = await press(TECH_A, verb, data);
      expect(answer, verb).not.toContain(names.b);
      expect(answer, verb).toMatch(/does not know|Unknown tenant|not valid|no longer/);
    }
    expect(h.app.runs.latest(ids.b)?.trigger).toBe('test');
  });

  it('a reclaim request of another client’s tenant does not exist for the technician', async () => {
    const requestId = await requestEverySeatIn(ids.b);
    const tech = { aadObjectId: TECH_A.aadObjectId, name: TECH_A.name };
    expect(h.app.reclaims.view(requestId, tech, new Date())).toBeUndefined();
    expect(h.app.reclaims.reject(requestId, tech, null, new Date()).kind).toBe('refused');
    expect(
      h.app.reclaims.view(requestId, { aadObjectId: ADMIN.aadObjectId, name: ADMIN.name }, new Date()),
    ).toBeDefined();
    const viewed = await press(TECH_A, 'reclaim.view', { requestId });
    expect(viewed).not.toContain(names.b);
  });

  it('a grant with approve lets its technician approve reclaims in that client’s tenant, and only there', async () => {
    const inA = await requestEverySeatIn(ids.a);
    const approver = { aadObjectId: APPROVER_A.aadObjectId, name: APPROVER_A.name };
    expect(h.app.reclaims.view(inA, approver, new Date())?.rights.canDecide).toBe(true);
    // Seeing the tenant is not approving in it.
    expect(
      h.app.reclaims.view(inA, { aadObjectId: TECH_A.aadObjectId, name: TECH_A.name }, new Date())?.rights.canDecide,
    ).toBe(false);
    expect(h.app.reclaims.reject(inA, approver, 'not now', new Date()).kind).toBe('done');
    // The approver's grant is for client A: the MSP's own tenant does not exist for them.
    const inOwn = await requestEverySeatIn(ids.own);
    expect(h.app.reclaims.view(inOwn, approver, new Date())).toBeUndefined();
  });

  it('someone without grants sees the MSP’s own tenant only; a grant through the REST API opens client B to them', async () => {
    const before = await say(MEMBER, 'status');
    expect(before).toContain(names.own);
    expect(before).not.toContain(names.a);
    expect(before).not.toContain(names.b);

    const put = await api(ADMIN_KEY, '/api/v1/m365/access/grants', {
      method: 'PUT',
      body: JSON.stringify({ principal: MEMBER.aadObjectId, client_id: CLIENT_B }),
    });
    expect(put.status).toBe(200);
    const after = await say(MEMBER, 'status');
    expect(after).toContain(names.b);
    expect(after).not.toContain(names.a);
    // Granted clients only: the MSP's own tenant is no longer in their view.
    expect(after).not.toContain(names.own);

    const list = (await api(ADMIN_KEY, '/api/v1/m365/access/grants')).body as { data: unknown[] };
    expect(list.data).toEqual(
      expect.arrayContaining([
        { principal: TECH_A.aadObjectId, client_id: CLIENT_A, approve: false, source: 'environment' },
        { principal: MEMBER.aadObjectId, client_id: CLIENT_B, approve: false, source: 'api' },
      ]),
    );
    const gone = await api(ADMIN_KEY, `/api/v1/m365/access/grants?principal=${MEMBER.aadObjectId}`, {
      method: 'DELETE',
    });
    expect(gone).toMatchObject({ status: 200, body: { removed: 1 } });
    expect(await say(MEMBER, 'status')).not.toContain(names.b);
    const fromEnv = await api(ADMIN_KEY, `/api/v1/m365/access/grants?principal=${TECH_A.aadObjectId}`, {
      method: 'DELETE',
    });
    expect(fromEnv).toMatchObject({ status: 409, body: { error: { code: 'grant_from_environment' } } });
    const bad = await api(ADMIN_KEY, '/api/v1/m365/access/grants', {
      method: 'PUT',
      body: JSON.stringify({ principal: 'not a principal', client_id: 'acme' }),
    });
    expect(bad.status).toBe(400);
    expect(JSON.stringify(bad.body)).toContain('principal');
    expect(JSON.stringify(bad.body)).toContain('client_id');
  });

  it('a grant to an Entra group of the MSP’s tenant holds for its members once that tenant has synced', async () => {
    // A member of the demo's Copilot licence group in the MSP's own (environment) tenant, and someone outside it.
    const data = h.demo.server.data;
    const inGroup = (u: (typeof data.users)[number]) =>
      u.licenseAssignmentStates.some((s) => s.assignedByGroup?.toLowerCase() === LICENSE_GROUP_COPILOT_ID);
    const member = data.users.find(inGroup);
    const outsider = data.users.find((u) => !inGroup(u));
    if (!member || !outsider) throw new Error('the demo tenant has no member of its Copilot licence group');
    const asTeams = (u: typeof member, i: number) => ({
      id: `29:group-${i}`,
      name: u.displayName ?? '',
      aadObjectId: u.id,
    });

    const put = await api(ADMIN_KEY, '/api/v1/m365/access/grants', {
      method: 'PUT',
      body: JSON.stringify({ principal: `group:${LICENSE_GROUP_COPILOT_ID.toUpperCase()}`, client_id: CLIENT_A }),
    });
    expect(put.status).toBe(200);
    try {
      // Members are read at the MSP tenant's sync, from Graph's transitive members of the group.
      const run = await h.app.sync.request(ids.own, 'test').done;
      expect(run.status).toBe('success');
      const granted = await say(asTeams(member, 1), 'status');
      expect(granted).toContain(names.a);
      expect(granted).not.toContain(names.b);
      expect(granted).not.toContain(names.own);
      const other = await say(asTeams(outsider, 2), 'status');
      expect(other).toContain(names.own);
      expect(other).not.toContain(names.a);
      // The members of an approving group are approvers of the client's tenants.
      await api(ADMIN_KEY, '/api/v1/m365/access/grants', {
        method: 'PUT',
        body: JSON.stringify({ principal: `group:${LICENSE_GROUP_COPILOT_ID}`, client_id: CLIENT_A, approve: true }),
      });
      const inA = await requestEverySeatIn(ids.a);
      const asApprover = { aadObjectId: member.id, name: member.displayName ?? '' };
      expect(h.app.reclaims.view(inA, asApprover, new Date())?.rights.canDecide).toBe(true);
      expect(h.app.reclaims.reject(inA, asApprover, 'not now', new Date()).kind).toBe('done');
    } finally {
      await api(ADMIN_KEY, `/api/v1/m365/access/grants?principal=group:${LICENSE_GROUP_COPILOT_ID}`, {
        method: 'DELETE',
      });
    }
    expect(await say(asTeams(member, 3), 'status')).not.toContain(names.a);
  });
});

describe('API keys limited to MSP clients', () => {
  it('a key for client B lists, reads and ranks only B’s tenant; other tenants are 404; Seat Steward’s own settings are 403', async () => {
    const list = (await api(B_KEY, '/api/v1/m365/tenants')).body as { data: Array<{ id: string }> };
    expect(list.data.map((t) => t.id)).toEqual([ids.b]);
    expect((await api(B_KEY, `/api/v1/m365/tenants/${ids.b}/users?limit=5`)).status).toBe(200);
    for (const path of [
      `/api/v1/m365/tenants/${ids.a}/users`,
      `/api/v1/m365/tenants/${ids.own}/licenses`,
      `/api/v1/m365/tenants/${ids.a}/copilot/summary`,
      `/api/v1/m365/tenants/${ids.a}/exports/candidates.csv`,
    ]) {
      const res = await fetch(`${h.app.url}${path}`, { headers: { authorization: `Bearer ${B_KEY}` } });
      expect(res.status, path).toBe(404);
      expect(await res.text(), path).not.toContain(names.a);
    }
    const sync = await api(B_KEY, `/api/v1/m365/tenants/${ids.a}/sync`, { method: 'POST' });
    expect(sync.status).toBe(404);
    const portfolio = (await api(B_KEY, '/api/v1/m365/portfolio')).body as { data: Array<{ id: string }> };
    expect(portfolio.data.map((r) => r.id)).toEqual([ids.b]);
    for (const path of ['/api/v1/m365/jobs', '/api/v1/m365/access/grants'])
      expect((await api(B_KEY, path)).status, path).toBe(403);
    // Adding, reading, changing and deleting tenants stay inside the key's clients.
    expect((await api(B_KEY, `/api/v1/m365/tenants/${ids.a}`)).status).toBe(404);
    expect((await api(B_KEY, `/api/v1/m365/tenants/${ids.b}`)).status).toBe(200);
    const patch = await api(B_KEY, `/api/v1/m365/tenants/${ids.a}`, {
      method: 'PATCH',
      body: JSON.stringify({ sync_enabled: false }),
    });
    expect(patch.status).toBe(404);
    expect(h.app.tenants.find(ids.a)?.syncEnabled).toBe(true);
    const move = await api(B_KEY, `/api/v1/m365/tenants/${ids.b}`, {
      method: 'PATCH',
      body: JSON.stringify({ client_id: CLIENT_A }),
    });
    expect(move).toMatchObject({ status: 403, body: { error: { code: 'key_scoped_to_clients' } } });
    const del = await api(B_KEY, `/api/v1/m365/tenants/${ids.a}?confirm=${ids.a}`, { method: 'DELETE' });
    expect(del.status).toBe(404);
    expect(h.app.tenants.find(ids.a)).toBeDefined();
    const add = await api(B_KEY, '/api/v1/m365/tenants', {
      method: 'POST',
      body: JSON.stringify({
        client_id: CLIENT_A,
        tenant_id: '0f1e2d3c-4b5a-4697-8877-66554433aa22',
        tenant_name: 'Sneaky',
        domain_name: 'sneaky.onmicrosoft.com',
        client_id_encrypted: 'x',
        client_secret_encrypted: 'y',
      }),
    });
    expect(add).toMatchObject({ status: 403, body: { error: { code: 'key_scoped_to_clients' } } });
    // The unlimited key still sees all three.
    const all = (await api(ADMIN_KEY, '/api/v1/m365/tenants')).body as { data: unknown[] };
    expect(all.data).toHaveLength(3);
  });
});
