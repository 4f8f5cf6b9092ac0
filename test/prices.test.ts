import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateDemoTenant } from '../demo-tenant/generator';
import type { DemoTenantData } from '../demo-tenant/model';
import { ConnectorRecorder, cardText } from './helpers/connector-recorder';
import { startSyncedHarness, TEST_API_KEY, type Harness } from './helpers/harness';
import { ADMIN, message, personal, post } from './helpers/teams-activities';

/**
 * Prices through the `price` command (real activities, replies caught by the local connector) and
 * the REST API, and /licenses' REST API cost fields following them at once.
 */
const COPILOT = '639dec6b-bb19-468b-871c-c5c441c4b0cb';
const STRANGER = { id: '29:stranger', name: 'Sam Stranger', aadObjectId: '5e6f7a8b-9c0d-4e1f-8a2b-3c4d5e6f7a8b' };

let h: Harness;
let tenantId: string;
let data: DemoTenantData;
let connector: ConnectorRecorder;
let serviceUrl: string;

beforeAll(async () => {
  data = generateDemoTenant({ users: 40, seed: 7 });
  // ADMIN is the only admin; SKU_PRICES prices E3 by part number in euros.
  ({ h, tenantId } = await startSyncedHarness({
    data,
    config: { ADMINS: ADMIN.aadObjectId, SKU_PRICES: 'spe_e3=36', PRICE_CURRENCY: 'EUR' },
  }));
  connector = new ConnectorRecorder();
  serviceUrl = await connector.start();
});
afterAll(async () => {
  await h?.close();
  await connector?.stop();
});

const api = (path: string, init: RequestInit = {}) =>
  fetch(`${h.app.url}/api/v1/m365/tenants/${tenantId}${path}`, {
    ...init,
    headers: { authorization: `Bearer ${TEST_API_KEY}`, 'content-type': 'application/json', ...(init.headers ?? {}) },
  });

interface LicenseJson {
  sku_id: string;
  sku_part_number: string;
  enabled_units: number;
  cost_per_license: number | null;
  annual_cost: number | null;
  currency: string | null;
  price_source: string | null;
}

async function licenses(): Promise<Map<string, LicenseJson>> {
  const res = await api('/licenses');
  expect(res.status).toBe(200);
  const body = (await res.json()) as { data: LicenseJson[] };
  return new Map(body.data.map((l) => [l.sku_part_number, l]));
}

const enabledUnits = (part: string) =>
  data.subscribedSkus.find((s) => s.skuPartNumber === part)?.prepaidUnits.enabled ?? NaN;

async function say(text: string, from: typeof ADMIN = ADMIN): Promise<string> {
  connector.clear();
  const activity = { ...message(serviceUrl, personal(), text), from };
  expect((await post(h.app.url, activity)).status).toBe(200);
  await connector.waitFor((m) => m.length >= 1);
  const [reply] = connector.messages();
  const card = reply.activity.attachments?.[0]?.content;
  return card ? cardText(card) : (reply.activity.text ?? '');
}

describe('licence costs (the REST API contract /licenses)', () => {
  it('prices Copilot at the list price, E3 from SKU_PRICES, and leaves the rest null (never 0)', async () => {
    const all = await licenses();
    const copilot = all.get('Microsoft_365_Copilot');
    expect(copilot).toMatchObject({
      cost_per_license: 30,
      currency: 'USD',
      price_source: 'list_price',
      annual_cost: 30 * 12 * enabledUnits('Microsoft_365_Copilot'),
    });
    expect(all.get('SPE_E3')).toMatchObject({
      cost_per_license: 36,
      currency: 'EUR',
      price_source: 'config',
      annual_cost: 36 * 12 * enabledUnits('SPE_E3'),
    });
    const visio = all.get('VISIOCLIENT');
    expect(visio).toMatchObject({ cost_per_license: null, annual_cost: null, currency: null, price_source: null });
  });
});

