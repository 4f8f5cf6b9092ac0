import fs from 'node:fs';
import path from 'node:path';
import { ensureDemoCertificate, type DemoCertificate } from '../../demo-tenant/certificate';

/** Where the demo tenant's self-signed certificate lives: generated once, reused across starts. */
export function demoCertificateDir(dataDir: string): string {
  return path.join(dataDir, 'tls');
}

/**
 * Node reads NODE_EXTRA_CA_CERTS only at start-up, so the demo tenant's certificate must
 * be named there before the process that talks to it starts. Any CA bundle the admin
 * already set is kept by concatenating it with ours.
 */
export async function demoTrustEnv(
  dataDir: string,
  env: NodeJS.ProcessEnv = process.env,
): Promise<{ certificate: DemoCertificate; caFile: string }> {
  const dir = demoCertificateDir(dataDir);
  const certificate = await ensureDemoCertificate(dir);
  const bundle = path.join(dir, 'ca-bundle.pem');
  const existing = env.NODE_EXTRA_CA_CERTS ? path.resolve(env.NODE_EXTRA_CA_CERTS) : undefined;
  if (!existing || existing === certificate.certPath || existing === bundle)
    return { certificate, caFile: existing ?? certificate.certPath };
  fs.writeFileSync(bundle, `${fs.readFileSync(existing, 'utf8').trim()}\n${certificate.cert.trim()}\n`);
  return { certificate, caFile: bundle };
}

/** True when this process was started trusting the demo certificate. */
export function trustsDemoCertificate(caFile: string, env: NodeJS.ProcessEnv = process.env): boolean {
  return !!env.NODE_EXTRA_CA_CERTS && path.resolve(env.NODE_EXTRA_CA_CERTS) === path.resolve(caFile);
}
