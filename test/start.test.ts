import { spawn, type ChildProcess } from 'node:child_process';
import net from 'node:net';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openDatabase, databaseFile } from '../src/adapters/sqlite/database';
import { startHarness, tempDir, type Harness } from './helpers/harness';

/** `npm start`'s entry point as a real process: config validation, the demo certificate re-exec, start-up sync. */
const root = path.resolve(__dirname, '..');
let child: ChildProcess | undefined;
let h: Harness | undefined;

afterEach(async () => {
  if (child && child.exitCode === null && child.signalCode === null) {
    const exited = new Promise((resolve) => child?.once('exit', resolve));
    killGroup('SIGTERM');
    await exited;
  }
  child = undefined;
  await h?.close();
  h = undefined;
});

function killGroup(signal: NodeJS.Signals): void {
  if (child?.pid) {
    try {
      process.kill(-child.pid, signal);
    } catch {
      // Already gone.
    }
  }
}

function groupAlive(): boolean {
  if (!child?.pid) return false;
  try {
    process.kill(-child.pid, 0);
    return true;
  } catch {
    return false;
  }
}

function start(env: Record<string, string>): { output: () => string; exited: Promise<number | null> } {
  let output = '';
  child = spawn(process.execPath, [require.resolve('tsx/cli'), 'src/main.ts'], {
    cwd: root,
    env: { ...process.env, LOG_LEVEL: 'warn', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
    // Its own process group: tsx and main.ts's certificate re-exec each add a process, and a
    // SIGKILL must reach all of them (as a container runtime's would).
    detached: true,
  });
  child.stdout?.on('data', (c: Buffer) => (output += c.toString()));
  child.stderr?.on('data', (c: Buffer) => (output += c.toString()));
  const exited = new Promise<number | null>((resolve) => child?.once('exit', (code) => resolve(code)));
  return { output: () => output, exited };
}

async function waitFor(
  predicate: () => boolean,
  what: string,
  output: () => string,
  timeoutMs = 60_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; output:\n${output()}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('npm start', () => {
  it('runs on the embedded defaults: trusts the demo certificate, syncs the demo tenant, serves the bot', async () => {
    const run = start({ DATA_DIR: tempDir('start'), PORT: '0', PLAYGROUND: 'off', DEMO_USERS: '40' });
    await waitFor(() => /Bot endpoint\s+http:\/\/localhost:\d+/.test(run.output()), 'the start banner', run.output);
    const port = /Bot endpoint\s+http:\/\/localhost:(\d+)/.exec(run.output())?.[1];
    expect(run.output()).toContain('built-in demo tenant (Contoso Ltd');
    // The cache is empty, so the app syncs the demo tenant at start; poll /healthz until it has.
    let health: { tenants?: Array<{ lastSync: string }> } = {};
    for (let i = 0; i < 300 && health.tenants?.[0]?.lastSync !== 'success'; i++) {
      health = (await (await fetch(`http://127.0.0.1:${port}/healthz`)).json()) as typeof health;
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(health.tenants?.[0]?.lastSync).toBe('success');
    // restify's spdy -> http-deceiver reads process.binding('http_parser'): noise the user cannot act on.
    expect(run.output()).not.toContain('DEP0111');
    expect(run.output()).not.toContain('DeprecationWarning');
  });

  it('stops with a message naming the variable when the configuration is bad', async () => {
    const run = start({ DATA_DIR: tempDir('start'), PORT: 'eighty', PLAYGROUND: 'off' });
    expect(await run.exited).toBe(1);
    expect(run.output()).toMatch(/PORT: .*port/);
  });
});

describe('one instance per DATA_DIR', () => {
  it('refuses to start a second instance on the same DATA_DIR, and starts once the first has stopped', async () => {
    h = await startHarness();
    await expect(startHarness({ config: { DATA_DIR: h.config.dataDir } })).rejects.toThrow(
      /Another Seat Steward \(process \d+\) is using DATA_DIR/,
    );
    const dataDir = h.config.dataDir;
    await h.close();
    h = await startHarness({ config: { DATA_DIR: dataDir } });
    expect(h.app.tenants.list()).toHaveLength(1);
  });

  it('a start that fails part-way (its port is taken) releases the lock and the database, so the next start works', async () => {
    const taken = net.createServer();
    await new Promise<void>((resolve) => taken.listen(0, resolve));
    const port = (taken.address() as net.AddressInfo).port;
    const dataDir = tempDir('failed-start');
    try {
      await expect(startHarness({ config: { DATA_DIR: dataDir, PORT: String(port) } })).rejects.toThrow(/EADDRINUSE/);
    } finally {
      taken.close();
    }
    h = await startHarness({ config: { DATA_DIR: dataDir } });
    expect(h.app.tenants.list()).toHaveLength(1);
  });
});

describe('scheduler', () => {
  it('syncs an empty cache at start and then on SYNC_CRON', async () => {
    h = await startHarness({ config: { SYNC_CRON: '*/1 * * * * *' }, app: { schedule: true } });
    const tenant = h.app.tenants.list()[0];
    const deadline = Date.now() + 15_000;
    while (
      !h.app.runs.list(tenant.id).some((r) => r.trigger === 'schedule' && r.status === 'success') &&
      Date.now() < deadline
    ) {
      await new Promise((r) => setTimeout(r, 100));
    }
    const triggers = h.app.runs.list(tenant.id).map((r) => r.trigger);
    expect(triggers).toContain('startup');
    expect(triggers).toContain('schedule');
  });
});

describe('crash in the middle of a sync', () => {
  it('a process killed mid-sync leaves the run marked interrupted and no stray rows after restart, and the next start re-runs its slot', async () => {
    const dataDir = tempDir('crash');
    const run = start({ DATA_DIR: dataDir, PORT: '0', PLAYGROUND: 'off', DEMO_USERS: '100000', LOG_LEVEL: 'info' });
    await waitFor(() => run.output().includes('"msg":"sync started"'), 'the start-up sync to begin', run.output);
    // Wait until some pages are committed, then kill without any chance to clean up.
    const file = databaseFile(dataDir);
    await waitFor(
      () => {
        const db = openDatabase(file);
        try {
          return (db.prepare('SELECT COUNT(*) FROM users').pluck().get() as number) > 0;
        } finally {
          db.close();
        }
      },
      'the first committed page',
      run.output,
      30_000,
    );
    killGroup('SIGKILL');
    await run.exited;
    await waitFor(() => !groupAlive(), 'every process of the app to die', run.output, 10_000);
    expect(run.output()).not.toContain('"msg":"sync finished"');

    const before = openDatabase(file);
    const runningRun = before.prepare("SELECT id FROM sync_runs WHERE status = 'running'").pluck().get() as number;
    expect(runningRun).toBeGreaterThan(0);
    expect(before.prepare('SELECT COUNT(*) FROM users WHERE snapshot_id = ?').pluck().get(runningRun)).toBeGreaterThan(
      0,
    );
    // The start-up sync ran as an outbox job, which the kill left 'running'.
    expect(before.prepare("SELECT status FROM outbox_jobs WHERE kind = 'tenant.sync'").pluck().all()).toEqual([
      'running',
    ]);
    before.close();

    h = await startHarness({ config: { DATA_DIR: dataDir } });
    expect(h.app.runs.get(runningRun)).toMatchObject({ status: 'failed', errorCode: 'interrupted' });
    expect(h.app.db.prepare('SELECT COUNT(*) FROM users WHERE snapshot_id = ?').pluck().get(runningRun)).toBe(0);
    expect(h.app.db.prepare('SELECT COUNT(*) FROM user_licenses WHERE snapshot_id = ?').pluck().get(runningRun)).toBe(
      0,
    );
    // The interrupted start-up slot runs again (this harness has no scheduler: the outbox alone does it).
    const [job] = h.app.outbox.list({ kind: 'tenant.sync', limit: 10, offset: 0 }).rows;
    await waitFor(
      () => h?.app.outbox.get(job.id)?.status === 'done',
      'the re-queued sync job',
      () => JSON.stringify(h?.app.outbox.get(job.id)),
      30_000,
    );
    expect(h.app.outbox.get(job.id)).toMatchObject({
      attempts: 2,
      lastError: expect.stringMatching(/stopped while this attempt ran/),
    });
    await h.app.sync.idle();
    const tenant = h.app.tenants.list()[0];
    const rerun = h.app.runs.latest(tenant.id);
    expect(rerun).toMatchObject({ trigger: 'startup', status: 'success', errorText: null });
    expect(rerun?.id).toBeGreaterThan(runningRun);
    expect(tenant.currentSnapshotId).toBe(rerun?.id);
    // No stray rows: only the re-run's snapshot is left.
    expect(h.app.db.prepare('SELECT DISTINCT snapshot_id FROM users').pluck().all()).toEqual([rerun?.id]);
    expect(h.app.db.prepare('SELECT DISTINCT snapshot_id FROM user_licenses').pluck().all()).toEqual([rerun?.id]);
  });
});
