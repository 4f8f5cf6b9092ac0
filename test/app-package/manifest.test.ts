import * as fs from 'node:fs';
import * as path from 'node:path';
import Ajv from 'ajv';
import addFormats from 'ajv-formats';
import { AppManifestUtils, type AppManifest } from '@microsoft/app-manifest';
import type { JSONSchemaType } from 'ajv';
import { describe, expect, it } from 'vitest';
import { parseCommand } from '../../src/entry/bot/command-parser';
import { APP_PACKAGE, ROOT, placeholders, readEnvFile, substitute, type JsonObject } from './helpers';

const manifestText = fs.readFileSync(path.join(APP_PACKAGE, 'manifest.json'), 'utf8');
const template = JSON.parse(manifestText) as JsonObject;

/** Plausible values for what provisioning would write into env/.env.dev. */
const DEV_VALUES: Record<string, string> = {
  TEAMS_APP_ID: '3f8d2c1a-6b7e-4f90-a1b2-c3d4e5f60718',
  BOT_ID: '9a0b1c2d-3e4f-4a5b-8c6d-7e8f9a0b1c2d',
  BOT_DOMAIN: 'seatsteward-dev.azurewebsites.net',
};

const manifest = JSON.parse(substitute(manifestText, DEV_VALUES)) as JsonObject;

const manifestVersion = String(template['manifestVersion']);
const schemaFile = path.join(
  ROOT,
  'node_modules/@microsoft/app-manifest/build/json-schemas/teams',
  `v${manifestVersion}`,
  'MicrosoftTeams.schema.json',
);
const schemaText = fs.readFileSync(schemaFile, 'utf8');
const schema = JSON.parse(schemaText) as JsonObject;

/**
 * The Teams schemas declare draft-04. Ajv 8 implements draft-07+, which agrees with draft-04 on
 * every keyword except boolean exclusiveMinimum/exclusiveMaximum and `id` as a schema id;
 * the "uses no draft-04-only keywords" test below proves that holds for this schema.
 */
function compileWithAjv(): ReturnType<Ajv['compile']> {
  const ajv = new Ajv({ allErrors: true, strict: false });
  addFormats(ajv);
  const { $schema: _draft, ...body } = schema;
  return ajv.compile(body);
}

function ajvErrors(candidate: unknown): string[] {
  const validate = compileWithAjv();
  return validate(candidate) ? [] : (validate.errors ?? []).map((e) => `${e.instancePath} ${e.message ?? ''}`);
}

