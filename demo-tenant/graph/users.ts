import type { TokenService } from '../auth';
import { GraphError, sendGraphJson, sendGraphText, type RequestContext } from '../http';
import type { GraphUser } from '../model';
import {
  isEventualConsistency,
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
  hasRole,
  metadataContext,
  projector,
  requireAdvancedQuery,
  type CompiledFilter,
} from './common';
import { featuresOf, onPremisesSyncOf } from '../identity';
import { nonPremiumTenant } from './identity';

/** Every property $select may name: the modelled ones plus Graph properties the demo answers with null/[]. */
const USER_PROPERTIES = [
  'id',
  'displayName',
  'givenName',
  'surname',
  'mail',
  'userPrincipalName',
  'department',
  'officeLocation',
  'jobTitle',
  'accountEnabled',
  'userType',
  'createdDateTime',
  'usageLocation',
  'assignedLicenses',
  'licenseAssignmentStates',
  'businessPhones',
  'mobilePhone',
  'preferredLanguage',
  'employeeId',
  'companyName',
  'country',
  'city',
  'signInActivity',
  'mailNickname',
  'otherMails',
  'proxyAddresses',
  'imAddresses',
  'onPremisesSyncEnabled',
  'onPremisesImmutableId',
  'creationType',
  'externalUserState',
  'state',
  'streetAddress',
  'postalCode',
  'faxNumber',
  'employeeType',
  'ageGroup',
  'showInAddressList',
  'deletedDateTime',
  'passwordPolicies',
  'lastPasswordChangeDateTime',
  'assignedPlans',
  'provisionedPlans',
] as const;

const COLLECTIONS = new Set([
  'businessPhones',
  'otherMails',
  'proxyAddresses',
  'imAddresses',
  'assignedLicenses',
  'licenseAssignmentStates',
  'assignedPlans',
  'provisionedPlans',
]);

/** What GET /users returns without $select. */
const DEFAULT_USER_PROPERTIES = [
  'businessPhones',
  'displayName',
  'givenName',
  'jobTitle',
  'mail',
  'mobilePhone',
  'officeLocation',
  'preferredLanguage',
  'surname',
  'userPrincipalName',
  'id',
];

const DERIVED: Record<string, (u: GraphUser) => unknown> = {
  mailNickname: (u) => u.userPrincipalName.split('@')[0] ?? null,
  creationType: (u) => (u.userType === 'Guest' ? 'Invitation' : null),
  externalUserState: (u) => (u.userType === 'Guest' ? 'Accepted' : null),
  onPremisesSyncEnabled: onPremisesSyncOf,
};

/** Graph caps pages at 500 users whenever signInActivity is selected (it was 120 until mid-2025). */
export const SIGN_IN_ACTIVITY_MAX_PAGE = 500;

const ENTITY = 'microsoft.graph.user';
const RESOURCE = 'User';

function compileUserFilter(raw: string): CompiledFilter<GraphUser> {
  const leaf = (node: FilterNode): CompiledFilter<GraphUser> => {
    const license = compileLicenseFilter<GraphUser>(node, RESOURCE);
    if (license) return license;
    if (node.kind === 'compare') {
      const path = node.path.toLowerCase();
      const v = node.value.value;
      const eq = node.op === 'eq';
      if ((node.op === 'eq' || node.op === 'ne') && path === 'accountenabled' && typeof v === 'boolean') {
        return { advanced: !eq, test: (u) => (u.accountEnabled === v) === eq };
      }
      const stringProps: Record<string, (u: GraphUser) => string | null> = {
        usertype: (u) => u.userType,
        department: (u) => u.department,
        userprincipalname: (u) => u.userPrincipalName,
        mail: (u) => u.mail,
        displayname: (u) => u.displayName,
        id: (u) => u.id,
      };
      const get = stringProps[path];
      if ((node.op === 'eq' || node.op === 'ne') && get && (typeof v === 'string' || v === null)) {
        const wanted = typeof v === 'string' ? v.toLowerCase() : null;
        return { advanced: !eq || v === null, test: (u) => ((get(u)?.toLowerCase() ?? null) === wanted) === eq };
      }
      throw unsupportedFilter(node.path, RESOURCE);
    }
    if (node.kind === 'call' && node.fn === 'startswith') {
      const fields: Record<string, (u: GraphUser) => string | null> = {
        displayname: (u) => u.displayName,
        userprincipalname: (u) => u.userPrincipalName,
        mail: (u) => u.mail,
        givenname: (u) => u.givenName,
        surname: (u) => u.surname,
      };
      const get = fields[node.path.toLowerCase()];
      const prefix = node.value.value;
      if (!get || typeof prefix !== 'string') throw unsupportedFilter(node.path, RESOURCE);
      const p = prefix.toLowerCase();
      return { advanced: false, test: (u) => (get(u)?.toLowerCase() ?? '').startsWith(p) };
    }
    if (node.kind === 'any') throw unsupportedFilter(node.collection, RESOURCE);
    if (node.kind === 'call') throw unsupportedFilter(node.path, RESOURCE);
    throw new GraphError(400, 'Request_UnsupportedQuery', 'Unsupported Query.');
  };
  return compileBoolean(parseFilter(raw), leaf);
}

