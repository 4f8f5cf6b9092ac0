import { describe, expect, it } from 'vitest';
import {
  directoryChanges,
  snapshotChangeEvents,
  syncDuration,
  type UserHoldings,
} from '../../src/domain/snapshot-changes';
import { hashedEventId } from '../../src/usecases/webhooks/event-ids';

const E3 = '05e9a617-0261-4cee-bb44-138d3ef5d965';
const COPILOT = '639dec6b-bb19-468b-871c-c5c441c4b0cb';
const GROUP = 'a1e3c0de-0e30-4e3a-8a11-000000000e03';

function user(id: string, licences: UserHoldings['licences'] = []): UserHoldings {
  return { userId: id, userPrincipalName: `${id}@contoso.com`, displayName: id.toUpperCase(), licences };
}
const direct = (skuId: string, state: string | null = 'Active') => ({ skuId, assignedByGroupId: '', state });
const viaGroup = (skuId: string, state: string | null = 'Active') => ({ skuId, assignedByGroupId: GROUP, state });

describe('directory changes between two snapshots (domain rule)', () => {
  it('a user only in the new snapshot is created with their SKUs assigned; only in the old, deleted with their SKUs unassigned', () => {
    const changes = directoryChanges([user('gone', [viaGroup(E3)])], [user('new', [direct(COPILOT)])]);
    expect(changes.users.map((c) => `${c.change} ${c.user.userId}`)).toEqual(['deleted gone', 'created new']);
    expect(changes.licences).toEqual([
      {
        change: 'unassigned',
        user: expect.objectContaining({ userId: 'gone' }),
        skuId: E3,
        assignedVia: { direct: false, groupIds: [GROUP] },
      },
      {
        change: 'assigned',
        user: expect.objectContaining({ userId: 'new' }),
        skuId: COPILOT,
        assignedVia: { direct: true, groupIds: [] },
      },
    ]);
  });

  it('per user and SKU: a SKU gained is assigned, a SKU lost unassigned, with how it is (was) held', () => {
    const changes = directoryChanges(
      [user('a', [direct(E3), direct(COPILOT)])],
      [
        user('a', [
          direct(E3),
          viaGroup('C5928F49-12BA-48F7-ADA3-0D743A3601D5'),
          direct('c5928f49-12ba-48f7-ada3-0d743a3601d5'),
        ]),
      ],
    );
    expect(changes.users).toEqual([]);
    expect(changes.licences.map((c) => [c.change, c.skuId, c.assignedVia])).toEqual([
      ['unassigned', COPILOT, { direct: true, groupIds: [] }],
      // One holding however many rows (SKU ids compared without case): direct and through the group.
      ['assigned', 'c5928f49-12ba-48f7-ada3-0d743a3601d5', { direct: true, groupIds: [GROUP] }],
    ]);
  });

  it('a change of path only (direct to group), or of a row in error beside one in effect, is no change', () => {
    expect(directoryChanges([user('a', [direct(E3)])], [user('a', [viaGroup(E3), direct(E3, 'Error')])])).toEqual({
      users: [],
      licences: [],
    });
  });

  it('an assignment that is not in effect gives nothing: going from Error to Active assigns, Active to Disabled unassigns', () => {
    const changes = directoryChanges(
      [user('a', [viaGroup(E3, 'Error')]), user('b', [direct(COPILOT)])],
      [user('a', [viaGroup(E3, 'Active')]), user('b', [direct(COPILOT, 'Disabled')])],
    );
    expect(changes.licences.map((c) => `${c.change} ${c.user.userId} ${c.skuId}`)).toEqual([
      `assigned a ${E3}`,
      `unassigned b ${COPILOT}`,
    ]);
    // A null state (older Graph answers) counts as in effect, as everywhere else.
    expect(directoryChanges([user('c', [direct(E3, null)])], [user('c', [direct(E3)])]).licences).toEqual([]);
  });
});

describe('webhook events of the changes', () => {
  const set = {
    baseline: false as const,
    fromSnapshotId: 41,
    changes: directoryChanges([user('a', [direct(E3)])], [user('a'), user('b')]),
    skuPartNumbers: { [E3]: 'SPE_E3' },
  };

  it('a baseline yields no event', () => {
    expect(snapshotChangeEvents('t1', 42, { baseline: true }, '2026-12-06T10:00:00.000Z', hashedEventId)).toEqual([]);
  });

  it('each change is one event whose id depends on the tenant, the snapshot compared from and the change, not the run', () => {
    const events = snapshotChangeEvents('t1', 42, set, '2026-12-06T10:00:00.000Z', hashedEventId);
    expect(events.map((e) => e.type)).toEqual(['m365.user.created', 'm365.license.unassigned']);
    expect(events[1]).toEqual({
      id: expect.stringMatching(/^evt_[0-9a-f]{32}$/),
      type: 'm365.license.unassigned',
      tenantId: 't1',
      occurredAt: '2026-12-06T10:00:00.000Z',
      data: {
        user_id: 'a',
        user_principal_name: 'a@contoso.com',
        display_name: 'A',
        sku_id: E3,
        sku_part_number: 'SPE_E3',
        assigned_via: ['direct'],
        group_ids: [],
        sync_run_id: 42,
      },
    });
    // A retried sync (another run, same snapshot compared from) gives the same ids...
    const retried = snapshotChangeEvents('t1', 43, set, '2026-12-06T10:05:00.000Z', hashedEventId);
    expect(retried.map((e) => e.id)).toEqual(events.map((e) => e.id));
    // ...another tenant, or the same change later (from another snapshot), other ids.
    const other = snapshotChangeEvents('t2', 42, set, '2026-12-06T10:00:00.000Z', hashedEventId);
    const later = snapshotChangeEvents(
      't1',
      50,
      { ...set, fromSnapshotId: 49 },
      '2026-12-07T10:00:00.000Z',
      hashedEventId,
    );
    for (const e of [...other, ...later]) expect(events.map((x) => x.id)).not.toContain(e.id);
  });

  it('sync_duration is HH:MM:SS', () => {
    expect(syncDuration(272_000)).toBe('00:04:32');
    expect(syncDuration(3_725_400)).toBe('01:02:05');
    expect(syncDuration(0)).toBe('00:00:00');
  });
});
