import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DAY_MS, dayNumber, type CopilotProfile, type DemoUserActivity } from '../demo-tenant/activity';
import { LICENSE_GROUP_COPILOT_ID, SKU } from '../demo-tenant/constants';
import { generateDemoTenant } from '../demo-tenant/generator';
import type { DemoTenantData, GraphUser } from '../demo-tenant/model';
import { DEFAULT_APP_ROLES } from '../demo-tenant/constants';
import { createGraphClient } from '../src/adapters/graph/graph-client';
import { GraphExclusionGroups } from '../src/adapters/graph/exclusion-groups-graph';
import { SqliteExclusionGroupStore } from '../src/adapters/sqlite/exclusion-group-store';
import { READ_REQUIREMENTS } from '../src/domain/access-requirements';
import { TenantAccessError } from '../src/domain/tenant-access-error';
import { ExclusionGroupsSource } from '../src/usecases/analytics/exclusion-groups-source';
import { startHarness, startSyncedHarness, startTestDemoTenant, type Harness } from './helpers/harness';

/**
 * Seat analytics computed by a real sync against the demo tenant. Expected decisions come from
 * the demo's story (demo-tenant/activity.ts profiles) and directory, not from the code under test.
 */
interface Holder {
  user: GraphUser;
  profile: CopilotProfile;
  /** Days since the earliest lastUpdatedDateTime of the user's Copilot assignment states. */
  assignedDaysAgo: number;
  viaGroup: boolean;
  direct: boolean;
}

function holdersOf(data: DemoTenantData): Holder[] {
  const activity = data.activity;
  if (!activity) throw new Error('the demo data has no story');
  const today = dayNumber(activity.today);
  const out: Holder[] = [];
  data.users.forEach((user, i) => {
    const story = activity.users[i] as DemoUserActivity;
    if (!story.copilot) return;
    const states = user.licenseAssignmentStates.filter((s) => s.skuId === SKU.COPILOT);
    const earliest = Math.min(
      ...states.map((s) => (s.lastUpdatedDateTime ? Math.floor(Date.parse(s.lastUpdatedDateTime) / DAY_MS) : today)),
    );
    out.push({
      user,
      profile: story.copilot,
      assignedDaysAgo: today - earliest,
      viaGroup: states.some((s) => s.assignedByGroup === LICENSE_GROUP_COPILOT_ID),
      direct: states.some((s) => s.assignedByGroup === null),
    });
  });
  return out;
}

