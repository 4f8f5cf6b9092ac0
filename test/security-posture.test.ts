import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_APP_ROLES } from '../demo-tenant/constants';
import { generateDemoTenant } from '../demo-tenant/generator';
import {
  conditionalAccessPolicies,
  managedDevices,
  registrationOf,
  riskDetections,
  riskyUsers,
  secureScoreControlProfiles,
  secureScores,
} from '../demo-tenant/identity';
import type { DemoTenantData } from '../demo-tenant/model';
import { SqliteSourceStatusStore } from '../src/adapters/sqlite/source-status';
import { startHarness, TEST_API_KEY, type Harness } from './helpers/harness';
import { ConnectorRecorder, cardText } from './helpers/connector-recorder';
import { ADMIN, message, personal, post } from './helpers/teams-activities';
import { validateCard } from './support/card-validator';

type Json = Record<string, Record<string, unknown>> & { recommendations: unknown[]; overall_score: unknown };

async function security(h: Harness, tenantId: string): Promise<Json> {
  const res = await fetch(`${h.app.url}/api/v1/m365/tenants/${tenantId}/security`, {
    headers: { authorization: `Bearer ${TEST_API_KEY}` },
  });
  expect(res.status).toBe(200);
  return (await res.json()) as Json;
}

const rate = (part: number, whole: number) => Math.round((part / whole) * 1000) / 10;

/** What /security must say, computed from the demo tenant's data alone. */
function expectedFigures(data: DemoTenantData) {
  const today = data.activity?.today ?? '';
  const members = data.users.filter((u) => u.accountEnabled && u.userType === 'Member');
  const registered = members.filter((u) => registrationOf(u, today).isMfaRegistered).length;
  const policies = conditionalAccessPolicies(data);
  const devices = managedDevices(data);
  const compliant = devices.filter((d) => d.complianceState === 'compliant').length;
  const nonCompliant = devices.filter(
    (d) => d.complianceState === 'noncompliant' || d.complianceState === 'inGracePeriod',
  ).length;
  const score = secureScores(data)[0];
  return {
    security_defaults: { enabled: false },
    mfa_adoption: {
      total_users: members.length,
      mfa_enabled_users: registered,
      unknown_users: 0,
      adoption_rate: rate(registered, members.length),
    },
    conditional_access: {
      policies_count: policies.length,
      enabled_policies: policies.filter((p) => p.state === 'enabled').length,
      report_only: policies.filter((p) => p.state === 'enabledForReportingButNotEnforced').length,
    },
    identity_protection: {
      enabled: true,
      risk_detections: riskDetections(data).length,
      high_risk_users: riskyUsers(data).filter((u) => u.riskLevel === 'high' && u.riskState === 'atRisk').length,
    },
    device_compliance: {
      compliant_devices: compliant,
      non_compliant_devices: nonCompliant,
      compliance_rate: rate(compliant, compliant + nonCompliant),
    },
    secure_score: {
      current_score: score?.currentScore,
      max_score: score?.maxScore,
      control_profiles: secureScoreControlProfiles(data).length,
    },
  };
}

const COMPONENTS = [
  'security_defaults',
  'mfa_adoption',
  'conditional_access',
  'identity_protection',
  'device_compliance',
  'secure_score',
] as const;

