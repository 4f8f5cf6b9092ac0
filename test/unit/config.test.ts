import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig, parseConfig } from '../../src/config/config';
import { tempDir } from '../helpers/harness';

const problemsOf = (values: Record<string, string>): string[] => {
  try {
    parseConfig(values);
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  return [];
};

describe('configuration', () => {
  it('runs on the embedded defaults: demo tenant, anonymous bot, playground on', () => {
    const c = parseConfig({});
    expect(c.tenant).toEqual({ kind: 'demo', users: 250, fixtureFile: undefined, tenants: 1 });
    expect(c.tenant.kind === 'demo' && parseConfig({ GRAPH_ENDPOINT: 'https://graph.microsoft.us' }).tenant.kind).toBe(
      'demo',
    );
    expect(c.bot).toEqual({ mode: 'anonymous' });
    expect(c.playground.enabled).toBe(true);
    expect(c.port).toBe(3978);
    expect(c.syncCron).toBe('0 */6 * * *');
    expect(c.botAllowedTenants).toEqual([]);
  });

  it('turns the playground off with PLAYGROUND=off and by default when a bot is registered', () => {
    expect(parseConfig({ PLAYGROUND: 'off' }).playground.enabled).toBe(false);
    const registered = parseConfig({
      BOT_ID: '11111111-2222-3333-4444-555555555555',
      SECRET_BOT_PASSWORD: 'x',
      BOT_TENANT_ID: '21111111-2222-3333-4444-555555555555',
    });
    expect(registered.playground.enabled).toBe(false);
    expect(registered.bot).toMatchObject({ mode: 'SingleTenant', appId: '11111111-2222-3333-4444-555555555555' });
  });

  it('listens on loopback in anonymous mode, everywhere with a registered bot, unless LISTEN_HOST says otherwise', () => {
    expect(parseConfig({}).listenHost).toBe('127.0.0.1');
    expect(
      parseConfig({
        BOT_ID: '11111111-2222-3333-4444-555555555555',
        SECRET_BOT_PASSWORD: 'x',
        BOT_TENANT_ID: '21111111-2222-3333-4444-555555555555',
      }).listenHost,
    ).toBeUndefined();
    expect(parseConfig({ LISTEN_HOST: '0.0.0.0' }).listenHost).toBe('0.0.0.0');
    expect(problemsOf({ LISTEN_HOST: 'http://x/' })[0]).toMatch(/^LISTEN_HOST: expected an IP address or host name/);
  });

  it('the Playground chats from the first allowed tenant as PLAYGROUND_USER, else the first object id in ADMINS', () => {
    const real = {
      TENANT_ID: '11111111-2222-3333-4444-555555555555',
      CLIENT_ID: '21111111-2222-3333-4444-555555555555',
      SECRET_CLIENT_SECRET: 's',
      SECRET_STORE_KEY: 'MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=',
    };
    expect(parseConfig(real).playground).toMatchObject({
      tenantId: '11111111-2222-3333-4444-555555555555',
      user: undefined,
    });
    expect(
      parseConfig({ ...real, ADMINS: 'ada@contoso.com,6F1C2D3E-4A5B-4C6D-8E7F-901A2B3C4D5E' }).playground.user,
    ).toBe('6f1c2d3e-4a5b-4c6d-8e7f-901a2b3c4d5e');
    expect(
      parseConfig({
        ...real,
        ADMINS: '6f1c2d3e-4a5b-4c6d-8e7f-901a2b3c4d5e',
        PLAYGROUND_USER: '7f1c2d3e-4a5b-4c6d-8e7f-901a2b3c4d5e',
      }).playground.user,
    ).toBe('7f1c2d3e-4a5b-4c6d-8e7f-901a2b3c4d5e');
    expect(
      parseConfig({ ...real, BOT_ALLOWED_TENANTS: '31111111-2222-3333-4444-555555555555' }).playground.tenantId,
    ).toBe('31111111-2222-3333-4444-555555555555');
    // The demo tenant admits any tenant: the Playground keeps its own.
    expect(parseConfig({}).playground).toMatchObject({ tenantId: undefined, user: undefined });
    expect(problemsOf({ PLAYGROUND_USER: 'ada@contoso.com' })[0]).toMatch(
      /^PLAYGROUND_USER: expected the Entra object id/,
    );
  });

  it('names the variable and what it expects', () => {
    expect(problemsOf({ PORT: 'abc' })[0]).toMatch(/^PORT: .*port/);
    expect(problemsOf({ SYNC_CRON: 'every day' })[0]).toMatch(/^SYNC_CRON: expected a cron expression/);
    expect(problemsOf({ SYNC_CONCURRENCY: '0' })[0]).toMatch(/^SYNC_CONCURRENCY: expected at least 1 sync/);
    expect(problemsOf({ SYNC_CONCURRENCY: '1.5' })[0]).toMatch(/^SYNC_CONCURRENCY: expected a whole number/);
    expect(parseConfig({}).syncConcurrency).toBe(3);
    expect(parseConfig({ SYNC_CONCURRENCY: '5' }).syncConcurrency).toBe(5);
    expect(problemsOf({ GRAPH_ENDPOINT: 'http://graph.example' })[0]).toMatch(/^GRAPH_ENDPOINT: expected an https/);
    expect(problemsOf({ BOT_TYPE: 'Other' })[0]).toMatch(
      /^BOT_TYPE: expected MultiTenant, SingleTenant or UserAssignedMsi/,
    );
    expect(problemsOf({ API_KEYS: 'short' })[0]).toMatch(/^API_KEYS/);
    expect(problemsOf({ COPILOT_SKU_IDS: 'not-a-guid' })[0]).toMatch(/^COPILOT_SKU_IDS/);
  });

  it('keeps HISTORY_DAYS days of daily history, 400 by default, a whole number from 1', () => {
    expect(parseConfig({}).history.days).toBe(400);
    expect(parseConfig({ HISTORY_DAYS: '30' }).history.days).toBe(30);
    expect(problemsOf({ HISTORY_DAYS: '0' })[0]).toMatch(/^HISTORY_DAYS: expected at least 1 day/);
    expect(problemsOf({ HISTORY_DAYS: '1.5' })[0]).toMatch(/^HISTORY_DAYS: expected a whole number of days/);
  });

  it('takes PRICE_CURRENCY only as an ISO 4217 code in use', () => {
    expect(parseConfig({ PRICE_CURRENCY: 'JPY' }).analytics.priceCurrency).toBe('JPY');
    expect(parseConfig({}).analytics.priceCurrency).toBe('USD');
    expect(problemsOf({ PRICE_CURRENCY: 'ZZZ' })).toEqual([
      expect.stringMatching(/^PRICE_CURRENCY: .*"ZZZ" is not an ISO 4217 currency code in use/),
    ]);
    expect(problemsOf({ PRICE_CURRENCY: 'eur' })).toEqual([
      expect.stringMatching(/^PRICE_CURRENCY: .*three upper-case letters/),
    ]);
  });

  it('requires the whole tenant app registration once any part is set', () => {
    const problems = problemsOf({ TENANT_ID: '11111111-2222-3333-4444-555555555555' });
    expect(problems.some((p) => p.startsWith('CLIENT_ID: required'))).toBe(true);
    expect(problems.some((p) => p.startsWith('SECRET_CLIENT_SECRET: required'))).toBe(true);
  });

  it('requires the bot password and tenant where the bot type needs them, and never echoes secrets', () => {
    expect(problemsOf({ BOT_ID: '11111111-2222-3333-4444-555555555555', BOT_TYPE: 'SingleTenant' })).toEqual([
      expect.stringMatching(/^SECRET_BOT_PASSWORD: required/),
      expect.stringMatching(/^BOT_TENANT_ID: required/),
    ]);
    expect(problemsOf({ API_KEYS: 'tiny-secret' }).join('\n')).not.toContain('tiny-secret');
  });

  it('takes a registered bot as single-tenant unless BOT_TYPE says otherwise (new multi-tenant Azure Bots cannot be created)', () => {
    const bot = { BOT_ID: '11111111-2222-3333-4444-555555555555', SECRET_BOT_PASSWORD: 'x' };
    expect(problemsOf(bot)).toEqual([expect.stringMatching(/^BOT_TENANT_ID: required when BOT_TYPE is SingleTenant/)]);
    expect(parseConfig({ ...bot, BOT_TENANT_ID: '21111111-2222-3333-4444-555555555555' }).bot).toMatchObject({
      mode: 'SingleTenant',
      tenantId: '21111111-2222-3333-4444-555555555555',
    });
    expect(parseConfig({ ...bot, BOT_TYPE: 'MultiTenant' }).bot).toMatchObject({ mode: 'MultiTenant' });
    expect(
      parseConfig({
        BOT_ID: bot.BOT_ID,
        BOT_TYPE: 'UserAssignedMsi',
        BOT_TENANT_ID: '21111111-2222-3333-4444-555555555555',
      }).bot,
    ).toMatchObject({ mode: 'UserAssignedMsi' });
  });

  it('refuses secrets still encrypted by Teams Toolkit', () => {
    expect(
      problemsOf({ BOT_ID: '11111111-2222-3333-4444-555555555555', SECRET_BOT_PASSWORD: 'crypto_abc' })[0],
    ).toMatch(/^SECRET_BOT_PASSWORD: holds a value encrypted by Teams Toolkit/);
  });

  it('connects a real tenant with a secret, keeping national-cloud endpoints', () => {
    const c = parseConfig({
      TENANT_ID: '11111111-2222-3333-4444-555555555555',
      CLIENT_ID: '66666666-7777-8888-9999-000000000000',
      SECRET_CLIENT_SECRET: 's3cr3t',
      SECRET_STORE_KEY: 'q3m0yFz1H8nJ2Q5tVx7bA9cD4eG6hK8mN0pR2sU4wY8=',
      GRAPH_ENDPOINT: 'https://graph.microsoft.us/',
      AUTHORITY_HOST: 'https://login.microsoftonline.us',
    });
    expect(c.tenant).toMatchObject({
      kind: 'entra',
      credential: { kind: 'secret', secret: 's3cr3t' },
      graphEndpoint: 'https://graph.microsoft.us',
    });
    // A real tenant's data is shown to that tenant's Teams users only, unless more are allowed.
    expect(c.botAllowedTenants).toEqual(['11111111-2222-3333-4444-555555555555']);
  });

  it('reads env/.env.<name> and .user, with the process environment winning', () => {
    const root = tempDir('config');
    fs.mkdirSync(path.join(root, 'env'));
    fs.writeFileSync(path.join(root, 'env', '.env.dev'), 'PORT=4000\nDEMO_USERS=40\n');
    fs.writeFileSync(path.join(root, 'env', '.env.dev.user'), 'DEMO_USERS=50\nSYNC_CRON="*/5 * * * *"\n');
    const c = loadConfig({ rootDir: root, env: { TEAMSFX_ENV: 'dev', PORT: '4100' } });
    expect(c.port).toBe(4100);
    expect(c.tenant).toMatchObject({ kind: 'demo', users: 50 });
    expect(c.syncCron).toBe('*/5 * * * *');
    expect(c.dataDir).toBe(path.join(root, 'data'));
  });
});

describe('on/off settings (one decoder)', () => {
  const read = {
    PLAYGROUND: (c: ReturnType<typeof parseConfig>) => c.playground.enabled,
    REPORTS_UNCONCEAL: (c: ReturnType<typeof parseConfig>) => c.reports.unconceal,
    RECLAIM_TWO_PERSON: (c: ReturnType<typeof parseConfig>) => c.reclaim.twoPersonRule,
    RECLAIM_NUDGE: (c: ReturnType<typeof parseConfig>) => c.reclaim.nudgeByDefault,
  };
  const defaults = { PLAYGROUND: true, REPORTS_UNCONCEAL: false, RECLAIM_TWO_PERSON: true, RECLAIM_NUDGE: false };

  it.each(Object.keys(read) as Array<keyof typeof read>)(
    '%s reads on/true/1 and off/false/0 alike, and keeps its default when unset or empty',
    (name) => {
      for (const on of ['on', 'true', '1', ' on ']) expect(read[name](parseConfig({ [name]: on }))).toBe(true);
      for (const off of ['off', 'false', '0']) expect(read[name](parseConfig({ [name]: off }))).toBe(false);
      expect(read[name](parseConfig({}))).toBe(defaults[name]);
      expect(read[name](parseConfig({ [name]: '' }))).toBe(defaults[name]);
      expect(problemsOf({ [name]: 'yes' })).toEqual([`${name}: expected 'on' or 'off' (got "yes")`]);
    },
  );
});