describe('seat analytics: computed at sync from the demo tenant', () => {
  let h: Harness;
  let tenantId: string;
  let data: DemoTenantData;
  let holders: Holder[];
  beforeAll(async () => {
    data = generateDemoTenant({ users: 400, seed: 71 });
    // A disabled account still holding a seat, though the story has it using Copilot: disabled wins.
    const active = holdersOf(data).filter((x) => x.profile === 'weekly');
    for (const x of active.slice(0, 1)) x.user.accountEnabled = false;
    holders = holdersOf(data).map((x) => (x.user.accountEnabled ? x : { ...x, profile: 'disabled' as const }));
    ({ h, tenantId } = await startSyncedHarness({ data }));
  });
  afterAll(async () => h?.close());

  const seatOf = (upn: string) => {
    const all = h.app.analytics.seats(tenantId, { offset: 0, limit: 10_000 });
    return all?.rows.find((r) => r.userPrincipalName === upn);
  };

  it('names in the summary, for the digest, a disabled holder, a new seat in grace and a seat kept by the audit log, each from its story', () => {
    const highlights = h.app.analytics.summary(tenantId)?.summary.highlights ?? [];
    const nameOf = (x: Holder) => x.user.displayName ?? x.user.userPrincipalName;
    const named = (kind: string) => highlights.filter((x) => x.kind === kind).map((x) => x.name);
    const disabled = holders.filter((x) => x.profile === 'disabled').map(nameOf);
    const grace = holders.filter((x) => x.profile === 'new_seat').map(nameOf);
    const audit = holders.filter((x) => x.profile === 'audit_only').map(nameOf);
    expect(named('disabled').length).toBeGreaterThan(0);
    for (const name of named('disabled')) expect(disabled).toContain(name);
    expect(named('grace').length).toBeGreaterThan(0);
    for (const name of named('grace')) expect(grace).toContain(name);
    expect(named('saved_by_audit').length).toBeGreaterThan(0);
    for (const name of named('saved_by_audit')) expect(audit).toContain(name);
    for (const x of highlights.filter((y) => y.kind === 'saved_by_audit'))
      expect(x.text).toMatch(/audit log shows Copilot use on \d{1,2} [A-Z][a-z]{2} \d{4}/);
    expect(
      highlights.filter((x) => x.kind === 'grace').every((x) => /grace period until \d{4}-\d{2}-\d{2}/.test(x.text)),
    ).toBe(true);
  });

  it('stores one seat per Copilot holder, each profile decided as the story says', () => {
    const all = h.app.analytics.seats(tenantId, { offset: 0, limit: 10_000 });
    expect(all).toBeDefined();
    expect(all?.total).toBe(holders.length);
    const profiles = new Set(holders.map((x) => x.profile));
    // The story must exercise every decision this test checks.
    for (const p of ['daily', 'fading', 'lapsed', 'never', 'new_seat', 'audit_only', 'disabled'] as const)
      expect(profiles.has(p), p).toBe(true);
    for (const x of holders) {
      const seat = seatOf(x.user.userPrincipalName);
      const who = `${x.user.userPrincipalName} (${x.profile})`;
      expect(seat, who).toBeDefined();
      if (!seat) continue;
      expect(seat.assignedVia, who).toBe(x.viaGroup ? 'group' : 'direct');
      switch (x.profile) {
        case 'daily':
        case 'weekly':
          expect([seat.status, seat.recommendation], who).toEqual(['active', 'keep']);
          break;
        case 'audit_only':
          expect([seat.status, seat.recommendation, seat.lastActivitySource], who).toEqual([
            'active',
            'keep',
            'audit_log',
          ]);
          expect(seat.daysSinceLastActivity, who).toBeLessThanOrEqual(1);
          break;
        case 'fading':
          expect([seat.status, seat.recommendation, seat.tier], who).toEqual(['inactive', 'reclaim', 'probable']);
          expect(seat.daysSinceLastActivity, who).toBeGreaterThanOrEqual(30);
          expect(seat.daysSinceLastActivity, who).toBeLessThan(90);
          break;
        case 'lapsed':
          expect([seat.status, seat.recommendation, seat.tier], who).toEqual(['inactive', 'reclaim', 'certain']);
          break;
        case 'never':
          if (x.assignedDaysAgo >= 30)
            expect([seat.status, seat.recommendation, seat.tier, seat.lastActivityDate], who).toEqual([
              'inactive',
              'reclaim',
              'certain',
              null,
            ]);
          else expect(seat.recommendation, who).toBe('excluded');
          break;
        case 'new_seat':
          expect([seat.recommendation, seat.tier], who).toEqual(['excluded', null]);
          expect(seat.reasons[0], who).toMatch(/grace period/);
          expect(seat.licenseAssignedDate, who).toBe(
            new Date(Date.parse(`${data.activity?.today}T00:00:00Z`) - x.assignedDaysAgo * DAY_MS)
              .toISOString()
              .slice(0, 10),
          );
          break;
        case 'disabled':
          expect([seat.status, seat.recommendation, seat.tier, seat.accountEnabled], who).toEqual([
            'inactive',
            'reclaim',
            'certain',
            false,
          ]);
          break;
      }
    }
  });

  it('reads no group members when EXCLUDE_GROUPS is empty', () => {
    expect(h.demo.server.requests.filter((r) => /transitiveMembers/i.test(r.path))).toEqual([]);
  });

  it('says which group a group-inherited seat comes from', () => {
    const viaGroup = holders.filter((x) => x.viaGroup);
    expect(viaGroup.length).toBeGreaterThan(0);
    for (const x of viaGroup) {
      const seat = seatOf(x.user.userPrincipalName);
      expect(seat?.groups.map((g) => g.displayName)).toEqual(['License - Copilot Pilot']);
      expect(seat?.direct).toBe(x.direct);
      expect(seat?.reasons.join(' ')).toContain('License - Copilot Pilot');
    }
  });

  it('lists reclaims first (certain, then probable), and filters by status, recommendation, tier and department with totals', () => {
    const all = h.app.analytics.seats(tenantId, { offset: 0, limit: 10_000 })?.rows ?? [];
    const order = all.map((s) =>
      s.recommendation === 'reclaim'
        ? s.tier === 'certain'
          ? 0
          : 1
        : s.recommendation === 'review'
          ? 2
          : s.recommendation === 'excluded'
            ? 3
            : 4,
    );
    expect(order).toEqual([...order].sort((a, b) => a - b));

    const certain = holders.filter(
      (x) => x.profile === 'lapsed' || x.profile === 'disabled' || (x.profile === 'never' && x.assignedDaysAgo >= 30),
    ).length;
    const page = h.app.analytics.seats(tenantId, { recommendation: 'reclaim', tier: 'certain', offset: 0, limit: 2 });
    expect(page?.total).toBe(certain);
    expect(page?.rows.length).toBe(Math.min(2, certain));
    expect(h.app.analytics.seats(tenantId, { tier: 'probable', offset: 0, limit: 1000 })?.total).toBe(
      holders.filter((x) => x.profile === 'fading').length,
    );
    const active = holders.filter((x) => ['daily', 'weekly', 'audit_only'].includes(x.profile)).length;
    expect(h.app.analytics.seats(tenantId, { status: 'active', offset: 0, limit: 1 })?.total).toBe(active);

    const dept = holders[0].user.department as string;
    const inDept = holders.filter((x) => (x.user.department ?? '').toLowerCase() === dept.toLowerCase()).length;
    const byDept = h.app.analytics.seats(tenantId, { department: dept.toUpperCase(), offset: 0, limit: 1000 });
    expect(byDept?.total).toBe(inDept);
    expect(byDept?.rows.every((r) => r.department?.toLowerCase() === dept.toLowerCase())).toBe(true);
  });

  it('ranks candidates by the one stated rule (priority, then score); High needs recent Copilot Chat without a seat AND a score of 70+', () => {
    const activity = data.activity as NonNullable<DemoTenantData['activity']>;
    const chatUsers = new Set(
      data.users.filter((_, i) => activity.users[i]?.unlicensedChat).map((u) => u.userPrincipalName),
    );
    const seated = new Set(holders.map((x) => x.user.userPrincipalName));
    const list = h.app.analytics.candidates(tenantId, { offset: 0, limit: 10_000 });
    expect(list?.total).toBeGreaterThan(0);
    const rows = list?.rows ?? [];
    expect(rows.map((r) => r.rank)).toEqual(rows.map((_, i) => i + 1));
    for (const r of rows) expect(seated.has(r.userPrincipalName), r.userPrincipalName).toBe(false);
    const byUpn = new Map(data.users.map((u) => [u.userPrincipalName, u]));
    for (const r of rows) {
      const u = byUpn.get(r.userPrincipalName);
      expect(u?.accountEnabled).toBe(true);
      expect(u?.userType).not.toBe('Guest');
    }
    // The audit log sees chat within its lookback; only users it saw carry chat.
    const withChat = rows.filter((r) => r.copilotChat !== null);
    expect(withChat.length).toBeGreaterThan(0);
    for (const r of withChat) expect(chatUsers.has(r.userPrincipalName), r.userPrincipalName).toBe(true);
    const rank = { High: 0, Medium: 1, Low: 2 } as const;
    for (const [i, r] of rows.entries()) {
      if (r.priority === 'High')
        expect(r.copilotChat !== null && r.m365ActivityScore >= 70, r.userPrincipalName).toBe(true);
      if (r.m365ActivityScore === 0) expect(r.priority, r.userPrincipalName).not.toBe('High');
      const next = rows[i + 1];
      if (!next) continue;
      expect(rank[next.priority]).toBeGreaterThanOrEqual(rank[r.priority]);
      if (next.priority === r.priority) expect(next.m365ActivityScore).toBeLessThanOrEqual(r.m365ActivityScore);
    }
    // Selective: High is a short list, not most of the candidates.
    expect(rows.filter((r) => r.priority === 'High').length).toBeLessThan(rows.length / 4);
    const high = h.app.analytics.candidates(tenantId, { priority: 'High', offset: 0, limit: 1 });
    expect(high?.total).toBe(rows.filter((r) => r.priority === 'High').length);
  });

  it('stores a summary with the seat counts the story gives', () => {
    const stored = h.app.analytics.summary(tenantId);
    expect(stored).toBeDefined();
    const s = stored?.summary;
    const copilotSku = data.subscribedSkus.find((k) => k.skuId === SKU.COPILOT);
    expect(s?.skus.map((k) => [k.skuId, k.purchased, k.assigned])).toEqual([
      [SKU.COPILOT, copilotSku?.prepaidUnits?.enabled, holders.length],
    ]);
    const sku = s?.skus[0];
    expect(sku?.byStatus.active).toBe(
      holders.filter((x) => ['daily', 'weekly', 'audit_only'].includes(x.profile)).length,
    );
    expect(sku?.reclaimable.probable).toBe(holders.filter((x) => x.profile === 'fading').length);
    expect(s?.reportRefreshDate).toBe(data.activity?.reportRefreshDate);
    expect(s?.reportNamesConcealed).toBe(false);
    expect(s?.warnings).toEqual([]);
  });

  it('keeps the previous analytics when the analytics step fails, and the sync is partial', async () => {
    const before = h.app.analytics.summary(tenantId);
    // A trigger on the analytics table makes the computation fail inside the writer thread, as a full disk or a bad row would.
    h.app.db.exec(
      `CREATE TRIGGER fail_analytics BEFORE INSERT ON copilot_summaries WHEN NEW.snapshot_id > ${before?.snapshotId ?? 0} AND NEW.computed_at <> '${before?.summary.computedAt}' BEGIN SELECT RAISE(ABORT, 'disk I/O simulated'); END`,
    );
    try {
      const run = await h.app.sync.request(tenantId, 'test').done;
      expect(run.status).toBe('partial');
      expect(run.warnings.join(' ')).toMatch(/Seat analytics were not computed: .*disk I\/O simulated/);
      const after = h.app.analytics.summary(tenantId);
      expect(after?.snapshotId).toBe(run.id);
      expect(after?.summary.computedAt).toBe(before?.summary.computedAt);
      expect(h.app.analytics.seats(tenantId, { offset: 0, limit: 1 })?.total).toBe(holders.length);
    } finally {
      h.app.db.exec('DROP TRIGGER fail_analytics');
    }
    const next = await h.app.sync.request(tenantId, 'test').done;
    expect(next.status).toBe('success');
    expect(h.app.analytics.summary(tenantId)?.summary.computedAt).not.toBe(before?.summary.computedAt);
  });
});

