import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { DemoTenantFileError, SKU, loadDemoTenantFile, parseDemoTenant } from '../../demo-tenant';

const EXAMPLE = path.resolve(__dirname, '../fixtures/demo-tenant.small.json');

function example(): Record<string, unknown> {
  return JSON.parse(fs.readFileSync(EXAMPLE, 'utf8')) as Record<string, unknown>;
}

function expectRejected(json: unknown, ...fragments: string[]): void {
  let caught: unknown;
  try {
    parseDemoTenant(json);
  } catch (err) {
    caught = err;
  }
  expect(caught).toBeInstanceOf(DemoTenantFileError);
  for (const fragment of fragments) expect((caught as Error).message).toContain(fragment);
}

describe('loadDemoTenantFile', () => {
  it('accepts the shipped example and recomputes consumedUnits', () => {
    const data = loadDemoTenantFile(EXAMPLE);
    expect(data.users).toHaveLength(10);
    expect(data.groups).toHaveLength(1);
    expect(data.subscribedSkus.map((s) => s.skuId)).toContain(SKU.COPILOT);
    const copilot = data.subscribedSkus.find((s) => s.skuId === SKU.COPILOT);
    expect(copilot?.consumedUnits).toBe(6);
    expect(copilot?.id).toBe(`${data.tenantId}_${SKU.COPILOT}`);
    expect(data.users.find((u) => u.userType === 'Guest')?.userPrincipalName).toContain('#EXT#');
  });

  it('names the path of a malformed field', () => {
    const json = example();
    const users = json.users as Array<{ assignedLicenses: Array<{ skuId: string }> }>;
    (users[2] as { assignedLicenses: Array<{ skuId: string }> }).assignedLicenses[0] = { skuId: 'not-a-guid' };
    expectRejected(json, 'users[2].assignedLicenses[0].skuId', 'GUID');
  });

  it('names the path of a missing required field', () => {
    const json = example();
    delete (json.users as Array<Record<string, unknown>>)[4]?.userPrincipalName;
    expectRejected(json, 'users[4].userPrincipalName');
  });

  it('rejects references to unknown SKUs and groups', () => {
    const json = example();
    const user = (json.users as Array<Record<string, unknown>>)[0] as {
      assignedLicenses: Array<{ skuId: string; disabledPlans: string[] }>;
      licenseAssignmentStates: Array<{ skuId: string; assignedByGroup: string | null }>;
    };
    user.assignedLicenses.push({ skuId: SKU.VISIO_PLAN_2, disabledPlans: [] });
    const inherited = user.licenseAssignmentStates.find((s) => s.assignedByGroup !== null);
    if (!inherited) throw new Error('example fixture lost its group-inherited license');
    inherited.assignedByGroup = '99999999-9999-4999-8999-999999999999';
    expectRejected(
      json,
      'users[0].assignedLicenses[2].skuId',
      'no subscribedSkus entry',
      'users[0].licenseAssignmentStates',
      'assignedByGroup',
      'no group has id',
    );
  });

  it('keeps a pinned consumedUnits and derives direct states when omitted', () => {
    const json = example();
    const skus = json.subscribedSkus as Array<Record<string, unknown>>;
    (skus[0] as Record<string, unknown>).consumedUnits = 99;
    delete (json.users as Array<Record<string, unknown>>)[4]?.licenseAssignmentStates;
    const data = parseDemoTenant(json);
    expect(data.subscribedSkus[0]?.consumedUnits).toBe(99);
    expect(data.users[4]?.licenseAssignmentStates).toEqual([
      expect.objectContaining({ skuId: SKU.M365_E3, assignedByGroup: null, state: 'Active', error: 'None' }),
    ]);
  });

  it('reports unreadable and non-JSON files with their path', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'demo-fixture-'));
    const bad = path.join(dir, 'broken.json');
    fs.writeFileSync(bad, '{ "tenantId": ');
    expect(() => loadDemoTenantFile(bad)).toThrow(
      new RegExp(`${bad.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')} is not valid JSON`),
    );
    expect(() => loadDemoTenantFile(path.join(dir, 'missing.json'))).toThrow(/Cannot read demo tenant file/);
  });
});
