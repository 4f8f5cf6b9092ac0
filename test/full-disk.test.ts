import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { generateDemoTenant } from '../demo-tenant/generator';
import { ConnectorRecorder, cardText } from './helpers/connector-recorder';
import { startHarness, tempDir, TEST_API_KEY, type Harness } from './helpers/harness';
import { message, personal, post } from './helpers/teams-activities';

/**
 * A real full disk: DATA_DIR on a small tmpfs. Mounting needs root (CI runs as root); elsewhere
 * the test is skipped and says why. Under CI (CI=true, or REQUIRE_FULL_DISK_TEST=1 as .ci/run
 * sets) it is never skipped: a run that cannot mount fails, saying what it lacks.
 */
const isRoot = process.getuid?.() === 0;
const required = process.env.CI === 'true' || process.env.REQUIRE_FULL_DISK_TEST === '1';
if (!isRoot && !required)
  console.warn(
    'SKIPPED test/full-disk.test.ts: mounting a tmpfs needs root; run the suite as root (as CI does) to test a full disk.',
  );

/** Mounts the tmpfs, or throws what the run lacks (a CI run must not pass without this test). */
function mountTmpfs(at: string): void {
  if (!isRoot) {
    throw new Error(
      `The full-disk test is required here (CI=true or REQUIRE_FULL_DISK_TEST=1) but runs as uid ${process.getuid?.()}: mounting its tmpfs needs root. Run .ci/run as root, or unset CI and REQUIRE_FULL_DISK_TEST to skip it on a developer machine.`,
    );
  }
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=64m', 'tmpfs', at], { stdio: 'pipe' });
  } catch (error) {
    const stderr = (error as { stderr?: Buffer }).stderr?.toString().trim();
    throw new Error(
      `The full-disk test could not mount a tmpfs at ${at} (${stderr || String(error)}). In a container, root also needs CAP_SYS_ADMIN (docker run --cap-add SYS_ADMIN).`,
      { cause: error },
    );
  }
}

const mountPoint = tempDir('full-disk');
let mounted = false;
let h: Harness | undefined;
const connector = new ConnectorRecorder();

afterAll(async () => {
  await h?.close().catch(() => undefined);
  await connector.stop();
  // Lazy: a failed start-up may still hold the database open.
  if (mounted) execFileSync('umount', ['-l', mountPoint]);
});

const freeBytes = () => {
  const s = fs.statfsSync(mountPoint);
  return s.bavail * s.bsize;
};

/** Fills the disk until `leave` bytes are free. */
function fill(leave: number): void {
  const fd = fs.openSync(path.join(mountPoint, `filler-${Date.now()}`), 'w');
  try {
    for (const size of [1 << 20, 64 << 10, 4 << 10]) {
      const chunk = Buffer.alloc(size, 1);
      while (freeBytes() - size >= leave) fs.writeSync(fd, chunk);
    }
  } finally {
    fs.closeSync(fd);
  }
}

