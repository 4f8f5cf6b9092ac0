import * as fs from 'node:fs';
import * as path from 'node:path';
import Ajv from 'ajv';
// `yaml` is not a direct dependency: it is installed through @microsoft/teams-ai and vite.
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config/config';
import { ROOT, placeholders, readEnvFile } from './helpers';
import { bicepOutputs } from './bicep';

interface Step {
  uses: string;
  name?: string;
  with?: Record<string, unknown>;
  writeToEnvironmentFile?: Record<string, string>;
}

interface TeamsAppYaml {
  version: string;
  environmentFolderPath: string;
  provision: Step[];
  deploy: Step[];
  publish?: Step[];
}

/** The Toolkit's own schema for v1.7 project files, vendored (see test/fixtures/teams-toolkit/README.md). */
const validate = new Ajv({ allErrors: true, strict: false }).compile(
  JSON.parse(fs.readFileSync(path.join(ROOT, 'test/fixtures/teams-toolkit/yaml.schema.v1.7.json'), 'utf8')) as object,
);

const FILES = [
  { file: 'teamsapp.yml', env: '.env.dev' },
  { file: 'teamsapp.local.yml', env: '.env.local' },
] as const;

function load(file: string): { text: string; doc: TeamsAppYaml } {
  const text = fs.readFileSync(path.join(ROOT, file), 'utf8');
  return { text, doc: parse(text) as TeamsAppYaml };
}

function step(stage: Step[], uses: string): Step {
  const found = stage.find((s) => s.uses === uses);
  if (found === undefined) throw new Error(`no ${uses} step`);
  return found;
}

const GUID = '11111111-2222-3333-4444-555555555555';

for (const { file, env } of FILES) {
  describe(file, () => {
    const { text, doc } = load(file);

    it("is a Teams Toolkit v1.7 project file that the Toolkit's schema accepts", () => {
      expect(text.split('\n')[0]).toBe(
        '# yaml-language-server: $schema=https://aka.ms/teams-toolkit/v1.7/yaml.schema.json',
      );
      expect(doc.version).toBe('v1.7');
      expect(doc.environmentFolderPath).toBe('./env');
      expect(validate(doc), JSON.stringify(validate.errors, null, 2)).toBe(true);
    });

    it('points every manifest and package path at appPackage/', () => {
      for (const stage of [doc.provision, doc.publish ?? []]) {
        for (const s of stage) {
          const manifestPath = s.with?.['manifestPath'];
          if (manifestPath !== undefined) expect(fs.existsSync(path.join(ROOT, String(manifestPath)))).toBe(true);
          const zip = s.with?.['appPackagePath'] ?? s.with?.['outputZipPath'];
          if (zip !== undefined) expect(zip).toBe('./appPackage/build/appPackage.${{TEAMSFX_ENV}}.zip');
        }
      }
    });

    it(`only references variables that env/${env} declares, a .user file's SECRET_, or an earlier step writes`, () => {
      const known = new Set(readEnvFile(env).keys());
      // Stages run in this order, and outputs persist in the env files, so later stages may use them.
      for (const stage of [doc.provision, doc.deploy, doc.publish ?? []]) {
        for (const s of stage) {
          for (const name of placeholders(JSON.stringify(s.with ?? {}))) {
            expect(
              known.has(name) || name.startsWith('SECRET_'),
              `${s.uses} uses \${{${name}}} before anything defines it`,
            ).toBe(true);
          }
          for (const name of Object.values(s.writeToEnvironmentFile ?? {})) known.add(name);
          // arm/deploy writes the Bicep outputs.
          if (s.uses === 'arm/deploy') for (const name of bicepOutputs('infra/azure.bicep')) known.add(name);
        }
      }
    });
  });
}

