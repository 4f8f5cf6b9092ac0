import { spawn } from 'node:child_process';
import path from 'node:path';
import readline from 'node:readline';
import { describe, expect, it } from 'vitest';
import { DEMO_CLIENT_ID, DEMO_TENANT_ID } from '../../demo-tenant';
import { trustedCertificate } from './helpers';

const CLI = path.resolve(__dirname, '../../demo-tenant/cli.ts');

describe('demo tenant CLI', () => {
  it('prints its connection as one JSON line, serves Graph and stops on SIGTERM', async () => {
    const tls = await trustedCertificate();
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', CLI, '--users', '40', '--seed', '9', '--tls-dir', path.dirname(tls.certPath)],
      {
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    try {
      const line = await new Promise<string>((resolve, reject) => {
        readline.createInterface({ input: child.stdout }).once('line', resolve);
        child.once('exit', () => reject(new Error(`CLI exited early: ${stderr}`)));
      });
      const info = JSON.parse(line) as { url: string; tenantId: string; clientId: string; clientSecret: string };
      expect(info).toMatchObject({ tenantId: DEMO_TENANT_ID, clientId: DEMO_CLIENT_ID });
      expect(info.url).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
      const token = await fetch(`${info.url}/${info.tenantId}/oauth2/v2.0/token`, {
        method: 'POST',
        body: new URLSearchParams({
          client_id: info.clientId,
          client_secret: info.clientSecret,
          grant_type: 'client_credentials',
          scope: 'https://graph.microsoft.com/.default',
        }),
      });
      const { access_token } = (await token.json()) as { access_token: string };
      const users = await fetch(`${info.url}/v1.0/users?$select=id&$top=999`, {
        headers: { Authorization: `Bearer ${access_token}` },
      });
      expect(((await users.json()) as { value: unknown[] }).value).toHaveLength(40);
    } finally {
      child.kill('SIGTERM');
    }
    expect(await exited).toBe(0);
  });
});