describe('seat analytics: exclusions and the empty case', () => {
  it('excludes the configured users and departments from reclaim, with the rule as the reason', async () => {
    const data = generateDemoTenant({ users: 200, seed: 72 });
    const holders = holdersOf(data);
    const lapsed = holders.find((x) => x.profile === 'lapsed' || x.profile === 'fading');
    if (!lapsed) throw new Error('the story has no idle seat');
    const dept = holders.find((x) => x.user.department && x.user.department !== lapsed.user.department)?.user
      .department as string;
    const { h, tenantId } = await startSyncedHarness({
      data,
      config: { EXCLUDE_USERS: lapsed.user.userPrincipalName.toUpperCase(), EXCLUDE_DEPARTMENTS: dept.toLowerCase() },
    });
    try {
      const rows = h.app.analytics.seats(tenantId, { offset: 0, limit: 10_000 })?.rows ?? [];
      const seat = rows.find((r) => r.userPrincipalName === lapsed.user.userPrincipalName);
      expect(seat?.recommendation).toBe('excluded');
      expect(seat?.reasons[0]).toContain(`user ${lapsed.user.userPrincipalName.toLowerCase()}`);
      const inDept = rows.filter((r) => r.department === dept);
      expect(inDept.length).toBeGreaterThan(0);
      for (const r of inDept) {
        expect(r.recommendation).toBe('excluded');
        expect(r.reasons[0]).toContain(`department ${dept}`);
      }
    } finally {
      await h.close();
    }
  });

  it('is undefined before the first sync, and a tenant without Copilot gets an empty summary', async () => {
    const data = generateDemoTenant({ users: 60, seed: 73 });
    for (const u of data.users) {
      u.assignedLicenses = u.assignedLicenses.filter((l) => l.skuId !== SKU.COPILOT);
      u.licenseAssignmentStates = u.licenseAssignmentStates.filter((l) => l.skuId !== SKU.COPILOT);
    }
    data.subscribedSkus = data.subscribedSkus.filter((s) => s.skuId !== SKU.COPILOT);
    const h = await startHarness({ data });
    try {
      const tenantId = h.app.tenants.list()[0].id;
      expect(h.app.analytics.summary(tenantId)).toBeUndefined();
      expect(h.app.analytics.seats(tenantId, { offset: 0, limit: 10 })).toBeUndefined();
      await h.app.sync.request(tenantId, 'test').done;
      expect(h.app.analytics.summary(tenantId)?.summary.skus).toEqual([]);
      expect(h.app.analytics.seats(tenantId, { offset: 0, limit: 10 })?.total).toBe(0);
    } finally {
      await h.close();
    }
  });
});

