import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { generate } from 'selfsigned';

export interface DemoCertificate {
  certPath: string;
  keyPath: string;
  cert: string;
  key: string;
}

export const DEMO_CERT_FILE = 'demo-tenant.crt';
export const DEMO_KEY_FILE = 'demo-tenant.key';
const LOCK_FILE = 'demo-tenant.lock';
const RENEW_BEFORE_MS = 30 * 24 * 3600 * 1000;
const VALIDITY_MS = 2 * 365 * 24 * 3600 * 1000;
const STALE_LOCK_MS = 30_000;
const SUBJECT_PREFIX = 'Seat Steward demo tenant';

function usable(cert: string, key: string): boolean {
  try {
    const x509 = new crypto.X509Certificate(cert);
    return (
      Date.parse(x509.validTo) - Date.now() > RENEW_BEFORE_MS &&
      x509.checkIP('127.0.0.1') !== undefined &&
      x509.checkHost('localhost') !== undefined &&
      x509.subject.includes(SUBJECT_PREFIX) &&
      x509.checkPrivateKey(crypto.createPrivateKey(key))
    );
  } catch {
    return false;
  }
}

function readExisting(certPath: string, keyPath: string): DemoCertificate | null {
  try {
    const cert = fs.readFileSync(certPath, 'utf8');
    const key = fs.readFileSync(keyPath, 'utf8');
    return usable(cert, key) ? { certPath, keyPath, cert, key } : null;
  } catch {
    return null;
  }
}

function writeAtomically(file: string, content: string, mode: number): void {
  const tmp = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(tmp, content, { mode });
  fs.chmodSync(tmp, mode);
  fs.renameSync(tmp, file);
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Parallel test workers and the app may all start at once; without a lock two
 * of them could each write a key and leave a cert that does not match it.
 */
async function withLock<T>(dir: string, fn: () => Promise<T>): Promise<T> {
  const lock = path.join(dir, LOCK_FILE);
  for (;;) {
    try {
      fs.closeSync(fs.openSync(lock, 'wx'));
      break;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      try {
        if (Date.now() - fs.statSync(lock).mtimeMs > STALE_LOCK_MS) fs.rmSync(lock, { force: true });
      } catch {
        // The holder released it between our open and stat; just retry.
      }
      await sleep(50);
    }
  }
  try {
    return await fn();
  } finally {
    fs.rmSync(lock, { force: true });
  }
}

/**
 * Returns the loopback TLS identity of the demo tenant, creating it on first use.
 * It is reused while valid for 30 more days, because processes started with
 * NODE_EXTRA_CA_CERTS pointing at it trust only the exact certificate they loaded.
 */
export async function ensureDemoCertificate(dir: string): Promise<DemoCertificate> {
  const certPath = path.join(dir, DEMO_CERT_FILE);
  const keyPath = path.join(dir, DEMO_KEY_FILE);
  const existing = readExisting(certPath, keyPath);
  if (existing) return existing;
  fs.mkdirSync(dir, { recursive: true });
  return withLock(dir, async () => {
    const again = readExisting(certPath, keyPath);
    if (again) return again;
    const notBeforeDate = new Date(Date.now() - 60_000);
    // A unique subject per certificate: OpenSSL finds trust anchors by subject name, so two
    // demo certificates (two DATA_DIRs) in one CA bundle must not share one.
    const subject = `${SUBJECT_PREFIX} ${crypto.randomUUID()}`;
    const pems = await generate(
      [
        { name: 'commonName', value: subject },
        { name: 'organizationName', value: 'Seat Steward' },
      ],
      {
        keySize: 2048,
        algorithm: 'sha256',
        notBeforeDate,
        notAfterDate: new Date(notBeforeDate.getTime() + VALIDITY_MS),
        extensions: [
          { name: 'basicConstraints', cA: false, critical: true },
          { name: 'keyUsage', digitalSignature: true, keyEncipherment: true, critical: true },
          { name: 'extKeyUsage', serverAuth: true },
          {
            name: 'subjectAltName',
            altNames: [
              { type: 2, value: 'localhost' },
              { type: 7, ip: '127.0.0.1' },
              { type: 7, ip: '::1' },
            ],
          },
        ],
      },
    );
    writeAtomically(keyPath, pems.private, 0o600);
    writeAtomically(certPath, pems.cert, 0o644);
    return { certPath, keyPath, cert: pems.cert, key: pems.private };
  });
}