interface UserQuery {
  view: readonly GraphUser[];
  count: boolean;
}

function filteredUsers(ctx: RequestContext): UserQuery {
  const q = ctx.url.searchParams;
  const count = parseCount(queryOption(q, 'count'));
  const rawFilter = queryOption(q, 'filter');
  const filter = rawFilter === null || rawFilter.trim() === '' ? null : compileUserFilter(rawFilter);
  if (filter?.advanced) requireAdvancedQuery(ctx, count);
  if (count) requireEventual(ctx);
  const users = ctx.store.data.users;
  const view =
    filter === null ? users : ctx.store.view(`users?${rawFilter?.trim() ?? ''}`, () => users.filter(filter.test));
  return { view, count };
}

/** $count on directory objects is an advanced query: without the header Graph refuses it. */
function requireEventual(ctx: RequestContext): void {
  if (!isEventualConsistency(ctx.req.headers.consistencylevel))
    throw new GraphError(400, 'Request_BadRequest', '$count is not currently supported.');
}

function selection(
  ctx: RequestContext,
  claims: Parameters<typeof hasRole>[0],
): { props: readonly string[]; explicit: boolean } {
  const selected = parseSelect(queryOption(ctx.url.searchParams, 'select'), USER_PROPERTIES, ENTITY);
  if (selected?.includes('signInActivity') && !hasRole(claims, PERMISSIONS.signInActivity)) {
    throw new GraphError(403, 'Authorization_RequestDenied', 'Insufficient privileges to complete the operation.');
  }
  if (selected?.includes('signInActivity') && !featuresOf(ctx.store.data).entraIdP1) throw nonPremiumTenant();
  return { props: selected ?? DEFAULT_USER_PROPERTIES, explicit: selected !== null };
}

export function registerUserRoutes(router: Router, tokens: TokenService): void {
  for (const version of GRAPH_VERSIONS) {
    router.get(
      `/${version}/users`,
      authorized(tokens, PERMISSIONS.users, (ctx, claims) => {
        rejectUnsupportedOptions(ctx.url.searchParams, ['select', 'top', 'filter', 'count', 'skiptoken']);
        const { props, explicit } = selection(ctx, claims);
        let top = parseTop(queryOption(ctx.url.searchParams, 'top'), 100);
        if (props.includes('signInActivity')) top = Math.min(top, SIGN_IN_ACTIVITY_MAX_PAGE);
        const { view, count } = filteredUsers(ctx);
        const context = metadataContext(ctx, explicit ? `users(${props.join(',')})` : 'users');
        const body = renderPage(ctx, view, context, projector<GraphUser>(props, COLLECTIONS, DERIVED), {
          top,
          annotations: count ? { '@odata.count': view.length } : undefined,
        });
        sendGraphJson(ctx, 200, body);
      }),
    );

    router.get(
      `/${version}/users/$count`,
      authorized(tokens, PERMISSIONS.users, (ctx) => {
        rejectUnsupportedOptions(ctx.url.searchParams, ['filter']);
        requireEventual(ctx);
        const { view } = filteredUsers(ctx);
        sendGraphText(ctx, 200, String(view.length));
      }),
    );

    router.get(
      `/${version}/users/:id`,
      authorized(tokens, PERMISSIONS.users, (ctx, claims) => {
        rejectUnsupportedOptions(ctx.url.searchParams, ['select']);
        const id = ctx.params.id as string;
        const user = ctx.store.findUser(id);
        if (!user) {
          throw new GraphError(
            404,
            'Request_ResourceNotFound',
            `Resource '${id}' does not exist or one of its queried reference-property objects are not present.`,
          );
        }
        const { props, explicit } = selection(ctx, claims);
        const body = {
          '@odata.context': metadataContext(ctx, explicit ? `users(${props.join(',')})/$entity` : 'users/$entity'),
          ...projector<GraphUser>(props, COLLECTIONS, DERIVED)(user),
        };
        sendGraphJson(ctx, 200, JSON.stringify(body));
      }),
    );
  }
}
