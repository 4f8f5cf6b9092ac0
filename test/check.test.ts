import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_APP_ROLES, LICENSE_GROUP_COPILOT_ID } from '../demo-tenant/constants';
import { generateDemoTenant } from '../demo-tenant/generator';
import { READ_REQUIREMENTS } from '../src/domain/access-requirements';
import { ConnectorRecorder, cardText } from './helpers/connector-recorder';
import { startHarness, TEST_API_KEY, type Harness } from './helpers/harness';
import { message, personal, post } from './helpers/teams-activities';
import { validateCard } from './support/card-validator';

interface CheckJson {
  tenant_id: string;
  sign_in: { status: string; code?: string; message?: string };
  summary: Record<string, number>;
  checks: Array<{
    source: string;
    status: string;
    permission: string;
    permission_type: string;
    admin_consent_required: boolean;
    licence: string | null;
    message: string | null;
  }>;
}

const data = generateDemoTenant({ users: 80, seed: 9 });
let h: Harness;
let connector: ConnectorRecorder;
let serviceUrl: string;

async function api(
  method: 'GET' | 'POST',
  path: string,
  on: Harness = h,
): Promise<{ status: number; body: Record<string, unknown> }> {
  const res = await fetch(`${on.app.url}${path}`, { method, headers: { authorization: `Bearer ${TEST_API_KEY}` } });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

beforeAll(async () => {
  // With an exclusion group configured, so every source the check knows is read (exclusion_groups only runs then).
  h = await startHarness({ data, config: { EXCLUDE_GROUPS: LICENSE_GROUP_COPILOT_ID } });
  connector = new ConnectorRecorder();
  serviceUrl = await connector.start();
});

afterAll(async () => {
  await h?.close();
  await connector?.stop();
});

describe('check', () => {
  it('reports every read the sync makes as OK when the app holds every permission', async () => {
    const tenant = h.app.tenants.list()[0];
    const { status, body } = await api('GET', `/api/v1/m365/tenants/${tenant.id}/check`);
    expect(status).toBe(200);
    const report = body as unknown as CheckJson;
    expect(report.sign_in).toEqual({ status: 'ok' });
    expect(report.checks.map((c) => c.source)).toEqual(
      expect.arrayContaining(['users', 'subscribed_skus', 'license_groups', 'organization']),
    );
    for (const c of report.checks) {
      expect({ source: c.source, status: c.status, message: c.message }).toEqual({
        source: c.source,
        status: 'ok',
        message: null,
      });
      expect(c.permission).toBe(READ_REQUIREMENTS[c.source as keyof typeof READ_REQUIREMENTS].permission);
    }
    expect(report.summary).toEqual({ ok: report.checks.length });
  });

  it('checks the reclaim write permissions from the token, without writing, and says they matter only for RECLAIM_MODE=on', async () => {
    const roles = DEFAULT_APP_ROLES.filter(
      (r) => r !== 'LicenseAssignment.ReadWrite.All' && r !== 'GroupMember.ReadWrite.All',
    );
    const other = await startHarness({ data: { ...data, app: { ...data.app, roles } } });
    try {
      const before = other.demo.server.requests.length;
      const tenant = other.app.tenants.list()[0];
      const report = (await api('GET', `/api/v1/m365/tenants/${tenant.id}/check`, other)).body as unknown as CheckJson;
      const write = report.checks.filter((c) => c.source.startsWith('reclaim_'));
      expect(write.map((c) => [c.source, c.status, c.permission])).toEqual([
        ['reclaim_remove', 'missing_permission', 'LicenseAssignment.ReadWrite.All'],
        ['reclaim_group', 'missing_permission', 'GroupMember.ReadWrite.All'],
      ]);
      expect(write[0].message).toContain('RECLAIM_MODE=on');
      expect(report.checks.filter((c) => !c.source.startsWith('reclaim_')).every((c) => c.status === 'ok')).toBe(true);
      expect(
        other.demo.server.requests.slice(before).filter((r) => r.method !== 'GET' && !/token/.test(r.path)),
      ).toEqual([]);
    } finally {
      await other.close();
    }
  });

  // Tokens carry the app's permissions when issued (as Entra's do), so each scenario gets an app that never held them.
  it('names the exact permission a read lacks, as an application permission needing admin consent', async () => {
    const roles = DEFAULT_APP_ROLES.filter((r) => r !== 'Group.Read.All' && r !== 'Directory.Read.All');
    const other = await startHarness({ data: { ...data, app: { ...data.app, roles } } });
    try {
      const tenant = other.app.tenants.list()[0];
      const report = (await api('GET', `/api/v1/m365/tenants/${tenant.id}/check`, other)).body as unknown as CheckJson;
      const groups = report.checks.find((c) => c.source === 'license_groups');
      expect(groups).toMatchObject({
        status: 'missing_permission',
        permission: 'Group.Read.All',
        permission_type: 'Application',
        admin_consent_required: true,
      });
      expect(groups?.message).toMatch(/Group\.Read\.All.*Grant admin consent/s);
      expect(report.checks.find((c) => c.source === 'users')?.status).toBe('ok');
      expect(report.summary.missing_permission).toBe(1);
    } finally {
      await other.close();
    }
  });

  it('stops at a failed sign-in and says how to fix the secret', async () => {
    const other = await startHarness({ data });
    other.demo.server.setData({ ...data, app: { ...data.app, clientSecret: 'a-different-secret' } });
    try {
      const tenant = other.app.tenants.list()[0];
      const report = (await api('GET', `/api/v1/m365/tenants/${tenant.id}/check`, other)).body as unknown as CheckJson;
      expect(report.sign_in).toMatchObject({ status: 'failed', code: 'invalid_client_secret' });
      expect(report.sign_in.message).toMatch(/AADSTS7000215/);
      expect(new Set(report.checks.map((c) => c.status))).toEqual(new Set(['not_checked']));
    } finally {
      await other.close();
    }
  });

  it('answers the check command with a valid card listing each read', async () => {
    const other = await startHarness({
      data: {
        ...data,
        app: {
          ...data.app,
          roles: DEFAULT_APP_ROLES.filter((r) => r !== 'Group.Read.All' && r !== 'Directory.Read.All'),
        },
      },
    });
    try {
      connector.clear();
      await post(other.app.url, message(serviceUrl, personal(), 'check'));
      await connector.waitFor((m) => m.length >= 1);
      const attachment = connector.messages()[0].activity.attachments?.[0];
      const card = attachment?.content;
      expect(card).toBeDefined();
      expect(validateCard(card as object).errors).toEqual([]);
      const text = cardText(card);
      expect(text).toContain('Permission check');
      expect(text).toContain('Missing permission');
      expect(text).toContain('Group.Read.All');
      expect(text).toContain(READ_REQUIREMENTS.users.label);
    } finally {
      await other.close();
    }
  });

  it('probes the Copilot reports along the fallback of the sync: the current endpoint refused, the older beta one answers', async () => {
    h.demo.server.faults.add({
      path: '/beta/copilot/reports/*',
      status: 404,
      code: 'ResourceNotFound',
      times: Infinity,
    });
    try {
      const tenant = h.app.tenants.list()[0];
      const report = (await api('GET', `/api/v1/m365/tenants/${tenant.id}/check`)).body as unknown as CheckJson;
      expect(report.checks.find((c) => c.source === 'copilot_usage')?.status).toBe('ok');
      expect(
        h.demo.server.requests.some((r) => r.path.startsWith('/beta/reports/getMicrosoft365CopilotUsageUserDetail')),
      ).toBe(true);
    } finally {
      h.demo.server.faults.clear();
    }
  });

  it('checks each security posture permission on its own line: a refused conditional access read is not hidden by the ones that work', async () => {
    h.demo.server.faults.add({
      path: '/v1.0/identity/conditionalAccess/policies',
      status: 403,
      code: 'Authorization_RequestDenied',
      times: Infinity,
    });
    try {
      const tenant = h.app.tenants.list()[0];
      const report = (await api('GET', `/api/v1/m365/tenants/${tenant.id}/check`)).body as unknown as CheckJson;
      const posture = report.checks.filter((c) => c.source.startsWith('posture_') || c.source === 'security_posture');
      expect(posture.map((c) => [c.source, c.status, c.permission])).toEqual([
        ['posture_security_defaults', 'ok', 'Policy.Read.All'],
        ['posture_conditional_access', 'missing_permission', 'Policy.Read.All'],
        ['posture_risky_users', 'ok', 'IdentityRiskyUser.Read.All'],
        ['posture_risk_detections', 'ok', 'IdentityRiskEvent.Read.All'],
        ['posture_managed_devices', 'ok', 'DeviceManagementManagedDevices.Read.All'],
        ['posture_secure_score', 'ok', 'SecurityEvents.Read.All'],
      ]);
      expect(posture[1].message).toMatch(/Policy\.Read\.All.*Grant admin consent/s);
      expect(report.summary.missing_permission).toBe(1);

      // The card: one line per permission, the refused one marked.
      connector.clear();
      await post(h.app.url, message(serviceUrl, personal(), 'check'));
      await connector.waitFor((m) => m.length >= 1);
      const text = cardText(connector.messages()[0].activity.attachments?.[0]?.content);
      expect(text).toMatch(
        /Missing permission\nSecurity posture: conditional access policies\nAdd the Microsoft Graph application permission Policy\.Read\.All/,
      );
      for (const id of [
        'posture_security_defaults',
        'posture_risky_users',
        'posture_risk_detections',
        'posture_managed_devices',
        'posture_secure_score',
      ] as const) {
        expect(text).toContain(READ_REQUIREMENTS[id].label);
      }
    } finally {
      h.demo.server.faults.clear();
    }
  });

  it('refuses an unknown tenant and unknown parameters', async () => {
    expect((await api('GET', '/api/v1/m365/tenants/nope/check')).status).toBe(404);
    const tenant = h.app.tenants.list()[0];
    const bad = await api('GET', `/api/v1/m365/tenants/${tenant.id}/check?verbose=1`);
    expect(bad.status).toBe(400);
  });
});

describe('POST /sync', () => {
  it('starts a sync and answers with the REST API fields, sync_types listing what this tenant syncs', async () => {
    const tenant = h.app.tenants.list()[0];
    const { status, body } = await api('POST', `/api/v1/m365/tenants/${tenant.id}/sync`);
    expect(status).toBe(200);
    expect(body).toMatchObject({
      tenant_id: tenant.id,
      estimated_duration: expect.any(String),
      sync_types: expect.arrayContaining(['users', 'groups', 'licenses']),
    });
    expect(Date.parse(String(body.sync_started))).not.toBeNaN();
    const run = await h.app.sync.whenDone(Number(body.run_id));
    expect(run?.status).toBe('success');
    const sources = await api('GET', `/api/v1/m365/tenants/${tenant.id}/sources`);
    expect(sources.status).toBe(200);
    const rows = sources.body.data as Array<{
      source: string;
      last_outcome: string;
      as_of: string | null;
      stale: boolean;
      age_days: number | null;
      label: string;
    }>;
    // Every activity source the check knows was read by this sync, dated and current.
    const activity = Object.keys(READ_REQUIREMENTS).filter(
      (id) =>
        ![
          'users',
          'subscribed_skus',
          'license_groups',
          'organization',
          'reclaim_remove',
          'reclaim_group',
          'reclaim_install',
        ].includes(id) && !id.startsWith('posture_'),
    );
    expect(rows.map((r) => r.source).sort()).toEqual(activity.sort());
    for (const r of rows) {
      expect({ source: r.source, outcome: r.last_outcome, stale: r.stale, label: r.label }).toEqual({
        source: r.source,
        outcome: 'ok',
        stale: false,
        label: READ_REQUIREMENTS[r.source as keyof typeof READ_REQUIREMENTS].label,
      });
      expect(r.as_of, r.source).not.toBeNull();
      expect(r.age_days, r.source).toBeLessThanOrEqual(3);
    }
  });

  it('answers 404 for an unknown tenant', async () => {
    expect((await api('POST', '/api/v1/m365/tenants/00000000-0000-0000-0000-000000000000/sync')).status).toBe(404);
  });
});
