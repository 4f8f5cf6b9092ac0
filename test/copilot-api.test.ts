import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LICENSE_GROUP_COPILOT_ID, SKU } from '../demo-tenant/constants';
import { generateDemoTenant } from '../demo-tenant/generator';
import type { DemoTenantData } from '../demo-tenant/model';
import { startHarness, startSyncedHarness, TEST_API_KEY, type Harness } from './helpers/harness';

/** REST: GET copilot/seats, copilot/candidates and copilot/summary, over HTTP against a synced demo tenant. */
let h: Harness;
let tenantId: string;
let data: DemoTenantData;

async function api(
  path: string,
  on: Harness = h,
): Promise<{
  status: number;
  body: Record<string, unknown> & { error?: { code: string; message: string; details?: string[] } };
}> {
  const res = await fetch(`${on.app.url}${path}`, { headers: { authorization: `Bearer ${TEST_API_KEY}` } });
  return {
    status: res.status,
    body: (await res.json()) as Record<string, unknown> & { error?: { code: string; message: string } },
  };
}

type Seat = Record<string, unknown> & {
  status: string;
  recommendation: string;
  tier: string | null;
  assigned_via: string;
  reasons: string[];
};

beforeAll(async () => {
  data = generateDemoTenant({ users: 300, seed: 81 });
  ({ h, tenantId } = await startSyncedHarness({
    data,
    config: { SKU_PRICES: 'Microsoft_365_Copilot=25', PRICE_CURRENCY: 'EUR' },
  }));
});
afterAll(async () => h?.close());

const story = () => {
  const activity = data.activity;
  if (!activity) throw new Error('no story');
  return data.users.map((user, i) => ({ user, profile: activity.users[i]?.copilot ?? null }));
};

describe('GET copilot/seats', () => {
  it('lists every seat holder with the fields the issue names, paged, in the stored order', async () => {
    const holders = story().filter((s) => s.profile !== null);
    const first = await api(`/api/v1/m365/tenants/${tenantId}/copilot/seats?limit=5`);
    expect(first.status).toBe(200);
    const rows = first.body.data as Seat[];
    expect(rows).toHaveLength(5);
    expect(first.body.pagination).toEqual({ limit: 5, offset: 0, total: holders.length, has_more: true });
    expect(Object.keys(rows[0])).toEqual(
      expect.arrayContaining([
        'user_id',
        'user_principal_name',
        'display_name',
        'department',
        'sku_part_number',
        'assigned_via',
        'assigned_directly',
        'groups',
        'license_assigned_date',
        'last_activity_date',
        'last_activity_source',
        'days_since_last_activity',
        'usage_score',
        'status',
        'recommendation',
        'tier',
        'reasons',
        'as_of',
      ]),
    );
    expect(typeof first.body.as_of).toBe('string');
    const all = (await api(`/api/v1/m365/tenants/${tenantId}/copilot/seats?limit=500`)).body.data as Seat[];
    expect(all.slice(0, 5)).toEqual(rows);
    expect(new Set(all.map((r) => r.user_principal_name))).toEqual(
      new Set(holders.map((x) => x.user.userPrincipalName)),
    );
    const viaGroup = new Set(
      holders
        .filter((x) =>
          x.user.licenseAssignmentStates.some(
            (s) => s.skuId === SKU.COPILOT && s.assignedByGroup === LICENSE_GROUP_COPILOT_ID,
          ),
        )
        .map((x) => x.user.userPrincipalName),
    );
    expect(viaGroup.size).toBeGreaterThan(0);
    // One contract with GET .../reclaims and the README: assigned_via is direct|group, the groups are {group_id, group_name}.
    for (const r of all) {
      const upn = String(r.user_principal_name);
      expect(r.assigned_via, upn).toBe(viaGroup.has(upn) ? 'group' : 'direct');
      expect(r.groups, upn).toEqual(
        viaGroup.has(upn) ? [{ group_id: LICENSE_GROUP_COPILOT_ID, group_name: 'License - Copilot Pilot' }] : [],
      );
      expect(typeof r.assigned_directly, upn).toBe('boolean');
      if (!viaGroup.has(upn)) expect(r.assigned_directly, upn).toBe(true);
      expect(r).not.toHaveProperty('assigned_via_groups');
    }
  });

  it('filters by status, recommendation, tier and department', async () => {
    const holders = story().filter((s) => s.profile !== null);
    const lapsed = holders.filter((x) => x.profile === 'lapsed' || x.profile === 'disabled').length;
    const certain = await api(
      `/api/v1/m365/tenants/${tenantId}/copilot/seats?recommendation=reclaim&tier=certain&limit=500`,
    );
    const certainRows = certain.body.data as Seat[];
    expect(certainRows.every((r) => r.recommendation === 'reclaim' && r.tier === 'certain')).toBe(true);
    expect(certainRows.length).toBeGreaterThanOrEqual(lapsed);
    const active = await api(`/api/v1/m365/tenants/${tenantId}/copilot/seats?status=active&limit=1`);
    expect((active.body.pagination as { total: number }).total).toBe(
      holders.filter((x) => ['daily', 'weekly', 'audit_only'].includes(x.profile as string)).length,
    );
    const dept = holders[0].user.department as string;
    const byDept = await api(
      `/api/v1/m365/tenants/${tenantId}/copilot/seats?department=${encodeURIComponent(dept.toLowerCase())}&limit=500`,
    );
    expect((byDept.body.data as Seat[]).length).toBe(holders.filter((x) => x.user.department === dept).length);
  });

  it('refuses an unknown filter value or parameter with the 400 shape', async () => {
    const bad = await api(`/api/v1/m365/tenants/${tenantId}/copilot/seats?status=idle`);
    expect(bad.status).toBe(400);
    expect(bad.body.error?.code).toBe('invalid_parameter');
    expect(bad.body.error?.message).toContain('status: expected one of active, inactive, unknown');
    expect((await api(`/api/v1/m365/tenants/${tenantId}/copilot/seats?sort=name`)).status).toBe(400);
    expect((await api(`/api/v1/m365/tenants/${tenantId}/copilot/seats?limit=0`)).status).toBe(400);
  });
});

