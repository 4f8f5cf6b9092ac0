import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateDemoTenant } from '../demo-tenant/generator';
import { validateCard } from './support/card-validator';
import { ConnectorRecorder, cardText, executeActions } from './helpers/connector-recorder';
import { startHarness, realTenantConfig, startTestDemoTenant, TEST_API_KEY, type Harness } from './helpers/harness';
import { ADMIN, cardAction, message, personal, post, TEAMS_TENANT } from './helpers/teams-activities';
import { startSeatStewardForTests } from '../src/app/test-hooks';
import { createLogger } from '../src/adapters/logging/logger';

/**
 * The audit commands, the stop confirmation and the REST endpoints, through real Bot Framework
 * activities and real HTTP, against the demo tenant's Management Activity API.
 */
let h: Harness;
let connector: ConnectorRecorder;
let serviceUrl: string;
const OTHER_ADMIN = { id: '29:other-admin', name: 'Morgan Other', aadObjectId: '0d9e8f7a-6b5c-4d3e-8f2a-1b0c9d8e7f6a' };
/** A Teams user of the same tenant who is not in ADMINS. */
const STRANGER = { id: '29:stranger', name: 'Sam Stranger', aadObjectId: '5f0e1d2c-3b4a-4968-8776-655443322110' };

beforeAll(async () => {
  h = await startHarness({
    data: generateDemoTenant({ users: 40, seed: 3 }),
    config: { ADMINS: `${ADMIN.aadObjectId},${OTHER_ADMIN.aadObjectId}` },
  });
  connector = new ConnectorRecorder();
  serviceUrl = await connector.start();
});
afterAll(async () => {
  await h?.close();
  await connector?.stop();
});

function expectValid(card: Record<string, unknown>) {
  const result = validateCard(card);
  expect(result.errors).toEqual([]);
  expect(result.bytes).toBeLessThan(28 * 1024);
}

async function say(text: string, from: object = ADMIN, app: { url: string } = h.app): Promise<Record<string, unknown>> {
  connector.clear();
  const conv = personal();
  expect((await post(app.url, { ...message(serviceUrl, conv, text), from })).status).toBe(200);
  await connector.waitFor((m) => m.length >= 1);
  const [reply] = connector.messages();
  const card = reply.activity.attachments?.[0]?.content as Record<string, unknown> | undefined;
  if (!card) throw new Error(`expected a card, got text: ${reply.activity.text}`);
  expectValid(card);
  return card;
}

async function press(
  data: unknown,
  from: object = ADMIN,
  app: { url: string } = h.app,
): Promise<Record<string, unknown>> {
  const activity = { ...cardAction(serviceUrl, personal(), 'audit.stop.confirm', data), from };
  const res = await post(app.url, activity);
  expect(res.status).toBe(200);
  const card = (res.body as { value: Record<string, unknown> }).value;
  expectValid(card);
  return card;
}

async function managementStatus(contentType: string): Promise<string | undefined> {
  const res = await fetch(`${h.app.url}/api/v1/m365/tenants/${h.app.tenants.list()[0].id}/audit/subscriptions`, {
    headers: { authorization: `Bearer ${TEST_API_KEY}` },
  });
  const body = (await res.json()) as { data: Array<{ content_type: string; status: string }> };
  return body.data.find((s) => s.content_type === contentType)?.status;
}

