import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { PRODUCTION_NODE_FLAGS } from '../../bench/production-flags';
import { parseConfig } from '../../src/config/config';
import { ROOT, placeholders, readEnvFile } from './helpers';
import { appSettings, bicepModules, bicepOutputs, bicepParams, bicepResources, bicepText } from './bicep';

/**
 * infra/: what can be checked without the Bicep compiler (not installed: it is a download). The
 * Bicep is read as text; azure.parameters.json is JSON. Whether Azure accepts a property is not
 * checked here.
 */
const MAIN = 'infra/azure.bicep';
const PARAMETERS = JSON.parse(fs.readFileSync(path.join(ROOT, 'infra/azure.parameters.json'), 'utf8')) as {
  $schema: string;
  contentVersion: string;
  parameters: Record<string, { value: unknown }>;
};
const GUID = '11111111-2222-3333-4444-555555555555';

describe('infra/azure.parameters.json', () => {
  it('is a deployment parameters file giving only parameters azure.bicep declares, and every one it requires', () => {
    expect(PARAMETERS.$schema).toBe(
      'https://schema.management.azure.com/schemas/2015-01-01/deploymentParameters.json#',
    );
    expect(PARAMETERS.contentVersion).toBe('1.0.0.0');
    const declared = bicepParams(MAIN);
    const names = declared.map((p) => p.name);
    for (const given of Object.keys(PARAMETERS.parameters)) expect(names, given).toContain(given);
    for (const p of declared.filter((d) => !d.hasDefault))
      expect(Object.keys(PARAMETERS.parameters), p.name).toContain(p.name);
  });

  it('fills placeholders from env/.env.dev, or from env/.env.dev.user for SECRET_ values, and secrets only into @secure() parameters', () => {
    const dev = readEnvFile('.env.dev');
    const secure = new Set(
      bicepParams(MAIN)
        .filter((p) => p.secure)
        .map((p) => p.name),
    );
    for (const [name, { value }] of Object.entries(PARAMETERS.parameters)) {
      for (const variable of placeholders(String(value))) {
        expect(dev.has(variable) || variable.startsWith('SECRET_'), `${name} uses \${{${variable}}}`).toBe(true);
        if (variable.startsWith('SECRET_')) expect(secure.has(name), `${name} carries ${variable}`).toBe(true);
      }
    }
  });

  it('keeps resourceBaseName within the 20 characters azure.bicep allows (RESOURCE_SUFFIX is 6)', () => {
    const base = String(PARAMETERS.parameters['resourceBaseName']?.value).replace('${{RESOURCE_SUFFIX}}', 'abcdef');
    expect(base.length).toBeGreaterThanOrEqual(4);
    expect(base.length).toBeLessThanOrEqual(20);
    expect(bicepText(MAIN)).toMatch(
      /@maxLength\(20\)\n@minLength\(4\)\n@description\([^)]*\)\nparam resourceBaseName string/,
    );
  });
});

