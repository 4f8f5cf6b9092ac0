import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { Writable } from 'node:stream';
import zlib from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { databaseFile } from '../src/adapters/sqlite/database';
import { createLogger } from '../src/adapters/logging/logger';
import { ConnectorRecorder, type RecordedActivity } from './helpers/connector-recorder';
import { startHarness, tempDir, TEST_API_KEY, type Harness } from './helpers/harness';
import { errorOf, rawRequest, type RawResponse } from './helpers/raw-http';
import { cardAction, channel, installationUpdate, message, personal, post } from './helpers/teams-activities';

/**
 * The HTTP edge against the real server: what a hostile or broken client can send before any
 * auth runs (compressed bodies, odd ids, control characters, oversized requests) and the one
 * error shape every failure must answer with.
 */
let h: Harness;
let connector: ConnectorRecorder;
let serviceUrl: string;
/** Every log line the app wrote, for the log-size checks. */
const logLines: string[] = [];

beforeAll(async () => {
  const sink = new Writable({
    write(chunk: Buffer, _enc, done) {
      logLines.push(...chunk.toString('utf8').split('\n').filter(Boolean));
      done();
    },
  });
  h = await startHarness({ app: { logger: createLogger('info', sink) } });
  connector = new ConnectorRecorder();
  serviceUrl = await connector.start();
});

afterAll(async () => {
  await h?.close();
  await connector?.stop();
});

const json = { 'content-type': 'application/json' };

/**
 * Posts a valid `help` in a chat of its own after a refused activity and waits for its answer;
 * returns what reached the connector besides it. Turns run inside their request, in arrival
 * order, so a refused activity the app had let through anyway has answered by then.
 */
async function othersAfterMarker(): Promise<RecordedActivity[]> {
  const marker = personal();
  expect((await post(h.app.url, message(serviceUrl, marker, 'help'))).status).toBe(200);
  await connector.waitFor((all) => all.some((m) => m.conversationId === marker.conversationId));
  return connector.activities.filter((m) => m.conversationId !== marker.conversationId);
}
const api = { authorization: `Bearer ${TEST_API_KEY}` };

async function expectAlive(): Promise<void> {
  const health = await rawRequest(`${h.app.url}/healthz`);
  expect(health.status).toBe(200);
}

function expectErrorShape(res: RawResponse, status: number, code: string): void {
  expect(res.status).toBe(status);
  expect(res.headers['content-type']).toMatch(/^application\/json/);
  expect(errorOf(res).code).toBe(code);
  expect(typeof errorOf(res).message).toBe('string');
  expect(Object.keys(res.json as object)).toEqual(['error']);
}

describe('compressed request bodies', () => {
  it.each([
    ['POST', '/api/messages'],
    ['GET', '/healthz'],
    ['GET', '/api/v1/m365/tenants'],
    ['POST', '/no/such/route'],
  ])('refuses a gzip body that does not inflate (%s %s) with 415, and the server lives on', async (method, route) => {
    const res = await rawRequest(`${h.app.url}${route}`, {
      method,
      headers: { ...json, ...api, 'content-encoding': 'gzip' },
      body: '{}',
    });
    expectErrorShape(res, 415, 'unsupported_content_encoding');
    await expectAlive();
  });

  it('refuses a gzip bomb (a small body inflating past the 1 MB limit) without inflating it', async () => {
    const activity = { ...message(serviceUrl, personal(), 'help'), padding: 'a'.repeat(20 * 1024 * 1024) };
    const bomb = zlib.gzipSync(JSON.stringify(activity));
    expect(bomb.length).toBeLessThan(1024 * 1024);
    connector.clear();
    const res = await rawRequest(`${h.app.url}/api/messages`, {
      method: 'POST',
      headers: { ...json, 'content-encoding': 'gzip' },
      body: bomb,
    });
    expectErrorShape(res, 415, 'unsupported_content_encoding');
    expect(errorOf(res).message).toMatch(/Content-Encoding/);
  });

  it.each(['deflate', 'br', 'gzip, identity', 'x-unknown'])('refuses Content-Encoding %s', async (encoding) => {
    const res = await rawRequest(`${h.app.url}/api/messages`, {
      method: 'POST',
      headers: { ...json, 'content-encoding': encoding },
      body: JSON.stringify(message(serviceUrl, personal(), 'help')),
    });
    expectErrorShape(res, 415, 'unsupported_content_encoding');
  });

  it('accepts Content-Encoding identity', async () => {
    const res = await rawRequest(`${h.app.url}/api/messages`, {
      method: 'POST',
      headers: { ...json, 'content-encoding': 'identity' },
      body: JSON.stringify(installationUpdate(serviceUrl, personal(), 'add')),
    });
    expect(res.status).toBe(200);
  });
});

