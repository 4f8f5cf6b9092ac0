import { afterEach, describe, expect, it } from 'vitest';
import { SKU, generateDemoTenant, startDemoTenant, type DemoTenant, type DemoTenantData } from '../../demo-tenant';
import { concealedId } from '../../demo-tenant/usage-story';
import { accessToken, trustedCertificate, type GraphCollection, type GraphErrorBody } from './helpers';

/** The demo tenant's usage reports as a Graph client sees them: formats, paging, budgets, concealment. */

const COPILOT_DETAIL = "getMicrosoft365CopilotUsageUserDetail(period='D30')";

describe('demo tenant usage reports', () => {
  let tenant: DemoTenant | undefined;
  afterEach(async () => {
    await tenant?.close();
    tenant = undefined;
  });
  const start = async (data: DemoTenantData = generateDemoTenant({ users: 300, seed: 91 })) => {
    tenant = await startDemoTenant({ data, tls: await trustedCertificate() });
    return { tenant, data, auth: { Authorization: `Bearer ${await accessToken(tenant)}` } };
  };
  const holders = (data: DemoTenantData) =>
    data.users.filter((u) => u.assignedLicenses.some((l) => l.skuId === SKU.COPILOT));

  it('beta JSON pages with @odata.nextLink; the pages together hold every seat holder once', async () => {
    const { tenant, data, auth } = await start();
    let next: string | undefined =
      `${tenant.url}/beta/copilot/reports/${COPILOT_DETAIL}?$format=application/json&$top=10`;
    const upns: string[] = [];
    let pages = 0;
    while (next) {
      const res = await fetch(next, { headers: auth });
      expect(res.status).toBe(200);
      const page = (await res.json()) as GraphCollection<{ userPrincipalName: string; reportRefreshDate: string }>;
      expect(page.value.length).toBeLessThanOrEqual(10);
      for (const row of page.value) {
        upns.push(row.userPrincipalName);
        expect(row.reportRefreshDate).toBe(data.activity?.reportRefreshDate);
      }
      next = page['@odata.nextLink'];
      pages++;
    }
    const expected = holders(data).map((u) => u.userPrincipalName);
    expect(expected.length).toBeGreaterThan(20);
    expect(pages).toBe(Math.ceil(expected.length / 10));
    expect(upns).toEqual(expected);
  });

  it("v1.0 answers CSV only: a 302 to a download without a token, UTF-8 with a BOM, Graph's headers", async () => {
    const { tenant, data, auth } = await start();
    const res = await fetch(`${tenant.url}/v1.0/copilot/reports/${COPILOT_DETAIL}`, {
      headers: auth,
      redirect: 'manual',
    });
    expect(res.status).toBe(302);
    const location = res.headers.get('location') as string;
    expect(location).toMatch(/^https:\/\//);
    const download = await fetch(location);
    expect(download.status).toBe(200);
    expect(download.headers.get('content-type')).toBe('application/octet-stream');
    const bytes = new Uint8Array(await download.arrayBuffer());
    expect([...bytes.slice(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const lines = new TextDecoder().decode(bytes.slice(3)).trimEnd().split('\r\n');
    expect(lines[0]?.split(',').slice(0, 4)).toEqual([
      'Report Refresh Date',
      'User Principal Name',
      'Display Name',
      'Last Activity Date',
    ]);
    expect(lines).toHaveLength(holders(data).length + 1);
    const json = await fetch(`${tenant.url}/v1.0/copilot/reports/${COPILOT_DETAIL}?$format=application/json`, {
      headers: auth,
    });
    expect(json.status).toBe(400);
    expect(((await json.json()) as GraphErrorBody).error.code).toBe('BadRequest');
  });

  it("the count reports nest their JSON rows as today's Graph does (adoptionByDate, adoptionByProduct)", async () => {
    const { tenant, data, auth } = await start();
    const trend = (await (
      await fetch(
        `${tenant.url}/beta/copilot/reports/getMicrosoft365CopilotUserCountTrend(period='D7')?$format=application/json`,
        { headers: auth },
      )
    ).json()) as GraphCollection<{
      reportRefreshDate: string;
      reportPeriod: number;
      adoptionByDate: Array<Record<string, unknown>>;
    }>;
    expect(trend.value).toHaveLength(1);
    expect(trend.value[0]).toMatchObject({ reportRefreshDate: data.activity?.reportRefreshDate, reportPeriod: 7 });
    expect(trend.value[0]?.adoptionByDate).toHaveLength(7);
    expect(Object.keys(trend.value[0]?.adoptionByDate[0] ?? {}).slice(0, 3)).toEqual([
      'reportDate',
      'anyAppEnabledUsers',
      'anyAppActiveUsers',
    ]);
    const summary = (await (
      await fetch(
        `${tenant.url}/beta/copilot/reports/getMicrosoft365CopilotUserCountSummary(period='ALL')?$format=application/json`,
        { headers: auth },
      )
    ).json()) as GraphCollection<{ adoptionByProduct: Array<{ reportPeriod: number; anyAppEnabledUsers: number }> }>;
    expect(summary.value[0]?.adoptionByProduct.map((p) => p.reportPeriod)).toEqual([7, 30, 90, 180]);
    expect(summary.value[0]?.adoptionByProduct[0]?.anyAppEnabledUsers).toBeGreaterThan(0);
  });

  it('past 14 CSV requests in 10 minutes the app gets 429 with Retry-After; downloads do not count', async () => {
    const { tenant, auth } = await start(generateDemoTenant({ users: 60, seed: 92 }));
    for (let i = 0; i < 14; i++) {
      const res = await fetch(`${tenant.url}/v1.0/reports/getOffice365ActiveUserDetail(period='D7')`, {
        headers: auth,
      });
      expect(res.status, `request ${i + 1}`).toBe(200);
      await res.arrayBuffer();
    }
    const over = await fetch(`${tenant.url}/v1.0/reports/getOffice365ActiveUserDetail(period='D7')`, {
      headers: auth,
      redirect: 'manual',
    });
    expect(over.status).toBe(429);
    expect(Number(over.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    expect(((await over.json()) as GraphErrorBody).error.message).toContain('14 requests per 10 minutes');
    // The JSON budget is separate.
    expect(
      (
        await fetch(`${tenant.url}/beta/reports/getOffice365ServicesUserCounts(period='D7')?$format=application/json`, {
          headers: auth,
        })
      ).status,
    ).toBe(200);
  });

  it('past 100 JSON requests in 10 minutes the app gets 429 with Retry-After', async () => {
    const { tenant, auth } = await start(generateDemoTenant({ users: 30, seed: 93 }));
    const url = `${tenant.url}/beta/reports/getOffice365ServicesUserCounts(period='D7')?$format=application/json`;
    for (let i = 0; i < 100; i++) {
      const res = await fetch(url, { headers: auth });
      expect(res.status, `request ${i + 1}`).toBe(200);
      await res.arrayBuffer();
    }
    const over = await fetch(url, { headers: auth });
    expect(over.status).toBe(429);
    expect(Number(over.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    expect(((await over.json()) as GraphErrorBody).error.code).toBe('TooManyRequests');
  });

  it('concealed names: rows carry the 32-hex id instead of the name until the setting is switched off', async () => {
    const data = generateDemoTenant({ users: 120, seed: 94 });
    data.reportSettings = { displayConcealedNames: true };
    // Changing the setting takes the opt-in write permission.
    data.app.roles = [...(data.app.roles ?? []), 'ReportSettings.ReadWrite.All'];
    const { tenant, auth } = await start(data);
    const settings = await fetch(`${tenant.url}/v1.0/admin/reportSettings`, { headers: auth });
    expect(await settings.json()).toMatchObject({ displayConcealedNames: true });
    const url = `${tenant.url}/beta/copilot/reports/${COPILOT_DETAIL}?$format=application/json`;
    const rows = async () =>
      (
        (await (await fetch(url, { headers: auth })).json()) as GraphCollection<{
          userPrincipalName: string;
          displayName: string;
        }>
      ).value;
    const first = holders(data)[0];
    const concealed = await rows();
    expect(concealed[0]?.userPrincipalName).toBe(concealedId(first?.userPrincipalName ?? ''));
    expect(concealed[0]?.userPrincipalName).toMatch(/^[0-9A-F]{32}$/);
    expect(concealed[0]?.displayName).toBe(concealed[0]?.userPrincipalName);
    const patch = await fetch(`${tenant.url}/v1.0/admin/reportSettings`, {
      method: 'PATCH',
      headers: { ...auth, 'Content-Type': 'application/json' },
      body: JSON.stringify({ displayConcealedNames: false }),
    });
    expect(patch.status).toBe(204);
    const shown = await rows();
    expect(shown[0]?.userPrincipalName).toBe(first?.userPrincipalName);
    expect(shown[0]?.displayName).toBe(first?.displayName);
  });
});