describe('teamsapp.yml (Azure)', () => {
  const { doc } = load('teamsapp.yml');

  it('provisions the Teams app and the Azure resources from infra/, then builds and pushes the package', () => {
    expect(doc.provision.map((s) => s.uses)).toEqual([
      'teamsApp/create',
      'arm/deploy',
      'teamsApp/validateManifest',
      'teamsApp/zipAppPackage',
      'teamsApp/validateAppPackage',
      'teamsApp/update',
    ]);
    expect(step(doc.provision, 'teamsApp/create').writeToEnvironmentFile).toEqual({ teamsAppId: 'TEAMS_APP_ID' });
    const templates = step(doc.provision, 'arm/deploy').with?.['templates'] as Array<{
      path: string;
      parameters: string;
    }>;
    expect(templates).toHaveLength(1);
    for (const file of [templates[0].path, templates[0].parameters])
      expect(fs.existsSync(path.join(ROOT, file)), file).toBe(true);
    // The bot is registered by the Bicep (UserAssignedMSI), not by an Entra app with a secret.
    expect(doc.provision.map((s) => s.uses)).not.toContain('botAadApp/create');
  });

  it('builds, then uploads the sources to the App Service, which builds them on Linux', () => {
    expect(doc.deploy.map((s) => [s.uses, s.with?.['args']])).toEqual([
      ['cli/runNpmCommand', 'install --no-audit --no-fund'],
      ['cli/runNpmCommand', 'run build'],
      ['azureAppService/zipDeploy', undefined],
    ]);
    const upload = step(doc.deploy, 'azureAppService/zipDeploy').with ?? {};
    expect(upload).toMatchObject({ artifactFolder: '.', resourceId: '${{BOT_AZURE_APP_SERVICE_RESOURCE_ID}}' });
    const ignored = fs
      .readFileSync(path.join(ROOT, String(upload['ignoreFile'])), 'utf8')
      .split('\n')
      .map((l) => l.trim());
    // Never upload secrets, local installs (native modules built for this OS) or the data.
    for (const entry of ['env', 'node_modules', 'dist', 'data', '*.pem', '*.key'])
      expect(ignored, entry).toContain(entry);
    // What the App Service's `npm install` and `npm run build` need.
    for (const entry of [
      'src',
      'demo-tenant',
      'cards',
      'scripts',
      'package.json',
      'package-lock.json',
      '.npmrc',
      'tsconfig.json',
      'tsconfig.build.json',
    ]) {
      expect(ignored, entry).not.toContain(entry);
      expect(fs.existsSync(path.join(ROOT, entry)), entry).toBe(true);
    }
  });

  it('validates, zips and publishes the package to the org catalog', () => {
    const uses = (doc.publish ?? []).map((s) => s.uses);
    expect(uses[0]).toBe('teamsApp/validateManifest');
    expect(uses).toContain('teamsApp/zipAppPackage');
    expect(uses[uses.length - 1]).toBe('teamsApp/publishAppPackage');
    expect(step(doc.publish ?? [], 'teamsApp/publishAppPackage').writeToEnvironmentFile).toEqual({
      publishedAppId: 'TEAMS_APP_PUBLISHED_APP_ID',
    });
  });
});

describe('teamsapp.local.yml (local debug)', () => {
  const { doc } = load('teamsapp.local.yml');

  it('registers a single-tenant Entra app and the bot with the Teams channel at the dev tunnel', () => {
    expect(doc.provision.map((s) => s.uses)).toEqual([
      'teamsApp/create',
      'aadApp/create',
      'botFramework/create',
      'teamsApp/validateManifest',
      'teamsApp/zipAppPackage',
      'teamsApp/validateAppPackage',
      'teamsApp/update',
    ]);
    const app = step(doc.provision, 'aadApp/create');
    expect(app.with).toMatchObject({ generateClientSecret: true, signInAudience: 'AzureADMyOrg' });
    expect(app.writeToEnvironmentFile).toMatchObject({
      clientId: 'BOT_ID',
      clientSecret: 'SECRET_BOT_PASSWORD',
      tenantId: 'BOT_TENANT_ID',
    });
    expect(step(doc.provision, 'botFramework/create').with).toMatchObject({
      botId: '${{BOT_ID}}',
      messagingEndpoint: '${{BOT_ENDPOINT}}/api/messages',
      channels: [{ name: 'msteams' }],
    });
  });

  it('writes the bot settings the app reads into env/.env.local.user, and the app takes them as a single-tenant bot', () => {
    expect(doc.deploy.map((s) => s.uses)).toEqual(['cli/runNpmCommand', 'file/createOrUpdateEnvironmentFile']);
    const written = step(doc.deploy, 'file/createOrUpdateEnvironmentFile').with as {
      target: string;
      envs: Record<string, string>;
    };
    expect(written.target).toBe('./env/.env.${{TEAMSFX_ENV}}.user');
    expect(written.envs).toEqual({
      BOT_ID: '${{BOT_ID}}',
      SECRET_BOT_PASSWORD: '${{SECRET_BOT_PASSWORD}}',
      BOT_TENANT_ID: '${{BOT_TENANT_ID}}',
      BOT_TYPE: 'SingleTenant',
    });
    const values = Object.fromEntries(
      Object.entries(written.envs).map(([k, v]) => [
        k,
        v.startsWith('${{') ? (k === 'SECRET_BOT_PASSWORD' ? 'secret' : GUID) : v,
      ]),
    );
    expect(parseConfig(values).bot).toMatchObject({ mode: 'SingleTenant', appId: GUID, tenantId: GUID });
  });
});

describe('committed env files', () => {
  for (const [file, envName] of [
    ['.env.local', 'local'],
    ['.env.dev', 'dev'],
  ] as const) {
    it(`env/${file} names its environment and holds no secrets`, () => {
      const env = readEnvFile(file);
      expect(env.get('TEAMSFX_ENV')).toBe(envName);
      expect(env.get('APP_NAME_SUFFIX')).toBe(envName);
      for (const key of ['BOT_ID', 'BOT_TENANT_ID', 'TEAMS_APP_ID', 'BOT_DOMAIN', 'BOT_ENDPOINT'])
        expect(env.get(key)).toBe('');
      expect([...env.keys()].filter((k) => k.startsWith('SECRET_'))).toEqual([]);
    });
  }
});
