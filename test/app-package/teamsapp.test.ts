import * as fs from 'node:fs';
import * as path from 'node:path';
// `yaml` is not a direct dependency: it is installed through @microsoft/teams-ai and vite.
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { ROOT, placeholders, readEnvFile } from './helpers';

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
  publish: Step[];
}

const text = fs.readFileSync(path.join(ROOT, 'teamsapp.yml'), 'utf8');
const doc = parse(text) as TeamsAppYaml;

function step(stage: Step[], uses: string): Step {
  const found = stage.find((s) => s.uses === uses);
  if (found === undefined) throw new Error(`no ${uses} step`);
  return found;
}

describe('teamsapp.yml', () => {
  it('is Teams Toolkit project file v1.7 with its schema comment', () => {
    expect(text.split('\n')[0]).toBe('# yaml-language-server: $schema=https://aka.ms/teams-toolkit/v1.7/yaml.schema.json');
    expect(doc.version).toBe('v1.7');
    expect(doc.environmentFolderPath).toBe('./env');
  });

  it('provisions the Teams app, the bot identity and registration, then builds and pushes the package', () => {
    expect(doc.provision.map((s) => s.uses)).toEqual([
      'teamsApp/create',
      'botAadApp/create',
      'botFramework/create',
      'teamsApp/validateManifest',
      'teamsApp/zipAppPackage',
      'teamsApp/validateAppPackage',
      'teamsApp/update',
    ]);
    expect(step(doc.provision, 'teamsApp/create').writeToEnvironmentFile).toEqual({ teamsAppId: 'TEAMS_APP_ID' });
    expect(step(doc.provision, 'botAadApp/create').writeToEnvironmentFile).toEqual({
      botId: 'BOT_ID',
      botPassword: 'SECRET_BOT_PASSWORD',
    });
    expect(step(doc.provision, 'botFramework/create').with).toMatchObject({
      botId: '${{BOT_ID}}',
      messagingEndpoint: '${{BOT_ENDPOINT}}/api/messages',
      channels: [{ name: 'msteams' }],
    });
  });

  it('installs dependencies and writes the bot credentials for the app on deploy', () => {
    expect(doc.deploy.map((s) => s.uses)).toEqual(['cli/runNpmCommand', 'file/createOrUpdateEnvironmentFile']);
    expect(String(step(doc.deploy, 'cli/runNpmCommand').with?.['args'])).toMatch(/^install\b/);
    expect(step(doc.deploy, 'file/createOrUpdateEnvironmentFile').with).toEqual({
      target: './env/.env.${{TEAMSFX_ENV}}.user',
      envs: { BOT_ID: '${{BOT_ID}}', SECRET_BOT_PASSWORD: '${{SECRET_BOT_PASSWORD}}' },
    });
  });

  it('validates, zips and publishes the package to the org catalog', () => {
    const uses = doc.publish.map((s) => s.uses);
    expect(uses[0]).toBe('teamsApp/validateManifest');
    expect(uses).toContain('teamsApp/zipAppPackage');
    expect(uses[uses.length - 1]).toBe('teamsApp/publishAppPackage');
    expect(step(doc.publish, 'teamsApp/publishAppPackage').writeToEnvironmentFile).toEqual({
      publishedAppId: 'TEAMS_APP_PUBLISHED_APP_ID',
    });
  });

  it('points every manifest and package path at appPackage/', () => {
    for (const stage of [doc.provision, doc.publish]) {
      for (const s of stage) {
        const manifestPath = s.with?.['manifestPath'];
        if (manifestPath !== undefined) expect(fs.existsSync(path.join(ROOT, String(manifestPath)))).toBe(true);
        const zip = s.with?.['appPackagePath'] ?? s.with?.['outputZipPath'];
        if (zip !== undefined) expect(zip).toBe('./appPackage/build/appPackage.${{TEAMSFX_ENV}}.zip');
      }
    }
  });

  it('only references variables that the env files declare or an earlier step writes', () => {
    const local = readEnvFile('.env.local');
    const known = new Set([...readEnvFile('.env.dev').keys()].filter((key) => local.has(key)));
    // Stages run in this order, and outputs persist in the env files, so later stages may use them.
    for (const stage of [doc.provision, doc.deploy, doc.publish]) {
      for (const s of stage) {
        for (const name of placeholders(JSON.stringify(s.with ?? {}))) {
          expect(known.has(name), `${s.uses} uses \${{${name}}} before anything defines it`).toBe(true);
        }
        for (const name of Object.values(s.writeToEnvironmentFile ?? {})) known.add(name);
      }
    }
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
      for (const key of ['BOT_ID', 'TEAMS_APP_ID', 'BOT_DOMAIN', 'BOT_ENDPOINT']) expect(env.get(key)).toBe('');
      expect([...env.keys()].filter((k) => k.startsWith('SECRET_'))).toEqual([]);
    });
  }
});