describe('appPackage/manifest.json', () => {
  it('pins a manifest version whose schema ships with @microsoft/app-manifest', () => {
    expect(template['$schema']).toBe(
      `https://developer.microsoft.com/en-us/json-schemas/teams/v${manifestVersion}/MicrosoftTeams.schema.json`,
    );
    expect(Number(manifestVersion.split('.')[1])).toBeGreaterThanOrEqual(19);
    expect(fs.existsSync(schemaFile)).toBe(true);
  });

  it('uses only placeholders that both committed env files declare', () => {
    const used = placeholders(manifestText);
    expect(used).toEqual(['BOT_DOMAIN', 'BOT_ID', 'TEAMS_APP_ID']);
    for (const envFile of ['.env.dev', '.env.local']) {
      const env = readEnvFile(envFile);
      for (const name of used) expect(env.has(name), `${name} in env/${envFile}`).toBe(true);
    }
    expect(template['id']).toBe('${{TEAMS_APP_ID}}');
    expect(JSON.stringify(manifest)).not.toContain('${{');
  });

  it('relies on no draft-04-only schema keywords, so Ajv (draft-07) validates it faithfully', () => {
    expect(schema['$schema']).toBe('http://json-schema.org/draft-04/schema#');
    expect(schemaText).not.toMatch(/"exclusive(Minimum|Maximum)"\s*:\s*(true|false)/);
    expect(typeof schema['id']).not.toBe('string');
  });

  it('validates against the official schema with Ajv', () => {
    expect(ajvErrors(manifest)).toEqual([]);
  });

  it("validates with the toolkit's own validator (draft-04 Ajv inside @microsoft/app-manifest)", async () => {
    const errors = await AppManifestUtils.validateAgainstSchema(
      manifest as unknown as AppManifest,
      schema as unknown as JSONSchemaType<AppManifest>,
    );
    expect(errors).toEqual([]);
  });

  it('fails validation when the manifest is broken, so the checks above can fail', () => {
    const bots = manifest['bots'] as JsonObject[];
    const broken = {
      ...manifest,
      bots: [{ ...bots[0], botId: 'not-a-guid', scopes: ['personal', 'groupchat'] }],
      name: { short: 'A name that is far too long for the short name field' },
    };
    const errors = ajvErrors(broken);
    expect(errors.join('\n')).toMatch(/\/bots\/0\/botId/);
    expect(errors.join('\n')).toMatch(/\/bots\/0\/scopes\/1/);
    expect(errors.join('\n')).toMatch(/\/name\/short/);
  });

  it('describes Seat Steward', () => {
    expect(manifest['name']).toEqual({
      short: 'Seat Steward',
      full: 'Seat Steward — Microsoft 365 license and Copilot seat steward',
    });
    expect(manifest['developer']).toMatchObject({
      name: 'Seat Steward',
      websiteUrl: expect.stringMatching(/^https:\/\//),
      privacyUrl: expect.stringMatching(/^https:\/\/.*privacy/),
      termsOfUseUrl: expect.stringMatching(/^https:\/\/.*terms/),
    });
    expect(manifest['accentColor']).toMatch(/^#[0-9A-Fa-f]{6}$/);
    expect(manifest['validDomains']).toEqual(['seatsteward-dev.azurewebsites.net']);
  });

  it('declares one conversational bot in personal, team and group chat scopes', () => {
    const bots = manifest['bots'] as JsonObject[];
    expect(bots).toHaveLength(1);
    expect(bots[0]).toMatchObject({
      botId: DEV_VALUES['BOT_ID'],
      supportsFiles: false,
      isNotificationOnly: false,
    });
    expect(template['bots']).toMatchObject([{ botId: '${{BOT_ID}}' }]);
    expect([...(bots[0]['scopes'] as string[])].sort()).toEqual(['groupChat', 'personal', 'team']);
  });

  it("offers the product's commands first in every scope, within the schema's 10 commands a list, each one the bot understands", () => {
    const commandLists = (manifest['bots'] as JsonObject[])[0]['commandLists'] as JsonObject[];
    const scopes = commandLists.flatMap((list) => list['scopes'] as string[]).sort();
    expect(scopes).toEqual(['groupChat', 'personal', 'team']);
    const listSchema = (((schema['properties'] as JsonObject)['bots'] as JsonObject)['items'] as JsonObject)[
      'properties'
    ] as JsonObject;
    const maxCommands = (
      ((listSchema['commandLists'] as JsonObject)['items'] as JsonObject)['properties'] as JsonObject
    )['commands'] as JsonObject;
    expect(maxCommands['maxItems']).toBe(10);
    for (const list of commandLists) {
      const commands = list['commands'] as Array<{ title: string; description: string }>;
      expect(commands.length).toBeLessThanOrEqual(10);
      expect(commands.map((c) => c.title)).toEqual([
        'inactive',
        'candidates',
        'savings',
        'reclaim',
        'digest now',
        'status',
        'usage',
        'security',
        'check',
        'help',
      ]);
      for (const command of commands) {
        expect(command.description.length).toBeGreaterThan(10);
        // Picking a command in Teams sends its title: it must be a command, not a hint.
        expect(parseCommand(command.title).name, command.title).not.toBe('unknown');
      }
    }
  });

  it('describes the product: idle Copilot seats, savings and reclaim, within the schema limits', () => {
    const description = manifest['description'] as { short: string; full: string };
    expect(description.short.length).toBeLessThanOrEqual(80);
    expect(description.short).toMatch(/Copilot seats/);
    expect(description.full.length).toBeLessThanOrEqual(4000);
    for (const word of ['inactive', 'candidates', 'savings', 'reclaim', 'digest', 'approver', 'undo'])
      expect(description.full).toContain(word);
  });

  it('points at icons that exist in the package', () => {
    const icons = manifest['icons'] as Record<string, string>;
    expect(icons).toEqual({ color: 'color.png', outline: 'outline.png' });
    for (const file of Object.values(icons)) expect(fs.existsSync(path.join(APP_PACKAGE, file))).toBe(true);
  });
});
