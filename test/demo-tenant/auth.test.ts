import { ClientSecretCredential } from '@azure/identity';
import { Client } from '@microsoft/microsoft-graph-client';
import { TokenCredentialAuthenticationProvider } from '@microsoft/microsoft-graph-client/authProviders/azureTokenCredentials';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  DEMO_CLIENT_ID,
  DEMO_CLIENT_SECRET,
  DEMO_DOMAIN,
  DEMO_TENANT_ID,
  generateDemoTenant,
  startDemoTenant,
  type DemoCertificate,
  type DemoTenant,
} from '../../demo-tenant';
import { requestToken, trustedCertificate, type TokenResponse } from './helpers';

const GRAPH_SCOPE = 'https://graph.microsoft.com/.default';
const UNKNOWN = '0badc0de-0000-4000-8000-000000000000';

function credential(tenant: DemoTenant, tenantId: string, clientId: string, secret: string): ClientSecretCredential {
  return new ClientSecretCredential(tenantId, clientId, secret, {
    authorityHost: tenant.url,
    disableInstanceDiscovery: true,
  });
}

async function tokenError(cred: ClientSecretCredential): Promise<Error> {
  try {
    await cred.getToken(GRAPH_SCOPE);
  } catch (err) {
    return err as Error;
  }
  throw new Error('getToken unexpectedly succeeded');
}

interface EntraErrorBody {
  error: string;
  error_description: string;
  error_codes: number[];
  timestamp: string;
  trace_id: string;
  correlation_id: string;
  error_uri: string;
}

