import {
  DEFAULT_APP_ROLES,
  DEMO_APP_DISPLAY_NAME,
  DEMO_CLIENT_ID,
  DEMO_CLIENT_SECRET,
  DEMO_DOMAIN,
  DEMO_ORGANIZATION_NAME,
  DEMO_TENANT_ID,
  LICENSE_GROUP_COPILOT_ID,
  LICENSE_GROUP_E3_ID,
  SKU,
} from './constants';
import type {
  DemoTenantData,
  GraphAssignedLicense,
  GraphGroup,
  GraphLicenseAssignmentState,
  GraphSubscribedSku,
  GraphUser,
} from './model';
import {
  DEPARTMENTS,
  DEPARTMENT_WEIGHTS,
  FIRST_NAMES,
  GUEST_DOMAINS,
  JOB_TITLES,
  LAST_NAMES,
  OFFICES,
  OFFICE_WEIGHTS,
  type Department,
} from './names';
import { applyActivityToDirectory, generateActivity } from './activity';
import { createPrng, type Prng } from './prng';
import { SKU_CATALOG, countConsumedUnits, makeSubscribedSku } from './sku-catalog';

export interface GenerateDemoTenantOptions {
  /** Number of user objects, guests included. */
  users: number;
  /** Same seed, same tenant. Default 1. */
  seed?: number;
  tenantId?: string;
  clientId?: string;
  clientSecret?: string;
  /** ISO date; a past date makes the token endpoint answer AADSTS7000222. */
  secretExpiresAt?: string;
  /**
   * Dates (createdDateTime, lastUpdatedDateTime) lie before this instant. Fixed by
   * default so output depends on the seed alone.
   */
  referenceDate?: string;
  /** Copilot seats bought, as a share of member accounts. Default 0.12. */
  copilotSeatShare?: number;
  /** Share of bought Copilot seats assigned. Default: seeded value in [0.80, 0.90]. */
  copilotAssignedShare?: number;
  /**
   * The day the activity story (reports, audit log, recent sign-ins, new seats) is told from.
   * Default: now, so the demo never goes stale.
   */
  activityDate?: Date;
  /** The organization's name and its initial domain (users' UPNs), for several demo tenants side by side. Default Contoso. */
  organization?: { name: string; domain: string };
}

export const DEFAULT_REFERENCE_DATE = '2026-01-01T00:00:00Z';

const GUEST_SHARE = 0.04;
const DISABLED_SHARE = 0.05;
const DISABLED_STILL_LICENSED_SHARE = 0.6;
const NO_MAIL_SHARE = 0.02;
const UNLICENSED_MEMBER_SHARE = 0.015;
const DAY_MS = 24 * 3600 * 1000;
const YEAR_MS = 365.25 * DAY_MS;
const EARLIEST_ACCOUNT_YEARS = 9;

type Source = 'direct' | 'group' | 'both';

/** Graph renders timestamps without fractional seconds. */
function graphDate(ms: number): string {
  return new Date(Math.floor(ms / 1000) * 1000).toISOString().replace('.000Z', 'Z');
}

function slug(name: string): string {
  return name.toLowerCase().replace(/[^a-z0-9]/g, '');
}

interface Builder {
  user: GraphUser;
  department: Department | null;
  createdMs: number;
}

function addLicense(
  b: Builder,
  skuId: string,
  source: Source,
  groupId: string | null,
  prng: Prng,
  refMs: number,
): void {
  const assigned: GraphAssignedLicense = { skuId, disabledPlans: [] };
  b.user.assignedLicenses.push(assigned);
  const updated = (): string => graphDate(b.createdMs + prng.next() * Math.max(0, refMs - b.createdMs));
  const state = (assignedByGroup: string | null): GraphLicenseAssignmentState => ({
    skuId,
    assignedByGroup,
    state: 'Active',
    error: 'None',
    disabledPlans: [],
    lastUpdatedDateTime: updated(),
  });
  // Graph lists one assignedLicenses entry per SKU but one state per assignment path.
  if (source !== 'group') b.user.licenseAssignmentStates.push(state(null));
  if (source !== 'direct') b.user.licenseAssignmentStates.push(state(groupId));
}

function pickSource(prng: Prng, groupShare: number, bothShare: number): Source {
  const r = prng.next();
  if (r < bothShare) return 'both';
  if (r < bothShare + groupShare) return 'group';
  return 'direct';
}

