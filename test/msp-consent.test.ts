import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EmbeddedDemoTenant } from '../src/app/demo-connection';
import { generateDemoTenant } from '../demo-tenant/generator';
import { ConnectorRecorder, type RecordedActivity } from './helpers/connector-recorder';
import { startHarness, startTestDemoTenant, TEST_API_KEY, type Harness } from './helpers/harness';
import { until } from './helpers/reclaim-kit';
import { message, personal, post } from './helpers/teams-activities';

/**
 * The MSP's multi-tenant app: a customer tenant added with its ids only, its admin-consent link (REST
 * and bot), and Entra's redirect back to the callback, which records the answer and starts the first
 * sync. The customer is a second demo tenant over HTTPS whose app registration is the MSP's app.
 */
const MSP_APP_ID = '0a9b8c7d-6e5f-4a3b-9c2d-1e0f9a8b7c6d';
const MSP_SECRET = 'Msp8Q~the.msp.multi.tenant.app.secret.FFFF';
const CUSTOMER = '9e8d7c6b-5a4f-4e3d-8c2b-1a0f9e8d7c6b';
const REFUSING = '1b2c3d4e-5f6a-4b7c-8d9e-0f1a2b3c4d5e';
const CLIENT = '2b7c9d1e-3f4a-4b5c-8d6e-7f8091a2b3c4';
const PUBLIC = 'https://steward.msp.example';

let h: Harness;
let customer: EmbeddedDemoTenant;
let connector: ConnectorRecorder;
let serviceUrl: string;

beforeAll(async () => {
  customer = await startTestDemoTenant(
    generateDemoTenant({ users: 60, seed: 31, tenantId: CUSTOMER, clientId: MSP_APP_ID, clientSecret: MSP_SECRET }),
  );
  h = await startHarness({
    config: {
      SECRET_STORE_KEY: randomBytes(32).toString('base64'),
      MSP_APP_ID,
      SECRET_MSP_APP_SECRET: MSP_SECRET,
      PUBLIC_BASE_URL: PUBLIC,
    },
  });
  connector = new ConnectorRecorder();
  serviceUrl = await connector.start();
}, 60_000);
afterAll(async () => {
  await h?.close();
  await customer?.close();
  await connector?.stop();
});

