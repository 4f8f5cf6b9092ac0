import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { databaseFile, openDatabase } from '../src/adapters/sqlite/database';
import {
  bannerPort,
  realTenantEnv,
  spawnTracked,
  startApp,
  startDemoTenantProcess,
  waitFor,
  type RunningProcess,
} from './helpers/app-process';
import { tempDir } from './helpers/harness';
import { freePort } from './browser/playground-helpers';

/**
 * Trying Seat Steward the way the README says: `npm start` with the Agents Playground, against
 * the demo tenant or a real tenant (here the demo tenant in its own process, configured exactly as
 * a real one: TENANT_ID, CLIENT_ID, SECRET_CLIENT_SECRET, AUTHORITY_HOST, GRAPH_ENDPOINT).
 */
const running: RunningProcess[] = [];

afterEach(async () => {
  for (const proc of running.splice(0)) {
    proc.killGroup('SIGTERM');
    await waitFor(() => !proc.groupAlive(), 'the app and the Playground to stop', proc.output, 30_000);
  }
});

const ADMIN_OBJECT_ID = '6f1c2d3e-4a5b-4c6d-8e7f-901a2b3c4d5e';
const APPROVER_OBJECT_ID = '7a2b3c4d-5e6f-4a7b-8c9d-0e1f2a3b4c5d';

function playgroundUrl(app: RunningProcess): string {
  const url = /Playground\s+(http:\/\/localhost:\d+)/.exec(app.output())?.[1];
  if (!url) throw new Error(`no Playground URL in the banner:\n${app.output()}`);
  return url;
}

/** What the Playground tells its web client about who is chatting (its own API). */
async function playgroundConfig(
  url: string,
): Promise<{ tenantId: string; currentUser: { id: string; aadObjectId: string }; personalChat: { id: string } }> {
  const body = (await (await fetch(`${url.replace('localhost', '127.0.0.1')}/_internal/v1/config`)).json()) as {
    config: never;
  };
  return body.config;
}

/** Types a message into the Playground's personal chat, as its web client does. */
async function sendFromPlayground(url: string, conversationId: string, userId: string, text: string): Promise<void> {
  const res = await fetch(
    `${url.replace('localhost', '127.0.0.1')}/_conversation/v1/conversations/${encodeURIComponent(conversationId)}/messages`,
    {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ from: { id: userId }, text, textFormat: 'plain' }),
    },
  );
  expect(res.status, await res.text()).toBe(200);
}

/**
 * The addresses sockets listen on for `port`, from the kernel's socket tables (Linux). A test must
 * not connect to this machine's own network address (traffic is only for loopback here), so which
 * interfaces a server is open on is read instead of tried.
 */
function listeningOn(port: number): string[] {
  const found: string[] = [];
  for (const file of ['/proc/net/tcp', '/proc/net/tcp6']) {
    if (!fs.existsSync(file)) continue;
    for (const line of fs.readFileSync(file, 'utf8').split('\n').slice(1)) {
      const cols = line.trim().split(/\s+/);
      // Column 4 is the state: 0A is LISTEN.
      if (cols.length < 4 || cols[3] !== '0A') continue;
      const [hexAddress, hexPort] = (cols[1] ?? '').split(':');
      if (parseInt(hexPort ?? '', 16) !== port || !hexAddress) continue;
      found.push(file.endsWith('6') ? ipv6Text(hexAddress) : ipv4Text(hexAddress));
    }
  }
  return found;
}

/** /proc/net/tcp writes an IPv4 address as 8 hex digits in host (little-endian) byte order. */
function ipv4Text(hex: string): string {
  return [6, 4, 2, 0].map((i) => parseInt(hex.slice(i, i + 2), 16)).join('.');
}

function ipv6Text(hex: string): string {
  if (/^0+$/.test(hex)) return '::';
  if (hex === '00000000000000000000000001000000') return '::1';
  return `ipv6:${hex}`;
}

const LINUX_SOCKETS = fs.existsSync('/proc/net/tcp');

