import type { TokenService } from '../auth';
import { GraphError, sendGraphJson } from '../http';
import type { GraphGroup, GraphUser } from '../model';
import {
  parseCount,
  parseFilter,
  parseSelect,
  parseTop,
  queryOption,
  rejectUnsupportedOptions,
  unsupportedFilter,
  type FilterNode,
} from '../odata';
import { renderPage } from '../paging';
import type { Router } from '../router';
import {
  GRAPH_VERSIONS,
  PERMISSIONS,
  authorized,
  compileBoolean,
  compileLicenseFilter,
  metadataContext,
  projector,
  requireAdvancedQuery,
  type CompiledFilter,
} from './common';

const GROUP_PROPERTIES = [
  'id',
  'displayName',
  'description',
  'mailEnabled',
  'securityEnabled',
  'groupTypes',
  'createdDateTime',
  'assignedLicenses',
  'mail',
  'mailNickname',
  'visibility',
  'membershipRule',
  'membershipRuleProcessingState',
  'licenseProcessingState',
  'onPremisesSyncEnabled',
  'securityIdentifier',
  'classification',
  'deletedDateTime',
  'renewedDateTime',
  'proxyAddresses',
  'isAssignableToRole',
] as const;
const COLLECTIONS = new Set(['groupTypes', 'assignedLicenses', 'proxyAddresses']);
/** GET /groups without $select; assignedLicenses is only returned when selected. */
const DEFAULT_PROPERTIES = [
  'id',
  'deletedDateTime',
  'classification',
  'createdDateTime',
  'description',
  'displayName',
  'groupTypes',
  'mail',
  'mailEnabled',
  'mailNickname',
  'securityEnabled',
  'visibility',
];

const DERIVED: Record<string, (g: GraphGroup) => unknown> = {
  mailNickname: (g) => g.displayName.replace(/[^A-Za-z0-9]/g, ''),
  licenseProcessingState: (g) => (g.assignedLicenses.length > 0 ? { state: 'ProcessingComplete' } : null),
  visibility: (g) => (g.groupTypes.includes('Unified') ? 'Public' : null),
};

function compileGroupFilter(raw: string): CompiledFilter<GraphGroup> {
  const leaf = (node: FilterNode): CompiledFilter<GraphGroup> => {
    const license = compileLicenseFilter<GraphGroup>(node, 'Group');
    if (license) return license;
    if (
      node.kind === 'call' &&
      node.fn === 'startswith' &&
      node.path.toLowerCase() === 'displayname' &&
      typeof node.value.value === 'string'
    ) {
      const prefix = node.value.value.toLowerCase();
      return { advanced: false, test: (g) => g.displayName.toLowerCase().startsWith(prefix) };
    }
    if (
      node.kind === 'compare' &&
      node.path.toLowerCase() === 'displayname' &&
      node.op === 'eq' &&
      typeof node.value.value === 'string'
    ) {
      const wanted = node.value.value.toLowerCase();
      return { advanced: false, test: (g) => g.displayName.toLowerCase() === wanted };
    }
    const property =
      node.kind === 'any' ? node.collection : node.kind === 'compare' || node.kind === 'call' ? node.path : '';
    if (property !== '') throw unsupportedFilter(property, 'Group');
    throw new GraphError(400, 'Request_UnsupportedQuery', 'Unsupported Query.');
  };
  return compileBoolean(parseFilter(raw), leaf);
}

/**
 * A group's user members: explicit memberIds, else whoever holds a licence through it, else (a
 * department's security group) that department, else (Microsoft 365 "All Company") every member.
 * The demo has no nested groups, so direct and transitive members are the same.
 */
export function membersOf(group: GraphGroup, users: readonly GraphUser[]): GraphUser[] {
  if (group.memberIds) {
    const ids = new Set(group.memberIds.map((id) => id.toLowerCase()));
    return users.filter((u) => ids.has(u.id.toLowerCase()));
  }
  const id = group.id.toLowerCase();
  if (group.assignedLicenses.length > 0)
    return users.filter((u) => u.licenseAssignmentStates.some((s) => s.assignedByGroup?.toLowerCase() === id));
  if (group.groupTypes.includes('Unified')) return users.filter((u) => u.userType !== 'Guest');
  return users.filter((u) => u.department === group.displayName);
}

