import { authorizeGraph, type AccessTokenClaims, type TokenService } from '../auth';
import { GraphError, type RequestContext } from '../http';
import type { GraphAssignedLicense } from '../model';
import { isEventualConsistency, unsupportedFilter, type FilterNode } from '../odata';

export const GRAPH_VERSIONS = ['v1.0', 'beta'] as const;

/** Application permissions Graph accepts per area (any one suffices). */
export const PERMISSIONS = {
  users: ['User.Read.All', 'User.ReadWrite.All', 'Directory.Read.All', 'Directory.ReadWrite.All'],
  subscribedSkus: [
    'Organization.Read.All',
    'Organization.ReadWrite.All',
    'Directory.Read.All',
    'Directory.ReadWrite.All',
    'LicenseAssignment.Read.All',
  ],
  groups: [
    'Group.Read.All',
    'GroupMember.Read.All',
    'Group.ReadWrite.All',
    'Directory.Read.All',
    'Directory.ReadWrite.All',
  ],
  groupMembers: [
    'GroupMember.Read.All',
    'Group.Read.All',
    'Group.ReadWrite.All',
    'Directory.Read.All',
    'Directory.ReadWrite.All',
  ],
  organization: [
    'Organization.Read.All',
    'Organization.ReadWrite.All',
    'Directory.Read.All',
    'Directory.ReadWrite.All',
  ],
  signInActivity: ['AuditLog.Read.All'],
  registrationDetails: ['AuditLog.Read.All'],
  policies: ['Policy.Read.All', 'Policy.ReadWrite.ConditionalAccess'],
  riskDetections: ['IdentityRiskEvent.Read.All', 'IdentityRiskEvent.ReadWrite.All'],
  riskyUsers: ['IdentityRiskyUser.Read.All', 'IdentityRiskyUser.ReadWrite.All'],
  managedDevices: ['DeviceManagementManagedDevices.Read.All', 'DeviceManagementManagedDevices.ReadWrite.All'],
  secureScores: ['SecurityEvents.Read.All', 'SecurityEvents.ReadWrite.All'],
  companySubscriptions: [
    'LicenseAssignment.Read.All',
    'Directory.Read.All',
    'Directory.ReadWrite.All',
    'Organization.Read.All',
  ],
} as const;

export type GraphHandler = (ctx: RequestContext, claims: AccessTokenClaims) => void | Promise<void>;

/** Wraps a handler with Graph's bearer-token and permission checks. */
export function authorized(tokens: TokenService, anyOfRoles: readonly string[], handler: GraphHandler) {
  return (ctx: RequestContext): void | Promise<void> => {
    const claims = authorizeGraph(ctx, tokens, anyOfRoles);
    if (claims) return handler(ctx, claims);
  };
}

export function hasRole(claims: AccessTokenClaims, anyOf: readonly string[]): boolean {
  const granted = new Set(claims.roles.map((r) => r.toLowerCase()));
  return anyOf.some((r) => granted.has(r.toLowerCase()));
}

export function metadataContext(ctx: RequestContext, fragment: string): string {
  const version = ctx.segments[0] ?? 'v1.0';
  return `${ctx.baseUrl}/${version}/$metadata#${fragment}`;
}

/** Builds a projection that emits the selected properties in order, with Graph's null/[] for absent ones. */
export function projector<T extends object>(
  props: readonly string[],
  collections: ReadonlySet<string>,
  derived: Record<string, (item: T) => unknown> = {},
) {
  return (item: T): Record<string, unknown> => {
    const source = item as unknown as Record<string, unknown>;
    const out: Record<string, unknown> = {};
    for (const prop of props) {
      const derive = derived[prop];
      const value = derive ? derive(item) : source[prop];
      out[prop] = value === undefined ? (collections.has(prop) ? [] : null) : value;
    }
    return out;
  };
}

/** A compiled $filter: the predicate plus whether Graph treats it as an advanced query. */
export interface CompiledFilter<T> {
  test: (item: T) => boolean;
  advanced: boolean;
}

function guidLiteral(node: FilterNode & { kind: 'compare' }, resource: string): string {
  const v = node.value.value;
  if (typeof v !== 'string' || !/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(v)) {
    throw new GraphError(
      400,
      'Request_BadRequest',
      `Invalid GUID value '${String(v)}' in filter on resource '${resource}'.`,
    );
  }
  return v.toLowerCase();
}

/**
 * The license filters Graph supports on users and groups:
 * `assignedLicenses/any(x:x/skuId eq <guid>)` and `assignedLicenses/$count <op> n`,
 * the latter only as an advanced query.
 */
export function compileLicenseFilter<T extends { assignedLicenses: GraphAssignedLicense[] }>(
  node: FilterNode,
  resource: string,
): CompiledFilter<T> | null {
  if (node.kind === 'any' && node.collection.toLowerCase() === 'assignedlicenses') {
    const pred = node.predicate;
    if (
      pred.kind !== 'compare' ||
      pred.path.toLowerCase() !== `${node.variable.toLowerCase()}/skuid` ||
      (pred.op !== 'eq' && pred.op !== 'ne')
    ) {
      throw unsupportedFilter('assignedLicenses', resource);
    }
    const skuId = guidLiteral(pred, resource);
    const wanted = pred.op === 'eq';
    return {
      advanced: !wanted,
      test: (item) => item.assignedLicenses.some((l) => (l.skuId.toLowerCase() === skuId) === wanted),
    };
  }
  if (node.kind === 'compare' && node.path.toLowerCase() === 'assignedlicenses/$count') {
    const n = node.value.value;
    if (typeof n !== 'number') throw unsupportedFilter('assignedLicenses', resource);
    const cmp: Record<string, (a: number) => boolean> = {
      eq: (a) => a === n,
      ne: (a) => a !== n,
      gt: (a) => a > n,
      ge: (a) => a >= n,
      lt: (a) => a < n,
      le: (a) => a <= n,
    };
    const f = cmp[node.op] as (a: number) => boolean;
    return { advanced: true, test: (item) => f(item.assignedLicenses.length) };
  }
  return null;
}

/** Combines and/or/not around resource-specific leaf compilers. `not` is advanced-only in Graph. */
export function compileBoolean<T>(node: FilterNode, leaf: (node: FilterNode) => CompiledFilter<T>): CompiledFilter<T> {
  if (node.kind === 'and' || node.kind === 'or') {
    const l = compileBoolean(node.left, leaf);
    const r = compileBoolean(node.right, leaf);
    return {
      advanced: l.advanced || r.advanced,
      test: node.kind === 'and' ? (i) => l.test(i) && r.test(i) : (i) => l.test(i) || r.test(i),
    };
  }
  if (node.kind === 'not') {
    const inner = compileBoolean(node.operand, leaf);
    return { advanced: true, test: (i) => !inner.test(i) };
  }
  return leaf(node);
}

export function requireAdvancedQuery(ctx: RequestContext, count: boolean): void {
  if (!isEventualConsistency(ctx.req.headers.consistencylevel) || !count)
    throw new GraphError(400, 'Request_UnsupportedQuery', 'Unsupported Query.');
}
