import { execFile } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import https from 'node:https';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { generate } from 'selfsigned';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureDemoCertificate, type DemoCertificate } from '../../demo-tenant';

const run = promisify(execFile);

describe('ensureDemoCertificate', () => {
  let dir: string;
  let first: DemoCertificate;

  beforeAll(async () => {
    dir = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'demo-cert-')), 'nested', 'tls');
    first = await ensureDemoCertificate(dir);
  });

  it('writes a localhost / 127.0.0.1 / ::1 certificate and a private key only the owner can read', () => {
    expect(first.certPath).toBe(path.join(dir, 'demo-tenant.crt'));
    expect(first.keyPath).toBe(path.join(dir, 'demo-tenant.key'));
    expect(fs.readFileSync(first.certPath, 'utf8')).toBe(first.cert);
    expect(fs.statSync(first.keyPath).mode & 0o777).toBe(0o600);
    const x509 = new crypto.X509Certificate(first.cert);
    expect(x509.subjectAltName).toContain('DNS:localhost');
    expect(x509.subjectAltName).toContain('IP Address:127.0.0.1');
    expect(x509.subjectAltName).toMatch(/IP Address:(0:0:0:0:0:0:0:1|::1)/);
    expect(x509.checkPrivateKey(crypto.createPrivateKey(first.key))).toBe(true);
  });

  it('reuses the certificate on later calls', async () => {
    const again = await ensureDemoCertificate(dir);
    expect(again.cert).toBe(first.cert);
    expect(again.key).toBe(first.key);
  });

  it('survives concurrent callers with one matching pair', async () => {
    const concurrentDir = fs.mkdtempSync(path.join(os.tmpdir(), 'demo-cert-race-'));
    const results = await Promise.all([1, 2, 3].map(() => ensureDemoCertificate(concurrentDir)));
    expect(new Set(results.map((r) => r.cert)).size).toBe(1);
    const onDisk = fs.readFileSync(path.join(concurrentDir, 'demo-tenant.crt'), 'utf8');
    const key = fs.readFileSync(path.join(concurrentDir, 'demo-tenant.key'), 'utf8');
    expect(new crypto.X509Certificate(onDisk).checkPrivateKey(crypto.createPrivateKey(key))).toBe(true);
  });

  it('replaces a certificate that expires within 30 days', async () => {
    const expiringDir = fs.mkdtempSync(path.join(os.tmpdir(), 'demo-cert-old-'));
    const old = await generate([{ name: 'commonName', value: 'localhost' }], {
      algorithm: 'sha256',
      notAfterDate: new Date(Date.now() + 10 * 24 * 3600 * 1000),
    });
    fs.writeFileSync(path.join(expiringDir, 'demo-tenant.crt'), old.cert);
    fs.writeFileSync(path.join(expiringDir, 'demo-tenant.key'), old.private);
    const renewed = await ensureDemoCertificate(expiringDir);
    expect(renewed.cert).not.toBe(old.cert);
    expect(Date.parse(new crypto.X509Certificate(renewed.cert).validTo)).toBeGreaterThan(
      Date.now() + 300 * 24 * 3600 * 1000,
    );
  });

  describe('trust through NODE_EXTRA_CA_CERTS', () => {
    let server: https.Server;
    let port: number;

    beforeAll(async () => {
      server = https.createServer({ cert: first.cert, key: first.key }, (_req, res) => res.end('trusted'));
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      port = (server.address() as { port: number }).port;
    });
    afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

    const probe = (env: NodeJS.ProcessEnv) =>
      run(
        process.execPath,
        [
          '-e',
          `fetch('https://127.0.0.1:${port}/').then(r => r.text()).then(t => console.log(t), e => { console.log('failed', e.cause?.code ?? e.message); process.exitCode = 3; })`,
        ],
        { env },
      ).then(
        (r) => ({ code: 0, out: r.stdout.trim() }),
        (e: { code: number; stdout: string }) => ({ code: e.code, out: e.stdout.trim() }),
      );

    it('lets a fresh Node process fetch from a server using the certificate', async () => {
      const result = await probe({ ...process.env, NODE_EXTRA_CA_CERTS: first.certPath });
      expect(result).toEqual({ code: 0, out: 'trusted' });
    });

    it('is not trusted without the variable', async () => {
      const env = { ...process.env };
      delete env.NODE_EXTRA_CA_CERTS;
      const result = await probe(env);
      expect(result.code).toBe(3);
      expect(result.out).toMatch(
        /failed (DEPTH_ZERO_SELF_SIGNED_CERT|SELF_SIGNED_CERT_IN_CHAIN|UNABLE_TO_VERIFY_LEAF_SIGNATURE)/,
      );
    });
  });
});
