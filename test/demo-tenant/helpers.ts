import fs from 'node:fs';
import path from 'node:path';
import { DEMO_CERT_FILE, ensureDemoCertificate, type DemoCertificate, type DemoTenant } from '../../demo-tenant';

/**
 * The certificate these tests serve with is the one Node was told to trust at
 * start-up through NODE_EXTRA_CA_CERTS; Node reads that file only once, so it
 * must exist before the process starts. The variable may name the demo
 * certificate itself or a bundle that includes it (scripts/with-demo-ca.ts
 * writes data/tls/ca-bundle.pem when another CA file was already configured).
 */
export async function trustedCertificate(): Promise<DemoCertificate> {
  const caPath = process.env.NODE_EXTRA_CA_CERTS;
  const howTo = 'Run: NODE_EXTRA_CA_CERTS=$PWD/data/tls/demo-tenant.crt npx vitest run test/demo-tenant (or npm test).';
  if (!caPath) throw new Error(`NODE_EXTRA_CA_CERTS is not set. ${howTo}`);
  const dir = path.dirname(caPath);
  if (path.basename(caPath) === DEMO_CERT_FILE) {
    const existedAtStart = fs.existsSync(caPath);
    const cert = await ensureDemoCertificate(dir);
    if (!existedAtStart) {
      throw new Error(
        `${caPath} did not exist when this process started, so Node could not trust it. It has been created now; run the tests again.`,
      );
    }
    return cert;
  }
  // Never create certificates next to an arbitrary CA bundle (it may be /etc/ssl/certs/...).
  const sibling = path.join(dir, DEMO_CERT_FILE);
  const bundle = fs.existsSync(caPath) ? fs.readFileSync(caPath, 'utf8') : '';
  if (!fs.existsSync(sibling) || !bundle.includes(fs.readFileSync(sibling, 'utf8').trim())) {
    throw new Error(`NODE_EXTRA_CA_CERTS=${caPath} does not contain the demo tenant certificate. ${howTo}`);
  }
  return ensureDemoCertificate(dir);
}

export interface TokenResponse {
  access_token: string;
  token_type: string;
  expires_in: number;
  ext_expires_in: number;
}

export async function requestToken(
  tenant: DemoTenant,
  overrides: Record<string, string> = {},
  tenantSegment = tenant.tenantId,
): Promise<Response> {
  const form = new URLSearchParams({
    client_id: tenant.clientId,
    client_secret: tenant.clientSecret,
    grant_type: 'client_credentials',
    scope: 'https://graph.microsoft.com/.default',
    ...overrides,
  });
  return fetch(`${tenant.url}/${tenantSegment}/oauth2/v2.0/token`, { method: 'POST', body: form });
}

export async function accessToken(tenant: DemoTenant): Promise<string> {
  const res = await requestToken(tenant);
  if (res.status !== 200) throw new Error(`token endpoint answered ${res.status}: ${await res.text()}`);
  return ((await res.json()) as TokenResponse).access_token;
}

export interface GraphErrorBody {
  error: {
    code: string;
    message: string;
    innerError: { date: string; 'request-id': string; 'client-request-id': string };
  };
}

export interface GraphCollection<T> {
  '@odata.context': string;
  '@odata.nextLink'?: string;
  '@odata.count'?: number;
  value: T[];
}

/** Follows nextLinks to the end, returning every page. */
export async function fetchAllPages<T>(
  firstUrl: string,
  headers: Record<string, string>,
): Promise<Array<GraphCollection<T>>> {
  const pages: Array<GraphCollection<T>> = [];
  let next: string | undefined = firstUrl;
  while (next) {
    const res = await fetch(next, { headers });
    if (res.status !== 200) throw new Error(`${next} answered ${res.status}: ${await res.text()}`);
    const page = (await res.json()) as GraphCollection<T>;
    pages.push(page);
    next = page['@odata.nextLink'];
  }
  return pages;
}
