import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { validateCard } from './support/card-validator';
import { ConnectorRecorder, cardText, executeActions, type RecordedActivity } from './helpers/connector-recorder';
import { startHarness, type Harness } from './helpers/harness';
import {
  botAdded,
  botRemoved,
  cardAction,
  channel,
  groupChat,
  installationUpdate,
  message,
  personal,
  post,
} from './helpers/teams-activities';

/**
 * The bot end to end over the Bot Framework protocol: real activities POSTed to
 * /api/messages, replies caught by a local connector, a real SQLite file behind it
 * and the Graph client syncing the demo tenant over HTTPS.
 */
let h: Harness;
let connector: ConnectorRecorder;
let serviceUrl: string;

beforeAll(async () => {
  h = await startHarness({ app: { cardSyncWaitMs: 15_000 } });
  connector = new ConnectorRecorder();
  serviceUrl = await connector.start();
});

afterAll(async () => {
  await h?.close();
  await connector?.stop();
});

const cardsOf = (a: RecordedActivity) => (a.activity.attachments ?? []).map((x) => x.content);

function expectValidCard(card: Record<string, unknown>) {
  const result = validateCard(card);
  expect(result.errors).toEqual([]);
  expect(result.bytes).toBeLessThan(28 * 1024);
}

describe('install and uninstall', () => {
  it('welcomes and stores the reference when added to a personal chat, a group chat and a channel', async () => {
    for (const conv of [personal(), groupChat(), channel()]) {
      connector.clear();
      expect((await post(h.app.url, installationUpdate(serviceUrl, conv, 'add'))).status).toBe(200);
      expect((await post(h.app.url, botAdded(serviceUrl, conv))).status).toBe(200);
      await connector.waitFor((m) => m.length >= 1);
      const [welcome] = connector.messages();
      expect(welcome.conversationId).toBe(conv.conversationId);
      const card = cardsOf(welcome)[0];
      expectValidCard(card);
      expect(cardText(card)).toMatch(/help/);
      expect(cardText(card)).toMatch(/status/);
      // Exactly one welcome, although Teams sent both installationUpdate and conversationUpdate.
      expect(connector.messages()).toHaveLength(1);
      const stored = h.app.conversations.get(conv.conversationId);
      expect(stored).toMatchObject({ conversationType: conv.scope, active: true, serviceUrl });
      expect(stored?.reference.conversation?.id).toBe(conv.conversationId);
    }
  });

  it('deactivates on uninstall and reactivates on reinstall', async () => {
    const conv = channel();
    await post(h.app.url, botAdded(serviceUrl, conv));
    expect(h.app.conversations.get(conv.conversationId)?.active).toBe(true);
    await post(h.app.url, botRemoved(serviceUrl, conv));
    expect(h.app.conversations.get(conv.conversationId)).toMatchObject({ active: false });
    const personalChat = personal();
    await post(h.app.url, installationUpdate(serviceUrl, personalChat, 'add'));
    await post(h.app.url, installationUpdate(serviceUrl, personalChat, 'remove'));
    expect(h.app.conversations.get(personalChat.conversationId)?.active).toBe(false);
    await post(h.app.url, installationUpdate(serviceUrl, personalChat, 'add'));
    expect(h.app.conversations.get(personalChat.conversationId)?.active).toBe(true);
  });
});