function baseLicenseFor(department: Department, prng: Prng): 'M365_E3' | 'M365_E5' | 'O365_E1' | null {
  if (prng.chance(UNLICENSED_MEMBER_SHARE)) return null;
  switch (department) {
    case 'Executive':
      return 'M365_E5';
    case 'IT':
    case 'Legal':
      return prng.chance(0.4) ? 'M365_E5' : 'M365_E3';
    case 'Customer Support':
    case 'Operations':
      return prng.chance(0.45) ? 'O365_E1' : 'M365_E3';
    default: {
      const r = prng.next();
      return r < 0.05 ? 'M365_E5' : r < 0.08 ? 'O365_E1' : 'M365_E3';
    }
  }
}

const POWER_BI_SHARE: Partial<Record<Department, number>> = {
  Finance: 0.6,
  Executive: 0.5,
  Operations: 0.2,
  Marketing: 0.2,
  Sales: 0.15,
};
const VISIO_SHARE: Partial<Record<Department, number>> = { Engineering: 0.15, IT: 0.2, Operations: 0.05 };
const EMS_TRIAL_SHARE: Partial<Record<Department, number>> = { IT: 0.3 };
/** Who a pilot would hand Copilot to first. */
const COPILOT_PRIORITY: Record<Department, number> = {
  Executive: 1.0,
  Sales: 0.7,
  Marketing: 0.65,
  Engineering: 0.55,
  Finance: 0.5,
  Legal: 0.5,
  IT: 0.5,
  HR: 0.4,
  Operations: 0.25,
  'Customer Support': 0.2,
};

/**
 * Builds a realistic Contoso tenant: departments, titles, offices, guests,
 * disabled accounts (some still licensed), direct and group-based licenses,
 * a Copilot pilot with spare seats and a SKU in its grace period.
 */