async function api(method: string, path: string, body?: unknown): Promise<{ status: number; body: unknown }> {
  const res = await fetch(`${h.app.url}${path}`, {
    method,
    headers: { authorization: `Bearer ${TEST_API_KEY}`, 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: res.status, body: await res.json() };
}

const addWithMspApp = (tenantId: string, name: string) =>
  api('POST', '/api/v1/m365/tenants', {
    client_id: CLIENT,
    tenant_id: tenantId,
    tenant_name: name,
    domain_name: `${name.toLowerCase().split(' ')[0]}.onmicrosoft.com`,
    use_msp_app: true,
    graph_endpoint: customer.server.url,
    authority_host: customer.server.url,
  });

async function callback(query: string): Promise<{ status: number; text: string }> {
  const res = await fetch(`${h.app.url}/consent/callback?${query}`);
  return { status: res.status, text: await res.text() };
}

describe('customer tenants through the MSP multi-tenant app', () => {
  it('is added with its ids only, syncs nothing before consent, and syncs once Entra says the admin consented', async () => {
    const added = await addWithMspApp(CUSTOMER, 'Woodgrove Bank');
    expect(added.status).toBe(201);
    const body = added.body as { id: string; sync_started: boolean; consent: { state: string; consent_url: string } };
    expect(body.sync_started).toBe(false);
    expect(body.consent.state).toBe('pending');
    const url = new URL(body.consent.consent_url);
    expect(`${url.origin}${url.pathname}`).toBe(`${new URL(customer.server.url).origin}/${CUSTOMER}/adminconsent`);
    expect(url.searchParams.get('client_id')).toBe(MSP_APP_ID);
    expect(url.searchParams.get('redirect_uri')).toBe(`${PUBLIC}/consent/callback`);
    const state = url.searchParams.get('state') ?? '';
    expect(state.length).toBeGreaterThanOrEqual(32);
    expect(h.app.runs.latest(body.id)).toBeUndefined();

    // The bot gives the same kind of link to an admin who asks.
    const c = personal();
    expect((await post(h.app.url, message(serviceUrl, c, 'consent woodgrove'))).status).toBe(200);
    const mine = (all: RecordedActivity[]) => all.filter((m) => m.conversationId === c.conversationId);
    await connector.waitFor((all) => mine(all).length > 0);
    const said = mine(connector.messages())[0]?.activity.text ?? '';
    expect(said).toContain('Not consented yet');
    expect(said).toContain(`/${CUSTOMER}/adminconsent?client_id=${MSP_APP_ID}`);
    // Asking again (the bot, the status route) keeps the link already sent working.
    const asked = ((await api('GET', `/api/v1/m365/tenants/${body.id}/consent`)).body as { consent_url: string })
      .consent_url;
    expect(new URL(asked).searchParams.get('state')).toBe(state);
    expect((await callback(`admin_consent=True&tenant=${CUSTOMER}&state=not-${state}`)).status).toBe(400);

    const granted = await callback(`admin_consent=True&tenant=${CUSTOMER}&state=${encodeURIComponent(state)}`);
    expect(granted.status).toBe(200);
    expect(granted.text).toContain('Consent granted for Woodgrove Bank');
    await until('the first sync after consent', () => {
      const run = h.app.runs.latest(body.id);
      return run?.status === 'success' ? run : undefined;
    });
    const status = (await api('GET', `/api/v1/m365/tenants/${body.id}/consent`)).body as { state: string };
    expect(status.state).toBe('granted');

    // The link works once.
    const again = await callback(`admin_consent=True&tenant=${CUSTOMER}&state=${encodeURIComponent(state)}`);
    expect(again.status).toBe(400);
    expect(again.text).toContain('already used');
    expect(h.app.runs.list(body.id).length).toBe(1);
  });

  it('records a refusal with Entra’s reason, starts nothing, and refuses states it never handed out', async () => {
    const added = (await addWithMspApp(REFUSING, 'Litware Inc')).body as {
      id: string;
      consent: { consent_url: string };
    };
    const state = new URL(added.consent.consent_url).searchParams.get('state') ?? '';
    const refused = await callback(
      `error=access_denied&error_description=${encodeURIComponent('AADSTS65004: User declined to consent')}&state=${encodeURIComponent(state)}`,
    );
    expect(refused.status).toBe(200);
    expect(refused.text).toContain('Consent not given for Litware Inc');
    expect(refused.text).toContain('AADSTS65004');
    const status = (await api('GET', `/api/v1/m365/tenants/${added.id}/consent`)).body as {
      state: string;
      error: string | null;
    };
    expect(status).toMatchObject({ state: 'refused', error: 'access_denied: AADSTS65004: User declined to consent' });
    // The refused link is spent; the next one carries a new state.
    const next = ((await api('GET', `/api/v1/m365/tenants/${added.id}/consent`)).body as { consent_url: string })
      .consent_url;
    expect(new URL(next).searchParams.get('state')).not.toBe(state);
    expect((await callback(`admin_consent=True&state=${encodeURIComponent(state)}`)).status).toBe(400);
    expect(h.app.runs.latest(added.id)).toBeUndefined();

    const forged = await callback(`admin_consent=True&tenant=${REFUSING}&state=not-a-state-we-gave`);
    expect(forged.status).toBe(400);
    expect(forged.text).toContain('not one Seat Steward handed out');
    expect((await callback('admin_consent=True')).status).toBe(400);
  });

  it('refuses encrypted credentials beside use_msp_app, and requires them without it', async () => {
    const both = await api('POST', '/api/v1/m365/tenants', {
      client_id: CLIENT,
      tenant_id: '3c4d5e6f-7a8b-4c9d-8e0f-1a2b3c4d5e6f',
      tenant_name: 'Both',
      domain_name: 'both.onmicrosoft.com',
      use_msp_app: true,
      client_id_encrypted: 'x',
      client_secret_encrypted: 'y',
    });
    expect(both.status).toBe(400);
    expect(JSON.stringify(both.body)).toContain('client_id_encrypted: must be left out with use_msp_app: true');
    const neither = await api('POST', '/api/v1/m365/tenants', {
      client_id: CLIENT,
      tenant_id: '3c4d5e6f-7a8b-4c9d-8e0f-1a2b3c4d5e6f',
      tenant_name: 'Neither',
      domain_name: 'neither.onmicrosoft.com',
    });
    expect(neither.status).toBe(400);
    expect(JSON.stringify(neither.body)).toContain('client_secret_encrypted: is required (or send use_msp_app: true)');
  });
});
