import { afterEach, describe, expect, it } from 'vitest';
import {
  realTenantEnv,
  bannerPort,
  firstSyncOutcome,
  lockHeld,
  portAccepts,
  startApp,
  startDemoTenantProcess,
  waitFor,
  type RunningProcess,
  type StartCommand,
} from './helpers/app-process';
import { tempDir } from './helpers/harness';

/**
 * What a process manager does: send SIGTERM to the process it started (systemd, docker stop,
 * Kubernetes), or lose it altogether. Afterwards nothing of Seat Steward may be left serving or
 * holding DATA_DIR's lock. The deadlines are for waiting, not speed budgets.
 */
const running: RunningProcess[] = [];

afterEach(async () => {
  for (const proc of running.splice(0)) {
    proc.killGroup('SIGKILL');
    await waitFor(() => !proc.groupAlive(), 'the leftover processes to die', proc.output, 10_000);
  }
});

async function startDemoApp(command: StartCommand): Promise<{ app: RunningProcess; port: number; dataDir: string }> {
  const dataDir = tempDir('stop');
  const app = startApp(command, { DATA_DIR: dataDir, PORT: '0', PLAYGROUND: 'off', DEMO_USERS: '40' });
  running.push(app);
  const port = await bannerPort(app);
  expect(await firstSyncOutcome(port, app)).toBe('success');
  return { app, port, dataDir };
}

/** Port closed, lock released and every process of the group gone. */
async function expectFullyStopped(app: RunningProcess, port: number, dataDir: string): Promise<void> {
  await waitFor(async () => !(await portAccepts(port)), `port ${port} to close`, app.output, 30_000);
  await waitFor(() => !lockHeld(dataDir), 'the DATA_DIR lock to be released', app.output, 30_000);
  await waitFor(() => !app.groupAlive(), 'every process of the app to exit', app.output, 30_000);
}

describe('stopping the production command (node --import tsx src/main.ts)', () => {
  it('a real tenant: SIGTERM to its pid closes the port, releases the lock and exits 0', async () => {
    const demo = await startDemoTenantProcess(40);
    running.push(demo.process);
    const dataDir = tempDir('stop');
    const app = startApp('production', {
      ...realTenantEnv(demo),
      DATA_DIR: dataDir,
      PORT: '0',
      PLAYGROUND: 'off',
    });
    running.push(app);
    const port = await bannerPort(app);
    expect(lockHeld(dataDir)).toBe(true);

    process.kill(app.pid, 'SIGTERM');
    expect(await app.exited).toEqual({ code: 0, signal: null });
    await expectFullyStopped(app, port, dataDir);
  });

  it('the demo tenant: SIGTERM to the first pid also stops the process it re-executed to trust the certificate', async () => {
    const { app, port, dataDir } = await startDemoApp('production');
    process.kill(app.pid, 'SIGTERM');
    expect((await app.exited).code).toBe(0);
    await expectFullyStopped(app, port, dataDir);
  });

  it('the demo tenant: when the first pid dies without a word (SIGKILL), the re-executed process stops too', async () => {
    const { app, port, dataDir } = await startDemoApp('production');
    process.kill(app.pid, 'SIGKILL');
    await app.exited;
    await expectFullyStopped(app, port, dataDir);
  });
});

describe('stopping npm start', () => {
  it('SIGTERM to the npm process stops the app: port closed, lock released, nothing left running', async () => {
    const { app, port, dataDir } = await startDemoApp('npm');
    process.kill(app.pid, 'SIGTERM');
    await app.exited;
    await expectFullyStopped(app, port, dataDir);
  });
});