export function generateDemoTenant(options: GenerateDemoTenantOptions): DemoTenantData {
  const total = Math.max(0, Math.floor(options.users));
  const prng = createPrng(options.seed ?? 1);
  const tenantId = options.tenantId ?? DEMO_TENANT_ID;
  const orgName = options.organization?.name ?? DEMO_ORGANIZATION_NAME;
  const orgDomain = options.organization?.domain ?? DEMO_DOMAIN;
  const refMs = Date.parse(options.referenceDate ?? DEFAULT_REFERENCE_DATE);
  const upnCounts = new Map<string, number>();

  const uniqueAddress = (localPart: string, domain: string): string => {
    const key = `${localPart}@${domain}`;
    const seen = upnCounts.get(key) ?? 0;
    upnCounts.set(key, seen + 1);
    return seen === 0 ? key : `${localPart}${seen + 1}@${domain}`;
  };

  const builders: Builder[] = new Array<Builder>(total);
  for (let i = 0; i < total; i++) {
    const first = prng.pick(FIRST_NAMES);
    const last = prng.pick(LAST_NAMES);
    const guest = prng.chance(GUEST_SHARE);
    if (guest) {
      const domain = prng.pick(GUEST_DOMAINS);
      const external = uniqueAddress(`${slug(first)}.${slug(last)}`, domain);
      const createdMs = refMs - prng.next() * 3 * YEAR_MS;
      builders[i] = {
        department: null,
        createdMs,
        user: {
          id: prng.uuid(),
          displayName: `${first} ${last}`,
          givenName: first,
          surname: last,
          mail: external,
          userPrincipalName: `${external.replace('@', '_')}#EXT#@${orgDomain}`,
          department: null,
          officeLocation: null,
          jobTitle: null,
          accountEnabled: true,
          userType: 'Guest',
          createdDateTime: graphDate(createdMs),
          usageLocation: null,
          assignedLicenses: [],
          licenseAssignmentStates: [],
        },
      };
      continue;
    }
    const department = prng.weighted(DEPARTMENTS, DEPARTMENT_WEIGHTS);
    const office = prng.weighted(OFFICES, OFFICE_WEIGHTS);
    const upn = uniqueAddress(`${slug(first)}.${slug(last)}`, orgDomain);
    // Skewed towards recent hires, as head count usually grows.
    const createdMs = refMs - Math.pow(prng.next(), 1.6) * EARLIEST_ACCOUNT_YEARS * YEAR_MS;
    builders[i] = {
      department,
      createdMs,
      user: {
        id: prng.uuid(),
        displayName: `${first} ${last}`,
        givenName: first,
        surname: last,
        mail: prng.chance(NO_MAIL_SHARE) ? null : upn,
        userPrincipalName: upn,
        department,
        officeLocation: office.name,
        jobTitle: prng.pick(JOB_TITLES[department]),
        accountEnabled: !prng.chance(DISABLED_SHARE),
        userType: 'Member',
        createdDateTime: graphDate(createdMs),
        usageLocation: office.usageLocation,
        assignedLicenses: [],
        licenseAssignmentStates: [],
        city: office.city,
        country: office.country,
      },
    };
  }

  for (const b of builders) {
    const u = b.user;
    const neverSignedIn = u.userType === 'Guest' ? prng.chance(0.5) : prng.chance(0.01);
    if (neverSignedIn) {
      u.signInActivity = {
        lastSignInDateTime: null,
        lastNonInteractiveSignInDateTime: null,
        lastSuccessfulSignInDateTime: null,
      };
      continue;
    }
    // Disabled accounts stopped signing in when they were disabled; a few enabled ones went quiet too.
    const idleDays = !u.accountEnabled
      ? 30 + prng.next() * 300
      : prng.chance(0.08)
        ? 45 + prng.next() * 300
        : prng.next() * 14;
    const last = Math.max(b.createdMs, refMs - idleDays * DAY_MS);
    const nonInteractive = Math.min(refMs, last + prng.next() * 2 * DAY_MS);
    u.signInActivity = {
      lastSignInDateTime: graphDate(last),
      lastNonInteractiveSignInDateTime: graphDate(nonInteractive),
      lastSuccessfulSignInDateTime: graphDate(last),
    };
  }

  const members = builders.filter((b) => b.department !== null);
  const copilotCandidates: Array<{ b: Builder; score: number }> = [];
  for (const b of members) {
    const department = b.department as Department;
    // A disabled account keeps its licenses only until someone cleans up; most are not cleaned up.
    if (!b.user.accountEnabled && !prng.chance(DISABLED_STILL_LICENSED_SHARE)) continue;
    const base = baseLicenseFor(department, prng);
    if (base === 'M365_E3') {
      const source = pickSource(prng, 0.8, 0.06);
      addLicense(b, SKU.M365_E3, source, LICENSE_GROUP_E3_ID, prng, refMs);
    } else if (base !== null) {
      addLicense(b, SKU[base], 'direct', null, prng, refMs);
    }
    if (prng.chance(POWER_BI_SHARE[department] ?? 0.03)) addLicense(b, SKU.POWER_BI_PRO, 'direct', null, prng, refMs);
    if (prng.chance(VISIO_SHARE[department] ?? 0)) addLicense(b, SKU.VISIO_PLAN_2, 'direct', null, prng, refMs);
    if (prng.chance(EMS_TRIAL_SHARE[department] ?? 0)) addLicense(b, SKU.EMS_E5, 'direct', null, prng, refMs);
    if (base === 'M365_E3' || base === 'M365_E5') {
      copilotCandidates.push({ b, score: prng.next() * 0.8 + COPILOT_PRIORITY[department] });
    }
  }

  const copilotSeats =
    members.length === 0 ? 0 : Math.max(1, Math.round(members.length * (options.copilotSeatShare ?? 0.12)));
  const assignedShare = options.copilotAssignedShare ?? 0.8 + prng.next() * 0.1;
  const copilotAssigned = Math.min(copilotCandidates.length, Math.floor(copilotSeats * assignedShare));
  copilotCandidates.sort((x, y) => y.score - x.score);
  for (let i = 0; i < copilotAssigned; i++) {
    const candidate = copilotCandidates[i];
    if (candidate)
      addLicense(candidate.b, SKU.COPILOT, pickSource(prng, 0.55, 0.07), LICENSE_GROUP_COPILOT_ID, prng, refMs);
  }

  const users = builders.map((b) => b.user);
  const activity = generateActivity(users, options.activityDate ?? new Date());
  applyActivityToDirectory(users, activity);
  const consumed = countConsumedUnits(users);
  const used = (skuId: string): number => consumed.get(skuId) ?? 0;
  const withSpare = (skuId: string, share: number, minimum: number): number =>
    used(skuId) + Math.max(minimum, Math.ceil(used(skuId) * share));

  const skus: GraphSubscribedSku[] = [
    makeSubscribedSku(tenantId, orgName, SKU_CATALOG.M365_E3, {
      enabled: withSpare(SKU.M365_E3, 0.06, 5),
    }),
    makeSubscribedSku(tenantId, orgName, SKU_CATALOG.M365_E5, {
      enabled: withSpare(SKU.M365_E5, 0.03, 2),
    }),
    makeSubscribedSku(tenantId, orgName, SKU_CATALOG.O365_E1, {
      enabled: withSpare(SKU.O365_E1, 0.1, 10),
    }),
    makeSubscribedSku(tenantId, orgName, SKU_CATALOG.COPILOT, { enabled: copilotSeats }),
    makeSubscribedSku(tenantId, orgName, SKU_CATALOG.POWER_BI_PRO, {
      enabled: withSpare(SKU.POWER_BI_PRO, 0.05, 3),
    }),
    makeSubscribedSku(tenantId, orgName, SKU_CATALOG.VISIO_PLAN_2, {
      enabled: withSpare(SKU.VISIO_PLAN_2, 0, 2),
    }),
    // A lapsed trial: in its grace period every seat sits in `warning`, none in `enabled`.
    makeSubscribedSku(tenantId, orgName, SKU_CATALOG.EMS_E5, {
      enabled: 0,
      warning: Math.max(25, used(SKU.EMS_E5) + 5),
      capabilityStatus: 'Warning',
    }),
  ];
  for (const sku of skus) sku.consumedUnits = used(sku.skuId);

  const orgCreatedMs = refMs - (EARLIEST_ACCOUNT_YEARS + 0.5) * YEAR_MS;
  const groups: GraphGroup[] = [
    {
      id: LICENSE_GROUP_E3_ID,
      displayName: 'License - M365 E3',
      description: 'Members receive Microsoft 365 E3 through group-based licensing.',
      mailEnabled: false,
      securityEnabled: true,
      groupTypes: [],
      createdDateTime: graphDate(orgCreatedMs + 0.2 * YEAR_MS),
      assignedLicenses: [{ skuId: SKU.M365_E3, disabledPlans: [] }],
    },
    {
      id: LICENSE_GROUP_COPILOT_ID,
      displayName: 'License - Copilot Pilot',
      description: 'Microsoft 365 Copilot pilot cohort.',
      mailEnabled: false,
      securityEnabled: true,
      groupTypes: [],
      createdDateTime: graphDate(refMs - 0.9 * YEAR_MS),
      assignedLicenses: [{ skuId: SKU.COPILOT, disabledPlans: [] }],
    },
    {
      id: 'a1e3c0de-a11c-4c0e-8a11-0000000a11c0',
      displayName: 'All Company',
      description: `Everyone at ${options.organization?.name ?? 'Contoso'}.`,
      mailEnabled: true,
      securityEnabled: false,
      groupTypes: ['Unified'],
      createdDateTime: graphDate(orgCreatedMs + 0.1 * YEAR_MS),
      assignedLicenses: [],
    },
    {
      id: 'a1e3c0de-e9e0-4e90-8a11-00000000e9e0',
      displayName: 'Engineering',
      description: 'Engineering department security group.',
      mailEnabled: false,
      securityEnabled: true,
      groupTypes: [],
      createdDateTime: graphDate(orgCreatedMs + 0.3 * YEAR_MS),
      assignedLicenses: [],
    },
  ];

  return {
    tenantId,
    activity,
    app: {
      clientId: options.clientId ?? DEMO_CLIENT_ID,
      clientSecret: options.clientSecret ?? DEMO_CLIENT_SECRET,
      displayName: DEMO_APP_DISPLAY_NAME,
      roles: [...DEFAULT_APP_ROLES],
      ...(options.secretExpiresAt !== undefined ? { secretExpiresAt: options.secretExpiresAt } : {}),
    },
    organization: {
      id: tenantId,
      displayName: orgName,
      verifiedDomains: [
        {
          name: orgDomain,
          isDefault: true,
          isInitial: true,
          type: 'Managed',
          capabilities: 'Email, OfficeCommunicationsOnline',
        },
      ],
      createdDateTime: graphDate(orgCreatedMs),
      tenantType: 'AAD',
      countryLetterCode: 'US',
      preferredLanguage: 'en',
    },
    users,
    subscribedSkus: skus,
    groups,
  };
}