describe('demo tenant token endpoint', () => {
  let tls: DemoCertificate;
  let tenant: DemoTenant;

  beforeAll(async () => {
    tls = await trustedCertificate();
    tenant = await startDemoTenant({ data: generateDemoTenant({ users: 300 }), tls });
  });
  afterAll(() => tenant?.close());

  it('issues tokens to the real ClientSecretCredential, by tenant id or verified domain', async () => {
    for (const tenantId of [DEMO_TENANT_ID, DEMO_DOMAIN]) {
      const token = await credential(tenant, tenantId, DEMO_CLIENT_ID, DEMO_CLIENT_SECRET).getToken(GRAPH_SCOPE);
      expect(token.token.split('.')).toHaveLength(3);
      expect(token.expiresOnTimestamp).toBeGreaterThan(Date.now() + 3000 * 1000);
      const claims = JSON.parse(Buffer.from(token.token.split('.')[1] as string, 'base64url').toString()) as {
        tid: string;
        appid: string;
        roles: string[];
      };
      expect(claims).toMatchObject({ tid: DEMO_TENANT_ID, appid: DEMO_CLIENT_ID });
      expect(claims.roles).toContain('User.Read.All');
    }
  });

  it('answers client credentials with the Entra success shape', async () => {
    const res = await requestToken(tenant);
    expect(res.status).toBe(200);
    const body = (await res.json()) as TokenResponse;
    expect(body).toEqual({
      token_type: 'Bearer',
      expires_in: 3599,
      ext_expires_in: 3599,
      access_token: expect.any(String),
    });
  });

  it('surfaces AADSTS700016 for an unknown client id', async () => {
    const err = await tokenError(credential(tenant, DEMO_TENANT_ID, UNKNOWN, DEMO_CLIENT_SECRET));
    expect(err.message).toContain('AADSTS700016');
    expect(err.message).toContain(
      `Application with identifier '${UNKNOWN}' was not found in the directory 'Contoso Ltd'`,
    );
  });

  it('surfaces AADSTS7000215 for a wrong secret', async () => {
    const err = await tokenError(credential(tenant, DEMO_TENANT_ID, DEMO_CLIENT_ID, 'not-the-secret'));
    expect(err.message).toContain('AADSTS7000215');
    expect(err.message).toContain('Invalid client secret provided');
  });

  it('surfaces AADSTS7000222 for an expired secret', async () => {
    const expired = await startDemoTenant({
      data: generateDemoTenant({ users: 10, secretExpiresAt: '2024-01-31T00:00:00Z' }),
      tls,
    });
    try {
      const err = await tokenError(credential(expired, DEMO_TENANT_ID, DEMO_CLIENT_ID, DEMO_CLIENT_SECRET));
      expect(err.message).toContain('AADSTS7000222');
      expect(err.message).toContain(`The provided client secret keys for app '${DEMO_CLIENT_ID}' are expired`);
      // A wrong secret is still reported as wrong, not as expired.
      expect((await tokenError(credential(expired, DEMO_TENANT_ID, DEMO_CLIENT_ID, 'other'))).message).toContain(
        'AADSTS7000215',
      );
    } finally {
      await expired.close();
    }
  });

  it('rejects an unknown tenant at discovery, as Entra does, so MSAL reports endpoints_resolution_error', async () => {
    const discovery = await fetch(`${tenant.url}/${UNKNOWN}/v2.0/.well-known/openid-configuration`);
    expect(discovery.status).toBe(400);
    const body = (await discovery.json()) as EntraErrorBody;
    expect(body.error).toBe('invalid_tenant');
    expect(body.error_codes).toEqual([90002]);
    expect(body.error_description).toMatch(new RegExp(`^AADSTS90002: Tenant '${UNKNOWN}' not found\\.`));

    const err = await tokenError(credential(tenant, UNKNOWN, DEMO_CLIENT_ID, DEMO_CLIENT_SECRET));
    expect(err.name).toBe('CredentialUnavailableError');
    expect(err.message).toContain('endpoints_resolution_error');
  });

  it('surfaces AADSTS90002 from the token endpoint when discovery is served for any tenant', async () => {
    const lenient = await startDemoTenant({
      data: generateDemoTenant({ users: 10 }),
      tls,
      discoverUnknownTenants: true,
    });
    try {
      const err = await tokenError(credential(lenient, UNKNOWN, DEMO_CLIENT_ID, DEMO_CLIENT_SECRET));
      expect(err.message).toContain('AADSTS90002');
      expect(err.message).toContain(`Tenant '${UNKNOWN}' not found`);
    } finally {
      await lenient.close();
    }
  });

  it('uses Entra status codes and error body shape', async () => {
    const cases: Array<[Record<string, string>, string, number, string, number]> = [
      [{}, UNKNOWN, 400, 'invalid_request', 90002],
      [{ client_id: UNKNOWN }, DEMO_TENANT_ID, 400, 'unauthorized_client', 700016],
      [{ client_secret: 'x' }, DEMO_TENANT_ID, 401, 'invalid_client', 7000215],
      [{ client_secret: '' }, DEMO_TENANT_ID, 401, 'invalid_client', 7000218],
      [{ scope: 'User.Read.All' }, DEMO_TENANT_ID, 400, 'invalid_scope', 1002012],
      [{ grant_type: 'password' }, DEMO_TENANT_ID, 400, 'unsupported_grant_type', 70003],
    ];
    for (const [overrides, tenantSegment, status, error, code] of cases) {
      const res = await requestToken(tenant, overrides, tenantSegment);
      expect(res.status, JSON.stringify(overrides)).toBe(status);
      const body = (await res.json()) as EntraErrorBody;
      expect(Object.keys(body)).toEqual([
        'error',
        'error_description',
        'error_codes',
        'timestamp',
        'trace_id',
        'correlation_id',
        'error_uri',
      ]);
      expect(body.error).toBe(error);
      expect(body.error_codes).toEqual([code]);
      expect(body.error_description).toMatch(
        new RegExp(
          `^AADSTS${code}: .+\\r\\nTrace ID: ${body.trace_id}\\r\\nCorrelation ID: ${body.correlation_id}\\r\\nTimestamp: \\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\dZ$`,
          's',
        ),
      );
    }
  });

  it("echoes the caller's client-request-id as correlation id, from the query like MSAL sends it", async () => {
    const res = await fetch(`${tenant.url}/${DEMO_TENANT_ID}/oauth2/v2.0/token?client-request-id=corr-42`, {
      method: 'POST',
      body: new URLSearchParams({
        client_id: DEMO_CLIENT_ID,
        client_secret: 'wrong',
        grant_type: 'client_credentials',
        scope: GRAPH_SCOPE,
      }),
    });
    const body = (await res.json()) as EntraErrorBody;
    expect(body.correlation_id).toBe('corr-42');
    expect(body.error_description).toContain('Correlation ID: corr-42');
  });

  it('works end to end with the Graph SDK when customHosts holds the hostname', async () => {
    const cred = credential(tenant, DEMO_TENANT_ID, DEMO_CLIENT_ID, DEMO_CLIENT_SECRET);
    const client = Client.initWithMiddleware({
      authProvider: new TokenCredentialAuthenticationProvider(cred, { scopes: [GRAPH_SCOPE] }),
      baseUrl: tenant.url,
      customHosts: new Set([tenant.hostname]),
    });
    let next: string | undefined = '/users?$select=id,assignedLicenses&$top=120';
    let count = 0;
    while (next) {
      const page = (await client.api(next).get()) as { value: unknown[]; '@odata.nextLink'?: string };
      count += page.value.length;
      next = page['@odata.nextLink'];
    }
    expect(count).toBe(300);
    const groups = (await client
      .api('/groups')
      .header('ConsistencyLevel', 'eventual')
      .filter('assignedLicenses/$count ne 0')
      .count(true)
      .select('id')
      .get()) as { '@odata.count': number };
    expect(groups['@odata.count']).toBe(2);
  });

  it('gets 401 through the Graph SDK when customHosts holds host:port, because the SDK compares hostnames', async () => {
    const client = Client.initWithMiddleware({
      authProvider: new TokenCredentialAuthenticationProvider(
        credential(tenant, DEMO_TENANT_ID, DEMO_CLIENT_ID, DEMO_CLIENT_SECRET),
        { scopes: [GRAPH_SCOPE] },
      ),
      baseUrl: tenant.url,
      customHosts: new Set([tenant.host]),
    });
    await expect(client.api('/organization').get()).rejects.toMatchObject({
      statusCode: 401,
      code: 'InvalidAuthenticationToken',
    });
  });
});