describe('commands', () => {
  it('help lists the commands', async () => {
    connector.clear();
    await post(h.app.url, message(serviceUrl, personal(), 'HELP'));
    await connector.waitFor((m) => m.length >= 1);
    const card = cardsOf(connector.messages()[0])[0];
    expectValidCard(card);
    for (const cmd of ['help', 'status', 'sync']) expect(cardText(card)).toContain(cmd);
    // The product's commands come first, the plumbing after them.
    const text = cardText(card);
    const at = (usage: string) => text.indexOf(`\n${usage}`);
    const product = ['inactive', 'candidates', 'savings', 'reclaim', 'digest'].map(at);
    const plumbing = ['status', 'sync', 'check', 'audit'].map(at);
    for (const position of [...product, ...plumbing]) expect(position, text).toBeGreaterThan(-1);
    expect(product).toEqual([...product].sort((a, b) => a - b));
    expect(Math.max(...product)).toBeLessThan(Math.min(...plumbing));
  });

  it('unknown text gets a hint, never silence: the commands it most likely meant, else the main ones', async () => {
    const hintFor = async (text: string) => {
      connector.clear();
      await post(h.app.url, message(serviceUrl, personal(), text));
      await connector.waitFor((m) => m.length >= 1);
      return connector.messages()[0].activity.text;
    };
    expect(await hintFor('reassign everything please')).toBe(
      `I don't know "reassign everything please". Try **inactive**, **savings**, **reclaim** or **help**.`,
    );
    expect(await hintFor('inactve')).toBe(
      `I don't know "inactve". Did you mean **inactive**? Type **help** for every command.`,
    );
    expect(await hintFor('show me the idle seats')).toBe(
      `I don't know "show me the idle seats". Did you mean **inactive** or **status**? Type **help** for every command.`,
    );
  });

  it('status before any sync says it has not synced yet and offers Sync now', async () => {
    connector.clear();
    await post(h.app.url, message(serviceUrl, personal(), 'status'));
    await connector.waitFor((m) => m.length >= 1);
    const card = cardsOf(connector.messages()[0])[0];
    expectValidCard(card);
    expect(cardText(card)).toContain('Not synced yet');
    expect(cardText(card)).not.toContain('Total users');
    const tenant = h.app.tenants.list()[0];
    expect(executeActions(card)).toContainEqual(
      expect.objectContaining({ verb: 'tenant.sync', data: expect.objectContaining({ tenantId: tenant.id }) }),
    );
  });

  it('sync in a channel (after an @mention) replies at once, then posts the result', async () => {
    connector.clear();
    const conv = channel();
    await post(h.app.url, message(serviceUrl, conv, 'sync'));
    await connector.waitFor((m) => m.length >= 2, 30_000);
    const [started, result] = connector.messages();
    expect(cardText(cardsOf(started)[0])).toMatch(/Sync (started|running)/i);
    expect(started.replyToId).toBeDefined();
    expectValidCard(cardsOf(result)[0]);
    const text = cardText(cardsOf(result)[0]);
    expect(text).toContain('Sync succeeded');
    expect(text).toContain('120');
    expect(result.conversationId).toBe(conv.conversationId);
    const run = h.app.runs.latest(h.app.tenants.list()[0].id);
    expect(run).toMatchObject({ status: 'success', trigger: 'command', counts: { users: 120 } });
  });

  it('status after the sync shows users and Copilot seats from the cache', async () => {
    connector.clear();
    await post(h.app.url, message(serviceUrl, personal(), 'status contoso'));
    await connector.waitFor((m) => m.length >= 1);
    const card = cardsOf(connector.messages()[0])[0];
    expectValidCard(card);
    const tenant = h.app.tenants.list()[0];
    const counts = h.app.directory.userCounts(tenant.id);
    const copilot = h.app.directory.skus(tenant.id).filter((s) => s.isCopilot);
    expect(copilot.length).toBeGreaterThan(0);
    const available = copilot.reduce((n, s) => n + Math.max(0, s.enabledUnits - s.consumedUnits), 0);
    const text = cardText(card);
    expect(text).toContain('Contoso Ltd');
    expect(text).toContain(String(counts.total));
    expect(text).toContain(String(counts.licensed));
    expect(text).toContain(String(available));
    expect(text).toContain('Succeeded');
  });

  it('status for a tenant that does not exist names the connected ones', async () => {
    connector.clear();
    await post(h.app.url, message(serviceUrl, personal(), 'status fabrikam'));
    await connector.waitFor((m) => m.length >= 1);
    expect(connector.messages()[0].activity.text).toMatch(/No tenant matches "fabrikam".*Contoso Ltd/);
  });
});

