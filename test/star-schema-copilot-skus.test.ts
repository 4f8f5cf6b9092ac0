import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SKU } from '../demo-tenant/constants';
import { generateDemoTenant } from '../demo-tenant/generator';
import type { DemoTenantData, GraphUser } from '../demo-tenant/model';
import { licenseKeyOf } from '../src/domain/star-schema';
import { startSyncedHarness, TEST_API_KEY, type Harness } from './helpers/harness';
import { csvRecords, type CsvTable } from './helpers/star-measures';

/**
 * A Copilot SKU named by COPILOT_SKU_IDS (a new offer or a regional SKU Microsoft's list lacks) that
 * later leaves the tenant (a trial ended): the history recorded its holders as Copilot seat holders
 * on the days they held it, so the star schema must still count their facts under that SKU and mark
 * it a Copilot licence, though neither the current snapshot nor the built-in list knows it any more.
 * VISIOCLIENT stands in for such a SKU: its holders also hold E3 or E5, whose ids sort before it.
 */
const EXTRA = SKU.VISIO_PLAN_2;
const data = generateDemoTenant({ users: 40, seed: 5 });
const holds = (u: GraphUser, sku: string) => u.assignedLicenses.some((l) => l.skuId === sku);
const extraHolder = data.users.find((u) => holds(u, EXTRA) && !holds(u, SKU.COPILOT)) as GraphUser;
if (!extraHolder) throw new Error('the demo tenant needs a holder of the extra SKU');
const DAY_MS = 86_400_000;
let now = new Date(Date.UTC(2026, 2, 10, 9));
let h: Harness;
let tenantId: string;

/** The tenant once the SKU has left it: no subscription, no assignment. */
const withoutExtra: DemoTenantData = {
  ...data,
  subscribedSkus: data.subscribedSkus.filter((s) => s.skuId !== EXTRA),
  users: data.users.map((u) => ({
    ...u,
    assignedLicenses: u.assignedLicenses.filter((l) => l.skuId !== EXTRA),
    licenseAssignmentStates: u.licenseAssignmentStates.filter((st) => st.skuId !== EXTRA),
  })),
};

beforeAll(async () => {
  ({ h, tenantId } = await startSyncedHarness({
    data,
    app: { clock: () => now },
    config: { COPILOT_SKU_IDS: EXTRA },
  }));
  now = new Date(now.getTime() + DAY_MS);
  h.demo.server.setData(withoutExtra);
  const run = await h.app.sync.request(tenantId, 'test').done;
  expect(run.status, run.errorText ?? '').not.toBe('failed');
}, 120_000);
afterAll(async () => {
  await h?.close();
});

async function csv(table: string): Promise<CsvTable> {
  const res = await fetch(`${h.app.url}/api/v1/m365/tenants/${tenantId}/exports/star/${table}.csv`, {
    headers: { authorization: `Bearer ${TEST_API_KEY}` },
  });
  expect(res.status).toBe(200);
  return csvRecords(await res.text());
}

describe('a Copilot SKU of COPILOT_SKU_IDS gone from the tenant', () => {
  it('the days its holders held it count under it, and dim_license still calls it Copilot', async () => {
    const users = await csv('dim_user');
    const key = users.find((u) => u.UserId === extraHolder.id)?.UserKey;
    const facts = (await csv('fact_user_usage')).filter((f) => f.UserKey === key);
    expect(facts.map((f) => [f.HasCopilotLicense, f.LicenseKey])).toEqual([
      ['true', String(licenseKeyOf(EXTRA))],
      ['false', facts[1].LicenseKey],
    ]);
    expect(facts[1].LicenseKey).not.toBe(String(licenseKeyOf(EXTRA)));
    const licences = await csv('dim_license');
    expect(licences.find((l) => l.SkuId === EXTRA)).toMatchObject({ IsCopilot: 'true', SkuPartNumber: '' });
  });
});
