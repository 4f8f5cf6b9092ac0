import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CopilotProfile } from '../demo-tenant/activity';
import { generateDemoTenant } from '../demo-tenant/generator';
import { validateCard } from './support/card-validator';
import { ConnectorRecorder, cardText, executeActions } from './helpers/connector-recorder';
import {
  startHarness,
  startSyncedHarness,
  startTestDemoTenant,
  realTenantConfig,
  type Harness,
} from './helpers/harness';
import { startSeatStewardForTests } from '../src/app/test-hooks';
import { createLogger } from '../src/adapters/logging/logger';
import {
  ADMIN,
  cardAction,
  channel,
  groupChat,
  message,
  personal,
  post,
  TEAMS_TENANT,
  type ConversationShape,
} from './helpers/teams-activities';

/**
 * `inactive` and `candidates` through real Bot Framework activities against a synced demo tenant.
 * What each list must hold is worked out here from the demo's story (who stopped using Copilot
 * when), not from the analytics code.
 */
let h: Harness;
let tenantId: string;
let connector: ConnectorRecorder;
let serviceUrl: string;
const data = generateDemoTenant({ users: 1000, seed: 7 });
const story = data.activity;
if (!story) throw new Error('the demo tenant has no activity story');
const member = data.users.find(
  (u, i) => u.accountEnabled && u.userType === 'Member' && story.users[i].copilot === null,
);
if (!member) throw new Error('the demo tenant has no enabled member without a seat');
/** Listed in ADMINS by UPN only: Teams sends the object id, which the bot looks up in the synced directory. */
const UPN_ADMIN = { id: '29:upn-admin', name: member.displayName ?? 'UPN admin', aadObjectId: member.id };
const STRANGER = { id: '29:stranger', name: 'Sam Stranger', aadObjectId: '5f0e1d2c-3b4a-4968-8776-655443322110' };
/** In ADMINS, but has never opened a personal chat with the bot. */
const GROUP_ONLY_ADMIN = {
  id: '29:group-only-admin',
  name: 'Gale Grouponly',
  aadObjectId: '7a6b5c4d-3e2f-4a1b-9c8d-7e6f5a4b3c2d',
};

/** Tier a seat must get, by the story: stopped 30 to 89 days ago → probable; 90 or more, never, or disabled → certain. */
const TIER_OF: Partial<Record<CopilotProfile, 'certain' | 'probable'>> = {
  fading: 'probable',
  lapsed: 'certain',
  never: 'certain',
  disabled: 'certain',
};
const expectedTiers = new Map<string, string>();
data.users.forEach((u, i) => {
  const profile = story.users[i].copilot;
  const tier = profile ? TIER_OF[profile] : undefined;
  if (tier) expectedTiers.set(u.userPrincipalName.toLowerCase(), tier === 'certain' ? 'Certain' : 'Probable');
});
const count = (tier: string) => [...expectedTiers.values()].filter((t) => t === tier).length;
const unlicensedChatUpns = new Set(
  data.users.filter((_, i) => story.users[i].unlicensedChat).map((u) => u.userPrincipalName.toLowerCase()),
);

beforeAll(async () => {
  ({ h, tenantId } = await startSyncedHarness({
    data,
    config: {
      ADMINS: `${ADMIN.aadObjectId},${member.userPrincipalName.toUpperCase()},${GROUP_ONLY_ADMIN.aadObjectId}`,
    },
  }));
  connector = new ConnectorRecorder();
  serviceUrl = await connector.start();
});
afterAll(async () => {
  await h?.close();
  await connector?.stop();
});

type Card = Record<string, unknown>;

function valid(card: Card): Card {
  const { errors, bytes } = validateCard(card);
  expect(errors).toEqual([]);
  expect(bytes).toBeLessThan(28 * 1024);
  return card;
}

async function sayTo(app: Harness, text: string, from: object = ADMIN): Promise<Array<{ card?: Card; text?: string }>> {
  connector.clear();
  expect((await post(app.app.url, { ...message(serviceUrl, personal(), text), from })).status).toBe(200);
  await connector.waitFor((m) => m.length >= 1);
  return connector.messages().map((m) => {
    const card = m.activity.attachments?.[0]?.content as Card | undefined;
    return card ? { card: valid(card) } : { text: m.activity.text };
  });
}

