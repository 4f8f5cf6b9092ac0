import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  DEMO_TENANT_ID,
  SKU,
  generateDemoTenant,
  startDemoTenant,
  type DemoTenant,
  type GraphGroup,
  type GraphSubscribedSku,
  type GraphUser,
} from '../../demo-tenant';
import { accessToken, fetchAllPages, trustedCertificate, type GraphCollection, type GraphErrorBody } from './helpers';

const USERS = 2500;

async function expectGraphError(
  res: Response,
  status: number,
  code: string,
  message?: RegExp,
): Promise<GraphErrorBody> {
  expect(res.status).toBe(status);
  expect(res.headers.get('content-type')).toContain('application/json');
  const body = (await res.json()) as GraphErrorBody;
  expect(Object.keys(body)).toEqual(['error']);
  expect(Object.keys(body.error)).toEqual(['code', 'message', 'innerError']);
  expect(Object.keys(body.error.innerError)).toEqual(['date', 'request-id', 'client-request-id']);
  expect(body.error.code).toBe(code);
  expect(body.error.innerError['request-id']).toBe(res.headers.get('request-id'));
  expect(body.error.innerError.date).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d$/);
  if (message) expect(body.error.message).toMatch(message);
  return body;
}

describe('demo tenant Graph endpoints', () => {
  const data = generateDemoTenant({ users: USERS, seed: 11 });
  let tenant: DemoTenant;
  let auth: Record<string, string>;

  beforeAll(async () => {
    tenant = await startDemoTenant({ data, tls: await trustedCertificate() });
    auth = { Authorization: `Bearer ${await accessToken(tenant)}` };
  });
  afterAll(() => tenant?.close());

  it('pages users through absolute nextLinks with $skiptoken, keeping $select and $top', async () => {
    const pages = await fetchAllPages<Record<string, unknown>>(
      `${tenant.url}/v1.0/users?$select=id,displayName,assignedLicenses&$top=999`,
      auth,
    );
    expect(pages.map((p) => p.value.length)).toEqual([999, 999, USERS - 1998]);
    for (const page of pages.slice(0, -1)) {
      const link = new URL(page['@odata.nextLink'] as string);
      expect(link.origin).toBe(tenant.url);
      expect(link.searchParams.get('$skiptoken')).toBeTruthy();
      expect(link.searchParams.has('$skip')).toBe(false);
      expect(link.searchParams.get('$select')).toBe('id,displayName,assignedLicenses');
    }
    expect(pages[0]?.['@odata.context']).toBe(`${tenant.url}/v1.0/$metadata#users(id,displayName,assignedLicenses)`);
    const all = pages.flatMap((p) => p.value);
    expect(new Set(all.map((u) => u.id)).size).toBe(USERS);
    expect(Object.keys(all[0] ?? {})).toEqual(['id', 'displayName', 'assignedLicenses']);
  });

  it('returns Graph default properties without $select and pages of 100', async () => {
    const res = await fetch(`${tenant.url}/v1.0/users`, { headers: auth });
    const page = (await res.json()) as GraphCollection<Record<string, unknown>>;
    expect(page.value).toHaveLength(100);
    expect(Object.keys(page.value[0] ?? {}).sort()).toEqual(
      [
        'businessPhones',
        'displayName',
        'givenName',
        'id',
        'jobTitle',
        'mail',
        'mobilePhone',
        'officeLocation',
        'preferredLanguage',
        'surname',
        'userPrincipalName',
      ].sort(),
    );
    expect(page.value[0]?.businessPhones).toEqual([]);
  });

  it('filters users by Copilot skuId and counts them with ConsistencyLevel', async () => {
    const filter = `assignedLicenses/any(l:l/skuId eq ${SKU.COPILOT})`;
    const headers = { ...auth, ConsistencyLevel: 'eventual' };
    const pages = await fetchAllPages<GraphUser>(
      `${tenant.url}/v1.0/users?$filter=${encodeURIComponent(filter)}&$count=true&$select=id,assignedLicenses&$top=200`,
      headers,
    );
    const copilot = data.subscribedSkus.find((s) => s.skuId === SKU.COPILOT) as GraphSubscribedSku;
    const users = pages.flatMap((p) => p.value);
    expect(users).toHaveLength(copilot.consumedUnits);
    expect(pages[0]?.['@odata.count']).toBe(copilot.consumedUnits);
    expect(users.every((u) => u.assignedLicenses.some((l) => l.skuId === SKU.COPILOT))).toBe(true);
    // The quoted form from the reference contract is accepted too.
    const quoted = await fetch(
      `${tenant.url}/v1.0/users?$filter=${encodeURIComponent(`assignedLicenses/any(x:x/skuId eq '${SKU.COPILOT}')`)}&$select=id&$top=999`,
      { headers: auth },
    );
    expect(((await quoted.json()) as GraphCollection<GraphUser>).value).toHaveLength(copilot.consumedUnits);
  });

  it('rejects $count without ConsistencyLevel, bad $top, unknown $select and unsupported filters like Graph', async () => {
    await expectGraphError(
      await fetch(`${tenant.url}/v1.0/users?$count=true`, { headers: auth }),
      400,
      'Request_BadRequest',
      /\$count is not currently supported/,
    );
    await expectGraphError(
      await fetch(`${tenant.url}/v1.0/users?$top=1000`, { headers: auth }),
      400,
      'Request_BadRequest',
      /Invalid page size specified: '1000'\. Must be between 1 and 999 inclusive\./,
    );
    await expectGraphError(
      await fetch(`${tenant.url}/v1.0/users?$top=0`, { headers: auth }),
      400,
      'Request_BadRequest',
      /Must be between 1 and 999/,
    );
    await expectGraphError(
      await fetch(`${tenant.url}/v1.0/users?$select=id,licences`, { headers: auth }),
      400,
      'BadRequest',
      /Could not find a property named 'licences' on type 'microsoft\.graph\.user'/,
    );
    await expectGraphError(
      await fetch(`${tenant.url}/v1.0/users?$filter=${encodeURIComponent("jobTitle eq 'CEO'")}`, { headers: auth }),
      400,
      'Request_UnsupportedQuery',
      /property 'jobTitle' of resource 'User'/,
    );
    await expectGraphError(
      await fetch(`${tenant.url}/v1.0/users?$filter=${encodeURIComponent('assignedLicenses/any(l:l/skuId eq')}`, {
        headers: auth,
      }),
      400,
      'BadRequest',
      /Syntax error/,
    );
    await expectGraphError(
      await fetch(`${tenant.url}/v1.0/users?$skip=10`, { headers: auth }),
      400,
      'Request_BadRequest',
      /'\$skip' is not supported/,
    );
  });

  it('gets a single user by id or by UPN, guests included', async () => {
    const guest = data.users.find((u) => u.userType === 'Guest') as GraphUser;
    const byId = await fetch(`${tenant.url}/v1.0/users/${guest.id}?$select=id,userPrincipalName,userType,mail`, {
      headers: auth,
    });
    expect(byId.status).toBe(200);
    expect(await byId.json()).toEqual({
      '@odata.context': `${tenant.url}/v1.0/$metadata#users(id,userPrincipalName,userType,mail)/$entity`,
      id: guest.id,
      userPrincipalName: guest.userPrincipalName,
      userType: 'Guest',
      mail: guest.mail,
    });
    const byUpn = await fetch(`${tenant.url}/v1.0/users/${encodeURIComponent(guest.userPrincipalName)}?$select=id`, {
      headers: auth,
    });
    expect(((await byUpn.json()) as { id: string }).id).toBe(guest.id);
    await expectGraphError(
      await fetch(`${tenant.url}/v1.0/users/00000000-0000-4000-8000-000000000000`, { headers: auth }),
      404,
      'Request_ResourceNotFound',
      /does not exist/,
    );
  });

  it('serves subscribedSkus and organization', async () => {
    const skus = (await (
      await fetch(`${tenant.url}/v1.0/subscribedSkus`, { headers: auth })
    ).json()) as GraphCollection<GraphSubscribedSku>;
    expect(skus['@odata.nextLink']).toBeUndefined();
    expect(skus.value.map((s) => [s.skuPartNumber, s.consumedUnits])).toEqual(
      data.subscribedSkus.map((s) => [s.skuPartNumber, s.consumedUnits]),
    );
    expect(skus.value[0]?.id).toBe(`${DEMO_TENANT_ID}_${SKU.M365_E3}`);
    const org = (await (await fetch(`${tenant.url}/v1.0/organization`, { headers: auth })).json()) as GraphCollection<{
      id: string;
      displayName: string;
    }>;
    expect(org.value).toEqual([expect.objectContaining({ id: DEMO_TENANT_ID, displayName: 'Contoso Ltd' })]);
  });

  it('requires ConsistencyLevel: eventual for the licensed-groups query', async () => {
    const url = `${tenant.url}/v1.0/groups?$filter=${encodeURIComponent('assignedLicenses/$count ne 0')}&$count=true&$select=id,displayName,assignedLicenses`;
    await expectGraphError(await fetch(url, { headers: auth }), 400, 'Request_UnsupportedQuery');
    const pages = await fetchAllPages<GraphGroup>(`${url}&$top=1`, { ...auth, ConsistencyLevel: 'eventual' });
    expect(pages).toHaveLength(2);
    expect(pages[0]?.['@odata.count']).toBe(2);
    expect(pages.flatMap((p) => p.value.map((g) => g.displayName))).toEqual([
      'License - M365 E3',
      'License - Copilot Pilot',
    ]);
  });

  it('answers unknown segments and versions like Graph', async () => {
    await expectGraphError(
      await fetch(`${tenant.url}/v1.0/licences`, { headers: auth }),
      400,
      'BadRequest',
      /Resource not found for the segment 'licences'\./,
    );
    await expectGraphError(
      await fetch(`${tenant.url}/v3.0/users`, { headers: auth }),
      400,
      'BadRequest',
      /Invalid version/,
    );
  });

  it('rejects missing, foreign and under-privileged tokens', async () => {
    const missing = await fetch(`${tenant.url}/v1.0/users`);
    await expectGraphError(missing, 401, 'InvalidAuthenticationToken', /Access token is empty/);
    expect(missing.headers.get('www-authenticate')).toMatch(/^Bearer /);
    const forged = `${auth.Authorization?.slice(0, -4)}AAAA`;
    await expectGraphError(
      await fetch(`${tenant.url}/v1.0/users`, { headers: { Authorization: forged } }),
      401,
      'InvalidAuthenticationToken',
      /Access token validation failure/,
    );

    tenant.setData({ ...data, app: { ...data.app, roles: ['User.Read.All'] } });
    try {
      const limited = { Authorization: `Bearer ${await accessToken(tenant)}` };
      expect((await fetch(`${tenant.url}/v1.0/users?$top=1`, { headers: limited })).status).toBe(200);
      await expectGraphError(
        await fetch(`${tenant.url}/v1.0/subscribedSkus`, { headers: limited }),
        403,
        'Authorization_RequestDenied',
        /Insufficient privileges/,
      );
      await expectGraphError(
        await fetch(`${tenant.url}/v1.0/users?$select=id,signInActivity`, { headers: limited }),
        403,
        'Authorization_RequestDenied',
      );
    } finally {
      tenant.setData(data);
    }
  });

  it('echoes client-request-id and records requests', async () => {
    const res = await fetch(`${tenant.url}/v1.0/organization`, {
      headers: { ...auth, 'client-request-id': 'abc-123' },
    });
    expect(res.headers.get('client-request-id')).toBe('abc-123');
    expect(res.headers.get('request-id')).toMatch(/^[0-9a-f-]{36}$/);
    expect(tenant.requests.at(-1)).toMatchObject({ method: 'GET', path: '/v1.0/organization', status: 200 });
  });
});