describe('GET copilot/candidates', () => {
  it('ranks candidates with their score, priority and unlicensed Copilot Chat use', async () => {
    const res = await api(`/api/v1/m365/tenants/${tenantId}/copilot/candidates?limit=500`);
    expect(res.status).toBe(200);
    const rows = res.body.data as Array<{
      rank: number;
      m365_activity_score: number;
      recommended_priority: string;
      copilot_chat: { last_at: string; interactions: number } | null;
      user_principal_name: string;
    }>;
    expect(rows.length).toBeGreaterThan(0);
    const chatUsers = new Set(
      story()
        .filter((_, i) => data.activity?.users[i]?.unlicensedChat)
        .map((s) => s.user.userPrincipalName),
    );
    const withChat = rows.filter((r) => r.copilot_chat !== null);
    expect(withChat.length).toBeGreaterThan(0);
    for (const r of withChat) {
      expect(chatUsers.has(r.user_principal_name)).toBe(true);
      expect(r.copilot_chat?.interactions).toBeGreaterThan(0);
    }
    const high = await api(`/api/v1/m365/tenants/${tenantId}/copilot/candidates?priority=High&limit=1`);
    expect((high.body.pagination as { total: number }).total).toBe(
      rows.filter((r) => r.recommended_priority === 'High').length,
    );
    expect((await api(`/api/v1/m365/tenants/${tenantId}/copilot/candidates?priority=high`)).status).toBe(400);
  });
});

