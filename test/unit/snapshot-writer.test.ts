import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { openDatabase } from '../../src/adapters/sqlite/database';
import { DirectoryReader } from '../../src/adapters/sqlite/directory';
import { SnapshotWriter } from '../../src/adapters/sqlite/snapshots';
import { SyncRunStore } from '../../src/adapters/sqlite/sync-runs';
import { TenantStore } from '../../src/adapters/sqlite/tenants';
import { toUserRows } from '../../src/adapters/graph/directory-mapping';
import { tempDir } from '../helpers/harness';

const user = (id: string) => ({ id, userPrincipalName: `${id}@contoso` });

describe('SnapshotWriter counts', () => {
  it('counts what it stored: duplicates skipped, failed assignments not licensed, same rule as the status card', () => {
    const db = openDatabase(path.join(tempDir('writer'), 'x.sqlite'));
    const tenant = new TenantStore(db).ensure({ entraTenantId: 't', tenantName: 'T', source: 'demo' });
    const runs = new SyncRunStore(db);
    const run = runs.start(tenant.id, 'test');
    const writer = new SnapshotWriter(db, tenant.id, run.id);
    const E3 = '05e9a617-0261-4cee-bb44-138d3ef5d965';
    const page = toUserRows([
      {
        ...user('a'),
        assignedLicenses: [{ skuId: E3 }],
        licenseAssignmentStates: [
          { skuId: E3, assignedByGroup: null, state: 'Active' },
          { skuId: E3, assignedByGroup: 'g', state: 'Active' },
        ],
      },
      // Group assignment that failed for lack of seats: listed, but the user holds no license.
      {
        ...user('b'),
        licenseAssignmentStates: [{ skuId: E3, assignedByGroup: 'g', state: 'Error', error: 'CountViolation' }],
      },
      { ...user('c') },
    ]);
    expect(writer.writeUsers(page.users, page.licenses)).toEqual({ users: 3, licensedUsers: 1, licenseAssignments: 3 });
    // The next page lists "a" again (the directory changed under the paged read): the first copy wins.
    const again = toUserRows([{ ...user('a'), assignedLicenses: [{ skuId: E3 }] }, { ...user('d') }]);
    expect(writer.writeUsers(again.users, again.licenses)).toEqual({
      users: 1,
      licensedUsers: 0,
      licenseAssignments: 0,
    });
    // The sync records the writer's own counts with the flip; the status card reads them back.
    writer.publish(() =>
      runs.finish(run.id, {
        status: 'success',
        counts: { users: 4, licensedUsers: 1, licenseAssignments: 3, skus: 0, groups: 0 },
      }),
    );
    expect(new DirectoryReader(db).userCounts(tenant.id)).toMatchObject({ total: 4, licensed: 1 });
    db.close();
  });
});
