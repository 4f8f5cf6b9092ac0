import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateDemoTenant } from '../demo-tenant/generator';
import { commerceSubscriptions, onPremisesSyncOf, registrationOf } from '../demo-tenant/identity';
import type { DemoTenantData, GraphUser } from '../demo-tenant/model';
import { DEFAULT_APP_ROLES } from '../demo-tenant/constants';
import { createGraphClient } from '../src/adapters/graph/graph-client';
import { GraphIdentityReader } from '../src/adapters/graph/identity-graph';
import { SqliteIdentityStore } from '../src/adapters/sqlite/identity-store';
import { SqliteSourceStatusStore } from '../src/adapters/sqlite/source-status';
import {
  MfaSource,
  SecurityPostureSource,
  SignInSource,
  SubscriptionsSource,
} from '../src/usecases/identity/identity-sources';
import { TenantAccessError } from '../src/domain/tenant-access-error';
import { startHarness, TEST_API_KEY, type Harness } from './helpers/harness';

type Json = Record<string, unknown>;
interface Page {
  data: Json[];
  pagination: { total: number; has_more: boolean };
  error?: { message: string };
}

async function get(h: Harness, path: string): Promise<{ status: number; body: Page }> {
  const res = await fetch(`${h.app.url}${path}`, { headers: { authorization: `Bearer ${TEST_API_KEY}` } });
  return { status: res.status, body: (await res.json()) as Page };
}

/** Every user of the tenant through the REST API, 500 a page. */
async function allUsers(h: Harness, tenantId: string, filter = ''): Promise<Json[]> {
  const out: Json[] = [];
  for (let offset = 0; ; offset += 500) {
    const { status, body } = await get(h, `/api/v1/m365/tenants/${tenantId}/users?limit=500&offset=${offset}${filter}`);
    expect(status).toBe(200);
    out.push(...body.data);
    if (!body.pagination.has_more) return out;
  }
}

/** The REST API's method names for the Graph methods the demo registers, written out here rather than taken from the mapping under test. */
const EXPECTED_METHODS: Record<string, string | null> = {
  microsoftAuthenticatorPush: 'authenticator',
  softwareOneTimePasscode: 'software_otp',
  mobilePhone: 'sms',
  fido2SecurityKey: 'fido2',
  windowsHelloForBusiness: 'windows_hello',
  microsoftAuthenticatorPasswordless: 'authenticator_passwordless',
  email: null,
};

function expectedFor(u: GraphUser, today: string) {
  const r = registrationOf(u, today);
  return {
    last_sign_in: u.signInActivity?.lastSignInDateTime ?? null,
    mfa_enabled: r.isMfaRegistered,
    mfa_methods: r.methodsRegistered.map((m) => EXPECTED_METHODS[m]).filter((m): m is string => typeof m === 'string'),
    on_premises_sync_enabled: onPremisesSyncOf(u),
  };
}

const withRoles = (data: DemoTenantData, drop: string[]): DemoTenantData => ({
  ...data,
  app: { ...data.app, roles: DEFAULT_APP_ROLES.filter((r) => !drop.includes(r)) },
});