describe('GET /security on a tenant with every licence and permission', () => {
  let h: Harness;
  let tenantId: string;
  const data = generateDemoTenant({ users: 800, seed: 71 });

  beforeAll(async () => {
    h = await startHarness({ data });
    tenantId = h.app.tenants.list()[0].id;
  });
  afterAll(async () => h?.close());

  it('says every component is unknown before the first sync, never zero', async () => {
    const report = await security(h, tenantId);
    for (const c of COMPONENTS)
      expect(report[c]).toMatchObject({ status: 'unknown', reason: expect.stringMatching(/run a sync/) as unknown });
    expect(report.mfa_adoption.mfa_enabled_users).toBeNull();
  });

  it("answers the REST API's shape with the figures the demo tenant served, no invented scores", async () => {
    expect((await h.app.sync.request(tenantId, 'test').done).status).toBe('success');
    const report = await security(h, tenantId);
    const expected = expectedFigures(data);
    for (const c of COMPONENTS) {
      expect(report[c]).toMatchObject({ ...expected[c], stale: false, reason: null });
      expect(report[c].as_of).toEqual(expect.any(String));
    }
    // Every scored component is rated, and the overall score is over all five (all readable here).
    const scored = COMPONENTS.filter((c) => c !== 'secure_score');
    for (const c of scored) expect(['excellent', 'good', 'fair', 'poor']).toContain(report[c].status);
    expect(report.secure_score).toMatchObject({ status: null, score: null });
    const sum = scored.reduce((n, c) => n + (report[c].score as number), 0);
    expect(scored.reduce((n, c) => n + (report[c].score_max as number), 0)).toBe(100);
    expect(report.overall_score).toBe(Math.round(sum));
    // The demo tenant has members without MFA, report-only policies and risky users: each has a recommendation, by impact.
    const recs = report.recommendations as Array<{
      category: string;
      title: string;
      priority: string;
      impact: string;
      impact_points: number;
    }>;
    const without = expected.mfa_adoption.total_users - expected.mfa_adoption.mfa_enabled_users;
    expect(
      recs.some(
        (r) =>
          (r.category === 'mfa' && r.title.includes(`${without} user`)) ||
          (r.category === 'mfa' && /admins? without it/.test(r.title)),
      ),
    ).toBe(true);
    expect(
      recs.some(
        (r) =>
          r.title ===
          `Turn on ${expected.conditional_access.report_only} report-only conditional access ${expected.conditional_access.report_only === 1 ? 'policy' : 'policies'}`,
      ),
    ).toBe(true);
    const points = recs.map((r) => r.impact_points);
    expect(points).toEqual([...points].sort((a, b) => b - a));
    for (const r of recs) expect(r.impact).toBe('security');
    expect(expected.conditional_access.report_only).toBeGreaterThan(0);
    expect(expected.identity_protection.risk_detections).toBeGreaterThan(0);
  });

  it('keeps the last figures, stale with the reason, when a licence tier goes', async () => {
    h.demo.server.setData({ ...data, features: { entraIdP1: false } });
    const run = await h.app.sync.request(tenantId, 'test').done;
    expect(run.status).toBe('partial');
    const report = await security(h, tenantId);
    const expected = expectedFigures(data);
    expect(report.conditional_access).toMatchObject({
      ...expected.conditional_access,
      stale: true,
      score: expect.any(Number) as unknown,
      reason: expect.stringMatching(/lacks Microsoft Entra ID P1/) as unknown,
    });
    expect(report.mfa_adoption).toMatchObject({
      ...expected.mfa_adoption,
      stale: true,
      reason: expect.stringMatching(/Microsoft Entra ID P1/) as unknown,
    });
    expect(report.secure_score).toMatchObject({ stale: false, reason: null });
    h.demo.server.setData(data);
  });
});