async function say(text: string, from: object = ADMIN): Promise<Card> {
  const [reply] = await sayTo(h, text, from);
  if (!reply.card) throw new Error(`expected a card, got text: ${reply.text}`);
  return reply.card;
}

async function press(verb: string, actionData: unknown, from: object = ADMIN): Promise<Card> {
  const res = await post(h.app.url, { ...cardAction(serviceUrl, personal(), verb, actionData), from });
  expect(res.status).toBe(200);
  return valid((res.body as { value: Card }).value);
}

interface Row {
  name: string;
  right: string;
  badge: string;
  detail: string;
}

/** The list rows of a card: a name column set (name, figure, badge) followed by the detail line. */
function rowsOf(card: Card): Row[] {
  const body = card.body as Array<Record<string, unknown>>;
  return (
    body
      // Seat rows are the containers that start with a column set (the last one holds the reclaim picker).
      .filter((el) => el.type === 'Container' && (el.items as Array<Record<string, unknown>>)[0]?.type === 'ColumnSet')
      .map((el) => {
        const items = el.items as Array<Record<string, unknown>>;
        const columns = (items[0].columns as Array<{ items: Array<{ text: string }> }>).map((c) => c.items[0].text);
        return { name: columns[0], right: columns[1], badge: columns[2], detail: (items[1] as { text: string }).text };
      })
  );
}

const upnOf = (row: Row) => row.detail.split(' · ')[0].toLowerCase();
const button = (card: Card, title: string) => executeActions(card).find((a) => a.title === title);

/** Presses Next until there is none; each page's rows in order. */
async function allPages(first: Card, verb: string): Promise<Row[][]> {
  const pages = [rowsOf(first)];
  let card = first;
  for (let next = button(card, 'Next page'); next; next = button(card, 'Next page')) {
    expect(next.verb).toBe(verb);
    card = await press(verb, next.data);
    pages.push(rowsOf(card));
    expect(pages.length).toBeLessThan(50);
  }
  return pages;
}

describe('inactive', () => {
  it('pages through every seat to take back, each once with its story tier, ten a page, with the counts by tier', async () => {
    expect(count('Certain')).toBeGreaterThan(0);
    expect(count('Probable')).toBeGreaterThan(0);
    expect(expectedTiers.size).toBeGreaterThan(20);
    const first = await say('inactive');
    const text = cardText(first);
    expect(text).toContain('Contoso Ltd · Copilot seats to take back');
    expect(text).toContain(`${count('Certain')}\nCertain\n${count('Probable')}\nProbable`);
    expect(text).toMatch(
      /Analytics as of \d{1,2} \w{3} \d{4} \d\d:\d\d UTC .*· Copilot usage report as of \d{1,2} \w{3} \d{4}/,
    );
    expect(text).toContain(`page 1 of ${Math.ceil(expectedTiers.size / 10)} · seats 1–10 of ${expectedTiers.size}`);
    expect(button(first, 'Previous page')).toBeUndefined();

    const pages = await allPages(first, 'inactive.page');
    expect(pages.slice(0, -1).every((p) => p.length === 10)).toBe(true);
    const seen = pages.flat().map((r) => [upnOf(r), r.badge] as const);
    expect(seen.length).toBe(new Set(seen.map(([upn]) => upn)).size);
    expect(new Map(seen)).toEqual(expectedTiers);
  });

  it('goes back with Previous page to the same rows', async () => {
    const first = await say('inactive');
    const second = await press('inactive.page', button(first, 'Next page')?.data);
    expect(cardText(second)).toContain('page 2 of');
    const back = await press('inactive.page', button(second, 'Previous page')?.data);
    expect(rowsOf(back)).toEqual(rowsOf(first));
    expect(button(back, 'Previous page')).toBeUndefined();
  });

  it.each([
    ['certain', 'Certain'],
    ['probable', 'Probable'],
  ])('filters by tier: inactive %s', async (filter, badge) => {
    const first = await say(`inactive contoso ${filter}`);
    expect(cardText(first)).toContain(`Tier: ${filter} · page 1 of`);
    for (const next of executeActions(first).filter((a) => a.verb === 'inactive.page'))
      expect(next.data).toMatchObject({ tier: filter });
    const rows = (await allPages(first, 'inactive.page')).flat();
    expect(new Set(rows.map(upnOf))).toEqual(
      new Set([...expectedTiers].filter(([, t]) => t === badge).map(([upn]) => upn)),
    );
  });

  it('lists the seats to review, or says there are none', async () => {
    const card = await say('inactive review');
    expect(cardText(card)).toContain('Copilot seats to review');
    for (const row of rowsOf(card)) expect(row.badge).toBe('Review');
  });

  it('answers tampered page buttons with an error card and reads nothing it was not asked for', async () => {
    const invalid = /This page button is not valid/;
    for (const tampered of [
      { tenantId, tier: 'all', page: -1 },
      { tenantId, tier: 'all', page: 0 },
      { tenantId, tier: 'all', page: 1.5 },
      { tenantId, tier: 'all', page: '2' },
      { tenantId, tier: 'all', page: 1e12 },
      { tenantId, tier: 'everything', page: 1 },
      { tenantId, page: 1 },
      {},
      'page 2',
    ]) {
      expect(cardText(await press('inactive.page', tampered)), JSON.stringify(tampered)).toMatch(invalid);
    }
    expect(cardText(await press('inactive.page', { tenantId: 'other-tenant-id', tier: 'all', page: 1 }))).toMatch(
      /Unknown tenant/,
    );
    expect(cardText(await press('inactive.page', { tenantId, tier: 'all', page: 99_999 }))).toMatch(
      /That page does not exist[\s\S]*Page 99999 is past the end: the list has \d+ pages now/,
    );
  });

  it('refuses non-admins, for the command and the buttons, and lets in an admin listed by UPN', async () => {
    for (const command of ['inactive', 'candidates']) {
      const text = cardText(await say(command, STRANGER));
      expect(text).toContain('Only Seat Steward admins can do this');
      expect(text).toContain('listed in ADMINS');
      expect(text).not.toMatch(/@contoso/);
    }
    expect(cardText(await press('inactive.page', { tenantId, tier: 'all', page: 2 }, STRANGER))).toContain(
      'Only Seat Steward admins can do this',
    );
    expect(cardText(await press('candidates.page', { tenantId, page: 2 }, STRANGER))).toContain(
      'Only Seat Steward admins can do this',
    );
    expect(cardText(await say('inactive', UPN_ADMIN))).toContain('Copilot seats to take back');
  });

  it('names the connected tenants when the argument matches none', async () => {
    for (const command of ['inactive nosuchtenant certain', 'candidates nosuchtenant']) {
      const [reply] = await sayTo(h, command);
      expect(reply.text).toBe('No tenant matches "nosuchtenant". Connected tenants: Contoso Ltd.');
    }
  });
});