describe('price command', () => {
  it('lists each SKU with its price and source', async () => {
    const text = await say('price');
    expect(text).toContain('Microsoft_365_Copilot: $30 (list price)');
    expect(text).toContain('SPE_E3: €36 (SKU_PRICES)');
    expect(text).toContain('VISIOCLIENT: no price');
  });

  it('an admin sets a price by part number in any case; /licenses shows it at once', async () => {
    const text = await say('price visioclient 12.50');
    expect(text).toContain('VISIOCLIENT');
    expect(text).toContain('€12.50 per user per month');
    expect(text).toContain('was no price');
    expect((await licenses()).get('VISIOCLIENT')).toMatchObject({
      cost_per_license: 12.5,
      currency: 'EUR',
      price_source: 'admin',
      annual_cost: 12.5 * 12 * enabledUnits('VISIOCLIENT'),
    });
  });

  it('an admin sets a price by SKU id, and clear goes back to the list price', async () => {
    expect(await say(`price ${COPILOT.toUpperCase()} 25`)).toContain('now costs €25');
    expect((await licenses()).get('Microsoft_365_Copilot')).toMatchObject({
      cost_per_license: 25,
      price_source: 'admin',
    });
    expect(await say('price Microsoft_365_Copilot clear')).toContain('It now costs $30 (list price)');
    expect((await licenses()).get('Microsoft_365_Copilot')).toMatchObject({
      cost_per_license: 30,
      price_source: 'list_price',
    });
  });

  it.each([
    ['price SPE_E3 -5', 'is negative'],
    ['price SPE_E3 12.345', 'more than 2 decimals'],
    ['price SPE_E3 12,50', 'is not a number'],
    ['price SPE_E3 abc', 'is not a number'],
  ])('%s is refused with the reason and nothing changes', async (text, reason) => {
    const reply = await say(text);
    expect(reply).toContain(reason);
    expect(reply).toContain('Nothing was changed');
    expect((await licenses()).get('SPE_E3')).toMatchObject({ cost_per_license: 36, price_source: 'config' });
  });

  it('an unknown SKU is refused with the SKUs there are', async () => {
    const reply = await say('price NO_SUCH_SKU 10');
    expect(reply).toContain('No SKU "NO_SUCH_SKU"');
    expect(reply).toContain('SPE_E3');
    expect(reply).toContain('Nothing was changed');
  });

  it('a non-admin gets the refusal card and nothing changes', async () => {
    const reply = await say('price SPE_E3 1', STRANGER);
    expect(reply).toContain('Only admins can change prices');
    expect(reply).toContain('ADMINS');
    expect((await licenses()).get('SPE_E3')).toMatchObject({ cost_per_license: 36, price_source: 'config' });
  });

  it('a lone SKU name lists the prices and says how to change it', async () => {
    const reply = await say('price spe_e3');
    expect(reply).toContain('SPE_E3: €36 (SKU_PRICES)');
  });

  it('a non-admin may still list prices (no per-user data)', async () => {
    expect(await say('price', STRANGER)).toContain('SPE_E3: €36 (SKU_PRICES)');
  });
});

describe('prices REST API', () => {
  it('GET lists every SKU with amount, currency and source', async () => {
    const res = await api('/prices');
    expect(res.status).toBe(200);
    const body = (await res.json()) as {
      data: Array<{ sku_part_number: string; amount: number | null; source: string }>;
    };
    expect(body.data.map((p) => p.sku_part_number).sort()).toEqual(
      data.subscribedSkus.map((s) => s.skuPartNumber).sort(),
    );
    expect(body.data.find((p) => p.sku_part_number === 'SPE_E3')).toMatchObject({ amount: 36, source: 'config' });
    expect(body.data.find((p) => p.sku_part_number === 'EMSPREMIUM')).toMatchObject({ amount: null, source: 'none' });
  });

  it('PUT sets a price in a given currency and DELETE removes it', async () => {
    const put = await api('/prices/emspremium', {
      method: 'PUT',
      body: JSON.stringify({ amount: 9.99, currency: 'GBP' }),
    });
    expect(put.status).toBe(200);
    expect(await put.json()).toMatchObject({
      sku_part_number: 'EMSPREMIUM',
      amount: 9.99,
      currency: 'GBP',
      source: 'admin',
      set_by: 'api',
    });
    expect((await licenses()).get('EMSPREMIUM')).toMatchObject({
      cost_per_license: 9.99,
      currency: 'GBP',
      annual_cost: Math.round(9.99 * 12 * enabledUnits('EMSPREMIUM') * 100) / 100,
    });
    const del = await api('/prices/EMSPREMIUM', { method: 'DELETE' });
    expect(del.status).toBe(200);
    expect(await del.json()).toMatchObject({ removed: true, amount: null, source: 'none' });
    expect((await licenses()).get('EMSPREMIUM')).toMatchObject({ cost_per_license: null, annual_cost: null });
  });

  it.each([
    [{ amount: -1 }, 400, 'is negative'],
    [{ amount: 1.234 }, 400, 'more than 2 decimals'],
    [{ amount: '30' }, 400, 'expected a JSON number'],
    [{}, 400, 'missing'],
    [{ amount: 5, currency: 'usd' }, 400, 'ISO 4217'],
    [{ amount: 5, currency: 'ZZZ' }, 400, '"ZZZ" is not an ISO 4217 currency code in use'],
    [{ amount: 5, currency: 'XXX' }, 400, '"XXX" is not an ISO 4217 currency code in use'],
    [{ amount: 5, extra: true }, 400, 'extra'],
  ])('PUT %j is refused (%i) and nothing changes', async (body, status, words) => {
    const res = await api('/prices/SPE_E3', { method: 'PUT', body: JSON.stringify(body) });
    expect(res.status).toBe(status);
    const answer = (await res.json()) as { error: { code: string; message: string } };
    expect(answer.error.code).toBe('invalid_parameter');
    expect(answer.error.message).toContain(words);
    expect((await licenses()).get('SPE_E3')).toMatchObject({ cost_per_license: 36, price_source: 'config' });
  });

  it('an unknown SKU is a 404 naming the SKUs there are; no API key is a 401', async () => {
    const res = await api('/prices/NOPE', { method: 'PUT', body: JSON.stringify({ amount: 1 }) });
    expect(res.status).toBe(404);
    expect(((await res.json()) as { error: { message: string } }).error.message).toContain('SPE_E3');
    const anonymous = await fetch(`${h.app.url}/api/v1/m365/tenants/${tenantId}/prices/SPE_E3`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ amount: 1 }),
    });
    expect(anonymous.status).toBe(401);
    expect((await licenses()).get('SPE_E3')).toMatchObject({ cost_per_license: 36 });
  });
});
