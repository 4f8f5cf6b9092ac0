import fs from 'node:fs';
import { generateActivity } from './activity';
import { z } from 'zod';
import { DEFAULT_APP_ROLES } from './constants';
import type { DemoTenantData, GraphLicenseAssignmentState } from './model';
import { countConsumedUnits, subscribedSkuId } from './sku-catalog';

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const guid = z.string().regex(GUID, 'must be a GUID (xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx)');
const isoDate = z.string().refine((s) => !Number.isNaN(Date.parse(s)), 'must be an ISO 8601 date-time');
const nullableString = z.string().nullable().default(null);

const assignedLicenseSchema = z.object({
  skuId: guid,
  disabledPlans: z.array(guid).default([]),
});

const licenseStateSchema = z.object({
  skuId: guid,
  assignedByGroup: guid.nullable().default(null),
  state: z.string().default('Active'),
  error: z.string().default('None'),
  disabledPlans: z.array(guid).default([]),
  lastUpdatedDateTime: isoDate.nullable().default(null),
});

const userSchema = z.object({
  id: guid,
  displayName: nullableString,
  givenName: nullableString,
  surname: nullableString,
  mail: nullableString,
  userPrincipalName: z.string().min(3).includes('@', { message: 'must contain @' }),
  department: nullableString,
  officeLocation: nullableString,
  jobTitle: nullableString,
  accountEnabled: z.boolean().default(true),
  userType: z.enum(['Member', 'Guest']).default('Member'),
  createdDateTime: isoDate.nullable().default(null),
  usageLocation: nullableString,
  assignedLicenses: z.array(assignedLicenseSchema).default([]),
  /** Absent means every license is a direct assignment. */
  licenseAssignmentStates: z.array(licenseStateSchema).optional(),
  businessPhones: z.array(z.string()).optional(),
  mobilePhone: z.string().nullable().optional(),
  preferredLanguage: z.string().nullable().optional(),
  employeeId: z.string().nullable().optional(),
  companyName: z.string().nullable().optional(),
  country: z.string().nullable().optional(),
  city: z.string().nullable().optional(),
  signInActivity: z
    .object({
      lastSignInDateTime: isoDate.nullable().default(null),
      lastNonInteractiveSignInDateTime: isoDate.nullable().default(null),
      lastSuccessfulSignInDateTime: isoDate.nullable().default(null),
    })
    .nullable()
    .optional(),
});

const unitsSchema = z.object({
  enabled: z.number().int().nonnegative(),
  suspended: z.number().int().nonnegative().default(0),
  warning: z.number().int().nonnegative().default(0),
  lockedOut: z.number().int().nonnegative().default(0),
});

const skuSchema = z.object({
  id: z.string().optional(),
  accountId: z.string().optional(),
  accountName: z.string().optional(),
  skuId: guid,
  skuPartNumber: z.string().min(1),
  capabilityStatus: z.enum(['Enabled', 'Warning', 'Suspended', 'Deleted', 'LockedOut']).default('Enabled'),
  appliesTo: z.enum(['User', 'Company']).default('User'),
  /** Absent means "count the users holding it", which is what Graph reports. */
  consumedUnits: z.number().int().nonnegative().optional(),
  prepaidUnits: unitsSchema,
  servicePlans: z
    .array(
      z.object({
        servicePlanId: guid,
        servicePlanName: z.string().min(1),
        provisioningStatus: z.string().default('Success'),
        appliesTo: z.string().default('User'),
      }),
    )
    .default([]),
});

const groupSchema = z.object({
  id: guid,
  displayName: z.string().min(1),
  description: nullableString,
  mailEnabled: z.boolean().default(false),
  securityEnabled: z.boolean().default(true),
  groupTypes: z.array(z.string()).default([]),
  createdDateTime: isoDate.nullable().default(null),
  assignedLicenses: z.array(assignedLicenseSchema).default([]),
});