describe('Sync now (Action.Execute)', () => {
  it('runs the sync and answers with the result card in the invoke response', async () => {
    const tenant = h.app.tenants.list()[0];
    const before = h.app.runs.latest(tenant.id)?.id ?? 0;
    const res = await post(h.app.url, cardAction(serviceUrl, personal(), 'tenant.sync', { tenantId: tenant.id }));
    expect(res.status).toBe(200);
    const body = res.body as { statusCode: number; type: string; value: Record<string, unknown> };
    expect(body.statusCode).toBe(200);
    expect(body.type).toBe('application/vnd.microsoft.card.adaptive');
    expectValidCard(body.value);
    expect(cardText(body.value)).toContain('Sync succeeded');
    const latest = h.app.runs.latest(tenant.id);
    expect(latest?.id).toBeGreaterThan(before);
    expect(latest).toMatchObject({ trigger: 'card', status: 'success' });
  });

  it('accepts the Microsoft tenant id as well', async () => {
    const tenant = h.app.tenants.list()[0];
    const res = await post(
      h.app.url,
      cardAction(serviceUrl, personal(), 'tenant.status', { tenantId: tenant.entraTenantId }),
    );
    const body = res.body as { value: Record<string, unknown> };
    expect(cardText(body.value)).toContain('Contoso Ltd');
  });

  it.each([
    ['no data', undefined, /missing its tenant/],
    ['a tampered tenant id', { tenantId: 'not-a-tenant' }, /Unknown tenant/],
    ['a wrong type', { tenantId: 42 }, /missing its tenant/],
  ])('answers %s with an error card and starts nothing', async (_label, data, expected) => {
    const tenant = h.app.tenants.list()[0];
    const before = h.app.runs.latest(tenant.id)?.id;
    const res = await post(h.app.url, cardAction(serviceUrl, personal(), 'tenant.sync', data));
    expect(res.status).toBe(200);
    const card = (res.body as { value: Record<string, unknown> }).value;
    expectValidCard(card);
    expect(cardText(card)).toMatch(expected);
    expect(h.app.runs.latest(tenant.id)?.id).toBe(before);
  });

  it('answers an unknown verb with an explanation', async () => {
    const res = await post(h.app.url, cardAction(serviceUrl, personal(), 'license.reclaim.everything', {}));
    expect(res.status).toBe(200);
    expect(cardText((res.body as { value: unknown }).value)).toMatch(
      /does not know the action "license.reclaim.everything"/,
    );
  });

  type Invoke = { value: Record<string, unknown> };
  const action = (a: Invoke) => a.value.action as Record<string, unknown>;
  it.each([
    ['missing', (a: Invoke) => delete action(a).verb],
    ['a number', (a: Invoke) => (action(a).verb = 42)],
    ['an object', (a: Invoke) => (action(a).verb = { sync: true })],
    ['absent with the whole action', (a: Invoke) => delete a.value.action],
    ['absent, the action being a string', (a: Invoke) => (a.value.action = 'tenant.sync')],
    ['absent, the action being null', (a: Invoke) => (a.value.action = null)],
    ['in an Action.Submit', (a: Invoke) => (action(a).type = 'Action.Submit')],
  ])('explains a card action whose verb is %s instead of a bare 501', async (_what, tamper) => {
    const activity = cardAction(serviceUrl, personal(), 'tenant.sync', { tenantId: h.app.tenants.list()[0].id });
    tamper(activity);
    const res = await post(h.app.url, activity);
    expect(res.status).toBe(200);
    const card = (res.body as { value: Record<string, unknown> }).value;
    expectValidCard(card);
    expect(cardText(card)).toMatch(/not supported/);
    expect(h.app.sync.isRunning(h.app.tenants.list()[0].id)).toBe(false);
  });
});

