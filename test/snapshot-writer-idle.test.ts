import path from 'node:path';
import pino from 'pino';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { openDatabase } from '../src/adapters/sqlite/database';
import { DirectoryReader } from '../src/adapters/sqlite/directory';
import { SnapshotWriterThread } from '../src/adapters/sqlite/snapshot-writer-thread';
import { SqliteCacheStorage } from '../src/adapters/sqlite/storage-full';
import { SyncRunStore } from '../src/adapters/sqlite/sync-runs';
import { TenantStore } from '../src/adapters/sqlite/tenants';
import { memoryOfThreads } from '../src/adapters/sqlite/worker-channel';
import type { DirectorySource } from '../src/usecases/sync/ports';
import { SyncService } from '../src/usecases/sync/sync-service';
import { copilotSku, directCopilotSeat, memberRow } from './helpers/directory-rows';
import { tempDir } from './helpers/harness';

/**
 * The snapshot writer thread is stopped once it has idled with no sync open, so the heap a large
 * sync's analytics left behind goes back to the system; a sync that pauses between pages keeps
 * it (the thread holds that sync's unpublished snapshot), and the next sync starts a new thread.
 * The idle wait runs on vitest's clock; the thread and the SQLite file are real.
 */
const IDLE_MS = 10_000;
const sku = copilotSku;
const user = memberRow;
const seat = directCopilotSeat;

const writerThreads = async () => (await memoryOfThreads()).filter((t) => t.thread === 'the snapshot writer thread');

let sink: SnapshotWriterThread | undefined;
afterEach(async () => {
  vi.useRealTimers();
  await sink?.close();
});

describe('the snapshot writer thread', () => {
  it('stops after idling with no sync open, not while a sync pauses between pages, and starts again for the next sync', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    const db = openDatabase(path.join(tempDir('writer-idle'), 'x.sqlite'));
    const tenants = new TenantStore(db);
    const tenant = tenants.ensure({
      entraTenantId: '11111111-2222-3333-4444-555555555555',
      tenantName: 'T',
      source: 'entra',
    });
    sink = new SnapshotWriterThread(path.join(path.dirname(db.name), 'x.sqlite'), db, IDLE_MS);
    let paused!: () => void;
    const pausedBetweenPages = new Promise<void>((resolve) => (paused = resolve));
    let resume!: () => void;
    const resumed = new Promise<void>((resolve) => (resume = resolve));
    let pause = true;
    const source = (): DirectorySource => ({
      organization: async () => ({
        tenantName: 'Contoso',
        domainName: 'contoso.example',
        displayName: 'Contoso',
        tenantType: 'business',
      }),
      subscribedSkus: async () => [sku],
      licenseGroups: async () => [],
      forEachUserPage: async (onPage) => {
        await onPage({ users: [user('a'), user('b')], licenses: [seat('a')] });
        if (pause) {
          paused();
          await resumed;
        }
        await onPage({ users: [user('c')], licenses: [seat('c')] });
      },
    });
    const sync = new SyncService({
      tenants,
      runs: new SyncRunStore(db),
      sourceFor: source,
      sink,
      storage: new SqliteCacheStorage(db),
      logger: pino({ level: 'silent' }),
    });

    const first = sync.request(tenant.id, 'test').done;
    await pausedBetweenPages;
    // The thread has written and answered the first page: nothing is outstanding, only the open sync holds it.
    while ((db.prepare('SELECT COUNT(*) FROM users').pluck().get() as number) < 2)
      await new Promise((resolve) => setImmediate(resolve));
    await new Promise((resolve) => setImmediate(resolve));
    // Long past the idle wait while the sync holds its first page in the thread: the thread stays.
    await vi.advanceTimersByTimeAsync(IDLE_MS * 3);
    expect(await writerThreads()).toHaveLength(1);
    resume();
    expect(await first).toMatchObject({ status: 'success', counts: { users: 3, licensedUsers: 2 } });
    expect(new DirectoryReader(db).userCounts(tenant.id)).toMatchObject({ total: 3, licensed: 2 });
    await sync.idle();
    expect(await writerThreads()).toHaveLength(1);

    // Idle with no sync open: stopped once the wait has passed.
    await vi.advanceTimersByTimeAsync(IDLE_MS - 1);
    expect(await writerThreads()).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(1);
    expect(await writerThreads()).toHaveLength(0);

    // The next sync starts a new thread and publishes as before.
    pause = false;
    const second = await sync.request(tenant.id, 'test').done;
    expect(second).toMatchObject({ status: 'success', counts: { users: 3 } });
    expect(tenants.find(tenant.id)?.currentSnapshotId).toBe(second.id);
    expect(await writerThreads()).toHaveLength(1);
    db.close();
  });
});
