import path from 'node:path';
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { openDatabase } from '../../src/adapters/sqlite/database';
import { DirectoryReader } from '../../src/adapters/sqlite/directory';
import { deleteOrphanSnapshots } from '../../src/adapters/sqlite/snapshots';
import { SnapshotWriterHandle } from '../../src/adapters/sqlite/snapshot-writer-thread';
import { snapshotWriterRequests } from '../../src/adapters/sqlite/snapshot-writer-requests';
import type { WriterRequest } from '../../src/adapters/sqlite/snapshot-worker-protocol';
import { SqliteCacheStorage } from '../../src/adapters/sqlite/storage-full';
import { SyncRunStore } from '../../src/adapters/sqlite/sync-runs';
import { TenantStore } from '../../src/adapters/sqlite/tenants';
import { TenantAccessError } from '../../src/domain/tenant-access-error';
import type { DirectorySource, SnapshotSink } from '../../src/usecases/sync/ports';
import { SyncService, type SyncDeps } from '../../src/usecases/sync/sync-service';
import type { UserLicenseRow, UserRow } from '../../src/domain/directory';
import { copilotSku, directCopilotSeat, memberRow } from '../helpers/directory-rows';
import { tempDir } from '../helpers/harness';

/**
 * The sync use case through its ports, with no HTTPS and no threads: a directory source made of
 * arrays (standing in for Graph) and the SQLite sink on the test's own connection.
 */

/**
 * The app's sink with the thread taken out: its session (SnapshotWriterHandle) hands each request
 * to the writer thread's own request handler, run here on the test's connection.
 */
function inlineSink(db: ReturnType<typeof openDatabase>): SnapshotSink {
  const handle = snapshotWriterRequests(db);
  let id = 0;
  return {
    sweepOrphans: () => deleteOrphanSnapshots(db),
    open: (tenantId, snapshotId) =>
      new SnapshotWriterHandle(async (body) => handle({ ...body, id: ++id, tenantId, snapshotId } as WriterRequest)),
  };
}
const sku = copilotSku;
const user = memberRow;
const seat = directCopilotSeat;

function source(
  overrides: Partial<DirectorySource> & { pages?: Array<{ users: UserRow[]; licenses: UserLicenseRow[] }> } = {},
): DirectorySource {
  const pages = overrides.pages ?? [
    { users: [user('a'), user('b')], licenses: [seat('a')] },
    { users: [user('c')], licenses: [seat('c')] },
  ];
  return {
    organization: async () => ({
      tenantName: 'Contoso',
      domainName: 'contoso.onmicrosoft.com',
      displayName: 'Contoso M365',
      tenantType: 'business',
    }),
    subscribedSkus: async () => [sku],
    licenseGroups: async () => [],
    forEachUserPage: async (onPage) => {
      for (const page of pages) await onPage(page);
    },
    ...overrides,
  };
}

function setup(src: () => DirectorySource, extra: Pick<SyncDeps, 'published' | 'clock'> = {}) {
  const db = openDatabase(path.join(tempDir('sync-usecase'), 'x.sqlite'));
  const tenants = new TenantStore(db);
  const runs = new SyncRunStore(db);
  const tenant = tenants.ensure({
    entraTenantId: '11111111-2222-3333-4444-555555555555',
    tenantName: 'T',
    source: 'entra',
  });
  const sync = new SyncService({
    tenants,
    runs,
    sourceFor: src,
    sink: inlineSink(db),
    storage: new SqliteCacheStorage(db),
    logger: pino({ level: 'silent' }),
    ...extra,
  });
  return { db, tenants, runs, tenant, sync, directory: new DirectoryReader(db) };
}

describe('SyncService through its ports', () => {
  it('publishes the snapshot, the identity and the counts the sink stored', async () => {
    const s = setup(() => source());
    const run = await s.sync.request(s.tenant.id, 'test').done;
    expect(run).toMatchObject({
      status: 'success',
      counts: { users: 3, licensedUsers: 2, licenseAssignments: 2, skus: 1, groups: 0 },
    });
    expect(s.tenants.find(s.tenant.id)).toMatchObject({
      currentSnapshotId: run.id,
      tenantName: 'Contoso',
      domainName: 'contoso.onmicrosoft.com',
    });
    expect(s.directory.userCounts(s.tenant.id)).toMatchObject({ total: 3, licensed: 2 });
  });

  it('a denied group read makes the sync partial, with the fix in the warning', async () => {
    const denied = new TenantAccessError('insufficient_privileges', 'Grant Group.Read.All.', 403);
    const s = setup(() => source({ licenseGroups: async () => Promise.reject(denied) }));
    const run = await s.sync.request(s.tenant.id, 'test').done;
    expect(run.status).toBe('partial');
    expect(run.warnings.join(' ')).toMatch(/group names are unknown.*Grant Group\.Read\.All/);
  });

  it('a failure half-way keeps the previous snapshot and records why', async () => {
    let fail = false;
    const s = setup(() =>
      source({
        forEachUserPage: async (onPage) => {
          await onPage({ users: [user('x')], licenses: [] });
          if (fail) throw new TenantAccessError('graph_throttled', 'Graph is throttling; try later.', 429);
        },
      }),
    );
    const first = await s.sync.request(s.tenant.id, 'test').done;
    fail = true;
    const second = await s.sync.request(s.tenant.id, 'test').done;
    expect(second).toMatchObject({
      status: 'failed',
      errorCode: 'graph_throttled',
      errorText: 'Graph is throttling; try later.',
    });
    expect(s.tenants.find(s.tenant.id)?.currentSnapshotId).toBe(first.id);
    // The half-written snapshot is gone: only the published one's rows remain.
    expect(s.db.prepare('SELECT COUNT(DISTINCT snapshot_id) FROM users').pluck().get()).toBe(1);
  });

  it("tells what follows a publish (the department trend) once the snapshot is live, at the clock's time; its failure is not the sync's", async () => {
    const at = new Date('2026-11-02T06:00:00Z');
    const seen: Array<{ tenantId: string; at: Date; live: boolean }> = [];
    let s = setup(() => source(), {
      clock: () => at,
      published: (tenantId, when) =>
        seen.push({ tenantId, at: when, live: s.tenants.find(tenantId)?.currentSnapshotId !== null }),
    });
    expect((await s.sync.request(s.tenant.id, 'test').done).status).toBe('success');
    expect(seen).toEqual([{ tenantId: s.tenant.id, at, live: true }]);

    s = setup(() => source(), {
      published: () => {
        throw new Error('disk I/O error');
      },
    });
    await s.sync.request(s.tenant.id, 'test').done;
    const run = await s.sync.request(s.tenant.id, 'test').done;
    expect(run.status).toBe('success');
    expect(s.tenants.find(s.tenant.id)?.currentSnapshotId).toBe(run.id);
    // The sync still finished its own work after the hook: the snapshot it replaced is dropped.
    await s.sync.idle();
    expect(s.db.prepare('SELECT COUNT(DISTINCT snapshot_id) FROM users').pluck().get()).toBe(1);
  });

  it('a second request joins the running sync instead of starting another', async () => {
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const s = setup(() => source({ subscribedSkus: async () => gate.then(() => [sku]) }));
    const a = s.sync.request(s.tenant.id, 'test');
    const b = s.sync.request(s.tenant.id, 'test');
    expect(b).toMatchObject({ joined: true, run: { id: a.run.id } });
    release();
    expect((await b.done).id).toBe(a.run.id);
  });
});