function accepts(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect(port, host);
    socket.setTimeout(3000, () => {
      socket.destroy();
      resolve(false);
    });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

describe('a real-tenant trial from the Agents Playground', () => {
  it('the Playground chats from TENANT_ID as PLAYGROUND_USER, and its messages pass the tenant gate', async () => {
    const demo = await startDemoTenantProcess(40);
    running.push(demo.process);
    const dataDir = tempDir('trial-real-tenant');
    const app = startApp('production', {
      ...realTenantEnv(demo),
      DATA_DIR: dataDir,
      PORT: '0',
      PLAYGROUND: 'on',
      PLAYGROUND_PORT: String(await freePort()),
      PLAYGROUND_USER: ADMIN_OBJECT_ID,
      LOG_LEVEL: 'info',
    });
    running.push(app);
    await bannerPort(app);
    // ADMINS is empty with a real tenant: the banner says that nobody may use the admin commands.
    expect(app.output()).toMatch(/Admins\s+ADMINS is empty: with a real tenant NOBODY may use the admin commands/);
    expect(app.output()).toContain(`Playground as  user ${ADMIN_OBJECT_ID} in tenant ${demo.info.tenantId}`);

    const url = playgroundUrl(app);
    const config = await playgroundConfig(url);
    expect(config.tenantId).toBe(demo.info.tenantId);
    expect(config.currentUser.aadObjectId).toBe(ADMIN_OBJECT_ID);
    // The file it read lives in DATA_DIR, readable by its owner only.
    expect(fs.statSync(path.join(dataDir, 'agents-playground.yml')).mode & 0o077).toBe(0);

    await sendFromPlayground(url, config.personalChat.id, config.currentUser.id, 'help');
    const file = databaseFile(dataDir);
    const stored = () => {
      const db = openDatabase(file);
      try {
        return db
          .prepare('SELECT tenant_id FROM conversations WHERE conversation_id = ?')
          .pluck()
          .get(config.personalChat.id) as string | undefined;
      } finally {
        db.close();
      }
    };
    const refused = () => app.output().includes('turn from a tenant that is not allowed');
    await waitFor(
      () => refused() || stored() !== undefined,
      'the bot to admit or refuse the Playground message',
      app.output,
      30_000,
    );
    expect(refused(), app.output()).toBe(false);
    expect(stored()).toBe(demo.info.tenantId);

    // A second person (an approver, for the two-person rule): `npm run playground:as -- <object id> <port>`.
    const env = {
      ...process.env,
      ...realTenantEnv(demo),
      DATA_DIR: dataDir,
      PORT: String(await bannerPort(app)),
      LOG_LEVEL: 'warn',
    };
    const second = spawnTracked(
      process.execPath,
      ['--import', 'tsx', 'scripts/playground-as.ts', APPROVER_OBJECT_ID, String(await freePort())],
      env,
    );
    running.push(second);
    await waitFor(
      () => /Playground as .*(http:\/\/localhost:\d+)/.test(second.output()),
      'the second Playground',
      second.output,
    );
    const secondUrl = /Playground as .*(http:\/\/localhost:\d+)/.exec(second.output())?.[1] as string;
    const secondConfig = await playgroundConfig(secondUrl);
    expect(secondConfig).toMatchObject({
      tenantId: demo.info.tenantId,
      currentUser: { aadObjectId: APPROVER_OBJECT_ID },
    });
    await sendFromPlayground(secondUrl, secondConfig.personalChat.id, secondConfig.currentUser.id, 'help');
    const seen = () => {
      const db = openDatabase(file);
      try {
        return db.prepare('SELECT aad_object_id FROM teams_users ORDER BY aad_object_id').pluck().all() as string[];
      } finally {
        db.close();
      }
    };
    await waitFor(
      () => seen().includes(APPROVER_OBJECT_ID),
      "the bot to take the second Playground user's message",
      app.output,
      30_000,
    );
    expect(seen()).toEqual([ADMIN_OBJECT_ID, APPROVER_OBJECT_ID]);
    expect(refused(), app.output()).toBe(false);
  });
});

describe('anonymous mode on the network', () => {
  /** The demo with the Playground on a free port, in anonymous mode (no BOT_ID). */
  async function startWithPlayground(dir: string, extra: Record<string, string> = {}) {
    const app = startApp('production', {
      DATA_DIR: tempDir(dir),
      PORT: '0',
      PLAYGROUND: 'on',
      PLAYGROUND_PORT: String(await freePort()),
      DEMO_USERS: '20',
      ...extra,
    });
    running.push(app);
    return app;
  }

  it.runIf(LINUX_SOCKETS)('the bot and the Playground listen on loopback only', async () => {
    const app = await startWithPlayground('trial-loopback');
    const port = await bannerPort(app);
    const playgroundPort = Number(new URL(playgroundUrl(app)).port);
    expect(app.output()).toMatch(/Listening on\s+127\.0\.0\.1 \(loopback only/);
    expect(app.output()).toMatch(/Admins\s+ADMINS is empty: with the demo tenant everyone may use the admin commands/);
    expect(await accepts('127.0.0.1', port)).toBe(true);
    expect(await accepts('127.0.0.1', playgroundPort)).toBe(true);
    // Open on loopback only: no socket listens on every interface or on another address.
    expect(listeningOn(port)).toEqual(['127.0.0.1']);
    expect(listeningOn(playgroundPort)).toEqual(['127.0.0.1']);
  });

  it.runIf(LINUX_SOCKETS)('LISTEN_HOST=0.0.0.0 opens them to the network on purpose', async () => {
    const app = await startWithPlayground('trial-any', { LISTEN_HOST: '0.0.0.0' });
    const port = await bannerPort(app);
    expect(listeningOn(port)).toContain('0.0.0.0');
    expect(listeningOn(Number(new URL(playgroundUrl(app)).port)).some((a) => a === '0.0.0.0' || a === '::')).toBe(true);
  });
});

describe('a port in use', () => {
  it('prints one line naming the port and PORT, no stack, and exits 1', async () => {
    const taken = net.createServer();
    await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
    const port = (taken.address() as net.AddressInfo).port;
    try {
      const app = startApp('production', {
        DATA_DIR: tempDir('trial-port'),
        PORT: String(port),
        PLAYGROUND: 'off',
        DEMO_USERS: '20',
      });
      running.push(app);
      const { code } = await app.exited;
      expect(code).toBe(1);
      const lines = app
        .output()
        .split('\n')
        .filter((l) => l.trim() !== '' && !l.startsWith('{'));
      expect(lines, app.output()).toEqual([
        expect.stringMatching(new RegExp(`port ${port} \\(PORT.*already in use.*set PORT to a free port`)),
      ]);
      expect(app.output()).not.toMatch(/\n\s+at /);
    } finally {
      taken.close();
    }
  });
});
