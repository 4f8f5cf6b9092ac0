import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { generateDemoTenant } from '../demo-tenant/generator';
import { AnalyticsFixture, seat, summaryOf } from './helpers/analytics-fixture';
import { ConnectorRecorder, cardText } from './helpers/connector-recorder';
import { startHarness, type Harness } from './helpers/harness';
import { ADMIN, cardAction, channel, message, post } from './helpers/teams-activities';
import { validateCard } from './support/card-validator';
import { readCsv } from './support/csv-reader';

/** `savings` through real Bot Framework activities, its export buttons opened over real HTTP. */
const STRANGER = { id: '29:stranger', name: 'Sam Stranger', aadObjectId: '5e6f7a8b-9c0d-4e1f-8a2b-3c4d5e6f7a8b' };
let h: Harness;
let connector: ConnectorRecorder;
let serviceUrl: string;
const analytics = new AnalyticsFixture();

beforeAll(async () => {
  h = await startHarness({
    data: generateDemoTenant({ users: 20, seed: 11 }),
    config: { ADMINS: ADMIN.aadObjectId },
    app: { analytics },
  });
  await h.app.sync.request(h.app.tenants.list()[0].id, 'test').done;
  connector = new ConnectorRecorder();
  serviceUrl = await connector.start();
});
afterAll(async () => {
  await h?.close();
  await connector?.stop();
});
beforeEach(() => {
  analytics.present = true;
  analytics.summaryValue = summaryOf();
  analytics.seatRows = [seat('zoe@contoso.com', { displayName: 'Zoë' })];
});

async function say(text: string, from: typeof ADMIN = ADMIN): Promise<Record<string, unknown>> {
  connector.clear();
  // In a channel: everyone in the team sees the answer, which is why totals only.
  expect((await post(h.app.url, { ...message(serviceUrl, channel(), text), from })).status).toBe(200);
  await connector.waitFor((m) => m.length >= 1);
  const card = connector.messages()[0].activity.attachments?.[0]?.content as Record<string, unknown> | undefined;
  if (!card) throw new Error(`expected a card, got: ${connector.messages()[0].activity.text}`);
  const { errors, bytes } = validateCard(card);
  expect(errors).toEqual([]);
  expect(bytes).toBeLessThan(28 * 1024);
  return card;
}

const exportButtons = (card: Record<string, unknown>) =>
  ((card.actions ?? []) as Array<{ type: string; title: string; verb: string; data: unknown }>).filter(
    (a) => a.type === 'Action.Execute' && a.verb === 'export.link',
  );
const buttons = (card: Record<string, unknown>) =>
  ((card.actions ?? []) as Array<{ type: string; title: string; url: string }>).filter(
    (a) => a.type === 'Action.OpenUrl',
  );

describe('savings command', () => {
  it('answers an admin with savings and working Export CSV links', async () => {
    const card = await say('savings');
    expect(cardText(card)).toContain(
      'Saves $330 a month ($3,960 a year) once the subscriptions are reduced at renewal',
    );
    // The card carries no link to expire: each button signs one when pressed, and posts it.
    expect(buttons(card)).toEqual([]);
    expect(JSON.stringify(card)).not.toContain('/exports/');
    const [underutilized, candidates] = exportButtons(card);
    expect(underutilized.title).toBe('Export CSV (underutilized)');
    expect(candidates.title).toBe('Export CSV (candidates)');
    const c = channel();
    connector.clear();
    const pressed = await post(h.app.url, {
      ...cardAction(serviceUrl, c, underutilized.verb, underutilized.data),
      from: ADMIN,
    });
    expect(pressed.body).toMatchObject({ statusCode: 200, type: 'application/vnd.microsoft.activity.message' });
    await connector.waitFor((m) => m.length >= 1);
    const linkCard = connector.messages()[0].activity.attachments?.[0]?.content as Record<string, unknown>;
    expect(validateCard(linkCard).errors).toEqual([]);
    expect(cardText(linkCard)).toMatch(/The link works until \d{1,2} \w{3} \d{4} \d{2}:\d{2} UTC/);
    const res = await fetch(buttons(linkCard)[0]?.url ?? '');
    expect(res.status).toBe(200);
    const rows = readCsv(new TextDecoder().decode(await res.arrayBuffer()));
    expect(rows[1].slice(0, 2)).toEqual(['zoe@contoso.com', 'Zoë']);
  });

  it('a price an admin sets changes the savings at once', async () => {
    connector.clear();
    await post(h.app.url, { ...message(serviceUrl, channel(), 'price Microsoft_365_Copilot 20'), from: ADMIN });
    await connector.waitFor((m) => m.length >= 1);
    expect(cardText(await say('savings'))).toContain(
      'Saves $220 a month ($2,640 a year) once the subscriptions are reduced at renewal',
    );
    connector.clear();
    await post(h.app.url, { ...message(serviceUrl, channel(), 'price Microsoft_365_Copilot clear'), from: ADMIN });
    await connector.waitFor((m) => m.length >= 1);
  });

  it('shows others the totals without the per-user exports, and a forged export button gets them no link', async () => {
    const card = await say('savings', STRANGER);
    expect(cardText(card)).toContain('Saves $330 a month');
    expect(buttons(card)).toEqual([]);
    expect(exportButtons(card)).toEqual([]);
    connector.clear();
    const forged = await post(h.app.url, {
      ...cardAction(serviceUrl, channel(), 'export.link', {
        tenantId: h.app.tenants.list()[0].id,
        kind: 'underutilized',
      }),
      from: STRANGER,
    });
    expect(JSON.stringify(forged.body)).toContain('Only Seat Steward admins can do this');
    expect(JSON.stringify(forged.body)).not.toContain('/exports/');
    expect(connector.messages()).toEqual([]);
    expect(cardText(card)).toContain('Only Seat Steward admins get the CSV exports');
  });

  it('says to sync before the first analytics', async () => {
    analytics.present = false;
    const text = cardText(await say('savings'));
    expect(text).toContain('No seat analytics yet');
    expect(text).not.toContain('Saves $');
  });
});