describe('seat analytics: exclusion groups (EXCLUDE_GROUPS)', () => {
  const memberRows = (h: Harness, tenantId: string) =>
    h.app.db
      .prepare('SELECT user_id FROM exclusion_group_members WHERE tenant_id = ? ORDER BY user_id')
      .pluck()
      .all(tenantId) as string[];

  it('reads the members page by page at sync and excludes their seats, naming the group', async () => {
    const data = generateDemoTenant({ users: 200, seed: 74 });
    const inGroup = holdersOf(data).filter((x) => x.viaGroup);
    expect(inGroup.length).toBeGreaterThan(5);
    const { h, tenantId } = await startSyncedHarness({
      data,
      config: { EXCLUDE_GROUPS: LICENSE_GROUP_COPILOT_ID.toUpperCase() },
      demo: { maxPageSize: 4 },
    });
    try {
      expect(memberRows(h, tenantId)).toEqual(inGroup.map((x) => x.user.id.toLowerCase()).sort());
      const pages = h.demo.server.requests.filter((r) => /transitiveMembers\/microsoft\.graph\.user/i.test(r.path));
      expect(pages.length).toBe(Math.ceil(inGroup.length / 4));
      const rows = h.app.analytics.seats(tenantId, { offset: 0, limit: 10_000 })?.rows ?? [];
      for (const x of inGroup) {
        const seat = rows.find((r) => r.userPrincipalName === x.user.userPrincipalName);
        expect(seat?.recommendation, x.user.userPrincipalName).toBe('excluded');
        expect(seat?.reasons[0]).toContain(`member of group ${LICENSE_GROUP_COPILOT_ID}`);
      }
      // Everyone else is decided on their own.
      expect(rows.some((r) => r.recommendation !== 'excluded')).toBe(true);
    } finally {
      await h.close();
    }
  });

  it('without GroupMember.Read.All: the sync is partial naming the permission, and the last members read are kept', async () => {
    const data = generateDemoTenant({ users: 60, seed: 75 });
    const withheld = new Set([
      'GroupMember.Read.All',
      'Group.Read.All',
      'Group.ReadWrite.All',
      'Directory.Read.All',
      'Directory.ReadWrite.All',
    ]);
    const refused = { ...data, app: { ...data.app, roles: DEFAULT_APP_ROLES.filter((r) => !withheld.has(r)) } };
    const h = await startHarness({ data: refused, config: { EXCLUDE_GROUPS: LICENSE_GROUP_COPILOT_ID } });
    try {
      const tenantId = h.app.tenants.list()[0].id;
      // What an earlier, permitted read stored.
      new SqliteExclusionGroupStore(h.app.db).replaceMembers(
        tenantId,
        LICENSE_GROUP_COPILOT_ID,
        ['kept-user'],
        new Date(),
      );
      const run = await h.app.sync.request(tenantId, 'test').done;
      expect(run.status).toBe('partial');
      const warning = run.warnings.find((w) => w.startsWith(READ_REQUIREMENTS.exclusion_groups.label));
      expect(warning).toContain(READ_REQUIREMENTS.exclusion_groups.permission);
      expect(memberRows(h, tenantId)).toEqual(['kept-user']);

      // The source itself throws the refusal with the requirement the permission table lists.
      const graph = new GraphExclusionGroups(createGraphClient(h.demo.connection), { ...h.demo.connection });
      const error = await new ExclusionGroupsSource({
        tenantId,
        groupIds: [LICENSE_GROUP_COPILOT_ID],
        graph,
        store: new SqliteExclusionGroupStore(h.app.db),
      })
        .probe()
        .catch((e: unknown) => e);
      expect(error).toBeInstanceOf(TenantAccessError);
      expect(error).toMatchObject({
        code: 'insufficient_privileges',
        requirement: { permission: READ_REQUIREMENTS.exclusion_groups.permission },
      });
    } finally {
      await h.close();
    }
  });

  it('one unreadable group is a warning; the readable ones are replaced', async () => {
    const demo = await startTestDemoTenant(generateDemoTenant({ users: 40, seed: 76 }));
    const h = await startHarness({ data: generateDemoTenant({ users: 20, seed: 77 }) });
    try {
      const tenantId = h.app.tenants.list()[0].id;
      const graph = new GraphExclusionGroups(createGraphClient(demo.connection), { ...demo.connection });
      const missing = '00000000-0000-4000-8000-000000000404';
      const result = await new ExclusionGroupsSource({
        tenantId,
        groupIds: [missing, LICENSE_GROUP_COPILOT_ID],
        graph,
        store: new SqliteExclusionGroupStore(h.app.db),
      }).run({
        now: new Date(),
        previous: undefined,
      });
      expect(result.warnings).toHaveLength(1);
      expect(result.warnings[0]).toContain(missing);
      expect(memberRows(h, tenantId).length).toBeGreaterThan(0);
    } finally {
      await h.close();
      await demo.close();
    }
  });
});
