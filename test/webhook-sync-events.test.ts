import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SKU } from '../demo-tenant/constants';
import { generateDemoTenant } from '../demo-tenant/generator';
import type { GraphUser } from '../demo-tenant/model';
import { CHANGE_TYPES, changeDirectory, changeLine } from './helpers/directory-changes';
import { startHarness, TEST_API_KEY, type Harness } from './helpers/harness';
import { Receiver, subscribeEverything } from './helpers/webhook-receiver';
import { expectRealLogHolds, RecordingEventLog, storedWebhookEvents } from './helpers/recording-event-log';

/**
 * The sync's webhook events, through the real app against the demo tenant over HTTPS: the
 * directory's changes between two snapshots, sync_completed and sync_failed, recorded in the real
 * event log (SQLite) through a spy given as the app option, which keeps copies of each batch.
 */
describe('webhook events of a sync', () => {
  let h: Harness;
  let log: RecordingEventLog;
  let tenantId: string;
  let receiver: Receiver;
  let hookId: number;

  beforeAll(async () => {
    log = new RecordingEventLog();
    receiver = new Receiver();
    await receiver.start();
    h = await startHarness({ data: generateDemoTenant({ users: 120, seed: 17 }), app: { webhookEventLog: log.wrap } });
    tenantId = h.app.tenants.list()[0].id;
    // The real log keeps only what some webhook wants.
    hookId = await subscribeEverything(h.app.url, TEST_API_KEY, receiver);
  });
  afterAll(async () => {
    await h?.close();
    await receiver?.stop();
  });

  const sync = () => h.app.sync.request(tenantId, 'test').done;
  const changesIn = (mark: number) =>
    log.since(mark).filter((e) => (CHANGE_TYPES as readonly string[]).includes(e.type));
  const summary = (mark: number) =>
    changesIn(mark)
      .map((e) => changeLine(e.type, e.data))
      .sort();

  it('the first sync is a baseline: no user or licence event, and sync_completed says so', async () => {
    const run = await sync();
    expect(run.status).toBe('success');
    expect(changesIn(0)).toEqual([]);
    const completed = log.ofType('m365.tenant.sync_completed');
    expect(completed).toHaveLength(1);
    expect(completed[0]).toMatchObject({ tenantId, type: 'm365.tenant.sync_completed' });
    expect(completed[0].data).toMatchObject({
      sync_run_id: run.id,
      status: 'success',
      baseline: true,
      users_synced: 120,
      licenses_synced: run.counts?.skus,
      license_assignments: run.counts?.licenseAssignments,
      errors: 0,
      sync_duration: expect.stringMatching(/^\d\d:\d\d:\d\d$/),
    });
  });

  it('a sync after changes in the tenant records exactly each change; the next sync with no change records none', async () => {
    const data = h.demo.server.data;
    const { directCopilot, expected } = changeDirectory(data);
    h.demo.server.setData(data);

    const mark = log.events.length;
    const run = await sync();
    expect(run.status).toBe('success');
    expect(summary(mark)).toEqual(expected);
    const unassigned = changesIn(mark).find(
      (e) => e.type === 'm365.license.unassigned' && e.data.user_id === directCopilot.id,
    );
    expect(unassigned).toMatchObject({
      tenantId,
      data: {
        user_id: directCopilot.id,
        user_principal_name: directCopilot.userPrincipalName,
        display_name: directCopilot.displayName,
        sku_id: SKU.COPILOT,
        sku_part_number: data.subscribedSkus.find((s) => s.skuId === SKU.COPILOT)?.skuPartNumber,
        assigned_via: ['direct'],
        group_ids: [],
        sync_run_id: run.id,
      },
    });
    const ids = changesIn(mark).map((e) => e.id);
    expect(new Set(ids).size).toBe(ids.length);
    // The real log (SQLite) holds the same changes of this run, once each.
    const stored = storedWebhookEvents(h.app.db).filter(
      (e) => e.body.data.sync_run_id === run.id && (CHANGE_TYPES as readonly string[]).includes(e.type),
    );
    expect(stored.map((e) => e.id).sort()).toEqual([...ids].sort());
    expect(log.ofType('m365.tenant.sync_completed').at(-1)?.data).toMatchObject({
      sync_run_id: run.id,
      baseline: false,
      users_synced: 120,
    });

    const quiet = log.events.length;
    const again = await sync();
    expect(again.status).toBe('success');
    expect(changesIn(quiet)).toEqual([]);
    expect(log.since(quiet).map((e) => e.type)).toEqual(['m365.tenant.sync_completed']);
  });

  it('a sync that fails after handing over its changes, run again, hands over the same ids (recorded once)', async () => {
    const data = h.demo.server.data;
    const holder = data.users.find((u) =>
      u.licenseAssignmentStates.some((s) => s.skuId === SKU.M365_E3 && s.assignedByGroup === null),
    ) as GraphUser;
    holder.assignedLicenses = holder.assignedLicenses.filter((l) => l.skuId !== SKU.M365_E3);
    holder.licenseAssignmentStates = holder.licenseAssignmentStates.filter((s) => s.skuId !== SKU.M365_E3);
    h.demo.server.setData(data);

    const mark = log.events.length;
    const calls = log.calls.length;
    log.failAfterRecording(1);
    const failed = await sync();
    expect(failed.status).toBe('failed');
    expect(failed.errorText).toContain('the event log failed after writing');
    const firstIds = log.calls[calls].map((e) => e.id);
    expect(firstIds.length).toBeGreaterThan(0);
    const failedEvent = log.ofType('m365.tenant.sync_failed').at(-1);
    expect(failedEvent?.data).toMatchObject({ sync_run_id: failed.id, error_code: 'internal_error' });

    const retried = await sync();
    expect(retried.status).toBe('success');
    const retriedChanges = log.calls
      .slice(calls + 2)
      .find((batch) => batch.some((e) => e.type !== 'm365.tenant.sync_completed'));
    expect(retriedChanges?.map((e) => e.id)).toEqual(firstIds);
    expect(summary(mark)).toEqual([`m365.license.unassigned ${holder.userPrincipalName} ${SKU.M365_E3}`]);
  });

  it('against a snapshot published before the per-user licence sets existed (the upgrade), the changes still come out', async () => {
    const current = h.app.tenants.find(tenantId)?.currentSnapshotId;
    expect(
      h.app.db.prepare('DELETE FROM user_licence_sets WHERE tenant_id = ? AND snapshot_id = ?').run(tenantId, current)
        .changes,
    ).toBeGreaterThan(0);
    const data = h.demo.server.data;
    const holder = data.users.find((u) =>
      u.licenseAssignmentStates.some(
        (s) => s.skuId === SKU.COPILOT && s.assignedByGroup === null && s.state === 'Active',
      ),
    ) as GraphUser;
    holder.assignedLicenses = holder.assignedLicenses.filter((l) => l.skuId !== SKU.COPILOT);
    holder.licenseAssignmentStates = holder.licenseAssignmentStates.filter((s) => s.skuId !== SKU.COPILOT);
    h.demo.server.setData(data);
    const mark = log.events.length;
    expect((await sync()).status).toBe('success');
    expect(summary(mark)).toEqual([`m365.license.unassigned ${holder.userPrincipalName} ${SKU.COPILOT}`]);
  });

  it('a failed sync records sync_failed with the reason, what to do and the code', async () => {
    h.demo.server.faults.add({
      // The directory's user pages, not the sign-in activity source's.
      path: /^\/v1\.0\/users\?(?!.*signInActivity)/i,
      status: 403,
      code: 'Authorization_RequestDenied',
      message: 'Insufficient privileges to complete the operation.',
      times: 1,
    });
    const mark = log.events.length;
    const run = await sync();
    expect(run.status).toBe('failed');
    const events = log.since(mark);
    expect(events.map((e) => e.type)).toEqual(['m365.tenant.sync_failed']);
    expect(events[0]).toMatchObject({
      tenantId,
      data: {
        sync_run_id: run.id,
        error_code: run.errorCode,
        reason: run.errorText,
        sync_duration: expect.stringMatching(/^\d\d:\d\d:\d\d$/),
      },
    });
    expect(run.errorCode).toBe('insufficient_privileges');
    // The reason says what to grant.
    expect(events[0].data.reason).toEqual(expect.stringContaining('User.Read.All'));
  });

  it('the real event log holds exactly the events handed over, each once, numbered per tenant without gaps', () => {
    expect(log.events.length).toBeGreaterThan(10);
    expectRealLogHolds(h.app.db, log.events, h.app.tenants.list());
  });

  it('with no webhook wanting them, a sync does not work out its directory changes at all', async () => {
    const toggle = (enabled: boolean) =>
      fetch(`${h.app.url}/api/v1/m365/webhooks/${hookId}`, {
        method: 'PATCH',
        headers: { authorization: `Bearer ${TEST_API_KEY}`, 'content-type': 'application/json' },
        body: JSON.stringify({ enabled }),
      });
    expect((await toggle(false)).status).toBe(200);
    try {
      const data = h.demo.server.data;
      changeDirectory(data);
      h.demo.server.setData(data);
      const calls = log.calls.length;
      expect((await sync()).status).toBe('success');
      // Only the outcome is handed over (and, wanted by nobody, not kept); no change was compared.
      expect(
        log.calls
          .slice(calls)
          .flat()
          .map((e) => e.type),
      ).toEqual(['m365.tenant.sync_completed']);
    } finally {
      expect((await toggle(true)).status).toBe(200);
    }
  });
});