describe('sign-ins and MFA on a tenant with every permission and licence', () => {
  let h: Harness;
  let tenantId: string;
  const data = generateDemoTenant({ users: 1300, seed: 61 });
  const today = data.activity?.today ?? '';

  beforeAll(async () => {
    h = await startHarness({ data });
    tenantId = h.app.tenants.list()[0].id;
    expect((await h.app.sync.request(tenantId, 'test').done).status).toBe('success');
  });
  afterAll(async () => h?.close());

  it('fills last_sign_in, mfa_enabled, mfa_methods and on_premises_sync_enabled from what the demo tenant served', async () => {
    const users = await allUsers(h, tenantId);
    expect(users).toHaveLength(data.users.length);
    const byId = new Map(data.users.map((u) => [u.id, u]));
    for (const row of users) {
      const u = byId.get(row.user_id as string) as GraphUser;
      expect({
        id: u.id,
        last_sign_in: row.last_sign_in,
        mfa_enabled: row.mfa_enabled,
        mfa_methods: row.mfa_methods,
        on_premises_sync_enabled: row.on_premises_sync_enabled,
      }).toEqual({ id: u.id, ...expectedFor(u, today) });
    }
    // The story has both kinds, so the comparison above says something.
    expect(users.some((u) => u.mfa_enabled === false) && users.some((u) => u.on_premises_sync_enabled === true)).toBe(
      true,
    );
  });

  it('mfa_enabled=false lists exactly the users without MFA, in list order; true the others; combined with account_enabled and search', async () => {
    const all = await allUsers(h, tenantId);
    const without = await allUsers(h, tenantId, '&mfa_enabled=false');
    const expected = data.users.filter((u) => !registrationOf(u, today).isMfaRegistered).map((u) => u.id);
    expect(without.map((u) => u.user_id).sort()).toEqual([...expected].sort());
    expect(without.map((u) => u.user_id)).toEqual(all.filter((u) => u.mfa_enabled === false).map((u) => u.user_id));
    const withMfa = await get(h, `/api/v1/m365/tenants/${tenantId}/users?mfa_enabled=true&limit=1`);
    expect(withMfa.body.pagination.total).toBe(data.users.length - expected.length);
    const enabledWithout = await get(
      h,
      `/api/v1/m365/tenants/${tenantId}/users?mfa_enabled=false&account_enabled=true&limit=1`,
    );
    expect(enabledWithout.body.pagination.total).toBe(
      data.users.filter((u) => u.accountEnabled && !registrationOf(u, today).isMfaRegistered).length,
    );
    const name = (data.users.find((u) => !registrationOf(u, today).isMfaRegistered)?.displayName ?? '').slice(0, 4);
    const searched = await get(
      h,
      `/api/v1/m365/tenants/${tenantId}/users?mfa_enabled=false&search=${encodeURIComponent(name)}&limit=500`,
    );
    const q = name.toLowerCase();
    const matching = data.users.filter(
      (u) =>
        !registrationOf(u, today).isMfaRegistered &&
        [u.displayName, u.mail, u.userPrincipalName].some((v) => v?.toLowerCase().includes(q)),
    );
    expect(searched.body.pagination.total).toBe(matching.length);
    expect(searched.body.pagination.total).toBeGreaterThan(0);
  });

  it('reads signInActivity in its own pass of at most 500 users a page', async () => {
    const status = new SqliteSourceStatusStore(h.app.db);
    const signIn = status.get(tenantId, 'sign_in');
    expect(signIn).toMatchObject({
      lastOutcome: 'ok',
      servedBy: '/v1.0/users?$select=signInActivity',
      requests: Math.ceil(data.users.length / 500),
    });
    expect(status.get(tenantId, 'mfa')).toMatchObject({ lastOutcome: 'ok' });
  });

  it('/licenses gives each SKU its purchase date (earliest subscription) and renewal date (next lifecycle date of an Enabled one)', async () => {
    const { status, body } = await get(h, `/api/v1/m365/tenants/${tenantId}/licenses`);
    expect(status).toBe(200);
    const subs = commerceSubscriptions(data);
    const nowIso = new Date().toISOString();
    expect(body.data.length).toBe(data.subscribedSkus.length);
    for (const sku of body.data) {
      const own = subs.filter((s) => s.skuId === sku.sku_id);
      const purchase =
        own
          .map((s) => s.createdDateTime)
          .sort()[0]
          ?.slice(0, 10) ?? null;
      const renewal =
        own
          .filter((s) => s.status === 'Enabled' && (s.nextLifecycleDateTime ?? '') > nowIso)
          .map((s) => s.nextLifecycleDateTime ?? '')
          .sort()[0]
          ?.slice(0, 10) ?? null;
      expect({ sku: sku.sku_id, purchase_date: sku.purchase_date, renewal_date: sku.renewal_date }).toEqual({
        sku: sku.sku_id,
        purchase_date: purchase,
        renewal_date: renewal,
      });
    }
    expect(body.data.some((s) => typeof s.renewal_date === 'string' && s.renewal_date > nowIso.slice(0, 10))).toBe(
      true,
    );
  });

  it("each source's probe() passes", async () => {
    const graph = new GraphIdentityReader(createGraphClient(h.demo.connection), { ...h.demo.connection });
    const deps = { tenantId, graph, store: new SqliteIdentityStore(h.app.db) };
    for (const source of [
      new SignInSource(deps),
      new MfaSource(deps),
      new SecurityPostureSource(deps),
      new SubscriptionsSource(deps),
    ])
      await expect(source.probe()).resolves.toBeUndefined();
  });
});