const fileSchema = z
  .object({
    tenantId: guid,
    // Derived from the users and the day (activity.ts); a file's copy is ignored and told afresh.
    activity: z.unknown().optional(),
    app: z.object({
      clientId: guid,
      clientSecret: z.string().min(1),
      secretExpiresAt: isoDate.optional(),
      displayName: z.string().optional(),
      roles: z.array(z.string()).optional(),
    }),
    organization: z.object({
      id: guid.optional(),
      displayName: z.string().min(1),
      verifiedDomains: z
        .array(
          z.object({
            name: z.string().min(1),
            isDefault: z.boolean().default(false),
            isInitial: z.boolean().default(false),
            type: z.string().default('Managed'),
            capabilities: z.string().default('Email, OfficeCommunicationsOnline'),
          }),
        )
        .min(1),
      createdDateTime: isoDate.nullable().default(null),
      tenantType: z.string().default('AAD'),
      countryLetterCode: nullableString,
      preferredLanguage: nullableString,
    }),
    users: z.array(userSchema),
    subscribedSkus: z.array(skuSchema),
    groups: z.array(groupSchema).default([]),
  })
  .superRefine((file, ctx) => {
    const skuIds = new Set(file.subscribedSkus.map((s) => s.skuId.toLowerCase()));
    const groupLicenses = new Map(
      file.groups.map((g) => [g.id.toLowerCase(), new Set(g.assignedLicenses.map((l) => l.skuId.toLowerCase()))]),
    );
    const userIds = new Set<string>();
    file.users.forEach((user, u) => {
      const key = user.id.toLowerCase();
      if (userIds.has(key))
        ctx.addIssue({ code: 'custom', path: ['users', u, 'id'], message: `duplicate user id ${user.id}` });
      userIds.add(key);
      const held = new Set<string>();
      user.assignedLicenses.forEach((license, l) => {
        const sku = license.skuId.toLowerCase();
        if (!skuIds.has(sku)) {
          ctx.addIssue({
            code: 'custom',
            path: ['users', u, 'assignedLicenses', l, 'skuId'],
            message: `no subscribedSkus entry has skuId ${license.skuId}`,
          });
        }
        if (held.has(sku)) {
          ctx.addIssue({
            code: 'custom',
            path: ['users', u, 'assignedLicenses', l, 'skuId'],
            message: 'Graph lists each SKU once per user; use licenseAssignmentStates for multiple assignment paths',
          });
        }
        held.add(sku);
      });
      user.licenseAssignmentStates?.forEach((state, s) => {
        const sku = state.skuId.toLowerCase();
        if (!held.has(sku)) {
          ctx.addIssue({
            code: 'custom',
            path: ['users', u, 'licenseAssignmentStates', s, 'skuId'],
            message: `skuId ${state.skuId} is not in this user's assignedLicenses`,
          });
        }
        if (state.assignedByGroup !== null) {
          const granted = groupLicenses.get(state.assignedByGroup.toLowerCase());
          if (!granted) {
            ctx.addIssue({
              code: 'custom',
              path: ['users', u, 'licenseAssignmentStates', s, 'assignedByGroup'],
              message: `no group has id ${state.assignedByGroup}`,
            });
          } else if (!granted.has(sku)) {
            ctx.addIssue({
              code: 'custom',
              path: ['users', u, 'licenseAssignmentStates', s, 'assignedByGroup'],
              message: `group ${state.assignedByGroup} does not assign skuId ${state.skuId}`,
            });
          }
        }
      });
    });
    file.groups.forEach((group, g) =>
      group.assignedLicenses.forEach((license, l) => {
        if (!skuIds.has(license.skuId.toLowerCase())) {
          ctx.addIssue({
            code: 'custom',
            path: ['groups', g, 'assignedLicenses', l, 'skuId'],
            message: `no subscribedSkus entry has skuId ${license.skuId}`,
          });
        }
      }),
    );
  });

export type DemoTenantFile = z.input<typeof fileSchema>;

/** `users[3].assignedLicenses[0].skuId`, the way a person would point at the field. */
function formatPath(path: ReadonlyArray<string | number>): string {
  let out = '';
  for (const part of path) out += typeof part === 'number' ? `[${part}]` : out === '' ? part : `.${part}`;
  return out === '' ? '(root)' : out;
}

const MAX_REPORTED_ISSUES = 10;

export class DemoTenantFileError extends Error {
  constructor(
    message: string,
    readonly issues: Array<{ path: string; message: string }>,
  ) {
    super(message);
    this.name = 'DemoTenantFileError';
  }
}

/** Validates Graph-shaped JSON and fills in what Graph would have computed (ids, consumedUnits, states). */
export function parseDemoTenant(json: unknown, source = 'demo tenant data'): DemoTenantData {
  const result = fileSchema.safeParse(json);
  if (!result.success) {
    const issues = result.error.issues.map((issue) => ({ path: formatPath(issue.path), message: issue.message }));
    const listed = issues.slice(0, MAX_REPORTED_ISSUES).map((i) => `  ${i.path}: ${i.message}`);
    if (issues.length > MAX_REPORTED_ISSUES) listed.push(`  ... and ${issues.length - MAX_REPORTED_ISSUES} more`);
    throw new DemoTenantFileError(`Invalid ${source}:\n${listed.join('\n')}`, issues);
  }
  const file = result.data;
  const users = file.users.map((user) => {
    const states: GraphLicenseAssignmentState[] =
      user.licenseAssignmentStates ??
      user.assignedLicenses.map((l) => ({
        skuId: l.skuId,
        assignedByGroup: null,
        state: 'Active',
        error: 'None',
        disabledPlans: l.disabledPlans,
        lastUpdatedDateTime: null,
      }));
    return { ...user, licenseAssignmentStates: states };
  });
  const consumed = countConsumedUnits(users);
  const accountName = file.organization.displayName.replace(/\s+/g, '').toLowerCase();
  return {
    tenantId: file.tenantId,
    activity: generateActivity(users, new Date()),
    app: { ...file.app, roles: file.app.roles ?? [...DEFAULT_APP_ROLES] },
    organization: { ...file.organization, id: file.organization.id ?? file.tenantId },
    users,
    subscribedSkus: file.subscribedSkus.map((sku) => ({
      ...sku,
      id: sku.id ?? subscribedSkuId(file.tenantId, sku.skuId),
      accountId: sku.accountId ?? file.tenantId,
      accountName: sku.accountName ?? accountName,
      consumedUnits: sku.consumedUnits ?? consumed.get(sku.skuId) ?? 0,
    })),
    groups: file.groups,
  };
}

export function loadDemoTenantFile(path: string): DemoTenantData {
  let text: string;
  try {
    text = fs.readFileSync(path, 'utf8');
  } catch (err) {
    throw new DemoTenantFileError(`Cannot read demo tenant file ${path}: ${(err as Error).message}`, []);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new DemoTenantFileError(`Demo tenant file ${path} is not valid JSON: ${(err as Error).message}`, []);
  }
  return parseDemoTenant(json, `demo tenant file ${path}`);
}
