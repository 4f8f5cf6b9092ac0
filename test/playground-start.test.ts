import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { bannerPort, startApp, waitFor, type RunningProcess } from './helpers/app-process';
import { tempDir } from './helpers/harness';
import { freePort } from './browser/playground-helpers';

/**
 * `npm start` on a machine without a desktop (a server, a container, WSL without a browser):
 * no xdg-open on the PATH. The Playground must still come up and its URL be printed.
 */
let app: RunningProcess | undefined;

afterEach(async () => {
  app?.killGroup('SIGTERM');
  if (app) await waitFor(() => !app?.groupAlive(), 'the app and the Playground to stop', app.output, 30_000);
  app = undefined;
});

describe('the Agents Playground on a machine without a browser', () => {
  it('starts without xdg-open on the PATH and prints its URL', async () => {
    // A PATH holding nothing but node.
    const bin = tempDir('path-without-xdg-open');
    fs.symlinkSync(process.execPath, path.join(bin, 'node'));
    app = startApp('production', {
      PATH: bin,
      DISPLAY: '',
      WAYLAND_DISPLAY: '',
      DATA_DIR: tempDir('playground-start'),
      PORT: '0',
      PLAYGROUND: 'on',
      PLAYGROUND_PORT: String(await freePort()),
      DEMO_USERS: '20',
      LOG_LEVEL: 'info',
    });
    await bannerPort(app);
    const url = /Playground\s+(http:\/\/localhost:\d+)/.exec(app.output())?.[1];
    expect(url, app.output()).toBeDefined();
    expect((await fetch(url as string)).ok).toBe(true);
    expect(app.output()).not.toContain('Agents Playground exited');
    expect(app.output()).not.toContain('did not start');
  });
});