describe('GET copilot/summary', () => {
  it('counts seats, prices them from SKU_PRICES (by part number) and says as of when', async () => {
    const holders = story().filter((s) => s.profile !== null);
    const res = await api(`/api/v1/m365/tenants/${tenantId}/copilot/summary`);
    expect(res.status).toBe(200);
    const b = res.body as Record<string, unknown> & {
      reclaimable: { total: number; certain: number; probable: number };
      available: number;
      candidates: { High: number; Medium: number };
      seats_reassigned: number;
      seats_cut: number;
      as_of: Record<string, string | null>;
    };
    const purchased = data.subscribedSkus.find((s) => s.skuId === SKU.COPILOT)?.prepaidUnits?.enabled;
    expect(b.purchased).toBe(purchased);
    expect(b.assigned).toBe(holders.length);
    const active = holders.filter((x) => ['daily', 'weekly', 'audit_only'].includes(x.profile as string)).length;
    expect(b.active).toBe(active);
    expect(b.utilization_rate).toBe(Math.round((100 * active) / holders.length));
    expect(b.utilization_text).toBe(`${active} of ${holders.length} (${Math.round((100 * active) / holders.length)}%)`);
    expect(b.reclaimable.total).toBe(b.reclaimable.certain + b.reclaimable.probable);
    expect(b.reclaimable.probable).toBe(holders.filter((x) => x.profile === 'fading').length);
    expect(b.currency).toBe('EUR');
    // Money saved = the idle seats left after candidates are served, cut at renewal; freed and reassigned seats are figures of their own.
    expect(b.seats_freed).toBe(b.reclaimable.total);
    expect(b.seats_unassigned).toBe(b.available);
    expect(b.seats_reassigned).toBe(
      Math.min(b.reclaimable.total + b.available, b.candidates.High + b.candidates.Medium),
    );
    expect(b.cost_avoided_monthly).toBe(b.seats_reassigned * 25);
    expect(b.seats_cut).toBe(b.reclaimable.total + b.available - b.seats_reassigned);
    expect(b.estimated_monthly_savings).toBe(b.seats_cut * 25);
    expect(b.estimated_annual_savings).toBe(b.seats_cut * 25 * 12);
    expect(b.prices).toEqual([
      { sku_id: SKU.COPILOT, sku_part_number: 'Microsoft_365_Copilot', amount: 25, currency: 'EUR', source: 'config' },
    ]);
    expect(Array.isArray(b.renewal_plan)).toBe(true);
    expect(b.as_of.report_refresh_date).toBe(data.activity?.reportRefreshDate);
    expect(typeof b.as_of.analytics).toBe('string');
    expect(typeof b.as_of.directory).toBe('string');
    expect(b.report_names_concealed).toBe(false);
    expect(b.warnings).toEqual([]);
  });

  it('an admin price overrides config at once, without a sync', async () => {
    h.app.prices.set(
      tenantId,
      {
        skuId: SKU.COPILOT,
        skuPartNumber: 'Microsoft_365_Copilot',
        amount: 31.5,
        currency: 'EUR',
        setBy: 'admin@contoso.com',
      },
      new Date(),
    );
    try {
      const b = (await api(`/api/v1/m365/tenants/${tenantId}/copilot/summary`)).body as {
        seats_cut: number;
        estimated_monthly_savings: number;
        prices: Array<{ source: string }>;
      };
      expect(b.prices[0].source).toBe('admin');
      expect(b.estimated_monthly_savings).toBe(Math.round(b.seats_cut * 31.5 * 100) / 100);
    } finally {
      h.app.prices.clear(tenantId, SKU.COPILOT);
    }
  });
});

describe('before the first analytics', () => {
  it('answers 404 with what to do, and 404 for an unknown tenant', async () => {
    const other = await startHarness({ data: generateDemoTenant({ users: 20, seed: 82 }) });
    try {
      const id = other.app.tenants.list()[0].id;
      for (const path of ['seats', 'candidates', 'summary']) {
        const res = await api(`/api/v1/m365/tenants/${id}/copilot/${path}`, other);
        expect(res.status).toBe(404);
        expect(res.body.error?.code).toBe('analytics_not_available');
        expect(res.body.error?.message).toMatch(/has not been synced yet.*POST \/api\/v1\/m365\/tenants\/.*\/sync/);
      }
      expect((await api('/api/v1/m365/tenants/nope/copilot/summary', other)).body.error?.code).toBe('tenant_not_found');
    } finally {
      await other.close();
    }
  });
});
