import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { PassThrough, Writable } from 'node:stream';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import type { EmbeddedDemoTenant } from '../src/app/demo-connection';
import { generateDemoTenant } from '../demo-tenant/generator';
import { main, type CliIo } from '../scripts/tenant-cli';
import { startHarness, startTestDemoTenant, tempDir, TEST_API_KEY, type Harness } from './helpers/harness';

/**
 * `npm run tenant`: the admin's way to add a tenant without writing JWE by hand, against the real
 * app over HTTP and a second demo tenant process as the customer tenant.
 */

const SECRET = 'Cli8Q~customer.tenant.secret.value.DDDD';
const ENTRA = '6a7b8c9d-0e1f-4a2b-8c3d-4e5f6a7b8c9d';
const APP = '0a1b2c3d-4e5f-4a6b-9c7d-8e9f0a1b2c3d';
const MSP_CLIENT = '11111111-2222-4333-8444-555555555555';

let second: EmbeddedDemoTenant;
let h: Harness | undefined;

beforeAll(async () => {
  second = await startTestDemoTenant(
    generateDemoTenant({ users: 25, seed: 4, tenantId: ENTRA, clientId: APP, clientSecret: SECRET }),
  );
});
afterAll(async () => second?.close());
afterEach(async () => {
  await h?.close();
  h = undefined;
});

function io(stdinText?: string): CliIo & { out: () => string; err: () => string } {
  const collect = () => {
    const parts: string[] = [];
    const stream = new Writable({
      write(chunk: Buffer, _encoding, done) {
        parts.push(chunk.toString());
        done();
      },
    });
    return { stream, text: () => parts.join('') };
  };
  const out = collect();
  const err = collect();
  const stdin = new PassThrough();
  stdin.end(stdinText ?? '');
  return { stdin, stdout: out.stream, stderr: err.stream, env: {}, out: out.text, err: err.text };
}

const addArgs = (url: string) => [
  'add',
  '--tenant-id',
  ENTRA,
  '--name',
  'Fabrikam',
  '--domain',
  'fabrikam.onmicrosoft.com',
  '--client-id',
  MSP_CLIENT,
  '--app-id',
  APP,
  '--sync-interval',
  '12',
  '--graph-endpoint',
  second.server.url,
  '--authority-host',
  second.server.url,
  '--url',
  url,
];

describe('npm run tenant', () => {
  it('adds a tenant with the secret from a file, lists it, removes it, and adds it again as a child process with the secret piped in', async () => {
    h = await startHarness({ config: { SECRET_STORE_KEY: randomBytes(32).toString('base64') } });
    const secretFile = path.join(tempDir('cli'), 'secret.txt');
    fs.writeFileSync(secretFile, `${SECRET}\n`, { mode: 0o600 });

    const added = io();
    expect(await main([...addArgs(h.app.url), '--secret-file', secretFile, '--api-key', TEST_API_KEY], added)).toBe(0);
    const tenant = JSON.parse(added.out()) as { id: string; sync_job_id: number; sync_started: boolean };
    expect(tenant).toMatchObject({
      tenant_id: ENTRA,
      tenant_name: 'Fabrikam',
      client_id: MSP_CLIENT,
      sync_interval_hours: 12,
      sync_started: true,
    });
    await vi.waitFor(() => expect(h?.app.outbox.get(tenant.sync_job_id)?.status).toBe('done'), {
      timeout: 60_000,
      interval: 20,
    });
    expect(h.app.runs.latestFinished(tenant.id)).toMatchObject({ status: 'success', counts: { users: 25 } });

    const listed = io();
    expect(await main(['list', '--client-id', MSP_CLIENT, '--url', h.app.url, '--api-key', TEST_API_KEY], listed)).toBe(
      0,
    );
    expect((JSON.parse(listed.out()) as { data: Array<{ tenant_id: string }> }).data.map((t) => t.tenant_id)).toEqual([
      ENTRA,
    ]);

    const again = io();
    expect(await main([...addArgs(h.app.url), '--secret-file', secretFile, '--api-key', TEST_API_KEY], again)).toBe(1);
    expect(again.err()).toContain('"code": "tenant_exists"');
    expect(again.err()).toContain('answered 409');

    const removed = io();
    expect(await main(['remove', '--tenant-id', ENTRA, '--url', h.app.url, '--api-key', TEST_API_KEY], removed)).toBe(
      0,
    );
    expect(JSON.parse(removed.out())).toMatchObject({ deleted: true, tenant_id: ENTRA });
    expect(h.app.tenants.find(ENTRA)).toBeUndefined();

    // As an admin runs it: its own process, the key from the environment, the secret on stdin.
    const child = spawn(
      process.execPath,
      [require.resolve('tsx/cli'), 'scripts/tenant-cli.ts', ...addArgs(h.app.url)],
      {
        cwd: path.resolve(__dirname, '..'),
        env: { ...process.env, SEAT_STEWARD_API_KEY: TEST_API_KEY },
        stdio: ['pipe', 'pipe', 'pipe'],
      },
    );
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    child.stdin.end(`${SECRET}\n`);
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
    expect(stderr).toBe('');
    expect(code).toBe(0);
    expect(JSON.parse(stdout)).toMatchObject({ tenant_id: ENTRA, sync_started: true });
    expect(h.app.tenantRegistry.connectionFor(h.app.tenants.find(ENTRA)?.id ?? '').credential).toEqual({
      kind: 'secret',
      secret: SECRET,
    });
  });

  it('says what is wrong: a missing option, no API key, a wrong API key', async () => {
    h = await startHarness();
    const missing = io(SECRET);
    expect(await main(['add', '--tenant-id', ENTRA, '--url', h.app.url, '--api-key', TEST_API_KEY], missing)).toBe(2);
    expect(missing.err()).toContain('--client-id is required');
    expect(missing.err()).toContain('usage:');

    const noKey = io();
    expect(await main(['list', '--url', h.app.url], noKey)).toBe(2);
    expect(noKey.err()).toContain('SEAT_STEWARD_API_KEY');

    const wrongKey = io(SECRET);
    expect(await main([...addArgs(h.app.url), '--api-key', 'wrong-key-0123456789abcdef'], wrongKey)).toBe(1);
    expect(wrongKey.err()).toContain("cannot fetch the server's encryption key (401)");
    expect(h.app.tenants.find(ENTRA)).toBeUndefined();
  });
});