describe('a tenant without AuditLog.Read.All', () => {
  let h: Harness;
  let tenantId: string;

  beforeAll(async () => {
    h = await startHarness({ data: withRoles(generateDemoTenant({ users: 200, seed: 62 }), ['AuditLog.Read.All']) });
    tenantId = h.app.tenants.list()[0].id;
  });
  afterAll(async () => h?.close());

  it('refuses sign-ins and MFA naming the permission; the rest lands and the sync is partial', async () => {
    const run = await h.app.sync.request(tenantId, 'test').done;
    expect(run.status).toBe('partial');
    expect(run.warnings.filter((w) => /AuditLog\.Read\.All/.test(w))).toHaveLength(2);
    const status = new SqliteSourceStatusStore(h.app.db);
    for (const source of ['sign_in', 'mfa'] as const) {
      expect(status.get(tenantId, source)).toMatchObject({
        lastOutcome: 'refused',
        errorCode: 'insufficient_privileges',
        lastSuccessAt: null,
      });
      expect(status.get(tenantId, source)?.message).toMatch(
        /application permission AuditLog\.Read\.All .*Grant admin consent/,
      );
    }
    expect(status.get(tenantId, 'subscriptions')?.lastOutcome).toBe('ok');
    const users = await allUsers(h, tenantId);
    expect(users).toHaveLength(200);
    expect(users.every((u) => u.last_sign_in === null && u.mfa_enabled === null && u.mfa_methods === null)).toBe(true);
    // Unknown MFA is neither true nor false.
    expect((await get(h, `/api/v1/m365/tenants/${tenantId}/users?mfa_enabled=false`)).body.pagination.total).toBe(0);
    expect((await get(h, `/api/v1/m365/tenants/${tenantId}/users?mfa_enabled=true`)).body.pagination.total).toBe(0);
  });

  it('probe() throws the same refusal', async () => {
    const graph = new GraphIdentityReader(createGraphClient(h.demo.connection), { ...h.demo.connection });
    const deps = { tenantId, graph, store: new SqliteIdentityStore(h.app.db) };
    for (const source of [new SignInSource(deps), new MfaSource(deps)]) {
      const error = await source.probe().catch((e: unknown) => e);
      expect(error).toBeInstanceOf(TenantAccessError);
      expect(error).toMatchObject({
        code: 'insufficient_privileges',
        requirement: { permission: 'AuditLog.Read.All' },
      });
    }
  });
});

describe('a tenant without Microsoft Entra ID P1', () => {
  let h: Harness;
  let tenantId: string;
  const data = generateDemoTenant({ users: 300, seed: 63 });
  const today = data.activity?.today ?? '';

  beforeAll(async () => {
    h = await startHarness({ data });
    tenantId = h.app.tenants.list()[0].id;
  });
  afterAll(async () => h?.close());

  it('keeps the last sign-ins and MFA registrations (stale) when P1 goes, with licence_required naming Microsoft Entra ID P1', async () => {
    expect((await h.app.sync.request(tenantId, 'test').done).status).toBe('success');
    const before = await allUsers(h, tenantId, '&mfa_enabled=false');
    expect(before.length).toBe(data.users.filter((u) => !registrationOf(u, today).isMfaRegistered).length);

    h.demo.server.setData({ ...data, features: { entraIdP1: false } });
    const run = await h.app.sync.request(tenantId, 'test').done;
    expect(run.status).toBe('partial');
    expect(run.warnings.some((w) => /Sign-in activity: .*Microsoft Entra ID P1.*kept and shown as stale/.test(w))).toBe(
      true,
    );
    const status = new SqliteSourceStatusStore(h.app.db);
    for (const source of ['sign_in', 'mfa'] as const) {
      const record = status.get(tenantId, source);
      expect(record).toMatchObject({ lastOutcome: 'refused', errorCode: 'licence_required' });
      expect(record?.lastSuccessAt).not.toBeNull();
      expect(record?.message).toMatch(/lacks Microsoft Entra ID P1/);
    }
    const after = await allUsers(h, tenantId, '&mfa_enabled=false');
    expect(after.map((u) => u.user_id)).toEqual(before.map((u) => u.user_id));
    const users = await allUsers(h, tenantId);
    expect(users.filter((u) => u.last_sign_in !== null).length).toBeGreaterThan(0);

    const graph = new GraphIdentityReader(createGraphClient(h.demo.connection), { ...h.demo.connection });
    const error = await new MfaSource({ tenantId, graph, store: new SqliteIdentityStore(h.app.db) })
      .probe()
      .catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'licence_required', requirement: { licence: 'Microsoft Entra ID P1' } });
  });
});