describe('candidates', () => {
  it('ranks by the stated rule (priority, then score), High only with recent Copilot Chat and a score of 70+, then pages forward and back', async () => {
    expect(unlicensedChatUpns.size).toBeGreaterThan(10);
    const first = await say('candidates');
    const text = cardText(first);
    expect(text).toContain('Contoso Ltd · Copilot seat candidates');
    expect(text).toContain('Ranked by priority, then Microsoft 365 activity score (0–100).');
    expect(text).toMatch(/\d+\nHigh priority\n\d+\nMedium priority\n\d+\nLow priority/);
    expect(text).toMatch(/Analytics as of \d{1,2} \w{3} \d{4}/);
    const rows = rowsOf(first);
    expect(rows).toHaveLength(10);
    expect(rows.map((r) => r.name.split(' · ')[0])).toEqual([
      '#1',
      '#2',
      '#3',
      '#4',
      '#5',
      '#6',
      '#7',
      '#8',
      '#9',
      '#10',
    ]);
    for (const row of rows) expect(row.right).toMatch(/^\d{1,3}\/100$/);
    for (const row of rows) expect(['High', 'Medium', 'Low']).toContain(row.badge);

    // Over the first pages: priority never rises, the score never rises within a priority, a score of 0 is never High.
    const ranked = [...rows];
    let card = first;
    for (let page = 2; page <= 4 && button(card, 'Next page'); page++) {
      card = await press('candidates.page', button(card, 'Next page')?.data);
      ranked.push(...rowsOf(card));
    }
    const rank = { High: 0, Medium: 1, Low: 2 } as const;
    const score = (row: (typeof ranked)[number]) => Number(row.right.split('/')[0]);
    for (const [i, row] of ranked.entries()) {
      if (row.badge === 'High') expect(unlicensedChatUpns.has(upnOf(row)) && score(row) >= 70, upnOf(row)).toBe(true);
      const next = ranked[i + 1];
      if (!next) continue;
      expect(rank[next.badge as keyof typeof rank]).toBeGreaterThanOrEqual(rank[row.badge as keyof typeof rank]);
      if (next.badge === row.badge) expect(score(next)).toBeLessThanOrEqual(score(row));
    }
    for (const row of ranked) expect(expectedTiers.has(upnOf(row))).toBe(false);

    const next = button(first, 'Next page');
    expect(next).toMatchObject({ verb: 'candidates.page', data: { tenantId, page: 2 } });
    const second = await press('candidates.page', next?.data);
    expect(rowsOf(second)[0].name).toMatch(/^#11 · /);
    const back = await press('candidates.page', button(second, 'Previous page')?.data);
    expect(rowsOf(back)).toEqual(rows);
  });

  it('answers tampered page buttons with an error card', async () => {
    for (const tampered of [{ tenantId, page: -3 }, { tenantId, page: 'next' }, { tenantId }, { page: 2 }]) {
      expect(cardText(await press('candidates.page', tampered)), JSON.stringify(tampered)).toMatch(
        /This page button is not valid/,
      );
    }
    expect(cardText(await press('candidates.page', { tenantId: 'someone-elses-tenant', page: 1 }))).toMatch(
      /Unknown tenant/,
    );
    expect(cardText(await press('candidates.page', { tenantId, page: 5000 }))).toMatch(/That page does not exist/);
  });
});

describe('in a group chat or channel', () => {
  const ADMIN_CHAT = personal();
  const UPN = /[\w.-]+@[\w.-]+\.\w+/;

  /** Sends `text` in `conv` and waits for `count` messages; the ones in `conv` and the ones elsewhere. */
  async function sayIn(conv: ConversationShape, text: string, from: object = ADMIN, count = 1) {
    connector.clear();
    expect((await post(h.app.url, { ...message(serviceUrl, conv, text), from })).status).toBe(200);
    await connector.waitFor((m) => m.length >= count);
    const cards = (where: (id: string) => boolean) =>
      connector
        .messages()
        .filter((m) => where(m.conversationId) && m.activity.attachments?.[0])
        .map((m) => valid(m.activity.attachments?.[0]?.content as Card));
    return {
      here: cards((id) => id === conv.conversationId),
      elsewhere: connector.messages().filter((m) => m.conversationId !== conv.conversationId),
      personal: cards((id) => id === ADMIN_CHAT.conversationId),
    };
  }

  function expectCountsOnly(card: Card, title: string) {
    const text = cardText(card);
    expect(text).toContain(title);
    expect(text).toContain('Counts only: names and UPNs are not shown in this chat.');
    expect(text).not.toMatch(UPN);
    expect(rowsOf(card)).toEqual([]);
    expect(executeActions(card)).toEqual([]);
    expect(JSON.stringify(card)).not.toContain('Input.ChoiceSet');
  }

  beforeAll(async () => {
    // The admin's personal chat with the bot, as Teams creates it when they open the app.
    connector.clear();
    await post(h.app.url, message(serviceUrl, ADMIN_CHAT, 'help'));
    await connector.waitFor((m) => m.length >= 1);
  });

  it.each([
    ['inactive', 'group chat', groupChat(), 'Copilot seats to take back', /Certain\n\d+\nProbable/],
    ['inactive certain', 'channel', channel(), 'Copilot seats to take back', /Certain\n\d+\nProbable/],
    ['candidates', 'channel', channel(), 'Copilot seat candidates', /High priority\n\d+\nMedium priority/],
  ])(
    "%s in a %s shows counts only and posts the list to the admin's personal chat",
    async (command, _where, conv, title, counts) => {
      const { here, personal: mine, elsewhere } = await sayIn(conv, command, ADMIN, 2);
      expect(here).toHaveLength(1);
      expectCountsOnly(here[0], title);
      expect(cardText(here[0])).toMatch(counts);
      expect(cardText(here[0])).toContain('it was sent to your personal chat with Seat Steward');
      expect(elsewhere.every((m) => m.conversationId === ADMIN_CHAT.conversationId)).toBe(true);
      expect(mine).toHaveLength(1);
      expect(cardText(mine[0])).toContain(title);
      expect(rowsOf(mine[0])).toHaveLength(10);
      expect(cardText(mine[0])).toMatch(UPN);
    },
  );

  it('says how to open a personal chat when the admin has none, and posts nowhere else', async () => {
    const conv = groupChat();
    const { here, elsewhere } = await sayIn(conv, 'inactive', GROUP_ONLY_ADMIN);
    expect(here).toHaveLength(1);
    expectCountsOnly(here[0], 'Copilot seats to take back');
    expect(cardText(here[0])).toMatch(
      /you have none with Seat Steward yet\. Open one .* then type \*\*inactive\*\* there/,
    );
    // /api/messages answers once the turn is over, and the list is posted (awaited) inside it: none came.
    expect(elsewhere).toEqual([]);
  });

  it('a page button pressed in a group chat answers counts only and sends that page to the personal chat', async () => {
    const conv = groupChat();
    connector.clear();
    const res = await post(
      h.app.url,
      cardAction(serviceUrl, conv, 'inactive.page', { tenantId, tier: 'all', page: 2 }),
    );
    expect(res.status).toBe(200);
    const answer = valid((res.body as { value: Card }).value);
    expectCountsOnly(answer, 'Copilot seats to take back');
    await connector.waitFor((m) => m.length >= 1);
    const [sent] = connector.messages();
    expect(sent.conversationId).toBe(ADMIN_CHAT.conversationId);
    const page = valid(sent.activity.attachments?.[0]?.content as Card);
    expect(cardText(page)).toContain('page 2 of');
    expect(rowsOf(page)).toHaveLength(10);

    const candidates = await post(
      h.app.url,
      cardAction(serviceUrl, channel(), 'candidates.page', { tenantId, page: 2 }),
    );
    expectCountsOnly(valid((candidates.body as { value: Card }).value), 'Copilot seat candidates');
    // In a personal chat the button answers the page itself, as before.
    expect(rowsOf(await press('inactive.page', { tenantId, tier: 'all', page: 2 }))).toHaveLength(10);
  });

  it('shows the list itself in the chat admins chose for reclaim approvals', async () => {
    const chosen = channel();
    await sayIn(chosen, 'reclaim approvals here');
    expect(
      connector.messages()[0].activity.text ?? cardText(connector.messages()[0].activity.attachments?.[0]?.content),
    ).toMatch(/approval|request/i);
    const { here, elsewhere } = await sayIn(
      { ...chosen, conversationId: `${chosen.conversationId};messageid=1699999999999` },
      'inactive',
    );
    expect(here).toHaveLength(1);
    expect(rowsOf(here[0])).toHaveLength(10);
    expect(cardText(here[0])).toMatch(UPN);
    // The turn is over (sayIn waited for its answer to /api/messages): nothing went to a personal chat.
    expect(elsewhere).toEqual([]);
    // Another group chat is still counts only.
    const { here: other } = await sayIn(groupChat(), 'candidates', ADMIN, 2);
    expectCountsOnly(other[0], 'Copilot seat candidates');
  });
});

describe('before the first analytics', () => {
  it('says to sync first', async () => {
    const fresh = await startHarness({
      data: generateDemoTenant({ users: 30, seed: 2 }),
      config: { ADMINS: ADMIN.aadObjectId },
    });
    try {
      for (const command of ['inactive', 'candidates']) {
        const [reply] = await sayTo(fresh, command);
        expect(cardText(reply.card)).toMatch(
          /no seat analytics yet[\s\S]*Type \*\*sync\*\*, wait for the result, then ask again/,
        );
      }
    } finally {
      await fresh.close();
    }
  });
});

describe('a real tenant with no ADMINS', () => {
  it('shows per-user lists to nobody, saying how to name admins', async () => {
    const demo = await startTestDemoTenant(generateDemoTenant({ users: 20, seed: 4 }));
    // The Teams tenant the test activities come from is the one allowed.
    const config = realTenantConfig(demo, { BOT_ALLOWED_TENANTS: TEAMS_TENANT });
    expect(config.tenant.kind).toBe('entra');
    expect(config.admins).toEqual([]);
    const app = await startSeatStewardForTests(config, { logger: createLogger('silent'), schedule: false });
    try {
      expect((await app.sync.request(app.tenants.list()[0].id, 'test').done).status).toBe('success');
      for (const command of ['inactive', 'candidates']) {
        const [reply] = await sayTo({ app, demo, config, close: async () => undefined }, command);
        expect(cardText(reply.card), reply.text).toMatch(
          /Only Seat Steward admins can do this[\s\S]*No Seat Steward admins are configured\. Set ADMINS/,
        );
      }
    } finally {
      await app.close();
      await demo.close();
    }
  });
});