async function getJson(p: string): Promise<{ status: number; body: Record<string, unknown> }> {
  const res = await fetch(`${h?.app.url}${p}`, { headers: { authorization: `Bearer ${TEST_API_KEY}` } });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

describe.skipIf(!isRoot && !required)('a full disk', () => {
  it('after a sync failed on a full disk, restarting with the disk still full serves the last snapshot and pauses syncs until space is back', async () => {
    mountTmpfs(mountPoint);
    mounted = true;
    const dataDir = path.join(mountPoint, 'data');
    const serviceUrl = await connector.start();
    const admin = personal();

    // One day of audit log: the 64 MB disk is sized for the directory (two snapshots and their indexes), and the audit sources' month of records would fill it first.
    h = await startHarness({
      data: generateDemoTenant({ users: 2000, seed: 41 }),
      config: { DATA_DIR: dataDir, AUDIT_LOOKBACK_DAYS: '1' },
    });
    const tenantId = h.app.tenants.list()[0].id;
    const good = await h.app.sync.request(tenantId, 'test').done;
    expect(good.status).toBe('success');
    // The admin's chat is known before the disk fills (remembering a new chat needs a write).
    expect((await post(h.app.url, message(serviceUrl, admin, 'help'))).status).toBe(200);
    await connector.waitFor((m) => m.length >= 1);
    connector.clear();

    // The next sync is bigger than the space left: it fails part-way, with pages already committed.
    fill(2 << 20);
    h.demo.server.setData(generateDemoTenant({ users: 8000, seed: 42 }));
    const failed = await h.app.sync.request(tenantId, 'test').done;
    expect(failed.status).toBe('failed');
    expect(failed).toMatchObject({ errorCode: 'storage_full' });
    expect(failed.errorText).toMatch(/disk .*is full/);
    await h.close();
    h = undefined;
    expect(freeBytes()).toBeLessThan(64 << 10);

    // Restart with the disk still full.
    h = await startHarness({ data: generateDemoTenant({ users: 8000, seed: 42 }), config: { DATA_DIR: dataDir } });
    const app = h.app;
    expect(app.tenants.find(tenantId)?.currentSnapshotId).toBe(good.id);

    const users = await getJson(`/api/v1/m365/tenants/${tenantId}/users?limit=10`);
    expect(users.status).toBe(200);
    expect(users.body.pagination).toMatchObject({ total: 2000 });
    const found = await getJson(`/api/v1/m365/tenants/${tenantId}/users?limit=10&search=an`);
    expect(found.status).toBe(200);

    const health = (await (await fetch(`${app.url}/healthz`)).json()) as {
      status: string;
      storage: { status: string; message: string };
    };
    expect(health.status).toBe('degraded');
    expect(health.storage.status).toBe('full');
    expect(health.storage.message).toContain(dataDir);

    expect((await post(app.url, message(serviceUrl, admin, 'status'))).status).toBe(200);
    await connector.waitFor((m) => m.length >= 1);
    const status = cardText(connector.messages()[0].activity.attachments?.[0]?.content);
    expect(status).toMatch(/2,?000/);
    expect(status).toMatch(/disk .*full/i);
    expect(status).toContain(dataDir);
    connector.clear();

    // A sync asked for while paused fails at once with the reason; nothing crashes.
    const refused = await app.sync.request(tenantId, 'command').done;
    expect(refused).toMatchObject({ status: 'failed', errorCode: 'storage_full' });
    expect(refused.errorText).toContain('Free disk space');
    expect((await post(app.url, message(serviceUrl, admin, 'sync'))).status).toBe(200);
    await connector.waitFor((m) => m.some((x) => /disk .*full/i.test(cardText(x.activity.attachments?.[0]?.content))));
    expect((await getJson(`/api/v1/m365/tenants/${tenantId}/users?limit=1`)).body.pagination).toMatchObject({
      total: 2000,
    });

    // Space is back: the next sync cleans up, resumes and publishes.
    for (const f of fs.readdirSync(mountPoint)) if (f.startsWith('filler-')) fs.rmSync(path.join(mountPoint, f));
    const resumed = await app.sync.request(tenantId, 'command').done;
    expect(resumed.status).toBe('success');
    await app.sync.idle();
    expect((await getJson(`/api/v1/m365/tenants/${tenantId}/users?limit=1`)).body.pagination).toMatchObject({
      total: 8000,
    });
    const snapshots = app.db
      .prepare('SELECT DISTINCT snapshot_id FROM users WHERE tenant_id = ?')
      .pluck()
      .all(tenantId);
    expect(snapshots).toEqual([resumed.id]);
    expect(app.runs.list(tenantId).filter((r) => r.status === 'running')).toEqual([]);
    const healthy = (await (await fetch(`${app.url}/healthz`)).json()) as {
      status: string;
      storage: { status: string };
    };
    expect(healthy).toMatchObject({ status: 'ok', storage: { status: 'ok' } });
  });
});
