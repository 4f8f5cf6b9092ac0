import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EmbeddedDemoTenant } from '../src/app/demo-connection';
import { postDigestJob, postDigestStatusJob, postPortfolioJob } from '../src/usecases/digest/digest-service';
import { ConnectorRecorder, cardText, executeActions, type RecordedActivity } from './helpers/connector-recorder';
import { addDemoCustomer } from './helpers/demo-customers';
import { startSyncedHarness, TEST_API_KEY, type Harness } from './helpers/harness';
import { cardAction, channel, message, personal, post, type ConversationShape } from './helpers/teams-activities';
import { validateCard } from './support/card-validator';

/**
 * The portfolio through the real app: two demo tenants over HTTPS (the second one belongs to an MSP
 * client), the `portfolio` command and its Open button POSTed to /api/messages, the REST route, and
 * a `portfolio subscribe` conversation getting one card from the scheduler's tick instead of one per tenant.
 */
const CLIENT = '2b7c9d1e-3f4a-4b5c-8d6e-7f8091a2b3c4';

let h: Harness;
let second: EmbeddedDemoTenant;
let firstId: string;
let secondId: string;
let connector: ConnectorRecorder;
let serviceUrl: string;

beforeAll(async () => {
  ({ h, tenantId: firstId } = await startSyncedHarness());
  ({ tenantId: secondId, demo: second } = await addDemoCustomer(h.app, {
    index: 5,
    name: 'Fabrikam customer',
    clientId: CLIENT,
    users: 80,
    seed: 7,
  }));
  connector = new ConnectorRecorder();
  serviceUrl = await connector.start();
}, 120_000);
afterAll(async () => {
  await h?.close();
  await second?.close();
  await connector?.stop();
});

interface PortfolioJson {
  client_id: string | null;
  totals: { tenants: number; idle_seats: number; assigned_seats: number; idle_monthly_cost: unknown[] };
  data: Array<{
    rank: number;
    id: string;
    client_id: string | null;
    tenant_name: string;
    idle_seats: number;
    reclaimable_seats: number;
    unassigned_seats: number;
    idle_monthly_cost: number | null;
    assigned_seats: number;
    utilization_rate: number | null;
    candidates_waiting: number;
    sync_health: { state: string; consecutive_failures: number };
  }>;
}

async function api(path: string): Promise<{ status: number; body: unknown }> {
  const res = await fetch(`${h.app.url}${path}`, { headers: { authorization: `Bearer ${TEST_API_KEY}` } });
  return { status: res.status, body: await res.json() };
}

const cardsIn = (conversationId: string, marker: string) =>
  connector
    .messages()
    .filter((m) => m.conversationId === conversationId)
    .flatMap((m) => m.activity.attachments ?? [])
    .map((a) => a.content)
    .filter((c) => cardText(c).includes(marker));

async function say(c: ConversationShape, text: string): Promise<RecordedActivity['activity']> {
  const before = connector.messages().filter((m) => m.conversationId === c.conversationId).length;
  expect((await post(h.app.url, message(serviceUrl, c, text))).status).toBe(200);
  await connector.waitFor((all) => all.filter((m) => m.conversationId === c.conversationId).length > before);
  return connector
    .messages()
    .filter((m) => m.conversationId === c.conversationId)
    .at(-1)!.activity;
}