describe('a tenant without Entra ID P2, without Intune and without SecurityEvents.Read.All', () => {
  let h: Harness;
  let tenantId: string;
  const base = generateDemoTenant({ users: 300, seed: 72 });
  const data: DemoTenantData = {
    ...base,
    features: { entraIdP2: false, intune: false },
    app: { ...base.app, roles: DEFAULT_APP_ROLES.filter((r) => r !== 'SecurityEvents.Read.All') },
  };

  beforeAll(async () => {
    h = await startHarness({ data });
    tenantId = h.app.tenants.list()[0].id;
  });
  afterAll(async () => h?.close());

  it('marks those components unknown naming the licence or permission; the others land; the sync is partial', async () => {
    const run = await h.app.sync.request(tenantId, 'test').done;
    expect(run.status).toBe('partial');
    expect(run.warnings.filter((w) => /Security posture is partly unknown/.test(w))).toHaveLength(3);
    const report = await security(h, tenantId);
    expect(report.identity_protection).toMatchObject({
      status: 'unknown',
      risk_detections: null,
      high_risk_users: null,
      reason: expect.stringMatching(/lacks Microsoft Entra ID P2/) as unknown,
    });
    expect(report.device_compliance).toMatchObject({
      status: 'unknown',
      compliant_devices: null,
      reason: expect.stringMatching(/lacks Microsoft Intune/) as unknown,
    });
    expect(report.secure_score).toMatchObject({
      status: 'unknown',
      current_score: null,
      reason: expect.stringMatching(/permission SecurityEvents\.Read\.All/) as unknown,
    });
    const expected = expectedFigures(data);
    expect(report.conditional_access).toMatchObject({
      ...expected.conditional_access,
      status: expect.stringMatching(/^(excellent|good|fair|poor)$/) as unknown,
    });
    expect(report.mfa_adoption).toMatchObject({
      ...expected.mfa_adoption,
      status: expect.stringMatching(/^(excellent|good|fair|poor)$/) as unknown,
    });
    // Identity protection and device compliance are left out, not scored 0: overall is over the 70 readable points.
    const readable = ['security_defaults', 'mfa_adoption', 'conditional_access'] as const;
    expect(report.identity_protection.score).toBeNull();
    expect(report.device_compliance.score).toBeNull();
    expect(readable.reduce((n, c) => n + (report[c].score_max as number), 0)).toBe(70);
    expect(report.overall_score).toBe(
      Math.round((100 * readable.reduce((n, c) => n + (report[c].score as number), 0)) / 70),
    );
    expect(report.recommendations).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ category: 'visibility', title: 'Let Seat Steward read identity protection' }),
      ]),
    );
    expect(new SqliteSourceStatusStore(h.app.db).get(tenantId, 'security_posture')?.lastOutcome).toBe('ok');
  });

  it('the security command answers a valid card with as-of dates and the unknown components with their reason', async () => {
    const connector = new ConnectorRecorder();
    const serviceUrl = await connector.start();
    try {
      expect((await post(h.app.url, message(serviceUrl, personal(), 'security'))).status).toBe(200);
      await connector.waitFor((m) => m.length >= 1);
      const card = (connector.messages()[0]?.activity.attachments ?? [])[0]?.content as Record<string, unknown>;
      const result = validateCard(card);
      expect(result.errors).toEqual([]);
      expect(result.bytes).toBeLessThan(28 * 1024);
      const text = cardText(card);
      const expected = expectedFigures(data);
      expect(text).toMatch(/Security posture/);
      expect(text).toContain(
        `${expected.mfa_adoption.mfa_enabled_users} of ${expected.mfa_adoption.total_users} enabled member accounts`,
      );
      expect(text).toMatch(/As of \d+ \w+ \d{4}/);
      expect(text).toMatch(/Identity protection[\s\S]*Unknown[\s\S]*Not read: .*Microsoft Entra ID P2/);
      expect(text).toMatch(/Device compliance[\s\S]*Unknown[\s\S]*Microsoft Intune/);
      expect(text).toMatch(/Security score \d+ \/ 100/);
      expect(text).toMatch(/Left out \(could not be read\): identity protection, device compliance\./);
      expect(text).toMatch(/Recommendations/);
    } finally {
      await connector.stop();
    }
  });
});

describe('a tenant where no posture component can be read', () => {
  let h: Harness;
  let tenantId: string;
  const base = generateDemoTenant({ users: 100, seed: 73 });
  const denied = [
    'Policy.Read.All',
    'IdentityRiskEvent.Read.All',
    'IdentityRiskyUser.Read.All',
    'DeviceManagementManagedDevices.Read.All',
    'SecurityEvents.Read.All',
  ];

  beforeAll(async () => {
    h = await startHarness({
      data: { ...base, app: { ...base.app, roles: DEFAULT_APP_ROLES.filter((r) => !denied.includes(r)) } },
    });
    tenantId = h.app.tenants.list()[0].id;
  });
  afterAll(async () => h?.close());

  it('records the source as refused; each component says which permission it needs', async () => {
    expect((await h.app.sync.request(tenantId, 'test').done).status).toBe('partial');
    expect(new SqliteSourceStatusStore(h.app.db).get(tenantId, 'security_posture')).toMatchObject({
      lastOutcome: 'refused',
      errorCode: 'insufficient_privileges',
    });
    const report = await security(h, tenantId);
    expect(report.security_defaults.reason).toMatch(/Policy\.Read\.All/);
    expect(report.conditional_access.reason).toMatch(/Policy\.Read\.All/);
    expect(report.identity_protection.reason).toMatch(/IdentityRisk(Event|yUser)\.Read\.All/);
    expect(report.device_compliance.reason).toMatch(/DeviceManagementManagedDevices\.Read\.All/);
    for (const c of COMPONENTS.filter((x) => x !== 'mfa_adoption')) expect(report[c].status).toBe('unknown');
  });
});