describe('audit commands', () => {
  it('audit subscriptions lists every content type with its state', async () => {
    const card = await say('audit subscriptions');
    const text = cardText(card);
    for (const type of ['Audit.General', 'Audit.AzureActiveDirectory', 'Audit.Exchange', 'Audit.SharePoint', 'DLP.All'])
      expect(text).toContain(type);
    expect(text).toMatch(/Audit\.General.*enabled/s);
    expect(text).toMatch(/as of \d{1,2} \w{3} \d{4} \d\d:\d\d UTC/);
  });

  it('audit start starts a content type', async () => {
    const card = await say('audit start audit.exchange');
    expect(cardText(card)).toContain('Audit.Exchange started.');
    expect(await managementStatus('Audit.Exchange')).toBe('enabled');
  });

  it('audit stop asks for a confirmation with the data-gap warning that only the requester can give', async () => {
    const card = await say('audit stop Audit.Exchange');
    expect(cardText(card)).toContain('content available between stopping and restarting will be lost');
    const [action] = executeActions(card);
    expect(action.verb).toBe('audit.stop.confirm');
    const data = action.data as Record<string, string>;
    expect(data.requesterAadObjectId).toBe(ADMIN.aadObjectId);
    expect(await managementStatus('Audit.Exchange')).toBe('enabled');

    // Another admin presses the requester's button: refused.
    expect(cardText(await press(data, OTHER_ADMIN))).toMatch(/Only Alex Admin can confirm/);
    // Another admin rewrites the requester to themselves: the seal no longer matches.
    const forged = { ...data, requesterAadObjectId: OTHER_ADMIN.aadObjectId, requesterName: OTHER_ADMIN.name };
    expect(cardText(await press(forged, OTHER_ADMIN))).toMatch(/not issued by Seat Steward/);
    // Altered content type: refused as well.
    expect(cardText(await press({ ...data, contentType: 'Audit.General' }))).toMatch(/not issued by Seat Steward/);
    // A confirmation without its seal does not parse.
    const { signature: _dropped, ...unsealed } = data;
    expect(cardText(await press(unsealed))).toMatch(/incomplete/);
    expect(await managementStatus('Audit.Exchange')).toBe('enabled');

    // The requester confirms: stopped.
    expect(cardText(await press(data))).toContain('Audit.Exchange stopped');
    expect(await managementStatus('Audit.Exchange')).toBe('disabled');
  });

  it('stopping a subscription that is already disabled says so, asks for no confirmation and claims no stop', async () => {
    expect(await managementStatus('Audit.Exchange')).toBe('disabled');
    const card = await say('audit stop Audit.Exchange');
    expect(cardText(card)).toMatch(/Audit\.Exchange subscription is already disabled: there is nothing to stop/);
    expect(executeActions(card)).toEqual([]);
    // A confirmation issued while it was on, pressed after someone else stopped it.
    await say('audit start Audit.Exchange');
    const data = executeActions(await say('audit stop Audit.Exchange'))[0].data;
    const rest = await fetch(
      `${h.app.url}/api/v1/m365/tenants/${h.app.tenants.list()[0].id}/audit/subscriptions/stop`,
      {
        method: 'POST',
        headers: { authorization: `Bearer ${TEST_API_KEY}`, 'content-type': 'application/json' },
        body: JSON.stringify({ content_type: 'Audit.Exchange', confirm: true }),
      },
    );
    expect(rest.status).toBe(200);
    const late = cardText(await press(data));
    expect(late).toMatch(/already disabled: there is nothing to stop/);
    expect(late).not.toMatch(/stopped by/);
  });

  it('a confirmation works once: a second press of the same button is refused and stops nothing', async () => {
    const started = await say('audit start Audit.AzureActiveDirectory');
    expect(cardText(started)).toContain('Audit.AzureActiveDirectory started.');
    const data = executeActions(await say('audit stop Audit.AzureActiveDirectory'))[0].data;
    expect(cardText(await press(data))).toContain('Audit.AzureActiveDirectory stopped');
    expect(await managementStatus('Audit.AzureActiveDirectory')).toBe('disabled');
    // Started again by someone else meanwhile: the old button must not stop it a second time.
    await say('audit start Audit.AzureActiveDirectory', OTHER_ADMIN);
    expect(await managementStatus('Audit.AzureActiveDirectory')).toBe('enabled');
    const again = cardText(await press(data));
    expect(again).toMatch(/already used/);
    expect(again).toMatch(/Nothing more was done/);
    expect(await managementStatus('Audit.AzureActiveDirectory')).toBe('enabled');
    // Two presses at once: one stops, the other is refused.
    const fresh = executeActions(await say('audit stop Audit.AzureActiveDirectory'))[0].data;
    const both = (await Promise.all([press(fresh), press(fresh)])).map(cardText);
    expect(both.filter((t) => t.includes('Audit.AzureActiveDirectory stopped'))).toHaveLength(1);
    expect(both.filter((t) => /already used/.test(t))).toHaveLength(1);
    await say('audit start Audit.AzureActiveDirectory');
  });

  it("start and stop are for admins only; a non-admin can still list, and cannot press an admin's confirmation", async () => {
    const before = await managementStatus('Audit.Exchange');
    for (const command of ['audit start Audit.Exchange', 'audit stop Audit.General']) {
      const text = cardText(await say(command, STRANGER));
      expect(text).toContain('Only Seat Steward admins can do this');
      expect(text).toContain('listed in ADMINS');
      expect(text).not.toMatch(/will be lost/);
    }
    expect(cardText(await say('audit subscriptions', STRANGER))).toContain('Audit.General');
    // The admin's confirmation, pressed by someone who is not an admin.
    const data = executeActions(await say('audit stop Audit.General'))[0].data;
    expect(cardText(await press(data, STRANGER))).toMatch(
      /Only Seat Steward admins can do this[\s\S]*Nothing was stopped/,
    );
    // Sealed for the stranger by an admin's slip is not possible either: the seal names the requester.
    expect(cardText(await press({ ...data, requesterAadObjectId: STRANGER.aadObjectId }, STRANGER))).toMatch(
      /Only Seat Steward admins/,
    );
    expect(await managementStatus('Audit.General')).toBe('enabled');
    expect(await managementStatus('Audit.Exchange')).toBe(before);
  });

  it('an unknown content type gets the list of valid ones', async () => {
    connector.clear();
    await post(h.app.url, message(serviceUrl, personal(), 'audit stop Audit.Everything'));
    await connector.waitFor((m) => m.length >= 1);
    expect(connector.messages()[0].activity.text).toMatch(/not a content type.*Audit\.General/);
  });
});