describe('compressed request bodies against `npm start`', () => {
  it('answers 415 and the process keeps serving (it used to exit with Z_DATA_ERROR)', async () => {
    const child = spawn(process.execPath, [require.resolve('tsx/cli'), 'src/main.ts'], {
      cwd: path.resolve(__dirname, '..'),
      env: {
        ...process.env,
        DATA_DIR: tempDir('crash'),
        PORT: '0',
        PLAYGROUND: 'off',
        DEMO_USERS: '20',
        LOG_LEVEL: 'warn',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
      // Its own process group: tsx and the certificate re-exec each add a process.
      detached: true,
    });
    let output = '';
    child.stdout?.on('data', (c: Buffer) => (output += c.toString()));
    child.stderr?.on('data', (c: Buffer) => (output += c.toString()));
    try {
      const deadline = Date.now() + 60_000;
      while (!/Bot endpoint\s+http:\/\/localhost:\d+/.test(output)) {
        if (Date.now() > deadline || child.exitCode !== null) throw new Error(`no start banner; output:\n${output}`);
        await new Promise((r) => setTimeout(r, 100));
      }
      const url = `http://127.0.0.1:${/Bot endpoint\s+http:\/\/localhost:(\d+)/.exec(output)?.[1]}`;
      for (const route of ['/api/messages', '/healthz']) {
        const res = await rawRequest(`${url}${route}`, {
          method: 'POST',
          headers: { ...json, 'content-encoding': 'gzip' },
          body: '{}',
        });
        expectErrorShape(res, 415, 'unsupported_content_encoding');
      }
      // The crash came while the body was read, before any answer: a /healthz answered after the
      // refusals shows the process lived through them.
      expect((await rawRequest(`${url}/healthz`)).status).toBe(200);
      expect(child.exitCode).toBeNull();
      expect(output).not.toContain('Z_DATA_ERROR');
    } finally {
      if (child.pid && child.exitCode === null) {
        const exited = new Promise((resolve) => child.once('exit', resolve));
        process.kill(-child.pid, 'SIGTERM');
        await exited;
      }
    }
  });
});

describe('request bodies', () => {
  it('answers a body over 1 MB with 413 in the JSON error shape', async () => {
    const res = await rawRequest(`${h.app.url}/api/messages`, {
      method: 'POST',
      headers: json,
      body: JSON.stringify({ ...message(serviceUrl, personal(), 'help'), padding: 'a'.repeat(1024 * 1024) }),
    });
    expectErrorShape(res, 413, 'payload_too_large');
    await expectAlive();
  });

  it('answers invalid JSON with 400 invalid_json', async () => {
    const res = await rawRequest(`${h.app.url}/api/messages`, {
      method: 'POST',
      headers: json,
      body: '{"type": "message", ',
    });
    expectErrorShape(res, 400, 'invalid_json');
  });

  it('answers a body that is not JSON with 415', async () => {
    const res = await rawRequest(`${h.app.url}/api/messages`, {
      method: 'POST',
      headers: { 'content-type': 'text/plain' },
      body: 'help',
    });
    expectErrorShape(res, 415, 'unsupported_media_type');
  });

  it('refuses multipart uploads instead of writing them to disk', async () => {
    const boundary = 'XyZ';
    const body = `--${boundary}\r\nContent-Disposition: form-data; name="f"; filename="a.txt"\r\nContent-Type: text/plain\r\n\r\nhello\r\n--${boundary}--\r\n`;
    const res = await rawRequest(`${h.app.url}/api/messages`, {
      method: 'POST',
      headers: { 'content-type': `multipart/form-data; boundary=${boundary}` },
      body,
    });
    expectErrorShape(res, 415, 'unsupported_media_type');
  });
});

describe('serviceUrl (where replies go) without BOT_ID', () => {
  it.each([
    [
      'a DNS name that merely starts with a loopback address',
      'http://127.0.0.1.nip.io:4151/',
      401,
      'anonymous_mode_loopback_only',
    ],
    ['a user-info trick', 'http://127.0.0.1@connector.example.net/', 400, 'invalid_activity'],
    ['a remote https connector', 'https://connector.example.net/', 401, 'anonymous_mode_loopback_only'],
    ['an ftp URL', 'ftp://127.0.0.1/', 400, 'invalid_activity'],
    ['a file URL', 'file:///etc/passwd', 400, 'invalid_activity'],
  ])('refuses %s and stores nothing', async (_label, url, status, code) => {
    const conv = personal();
    const res = await rawRequest(`${h.app.url}/api/messages`, {
      method: 'POST',
      headers: json,
      body: JSON.stringify(installationUpdate(url, conv, 'add')),
    });
    expectErrorShape(res, status, code);
    expect(h.app.conversations.get(conv.conversationId)).toBeUndefined();
  });

  it.each(['localhost', '127.0.0.1', '127.1.2.3', '[::1]'])('accepts a loopback connector on %s', async (host) => {
    const conv = personal();
    const url = `http://${host}:${new URL(serviceUrl).port}/`;
    const res = await post(h.app.url, installationUpdate(url, conv, 'add'));
    expect(res.status).toBe(200);
    expect(h.app.conversations.get(conv.conversationId)?.serviceUrl).toBe(url);
  });
});

describe('activity envelope', () => {
  const base = () => message(serviceUrl, personal(), 'help');
  it.each([
    ['text as a number', { text: 42 }],
    ['text as an object', { text: { a: 1 } }],
    ['text as an array', { text: ['help'] }],
    ['no recipient', { recipient: undefined }],
    ['a recipient without id', { recipient: { name: 'x' } }],
    ['no from', { from: undefined }],
    ['from.id as a number', { from: { id: 7 } }],
    ['value as a string', { value: 'x' }],
    ['channelData as an array', { channelData: [] }],
    ['an id as a number', { id: 12 }],
    ['entities as an object', { entities: {} }],
    ['an entity without a type', { entities: [{ text: 'x' }] }],
    ['an entity whose type is a number', { entities: [{ type: 7 }] }],
    ['an entity that is not an object', { entities: ['mention'] }],
    ['a mention without mentioned', { entities: [{ type: 'mention', text: '<at>Seat Steward</at>' }] }],
    [
      'a mention whose mentioned is a string',
      { entities: [{ type: 'Mention', text: '<at>x</at>', mentioned: '28:bot' }] },
    ],
    ['a mention whose mentioned has no id', { entities: [{ type: 'mention', mentioned: { name: 'Seat Steward' } }] }],
    ['attachments as a string', { attachments: 'x' }],
  ])('refuses %s with 400 invalid_activity and no reply', async (_label, change) => {
    connector.clear();
    const activity = { ...base(), ...change };
    const res = await rawRequest(`${h.app.url}/api/messages`, {
      method: 'POST',
      headers: json,
      body: JSON.stringify(activity),
    });
    expectErrorShape(res, 400, 'invalid_activity');
    expect(h.app.conversations.get(activity.conversation.id)).toBeUndefined();
    expect(await othersAfterMarker()).toEqual([]);
  });
});

describe('entities', () => {
  it.each([
    [
      'an entity without a string type',
      [{ type: 'clientInfo', locale: 'en-US' }, { text: 'x' }],
      /entities\.1\.type: required/,
    ],
    [
      'a mention without mentioned',
      [{ type: 'mention', text: '<at>Seat Steward</at>' }],
      /entities\.0\.mentioned: required for a mention/,
    ],
    [
      'a mention whose mentioned has no id',
      [{ type: 'mention', mentioned: { name: 'x' } }],
      /entities\.0\.mentioned\.id: expected a string/,
    ],
  ])(
    'names the field of %s in a group chat, where the mention is read, and the turn never runs',
    async (_label, entities, field) => {
      connector.clear();
      const activity = { ...message(serviceUrl, channel(), 'help'), entities };
      const res = await rawRequest(`${h.app.url}/api/messages`, {
        method: 'POST',
        headers: json,
        body: JSON.stringify(activity),
      });
      expectErrorShape(res, 400, 'invalid_activity');
      expect(errorOf(res).message).toMatch(field);
      // Refused before the bot ran: there is no turn left to post anything later.
      expect(connector.activities).toEqual([]);
    },
  );

  it('still takes entities Teams sends: a mention of the bot and clientInfo', async () => {
    connector.clear();
    const activity = message(serviceUrl, channel(), 'help');
    activity.entities.push({ type: 'clientInfo', locale: 'en-US', timezone: 'Europe/Berlin' } as never);
    expect((await post(h.app.url, activity)).status).toBe(200);
    await connector.waitFor((m) => m.length >= 1);
    expect(connector.messages()[0].activity.text ?? '').not.toMatch(/failed/);
  });
});

describe('ids that reach URLs and headers', () => {
  it.each([
    ['conversation id ".."', { conversation: { id: '..' } }],
    ['conversation id "."', { conversation: { id: '.' } }],
    ['a conversation id with a ../ segment', { conversation: { id: 'a:1/../../v3/activities' } }],
    ['a conversation id with an encoded dot segment', { conversation: { id: '%2e%2e' } }],
    ['a non-ASCII conversation id', { conversation: { id: 'a:1Ünïcödé' } }],
    ['a conversation id with a control character', { conversation: { id: 'a:1\u0000x' } }],
    ['a conversation id with a line break', { conversation: { id: 'a:1\r\nx-injected: 1' } }],
    ['an empty conversation id', { conversation: { id: '' } }],
    ['a 5000-character conversation id', { conversation: { id: `a:${'x'.repeat(5000)}` } }],
    ['activity id ".."', { id: '..' }],
    ['a non-ASCII activity id', { id: 'ä' }],
    ['replyToId with a ../ segment', { replyToId: '../../x' }],
    ['a recipient id with a control character', { recipient: { id: '28:bot\u0007' } }],
  ])('refuses %s with 400 invalid_activity before any reply', async (_label, change) => {
    connector.clear();
    const activity = { ...message(serviceUrl, personal(), 'help'), ...change };
    const res = await rawRequest(`${h.app.url}/api/messages`, {
      method: 'POST',
      headers: json,
      body: JSON.stringify(activity),
    });
    expectErrorShape(res, 400, 'invalid_activity');
    expect(await othersAfterMarker()).toEqual([]);
  });

  it.each([
    ['a channel thread', channel('19:abc@thread.tacv2'), '19:abc@thread.tacv2;messageid=1699999999999'],
    ['a personal chat', personal(), 'a:1Xyz-AbC_dEf.gHi'],
    ['a team thread', channel('team-id'), 'team-id;messageid=3'],
  ])('answers real Teams ids (%s) at the right connector path', async (_label, conv, id) => {
    connector.clear();
    const res = await post(h.app.url, message(serviceUrl, { ...conv, conversationId: id }, 'help'));
    expect(res.status).toBe(200);
    await connector.waitFor((m) => m.length >= 1);
    expect(connector.messages()[0].path.startsWith(`/v3/conversations/${encodeURIComponent(id)}/activities`)).toBe(
      true,
    );
  });
});

describe('query parameters', () => {
  it.each(['search=%00zzzz', 'search=a%00zzzz', 'search=a%0Ab', 'search=%7F', 'account_enabled=true%00', 'limit=5%09'])(
    'refuses control characters (%s) with 400 invalid_parameter',
    async (query) => {
      const tenant = h.app.tenants.list()[0];
      const res = await rawRequest(`${h.app.url}/api/v1/m365/tenants/${tenant.id}/users?${query}`, { headers: api });
      expectErrorShape(res, 400, 'invalid_parameter');
      expect(errorOf(res).message).toMatch(/control character/);
    },
  );

  it.each([
    ['search[__proto__]=x', 'search[__proto__]'],
    ['a[b]=1', 'a[b]'],
    ['search%5Bx%5D=y', 'search[x]'],
    ['account_enabled[]=true', 'account_enabled[]'],
    ['limit=5&search[$ne]=a', 'search[$ne]'],
  ])('refuses the bracketed key in %s with 400 naming it, instead of dropping it', async (query, name) => {
    const tenant = h.app.tenants.list()[0];
    for (const route of [
      `/api/v1/m365/tenants/${tenant.id}/users`,
      '/api/v1/m365/tenants',
      `/api/v1/m365/tenants/${tenant.id}/copilot/seats`,
    ]) {
      const res = await rawRequest(`${h.app.url}${route}?${query}`, { headers: api });
      expectErrorShape(res, 400, 'invalid_parameter');
      expect(errorOf(res).message).toContain(`${name}: bracketed`);
    }
  });

  it('still searches with ordinary text', async () => {
    const tenant = h.app.tenants.list()[0];
    const res = await rawRequest(`${h.app.url}/api/v1/m365/tenants/${tenant.id}/users?search=a`, { headers: api });
    expect(res.status).toBe(200);
  });
});

describe('error shapes', () => {
  it('answers an unknown route with 404 not_found', async () => {
    expectErrorShape(await rawRequest(`${h.app.url}/api/v1/nope`), 404, 'not_found');
  });

  it('answers a wrong method with 405 method_not_allowed and Allow', async () => {
    const res = await rawRequest(`${h.app.url}/healthz`, { method: 'DELETE' });
    expectErrorShape(res, 405, 'method_not_allowed');
    expect(res.headers.allow).toMatch(/GET/);
    expectErrorShape(await rawRequest(`${h.app.url}/api/messages`, { method: 'GET' }), 405, 'method_not_allowed');
  });

  it('answers a 100 KB query with 431 and a JSON body', async () => {
    const res = await rawRequest(`${h.app.url}/api/v1/m365/tenants?search=${'a'.repeat(100 * 1024)}`, { headers: api });
    expectErrorShape(res, 431, 'request_header_fields_too_large');
    await expectAlive();
  });

  it('answers garbage that is not HTTP with 400 and a JSON body', async () => {
    const net = await import('node:net');
    const port = Number(new URL(h.app.url).port);
    const raw = await new Promise<string>((resolve, reject) => {
      const socket = net.connect(port, '127.0.0.1', () => socket.write('NOT HTTP AT ALL\r\n\r\n'));
      let out = '';
      socket.on('data', (c: Buffer) => (out += c.toString()));
      socket.on('end', () => resolve(out));
      socket.on('error', reject);
    });
    expect(raw).toMatch(/^HTTP\/1\.1 400 /);
    expect(raw).toMatch(/content-type: application\/json/i);
    expect(raw).toContain('"error":{"code":"bad_request"');
  });

  it.each([
    ['/healthz', {}],
    ['/api/v1/m365/tenants', api],
  ])('answers HEAD %s like GET, without a body', async (route, headers) => {
    const get = await rawRequest(`${h.app.url}${route}`, { headers });
    const head = await rawRequest(`${h.app.url}${route}`, { method: 'HEAD', headers });
    expect(get.status).toBe(200);
    expect(head.status).toBe(200);
    expect(head.headers['content-type']).toBe(get.headers['content-type']);
    expect(head.text).toBe('');
  });

  it('answers HEAD on an unknown route with 404', async () => {
    const head = await rawRequest(`${h.app.url}/nope`, { method: 'HEAD' });
    expect(head.status).toBe(404);
    expect(head.text).toBe('');
  });

  it('answers an invoke the bot does not handle with 501 in the JSON shape', async () => {
    const invoke = {
      ...message(serviceUrl, personal(), 'help'),
      type: 'invoke',
      name: 'composeExtension/query',
      value: {},
    };
    const res = await rawRequest(`${h.app.url}/api/messages`, {
      method: 'POST',
      headers: json,
      body: JSON.stringify(invoke),
    });
    expectErrorShape(res, 501, 'invoke_not_supported');
  });

  it('answers a failure inside a route with 500 in the JSON shape, naming no internals', async () => {
    const broken = await startHarness();
    try {
      // A closed database is the simplest real fault every route meets.
      broken.app.db.close();
      for (const [route, headers] of [
        ['/healthz', {}],
        ['/api/v1/m365/tenants', api],
      ] as const) {
        const res = await rawRequest(`${broken.app.url}${route}`, { headers });
        expectErrorShape(res, 500, 'internal_error');
        expect(errorOf(res).message).toMatch(/error id [0-9a-f-]{36}/);
        expect(res.text).not.toMatch(/database|sqlite|TypeError|connection/i);
      }
    } finally {
      await broken.close().catch(() => undefined);
    }
  });
});

describe('file modes', () => {
  const mode = (file: string) => fs.statSync(file).mode & 0o777;

  it('keeps DATA_DIR and the database files private to the service account', async () => {
    const dataDir = h.config.dataDir;
    await post(h.app.url, installationUpdate(serviceUrl, personal(), 'add'));
    expect(mode(dataDir)).toBe(0o700);
    const db = databaseFile(dataDir);
    for (const file of [db, `${db}-wal`, `${db}-shm`, path.join(dataDir, 'seat-steward.lock')]) {
      expect(fs.existsSync(file)).toBe(true);
      expect({ file: path.basename(file), mode: mode(file).toString(8) }).toEqual({
        file: path.basename(file),
        mode: '600',
      });
    }
  });

  it('tightens an existing DATA_DIR and database files that were readable by others', async () => {
    const dataDir = tempDir('loose');
    fs.chmodSync(dataDir, 0o755);
    const first = await startHarness({ config: { DATA_DIR: dataDir } });
    await first.close();
    const db = databaseFile(dataDir);
    fs.chmodSync(dataDir, 0o755);
    fs.chmodSync(db, 0o644);
    fs.mkdirSync(path.join(dataDir, 'tls'), { mode: 0o755, recursive: true });
    fs.writeFileSync(path.join(dataDir, 'tls', 'demo-tenant.key'), 'not a real key', { mode: 0o644 });
    const second = await startHarness({ config: { DATA_DIR: dataDir } });
    try {
      expect(mode(dataDir).toString(8)).toBe('700');
      expect(mode(db).toString(8)).toBe('600');
      expect(mode(path.join(dataDir, 'tls')).toString(8)).toBe('700');
      expect(mode(path.join(dataDir, 'tls', 'demo-tenant.key')).toString(8)).toBe('600');
    } finally {
      await second.close();
    }
  });
});

describe('log lines', () => {
  it('clips request data in logs (a 100 KB card verb) and says how much was cut', async () => {
    const verb = `x${'v'.repeat(100 * 1024)}`;
    logLines.length = 0;
    const res = await post(h.app.url, cardAction(serviceUrl, personal(), verb, {}));
    expect(res.status).toBe(200);
    const line = logLines.find((l) => l.includes('unknown card action'));
    expect(line).toBeDefined();
    expect(line?.length ?? 0).toBeLessThan(2000);
    expect(line).toMatch(/clipped \d+ of 102401 characters/);
    for (const l of logLines) expect(l.length).toBeLessThan(16 * 1024);
  });
});