describe('portfolio', () => {
  it('GET /portfolio ranks every tenant by the money idle seats cost, with figures that match each tenant’s summary', async () => {
    const res = await api('/api/v1/m365/portfolio');
    expect(res.status).toBe(200);
    const body = res.body as PortfolioJson;
    expect(body.data.map((r) => r.id).sort()).toEqual([firstId, secondId].sort());
    expect(body.data.map((r) => r.rank)).toEqual([1, 2]);
    const [top, next] = body.data;
    expect(top!.idle_monthly_cost ?? -1).toBeGreaterThanOrEqual(next!.idle_monthly_cost ?? -1);
    expect(body.data.find((r) => r.id === secondId)?.client_id).toBe(CLIENT);
    for (const row of body.data) {
      // The one definition of each figure: the tenant's own summary route says the same.
      const summary = (await api(`/api/v1/m365/tenants/${row.id}/copilot/summary`)).body as {
        assigned: number;
        available: number;
        utilization_rate: number | null;
        reclaimable: { total: number };
        candidates: { High: number; Medium: number; Low: number };
      };
      expect(row.assigned_seats).toBe(summary.assigned);
      expect(row.utilization_rate).toBe(summary.utilization_rate);
      expect(row.reclaimable_seats).toBe(summary.reclaimable.total);
      expect(row.unassigned_seats).toBe(summary.available);
      expect(row.idle_seats).toBe(summary.reclaimable.total + summary.available);
      // Demo Copilot seats are at the $30 list price.
      expect(row.idle_monthly_cost).toBe(row.idle_seats * 30);
      expect(row.candidates_waiting).toBe(summary.candidates.High + summary.candidates.Medium);
      expect(row.sync_health).toMatchObject({ state: 'healthy', consecutive_failures: 0 });
    }
    expect(body.totals.tenants).toBe(2);
    expect(body.totals.idle_seats).toBe(body.data.reduce((s, r) => s + r.idle_seats, 0));
  });

  it('narrows to one MSP client, and refuses a client id that is not a UUID', async () => {
    const one = (await api(`/api/v1/m365/portfolio?client_id=${CLIENT}`)).body as PortfolioJson;
    expect(one.client_id).toBe(CLIENT);
    expect(one.data.map((r) => r.id)).toEqual([secondId]);
    const bad = await api('/api/v1/m365/portfolio?client_id=acme');
    expect(bad.status).toBe(400);
    expect(JSON.stringify(bad.body)).toContain('client_id');
    const unauthenticated = await fetch(`${h.app.url}/api/v1/m365/portfolio`);
    expect(unauthenticated.status).toBe(401);
  });

  it('`portfolio` answers one valid card naming both tenants in rank order, and Open posts that tenant’s digest', async () => {
    const c = personal();
    const reply = await say(c, 'portfolio');
    const card = reply.attachments?.[0]?.content as Record<string, unknown>;
    expect(validateCard(card).errors).toEqual([]);
    const text = cardText(card);
    expect(text).toContain('Copilot portfolio · 2 tenants');
    const ranked = ((await api('/api/v1/m365/portfolio')).body as PortfolioJson).data.map((r) => r.tenant_name);
    expect(text.indexOf(`1. ${ranked[0]}`)).toBeGreaterThan(-1);
    expect(text.indexOf(`2. ${ranked[1]}`)).toBeGreaterThan(text.indexOf(`1. ${ranked[0]}`));

    const open = executeActions(card).find((a) => a.verb === 'portfolio.open' && a.data?.['tenantId'] === secondId);
    expect(open).toBeDefined();
    const res = await post(h.app.url, cardAction(serviceUrl, c, 'portfolio.open', open?.data));
    expect(res.status).toBe(200);
    await connector.waitFor(
      () => cardsIn(c.conversationId, `${h.app.tenants.find(secondId)?.tenantName} · Copilot digest`).length > 0,
    );

    const forged = await post(h.app.url, cardAction(serviceUrl, c, 'portfolio.open', { tenantId: 'no-such-tenant' }));
    expect(JSON.stringify(forged.body)).toContain('does not know');
  });

  it('`portfolio subscribe` gets one portfolio card a day from the scheduler, not a card per tenant', async () => {
    const c = channel();
    expect((await say(c, 'portfolio subscribe 06:30 UTC')).text).toContain('Daily portfolio');
    const conversationId = h.app.digests.subscriptions.get(c.conversationId.split(';')[0]!)?.conversationId;
    expect(conversationId).toBeDefined();
    const day = new Date(Date.now() + 3 * 86_400_000).toISOString().slice(0, 10);
    h.app.digests.tick(new Date(`${day}T06:31:00Z`));
    const jobs = (kind: string) =>
      h.app.outbox
        .list({ kind, limit: 500, offset: 0 })
        .rows.filter((j) => j.idempotencyKey.includes(`:${conversationId}:`));
    expect(jobs(postPortfolioJob.kind).map((j) => j.idempotencyKey)).toEqual([`portfolio:${conversationId}:${day}`]);
    expect(jobs(postDigestJob.kind)).toEqual([]);
    // A second tick the same day queues nothing more.
    h.app.digests.tick(new Date(`${day}T06:45:00Z`));
    expect(jobs(postPortfolioJob.kind)).toHaveLength(1);
    await connector.waitFor(() => cardsIn(conversationId!, 'Copilot portfolio').length > 0);

    // A scheduled sync's status message goes to digest conversations, not to this one.
    const latest = h.app.runs.latestFinished(firstId)!;
    h.app.digests.service.queueStatusMessages({ id: latest.id, tenantId: firstId });
    expect(
      h.app.outbox
        .list({ kind: postDigestStatusJob.kind, limit: 500, offset: 0 })
        .rows.filter((j) => j.idempotencyKey.includes(`:${conversationId}:`)),
    ).toEqual([]);

    // `digest subscribe` switches the conversation back to a card per tenant.
    expect((await say(c, 'digest subscribe 06:30 UTC')).text).toContain('**Daily digest**');
    expect((await say(c, 'portfolio unsubscribe')).text).toContain('not the portfolio');
  });
});

describe('commands that act on one tenant, with several connected', () => {
  it('reclaim of a whole tier lists the tenants and requests nothing until one is named', async () => {
    const before = h.app.reclaims.history({ tenantId: firstId, offset: 0, limit: 500 }).items.length;
    const answer = (await say(personal(), 'reclaim certain')).text ?? '';
    expect(answer).toContain('This acts on one tenant, and you have 2 tenants:');
    expect(answer).toMatch(/Name one, e\.g\. "reclaim certain [^"]+"/);
    expect(h.app.reclaims.history({ tenantId: firstId, offset: 0, limit: 500 }).items.length).toBe(before);
    expect(h.app.reclaims.history({ tenantId: secondId, offset: 0, limit: 500 }).items).toHaveLength(0);
  });

  it('a price change names its tenant; an exact name wins over a longer one containing it', async () => {
    const answer = (await say(personal(), 'price Microsoft_365_Copilot 25')).text ?? '';
    expect(answer).toContain('This acts on one tenant, and you have 2 tenants:');
    const first = h.app.tenants.find(firstId)!;
    const set = (await say(personal(), `price Microsoft_365_Copilot 25 ${first.domainName}`)).text ?? '';
    expect(set).toContain(first.tenantName);
    expect(set).not.toContain('This acts on one tenant');
  });
});