export function registerGroupRoutes(router: Router, tokens: TokenService): void {
  for (const version of GRAPH_VERSIONS) {
    router.get(
      `/${version}/groups`,
      authorized(tokens, PERMISSIONS.groups, (ctx) => {
        const q = ctx.url.searchParams;
        rejectUnsupportedOptions(q, ['select', 'top', 'filter', 'count', 'skiptoken']);
        const selected = parseSelect(queryOption(q, 'select'), GROUP_PROPERTIES, 'microsoft.graph.group');
        const top = parseTop(queryOption(q, 'top'), 100);
        const count = parseCount(queryOption(q, 'count'));
        const rawFilter = queryOption(q, 'filter');
        const filter = rawFilter === null || rawFilter.trim() === '' ? null : compileGroupFilter(rawFilter);
        // Counting directory objects, or filtering on a collection's $count, is an advanced query.
        if (filter?.advanced || count) requireAdvancedQuery(ctx, count);
        const groups = ctx.store.data.groups;
        const view =
          filter === null
            ? groups
            : ctx.store.view(`groups?${rawFilter?.trim() ?? ''}`, () => groups.filter(filter.test));
        const props = selected ?? DEFAULT_PROPERTIES;
        const body = renderPage(
          ctx,
          view,
          metadataContext(ctx, selected ? `groups(${props.join(',')})` : 'groups'),
          projector<GraphGroup>(props, COLLECTIONS, DERIVED),
          {
            top,
            annotations: count ? { '@odata.count': view.length } : undefined,
          },
        );
        sendGraphJson(ctx, 200, body);
      }),
    );

    // Users among the group's transitive members (the type cast segment filters out devices and groups).
    router.get(
      `/${version}/groups/:id/transitiveMembers/microsoft.graph.user`,
      authorized(tokens, PERMISSIONS.groupMembers, (ctx) => {
        const q = ctx.url.searchParams;
        rejectUnsupportedOptions(q, ['select', 'top', 'skiptoken', 'count']);
        const id = (ctx.params.id as string).toLowerCase();
        const group = ctx.store.data.groups.find((g) => g.id.toLowerCase() === id);
        if (!group) {
          throw new GraphError(
            404,
            'Request_ResourceNotFound',
            `Resource '${ctx.params.id as string}' does not exist or one of its queried reference-property objects are not present.`,
          );
        }
        const selected = parseSelect(
          queryOption(q, 'select'),
          ['id', 'displayName', 'userPrincipalName', 'mail', 'accountEnabled'],
          'microsoft.graph.user',
        );
        const props = selected ?? ['id', 'displayName', 'userPrincipalName', 'mail'];
        const top = parseTop(queryOption(q, 'top'), 100);
        const members = ctx.store.view(`members:${id}`, () => membersOf(group, ctx.store.data.users));
        const project = (u: GraphUser): Record<string, unknown> => {
          const source = u as unknown as Record<string, unknown>;
          return {
            '@odata.type': '#microsoft.graph.user',
            ...Object.fromEntries(props.map((p) => [p, source[p] ?? null])),
          };
        };
        sendGraphJson(
          ctx,
          200,
          renderPage(ctx, members, metadataContext(ctx, `users(${props.join(',')})`), project, { top }),
        );
      }),
    );

    router.get(
      `/${version}/groups/:id`,
      authorized(tokens, PERMISSIONS.groups, (ctx) => {
        rejectUnsupportedOptions(ctx.url.searchParams, ['select']);
        const id = (ctx.params.id as string).toLowerCase();
        const group = ctx.store.data.groups.find((g) => g.id.toLowerCase() === id);
        if (!group) {
          throw new GraphError(
            404,
            'Request_ResourceNotFound',
            `Resource '${ctx.params.id as string}' does not exist or one of its queried reference-property objects are not present.`,
          );
        }
        const selected = parseSelect(
          queryOption(ctx.url.searchParams, 'select'),
          GROUP_PROPERTIES,
          'microsoft.graph.group',
        );
        const props = selected ?? DEFAULT_PROPERTIES;
        const body = {
          '@odata.context': metadataContext(ctx, selected ? `groups(${props.join(',')})/$entity` : 'groups/$entity'),
          ...projector<GraphGroup>(props, COLLECTIONS, DERIVED)(group),
        };
        sendGraphJson(ctx, 200, JSON.stringify(body));
      }),
    );
  }
}
