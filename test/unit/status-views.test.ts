import { describe, expect, it } from 'vitest';
import { sourceLines, syncResultView, tenantStatusView } from '../../src/cards/status-views';
import type { SkuRow } from '../../src/domain/directory';
import type { SyncRunRecord } from '../../src/domain/sync-run';
import type { TenantRecord } from '../../src/domain/tenant';

const tenant: TenantRecord = {
  id: 'our-id',
  entraTenantId: 'ms-id',
  mspClientId: null,
  tenantName: 'Contoso Ltd',
  domainName: 'contoso.onmicrosoft.com',
  displayName: null,
  tenantType: 'business',
  source: 'demo',
  syncEnabled: true,
  syncIntervalHours: null,
  currentSnapshotId: 1,
  createdAt: '2026-11-01T00:00:00Z',
  updatedAt: '2026-11-01T00:00:00Z',
};

const sku = (partial: Partial<SkuRow>): SkuRow => ({
  skuId: 's',
  skuPartNumber: 'X',
  productName: 'X',
  capabilityStatus: 'Enabled',
  appliesTo: 'User',
  enabledUnits: 0,
  suspendedUnits: 0,
  warningUnits: 0,
  lockedOutUnits: 0,
  consumedUnits: 0,
  isCopilot: false,
  servicePlans: [],
  ...partial,
});

const run = (partial: Partial<SyncRunRecord>): SyncRunRecord => ({
  id: 1,
  tenantId: 'our-id',
  trigger: 'command',
  startedAt: '2026-11-22T14:00:00Z',
  finishedAt: '2026-11-22T14:00:04.200Z',
  status: 'success',
  counts: { users: 250, licensedUsers: 200, licenseAssignments: 400, skus: 6, groups: 2 },
  errorCode: null,
  errorText: null,
  warnings: [],
  ...partial,
});

const now = new Date('2026-11-22T14:05:00Z');
const counts = { total: 250, enabled: 231, disabled: 19, guests: 12, licensed: 200 };

describe('tenant status view', () => {
  it('sums Copilot seats and lists other SKUs by consumption, capped at five', () => {
    const skus = [
      sku({ skuId: 'c1', productName: 'Microsoft 365 Copilot', isCopilot: true, enabledUnits: 30, consumedUnits: 26 }),
      sku({ skuId: 'c2', productName: 'Copilot EDU', isCopilot: true, enabledUnits: 5, consumedUnits: 5 }),
      ...[10, 50, 5, 70, 1, 3, 20].map((n, i) =>
        sku({ skuId: `o${i}`, productName: `Other ${n}`, enabledUnits: n + 5, consumedUnits: n }),
      ),
    ];
    const v = tenantStatusView({
      tenant,
      counts,
      skus,
      lastRun: run({}),
      syncRunning: false,
      deadJobs: 0,
      sources: [],
      now,
    });
    expect(v.synced).toBe(true);
    expect([v.copilotPurchased, v.copilotAssigned, v.copilotAvailable]).toEqual([35, 31, 4]);
    expect(v.copilotSkus).toHaveLength(2);
    expect(v.otherSkus.map((s) => s.productName)).toEqual(['Other 70', 'Other 50', 'Other 20', 'Other 10', 'Other 5']);
    expect(v.otherSkus[0].usageText).toBe('70 / 75 assigned');
    expect(v.otherSkusMoreText).toBe('and 2 more SKUs (4 seats assigned)');
    expect(v.userBreakdownText).toBe('231 enabled · 19 disabled · 12 guests');
    expect(v.lastSyncText).toBe('22 Nov 2026 14:00 UTC (5 min ago)');
    expect([v.lastSyncOutcomeText, v.lastSyncOutcomeColor, v.lastSyncErrorText]).toEqual(['Succeeded', 'Good', '']);
    expect(v.failedWorkText).toBe('');
  });

  it('points the admin at dead-lettered work and where to retry it', () => {
    const one = tenantStatusView({
      tenant,
      counts,
      skus: [],
      lastRun: run({}),
      syncRunning: false,
      deadJobs: 1,
      sources: [],
      now,
    });
    expect(one.failedWorkText).toMatch(
      /^1 background task .* was set aside\. See GET \/api\/v1\/m365\/jobs\?status=dead/,
    );
    const three = tenantStatusView({
      tenant,
      counts,
      skus: [],
      lastRun: run({}),
      syncRunning: false,
      deadJobs: 3,
      sources: [],
      now,
    });
    expect(three.failedWorkText).toMatch(/^3 background tasks .* were set aside/);
  });

  it('says never synced, no Copilot, and shows failure reasons and partial warnings', () => {
    const never = tenantStatusView({
      tenant: { ...tenant, currentSnapshotId: null, domainName: null },
      counts: { total: 0, enabled: 0, disabled: 0, guests: 0, licensed: 0 },
      skus: [],
      lastRun: undefined,
      syncRunning: true,
      deadJobs: 0,
      sources: [],
      now,
    });
    expect([never.synced, never.hasCopilot, never.lastSyncText, never.lastSyncOutcomeText, never.syncRunning]).toEqual([
      false,
      false,
      'No sync has run yet',
      '',
      true,
    ]);
    expect(never.domainName).toBe('Tenant ID ms-id');
    const failed = tenantStatusView({
      tenant,
      counts,
      skus: [],
      lastRun: run({ status: 'failed', errorText: 'Invalid client secret (AADSTS7000215)' }),
      syncRunning: false,
      deadJobs: 0,
      sources: [],
      now,
    });
    expect([failed.lastSyncOutcomeColor, failed.lastSyncErrorText]).toEqual([
      'Attention',
      'Invalid client secret (AADSTS7000215)',
    ]);
    const partial = tenantStatusView({
      tenant,
      counts,
      skus: [],
      lastRun: run({ status: 'partial', warnings: ['a', 'b'] }),
      syncRunning: false,
      deadJobs: 0,
      sources: [],
      now,
    });
    expect([partial.lastSyncOutcomeText, partial.lastSyncErrorText]).toEqual(['Partly succeeded', 'a\nb']);
  });
});