describe('who may talk to the bot', () => {
  it('refuses turns from a Teams tenant that is not allowed, storing nothing and starting nothing', async () => {
    const guarded = await startHarness({ config: { BOT_ALLOWED_TENANTS: '11111111-2222-3333-4444-555555555555' } });
    try {
      connector.clear();
      const conv = personal();
      await post(guarded.app.url, botAdded(serviceUrl, conv));
      await post(guarded.app.url, message(serviceUrl, conv, 'status'));
      await connector.waitFor((m) => m.length >= 1);
      expect(connector.messages().map((m) => m.activity.text)).toEqual([
        'Seat Steward serves the Microsoft 365 admins of its own organization only.',
      ]);
      expect(guarded.app.conversations.get(conv.conversationId)).toBeUndefined();
      const tenant = guarded.app.tenants.list()[0];
      const res = await post(guarded.app.url, cardAction(serviceUrl, conv, 'tenant.sync', { tenantId: tenant.id }));
      expect(cardText((res.body as { value: unknown }).value)).toContain('own organization only');
      expect(guarded.app.runs.latest(tenant.id)).toBeUndefined();
    } finally {
      await guarded.close();
    }
  });

  it('without BOT_ID, refuses activities whose replies would leave this machine', async () => {
    const res = await post(h.app.url, message('https://connector.example.net/', personal(), 'status'));
    expect(res.status).toBe(401);
    expect(JSON.stringify(res.body)).toContain('anonymous_mode_loopback_only');
  });

  it('stores one row per channel, not per thread', async () => {
    const conv = channel();
    await post(
      h.app.url,
      message(serviceUrl, { ...conv, conversationId: `${conv.conversationId};messageid=1700000000000` }, 'help'),
    );
    expect(h.app.conversations.get(conv.conversationId)).toMatchObject({ conversationType: 'channel', active: true });
    expect(h.app.conversations.get(`${conv.conversationId};messageid=1700000000000`)).toBeUndefined();
  });
});

describe('malformed input', () => {
  it.each([
    ['not JSON', '{"type": "message", '],
    ['a JSON array', '[]'],
    ['no type', '{"text":"status"}'],
  ])('rejects %s with 400 and a reason', async (_label, body) => {
    const res = await post(h.app.url, body);
    expect(res.status).toBe(400);
    expect(JSON.stringify(res.body)).toMatch(/activity|JSON|content/i);
  });

  it.each([
    ['a tenant name', 'status \u0000\u001b[31mContoso'],
    ['an unknown command', 'hello\u0007\u009b2J'],
    ['an argument of another command', 'audit stop Audit.\u001b[0mGeneral'],
    ['a lone DEL', 'usage \u007f'],
  ])('refuses control characters in %s without echoing them', async (_label, text) => {
    connector.clear();
    expect((await post(h.app.url, message(serviceUrl, personal(), text))).status).toBe(200);
    await connector.waitFor((m) => m.length >= 1);
    const reply = connector.messages()[0].activity.text ?? '';
    expect(reply).toMatch(/contains control characters/);
    expect(reply).not.toMatch(/[\u0000-\u001f\u007f-\u009f]/);
  });

  it('still takes a command spread over lines and tabs (whitespace, not control characters)', async () => {
    connector.clear();
    await post(h.app.url, message(serviceUrl, personal(), 'status\r\n\tnosuchtenant'));
    await connector.waitFor((m) => m.length >= 1);
    expect(connector.messages()[0].activity.text).toMatch(/^No tenant matches "nosuchtenant"/);
  });

  it('never echoes control characters a card action sent in its verb', async () => {
    const res = await post(h.app.url, cardAction(serviceUrl, personal(), 'x\u001b[31m\u0000y', {}));
    expect(res.status).toBe(200);
    const text = cardText((res.body as { value: unknown }).value);
    expect(text).toContain('does not know the action "x[31my"');
    // cardText joins the card's texts with line breaks: look inside each.
    for (const line of text.split('\n')) expect(line).not.toMatch(/[\u0000-\u001f\u007f-\u009f]/);
  });

  it('survives a message without conversation or serviceUrl', async () => {
    const res = await post(h.app.url, { type: 'message', text: 'status', channelId: 'msteams' });
    expect(res.status).toBeGreaterThanOrEqual(400);
    const health = await fetch(`${h.app.url}/healthz`);
    expect(health.status).toBe(200);
  });
});