describe('the security card names accounts to admins only; its counts add up', () => {
  const MEMBER = { id: '29:member-user', name: 'Morgan Member', aadObjectId: '5b0d4c1e-2f3a-4b5c-8d9e-0f1a2b3c4d5e' };
  const data = generateDemoTenant({ users: 300, seed: 71 });
  const today = data.activity?.today ?? '';
  const members = data.users.filter((u) => u.accountEnabled && u.userType === 'Member');
  const adminsWithout = members
    .filter((u) => registrationOf(u, today).isAdmin && !registrationOf(u, today).isMfaRegistered)
    .map((u) => u.userPrincipalName);
  const registered = members.filter((u) => registrationOf(u, today).isMfaRegistered).length;
  const devices = managedDevices(data);
  const compliant = devices.filter((d) => d.complianceState === 'compliant').length;
  const rated =
    compliant +
    devices.filter((d) => d.complianceState === 'noncompliant' || d.complianceState === 'inGracePeriod').length;
  let h: Harness;
  let connector: ConnectorRecorder;
  let serviceUrl: string;

  beforeAll(async () => {
    h = await startHarness({ data, config: { ADMINS: ADMIN.aadObjectId } });
    expect((await h.app.sync.request(h.app.tenants.list()[0].id, 'test').done).status).toBe('success');
    connector = new ConnectorRecorder();
    serviceUrl = await connector.start();
  });
  afterAll(async () => {
    await h?.close();
    await connector?.stop();
  });

  async function securityCardAs(from: typeof ADMIN): Promise<string> {
    connector.clear();
    expect((await post(h.app.url, { ...message(serviceUrl, personal(), 'security'), from })).status).toBe(200);
    await connector.waitFor((m) => m.length >= 1);
    const card = (connector.messages()[0]?.activity.attachments ?? [])[0]?.content as Record<string, unknown>;
    expect(validateCard(card).errors).toEqual([]);
    return cardText(card);
  }

  it('a non-admin sees how many admins lack MFA, never who; an admin sees the names', async () => {
    expect(adminsWithout.length).toBeGreaterThan(0);
    const member = await securityCardAs(MEMBER);
    expect(member).toContain(`Require MFA for ${adminsWithout.length} admin`);
    expect(member).toContain('Names are shown to Seat Steward admins only.');
    for (const upn of adminsWithout) expect(member.toLowerCase()).not.toContain(upn.toLowerCase());
    const admin = await securityCardAs(ADMIN);
    for (const upn of adminsWithout.slice(0, 5)) expect(admin.toLowerCase()).toContain(upn.toLowerCase());
  });

  it('MFA: registered + without = the accounts counted, admins within; device compliance names the denominator of its rate', async () => {
    const text = await securityCardAs(ADMIN);
    const without = members.length - registered;
    expect(text).toContain(
      `${registered} of ${members.length} enabled member accounts registered MFA, ${without} without (${adminsWithout.length} of them admins)`,
    );
    expect(text).toContain(`${without} of ${members.length} enabled member accounts have no MFA method registered`);
    expect(rated).toBeLessThan(devices.length);
    expect(text).toContain(
      `of ${rated} managed devices with a compliance state · ${devices.length - rated} more managed`,
    );
    expect(text).not.toContain(`of ${devices.length} managed devices`);
  });
});