describe('sync result view', () => {
  it('reports counts and duration, or the failure reason', () => {
    expect(syncResultView(tenant, run({}))).toMatchObject({
      titleText: 'Sync succeeded',
      durationText: '4.2 s',
      usersSynced: 250,
      succeeded: true,
      errorText: '',
    });
    expect(syncResultView(tenant, run({ status: 'failed', counts: null, errorText: 'boom' }))).toMatchObject({
      titleText: 'Sync failed',
      outcomeColor: 'Attention',
      usersSynced: 0,
      succeeded: false,
      errorText: 'boom',
    });
  });
});

describe('source lines on the status card', () => {
  const base = {
    tenantId: 't',
    lastAttemptAt: now.toISOString(),
    servedBy: null,
    errorCode: null,
    message: null,
    requests: 1,
    warnings: [] as string[],
  };
  it('dates current data, flags stale data with its age and the reason, and says what was never read', () => {
    const lines = sourceLines(
      [
        {
          ...base,
          source: 'audit_graph',
          lastOutcome: 'ok',
          lastSuccessAt: now.toISOString(),
          asOf: '2026-11-22T13:00:00.000Z',
        },
        {
          ...base,
          source: 'copilot_usage',
          lastOutcome: 'failed',
          lastSuccessAt: '2026-11-18T10:00:00.000Z',
          asOf: '2026-11-16',
          errorCode: 'graph_throttled',
          message: 'Graph is throttling.',
        },
        {
          ...base,
          source: 'sign_in',
          lastOutcome: 'refused',
          lastSuccessAt: null,
          asOf: null,
          errorCode: 'licence_required',
          message: 'The tenant lacks Microsoft Entra ID P1.',
        },
        {
          ...base,
          source: 'm365_activity',
          lastOutcome: 'not_newer',
          lastSuccessAt: now.toISOString(),
          asOf: '2026-11-20',
          warnings: ['Names are concealed.'],
        },
      ],
      now,
    );
    expect(lines.map((l) => l.label)).toEqual([
      'Copilot usage report (per user)',
      'Microsoft 365 active user report',
      'Sign-in activity',
      'Copilot audit log (Graph audit query)',
    ]);
    expect(lines[0]).toEqual({
      label: 'Copilot usage report (per user)',
      text: 'Stale, last good data as of 16 Nov 2026 (6 days ago). Graph is throttling.',
      color: 'Warning',
    });
    expect(lines[1]).toEqual({
      label: 'Microsoft 365 active user report',
      text: 'as of 20 Nov 2026 (2 days ago) Names are concealed.',
      color: 'Warning',
    });
    expect(lines[2]).toEqual({
      label: 'Sign-in activity',
      text: 'Not available. The tenant lacks Microsoft Entra ID P1.',
      color: 'Attention',
    });
    expect(lines[3]).toEqual({
      label: 'Copilot audit log (Graph audit query)',
      text: 'as of 22 Nov 2026 13:00 UTC (1 h ago)',
      color: 'Default',
    });
  });
});