describe('a real tenant with no ADMINS', () => {
  it('lets nobody start or stop a subscription, saying how to name admins', async () => {
    const demo = await startTestDemoTenant(generateDemoTenant({ users: 20, seed: 4 }));
    // The Teams tenant the test activities come from is the one allowed.
    const config = realTenantConfig(demo, { BOT_ALLOWED_TENANTS: TEAMS_TENANT });
    expect(config.tenant.kind).toBe('entra');
    expect(config.admins).toEqual([]);
    const app = await startSeatStewardForTests(config, { logger: createLogger('silent'), schedule: false });
    try {
      for (const command of ['audit stop Audit.General', 'audit start Audit.Exchange']) {
        expect(cardText(await say(command, ADMIN, app))).toMatch(
          /Only Seat Steward admins can do this[\s\S]*No Seat Steward admins are configured\. Set ADMINS/,
        );
      }
      // A confirmation forged with this process's shape is refused before its seal is even looked at.
      const forged = {
        tenantId: app.tenants.list()[0].id,
        contentType: 'Audit.General',
        requesterAadObjectId: ADMIN.aadObjectId,
        requesterName: ADMIN.name,
        issuedAt: new Date().toISOString(),
        signature: 'x',
      };
      expect(cardText(await press(forged, ADMIN, app))).toMatch(/No Seat Steward admins are configured/);
    } finally {
      await app.close();
      await demo.close();
    }
  });
});

describe('REST /api/v1/m365/tenants/{id}/audit/subscriptions', () => {
  const call = (path: string, body?: unknown) =>
    fetch(`${h.app.url}/api/v1/m365/tenants/${h.app.tenants.list()[0].id}/audit/subscriptions${path}`, {
      method: body === undefined ? 'GET' : 'POST',
      headers: {
        authorization: `Bearer ${TEST_API_KEY}`,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });

  it('lists, starts, and stops only with confirm: true', async () => {
    const list = (await (await call('')).json()) as { data: Array<{ content_type: string; status: string }> };
    expect(list.data.map((s) => s.content_type)).toEqual([
      'Audit.General',
      'Audit.AzureActiveDirectory',
      'Audit.Exchange',
      'Audit.SharePoint',
      'DLP.All',
    ]);
    const started = await call('/start', { content_type: 'DLP.All' });
    expect(started.status).toBe(200);
    expect(await managementStatus('DLP.All')).toBe('enabled');

    const unconfirmed = await call('/stop', { content_type: 'DLP.All' });
    expect(unconfirmed.status).toBe(400);
    const refusal = (await unconfirmed.json()) as { error: { code: string; message: string } };
    expect(refusal.error.code).toBe('confirmation_required');
    expect(refusal.error.message).toMatch(/will be lost/);
    expect(await managementStatus('DLP.All')).toBe('enabled');

    const stopped = await call('/stop', { content_type: 'DLP.All', confirm: true });
    expect(stopped.status).toBe(200);
    expect(await managementStatus('DLP.All')).toBe('disabled');

    // Already disabled: 409, as documented, not a second "stopped".
    const again = await call('/stop', { content_type: 'DLP.All', confirm: true });
    expect(again.status).toBe(409);
    expect(((await again.json()) as { error: { code: string; message: string } }).error).toMatchObject({
      code: 'management_subscription_disabled',
      message: expect.stringMatching(/already disabled: there is nothing to stop/),
    });
  });

  it('bad content types and unknown tenants get the 400/404 error shape; stopping what was never started maps AF20022', async () => {
    const bad = await call('/start', { content_type: 'Audit.Nope' });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: { code: string } }).error.code).toBe('invalid_parameter');
    const never = await call('/stop', { content_type: 'Audit.SharePoint', confirm: true });
    expect(never.status).toBe(409);
    expect(((await never.json()) as { error: { code: string; message: string } }).error).toMatchObject({
      code: 'management_subscription_missing',
    });
    const unknown = await fetch(`${h.app.url}/api/v1/m365/tenants/nope/audit/subscriptions`, {
      headers: { authorization: `Bearer ${TEST_API_KEY}` },
    });
    expect(unknown.status).toBe(404);
  });
});