describe('demo tenant paging variants', () => {
  it('returns short pages when asked and still delivers every user exactly once', async () => {
    const data = generateDemoTenant({ users: 1000, seed: 3 });
    const tenant = await startDemoTenant({ data, tls: await trustedCertificate(), pageSizePattern: 'short' });
    try {
      const auth = { Authorization: `Bearer ${await accessToken(tenant)}` };
      const pages = await fetchAllPages<GraphUser>(`${tenant.url}/v1.0/users?$select=id&$top=100`, auth);
      const sizes = pages.map((p) => p.value.length);
      expect(sizes.slice(0, -1).some((n) => n < 100)).toBe(true);
      expect(sizes.every((n) => n <= 100)).toBe(true);
      const ids = pages.flatMap((p) => p.value.map((u) => u.id));
      expect(ids).toHaveLength(1000);
      expect(new Set(ids)).toEqual(new Set(data.users.map((u) => u.id)));
    } finally {
      await tenant.close();
    }
  });

  it('caps $top at maxPageSize', async () => {
    const tenant = await startDemoTenant({
      data: generateDemoTenant({ users: 250 }),
      tls: await trustedCertificate(),
      maxPageSize: 100,
    });
    try {
      const pages = await fetchAllPages<GraphUser>(`${tenant.url}/v1.0/users?$top=999`, {
        Authorization: `Bearer ${await accessToken(tenant)}`,
      });
      expect(pages.map((p) => p.value.length)).toEqual([100, 100, 50]);
    } finally {
      await tenant.close();
    }
  });

  // How fast these pages come is a figure of `npm run bench:demo-tenant`, not an assertion.
  it('serves 999-user pages of a 100,000-user tenant, and the same filtered result on every repeat', async () => {
    const data = generateDemoTenant({ users: 100_000 });
    const tenant = await startDemoTenant({ data, tls: await trustedCertificate() });
    try {
      const auth = { Authorization: `Bearer ${await accessToken(tenant)}` };
      const filter = encodeURIComponent(`assignedLicenses/any(l:l/skuId eq ${SKU.COPILOT})`);
      let next: string | undefined =
        `${tenant.url}/v1.0/users?$select=id,displayName,mail,userPrincipalName,department,jobTitle,accountEnabled,assignedLicenses,licenseAssignmentStates&$top=999`;
      const seen = new Set<string>();
      for (let i = 0; i < 5 && next; i++) {
        const page: GraphCollection<GraphUser> = (await (
          await fetch(next, { headers: auth })
        ).json()) as GraphCollection<GraphUser>;
        expect(page.value).toHaveLength(999);
        for (const user of page.value) seen.add(user.id);
        next = page['@odata.nextLink'];
      }
      expect(seen.size).toBe(5 * 999);
      expect(next).toBeTruthy();

      const copilotHolders = data.users
        .filter((u) => u.assignedLicenses.some((l) => l.skuId === SKU.COPILOT))
        .map((u) => u.id);
      const results: string[][] = [];
      for (let i = 0; i < 3; i++) {
        const pages = await fetchAllPages<GraphUser>(
          `${tenant.url}/v1.0/users?$filter=${filter}&$select=id&$top=999`,
          auth,
        );
        results.push(pages.flatMap((p) => p.value.map((u) => u.id)));
      }
      expect(results[0]?.length).toBeGreaterThan(0);
      expect(new Set(results[0])).toEqual(new Set(copilotHolders));
      expect(results[1]).toEqual(results[0]);
      expect(results[2]).toEqual(results[0]);
    } finally {
      await tenant.close();
    }
  });
});