describe('infra/*.bicep', () => {
  it("declares the resources the Toolkit's bot templates create, with dated API versions", () => {
    const all = [...bicepResources(MAIN), ...bicepModules(MAIN).flatMap((m) => bicepResources(m.path))];
    expect(all.map((r) => r.type).sort()).toEqual([
      'Microsoft.BotService/botServices',
      'Microsoft.BotService/botServices/channels',
      'Microsoft.ManagedIdentity/userAssignedIdentities',
      'Microsoft.Web/serverfarms',
      'Microsoft.Web/sites',
    ]);
    for (const r of all) expect(r.apiVersion, r.type).toMatch(/^\d{4}-\d{2}-\d{2}(-preview)?$/);
  });

  it('passes each module only parameters it declares, and every one it requires', () => {
    for (const module of bicepModules(MAIN)) {
      expect(fs.existsSync(path.join(ROOT, module.path)), module.path).toBe(true);
      const declared = bicepParams(module.path);
      for (const passed of module.params)
        expect(
          declared.map((p) => p.name),
          `${module.symbol}.${passed}`,
        ).toContain(passed);
      for (const p of declared.filter((d) => !d.hasDefault))
        expect(module.params, `${module.symbol} needs ${p.name}`).toContain(p.name);
    }
  });

  it('registers the Azure Bot to the user-assigned managed identity (UserAssignedMSI), with the Teams channel, never multi-tenant', () => {
    const [registration] = bicepModules(MAIN);
    const text = bicepText(registration.path);
    expect(text).toMatch(/msaAppType: 'UserAssignedMSI'/);
    expect(text).toMatch(/msaAppId: identityClientId/);
    expect(text).toMatch(/msaAppMSIResourceId: identityResourceId/);
    expect(text).toMatch(/msaAppTenantId: identityTenantId/);
    expect(text).toMatch(/endpoint: 'https:\/\/\$\{botAppDomain\}\/api\/messages'/);
    expect(text).toMatch(/channelName: 'MsTeamsChannel'/);
    expect(`${bicepText(MAIN)}\n${text}`).not.toMatch(/MultiTenant/);
    // The App Service runs as that identity.
    expect(bicepText(MAIN)).toMatch(
      /type: 'UserAssigned'\n\s*userAssignedIdentities: \{\n\s*'\$\{identity\.id\}': \{\}/,
    );
  });

  it('runs the compiled app on Linux Node 20, with /healthz as the health check', () => {
    const text = bicepText(MAIN);
    expect(text).toMatch(/kind: 'app,linux'/);
    expect(text).toMatch(/reserved: true/);
    expect(text).toMatch(/linuxFxVersion: 'NODE\|20-lts'/);
    expect(text).toContain(`appCommandLine: 'node ${PRODUCTION_NODE_FLAGS} dist/main.js'`);
    expect(text).toMatch(/healthCheckPath: '\/healthz'/);
    expect(text).toMatch(/alwaysOn: true/);
  });

  it('sets only settings the README documents, and the app reads them as a UserAssignedMsi bot', () => {
    const settings = appSettings(MAIN);
    const readme = fs.readFileSync(path.join(ROOT, 'README.md'), 'utf8');
    for (const name of settings.keys()) {
      if (name === 'SCM_DO_BUILD_DURING_DEPLOYMENT') continue; // App Service's own.
      // A row of the README's settings table (Prettier pads its cells).
      expect(readme, name).toMatch(new RegExp(`\\| \`${name}\` +\\|`));
    }
    expect(settings.get('BOT_TYPE')).toBe("'UserAssignedMsi'");
    expect(settings.get('BOT_ID')).toBe('identity.properties.clientId');
    expect(settings.get('BOT_TENANT_ID')).toBe('identity.properties.tenantId');
    expect(
      parseConfig({ BOT_ID: GUID, BOT_TENANT_ID: GUID, BOT_TYPE: 'UserAssignedMsi', PLAYGROUND: 'off' }).bot,
    ).toMatchObject({ mode: 'UserAssignedMsi', appId: GUID, tenantId: GUID });
  });

  it('outputs what the manifest and teamsapp.yml read, each declared in env/.env.dev', () => {
    const dev = readEnvFile('.env.dev');
    const outputs = bicepOutputs(MAIN);
    expect(outputs).toEqual(
      expect.arrayContaining([
        'BOT_ID',
        'BOT_DOMAIN',
        'BOT_ENDPOINT',
        'BOT_TENANT_ID',
        'BOT_AZURE_APP_SERVICE_RESOURCE_ID',
      ]),
    );
    for (const name of outputs) expect(dev.has(name), name).toBe(true);
  });

  it('balances its braces and brackets (a cheap syntax check in want of the compiler)', () => {
    for (const file of [MAIN, ...bicepModules(MAIN).map((m) => m.path)]) {
      const text = bicepText(file);
      for (const [open, close] of [
        ['{', '}'],
        ['[', ']'],
        ['(', ')'],
      ]) {
        expect(text.split(open).length, `${file} ${open}${close}`).toBe(text.split(close).length);
      }
    }
  });
});
