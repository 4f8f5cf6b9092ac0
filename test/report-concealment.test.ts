import { createHash } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { DEFAULT_APP_ROLES, SKU } from '../demo-tenant/constants';
import { generateDemoTenant } from '../demo-tenant/generator';
import type { DemoTenantData, GraphUser } from '../demo-tenant/model';
import { SqliteSourceStatusStore } from '../src/adapters/sqlite/source-status';
import { startSeatStewardForTests } from '../src/app/test-hooks';
import { createLogger } from '../src/adapters/logging/logger';
import { startHarness, type Harness } from './helpers/harness';

const FIX =
  "Microsoft 365 admin center → Settings → Org settings → Reports → clear 'Display concealed user, group, and site names in all reports'";

function concealedData(seed: number, roles: string[] = [...DEFAULT_APP_ROLES]): DemoTenantData {
  const data = generateDemoTenant({ users: 120, seed });
  data.reportSettings = { displayConcealedNames: true };
  data.app.roles = roles;
  return data;
}

const holderOf = (data: DemoTenantData) =>
  data.users.find((u) => u.assignedLicenses.some((l) => l.skuId === SKU.COPILOT)) as GraphUser;
const hexOf = (upn: string) => createHash('md5').update(upn.toLowerCase()).digest('hex').toUpperCase();
const patches = (h: Harness) =>
  h.demo.server.requests.filter((r) => r.method === 'PATCH' && /reportSettings/i.test(r.path));

describe('report name concealment', () => {
  let h: Harness | undefined;
  afterEach(async () => {
    await h?.close();
    h = undefined;
  });

  it('concealed: rows are stored as unmatched (never as users), and the fix reaches the sync result and source status', async () => {
    const data = concealedData(71);
    h = await startHarness({ data, config: { REPORTS_REREAD_HOURS: '0' } });
    const tenantId = h.app.tenants.list()[0].id;
    const run = await h.app.sync.request(tenantId, 'test').done;
    expect(run.status).toBe('partial');
    expect(run.warnings.some((w) => w.includes(FIX))).toBe(true);
    const holder = holderOf(data);
    expect(h.app.usage.copilotUser(tenantId, holder.userPrincipalName)).toBeUndefined();
    const hidden = h.app.usage.copilotUser(tenantId, hexOf(holder.userPrincipalName));
    expect(hidden).toMatchObject({ concealed: true, displayName: null });
    const holders = data.users.filter((u) => u.assignedLicenses.some((l) => l.skuId === SKU.COPILOT)).length;
    expect(h.app.usage.unmatchedCount(tenantId, 'copilot_usage')).toBe(holders);
    expect(h.app.usage.unmatchedCount(tenantId, 'm365_activity')).toBe(
      data.users.filter((u) => u.assignedLicenses.length > 0).length,
    );
    const status = Object.fromEntries(new SqliteSourceStatusStore(h.app.db).list(tenantId).map((s) => [s.source, s]));
    expect(status.report_settings.warnings.join(' ')).toContain(FIX);
    expect(status.copilot_usage.warnings.join(' ')).toContain('unmatched');
    expect(patches(h)).toHaveLength(0);
  });

  it('REPORTS_UNCONCEAL: turned off for the read and back on afterwards; rows match users', async () => {
    const data = concealedData(72, [...DEFAULT_APP_ROLES, 'ReportSettings.ReadWrite.All']);
    h = await startHarness({ data, config: { REPORTS_REREAD_HOURS: '0', REPORTS_UNCONCEAL: 'true' } });
    const tenantId = h.app.tenants.list()[0].id;
    const run = await h.app.sync.request(tenantId, 'test').done;
    expect(run.warnings).toEqual([]);
    expect(h.app.usage.copilotUser(tenantId, holderOf(data).userPrincipalName)).toMatchObject({ concealed: false });
    expect(h.app.usage.unmatchedCount(tenantId, 'copilot_usage')).toBe(0);
    expect(h.demo.server.data.reportSettings?.displayConcealedNames).toBe(true);
    expect(patches(h).length).toBeGreaterThanOrEqual(2);
    expect(h.app.usage.has(tenantId)).toBe(false);
  });

  it('REPORTS_UNCONCEAL: restored even when the read fails mid-download', async () => {
    const data = concealedData(73, [...DEFAULT_APP_ROLES, 'ReportSettings.ReadWrite.All']);
    data.reportDownloadFault = 'truncate';
    h = await startHarness({ data, config: { REPORTS_REREAD_HOURS: '0', REPORTS_UNCONCEAL: 'true' } });
    const tenantId = h.app.tenants.list()[0].id;
    const run = await h.app.sync.request(tenantId, 'test').done;
    expect(run.status).toBe('partial');
    expect(run.warnings.some((w) => w.includes('cut short'))).toBe(true);
    expect(patches(h).length).toBeGreaterThanOrEqual(2);
    expect(h.demo.server.data.reportSettings?.displayConcealedNames).toBe(true);
    expect(h.app.usage.has(tenantId)).toBe(false);
  });

  it('REPORTS_UNCONCEAL without ReportSettings.ReadWrite.All: reads concealed and says why', async () => {
    const data = concealedData(74);
    h = await startHarness({ data, config: { REPORTS_REREAD_HOURS: '0', REPORTS_UNCONCEAL: 'true' } });
    const tenantId = h.app.tenants.list()[0].id;
    const run = await h.app.sync.request(tenantId, 'test').done;
    expect(run.warnings.join(' ')).toContain('ReportSettings.ReadWrite.All');
    expect(h.demo.server.data.reportSettings?.displayConcealedNames).toBe(true);
    expect(h.app.usage.has(tenantId)).toBe(false);
  });

  it('a process killed while concealment was off: the next start restores it', async () => {
    const data = concealedData(75, [...DEFAULT_APP_ROLES, 'ReportSettings.ReadWrite.All']);
    h = await startHarness({ data, config: { REPORTS_UNCONCEAL: 'true' } });
    const tenantId = h.app.tenants.list()[0].id;
    // What a kill between the PATCH and its restore leaves: the marker stored, the setting off.
    h.app.usage.set(tenantId, new Date().toISOString());
    h.demo.server.data.reportSettings = { displayConcealedNames: false };
    const config = h.config;
    await h.app.close();
    const app = await startSeatStewardForTests(config, {
      logger: createLogger('silent'),
      demoTenant: h.demo,
      schedule: false,
    });
    try {
      expect(await app.concealmentRestored).toBe(1);
      expect(h.demo.server.data.reportSettings?.displayConcealedNames).toBe(true);
      expect(app.usage.has(tenantId)).toBe(false);
    } finally {
      await app.close();
      await h.demo.close();
      h = undefined;
    }
  });
});
