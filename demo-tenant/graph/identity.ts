import type { TokenService } from '../auth';
import { GraphError, sendGraphJson, type RequestContext } from '../http';
import {
  commerceSubscriptions,
  conditionalAccessPolicies,
  featuresOf,
  managedDevices,
  registrationOf,
  riskDetections,
  riskyUsers,
  secureScoreControlProfiles,
  secureScores,
  storyToday,
  type DemoFeatures,
} from '../identity';
import { parseSelect, parseTop, queryOption, rejectUnsupportedOptions } from '../odata';
import { renderPage } from '../paging';
import type { Router } from '../router';
import { GRAPH_VERSIONS, PERMISSIONS, authorized, metadataContext, projector } from './common';

/** What Graph answers an app reading P1 data (signInActivity, registration details) in a tenant without P1. */
export function nonPremiumTenant(): GraphError {
  return new GraphError(
    403,
    'Authentication_RequestFromNonPremiumTenantOrB2CTenant',
    "Neither tenant is B2C or tenant doesn't have premium license",
  );
}

/** Identity protection and conditional access in a tenant without the tier: a 403 whose message names the licence gap. */
function notLicensed(): GraphError {
  return new GraphError(403, 'Forbidden', 'Your tenant is not licensed for this feature.');
}

/** Intune's answer to a tenant without an Intune licence. */
function intuneNotApplicable(): GraphError {
  return new GraphError(400, 'BadRequest', '{"_version": 3, "Message": "Request not applicable to target tenant."}');
}

function requireFeature(ctx: RequestContext, feature: keyof DemoFeatures, error: () => GraphError): void {
  if (!featuresOf(ctx.store.data)[feature]) throw error();
}

/** A paged collection with optional $select and $top, rendered like Graph's. */
function page<T extends object>(
  ctx: RequestContext,
  items: readonly T[],
  entitySet: string,
  entity: string,
  properties: readonly string[],
  defaultTop: number,
  maxTop: number,
): void {
  rejectUnsupportedOptions(ctx.url.searchParams, ['select', 'top', 'skiptoken']);
  const selected = parseSelect(queryOption(ctx.url.searchParams, 'select'), properties, entity);
  const top = Math.min(parseTop(queryOption(ctx.url.searchParams, 'top'), defaultTop), maxTop);
  const context = metadataContext(ctx, selected ? `${entitySet}(${selected.join(',')})` : entitySet);
  sendGraphJson(ctx, 200, renderPage(ctx, items, context, projector<T>(selected ?? properties, new Set()), { top }));
}

const keysOf = (sample: object): string[] => Object.keys(sample);

/** MFA registration, conditional access, identity protection, Intune devices, Secure Score and commerce subscriptions. */
export function registerIdentityRoutes(router: Router, tokens: TokenService): void {
  for (const version of GRAPH_VERSIONS) {
    router.get(
      `/${version}/reports/authenticationMethods/userRegistrationDetails`,
      authorized(tokens, PERMISSIONS.registrationDetails, (ctx) => {
        requireFeature(ctx, 'entraIdP1', nonPremiumTenant);
        const today = storyToday(ctx.store.data);
        const users = ctx.store.data.users;
        const rows = ctx.store.view(`registrationDetails:${today}`, () => users.map((u) => registrationOf(u, today)));
        const props = rows[0] ? keysOf(rows[0]) : ['id'];
        page(
          ctx,
          rows,
          'reports/authenticationMethods/userRegistrationDetails',
          'microsoft.graph.userRegistrationDetails',
          props,
          1000,
          1000,
        );
      }),
    );

    router.get(
      `/${version}/policies/identitySecurityDefaultsEnforcementPolicy`,
      authorized(tokens, PERMISSIONS.policies, (ctx) => {
        rejectUnsupportedOptions(ctx.url.searchParams, ['select']);
        const body = {
          '@odata.context': metadataContext(ctx, 'policies/identitySecurityDefaultsEnforcementPolicy/$entity'),
          id: '00000000-0000-0000-0000-000000000005',
          displayName: 'Security Defaults',
          description: 'Security defaults is a set of basic identity security mechanisms recommended by Microsoft.',
          isEnabled: featuresOf(ctx.store.data).securityDefaults,
        };
        sendGraphJson(ctx, 200, JSON.stringify(body));
      }),
    );

    router.get(
      `/${version}/identity/conditionalAccess/policies`,
      authorized(tokens, PERMISSIONS.policies, (ctx) => {
        requireFeature(ctx, 'entraIdP1', notLicensed);
        const rows = conditionalAccessPolicies(ctx.store.data);
        page(
          ctx,
          rows,
          'identity/conditionalAccess/policies',
          'microsoft.graph.conditionalAccessPolicy',
          keysOf(rows[0] ?? { id: '' }),
          100,
          999,
        );
      }),
    );

    router.get(
      `/${version}/identityProtection/riskDetections`,
      authorized(tokens, PERMISSIONS.riskDetections, (ctx) => {
        requireFeature(ctx, 'entraIdP2', notLicensed);
        const rows = ctx.store.view('riskDetections', () => riskDetections(ctx.store.data));
        page(
          ctx,
          rows,
          'identityProtection/riskDetections',
          'microsoft.graph.riskDetection',
          [
            'id',
            'userId',
            'userPrincipalName',
            'riskEventType',
            'riskLevel',
            'riskState',
            'detectedDateTime',
            'activityDateTime',
          ],
          500,
          500,
        );
      }),
    );

    router.get(
      `/${version}/identityProtection/riskyUsers`,
      authorized(tokens, PERMISSIONS.riskyUsers, (ctx) => {
        requireFeature(ctx, 'entraIdP2', notLicensed);
        const rows = ctx.store.view('riskyUsers', () => riskyUsers(ctx.store.data));
        page(
          ctx,
          rows,
          'identityProtection/riskyUsers',
          'microsoft.graph.riskyUser',
          [
            'id',
            'userPrincipalName',
            'userDisplayName',
            'isDeleted',
            'isProcessing',
            'riskLevel',
            'riskState',
            'riskDetail',
            'riskLastUpdatedDateTime',
          ],
          500,
          500,
        );
      }),
    );

    router.get(
      `/${version}/deviceManagement/managedDevices`,
      authorized(tokens, PERMISSIONS.managedDevices, (ctx) => {
        requireFeature(ctx, 'intune', intuneNotApplicable);
        const rows = ctx.store.view('managedDevices', () => managedDevices(ctx.store.data));
        page(
          ctx,
          rows,
          'deviceManagement/managedDevices',
          'microsoft.graph.managedDevice',
          ['id', 'deviceName', 'userId', 'userPrincipalName', 'operatingSystem', 'complianceState', 'lastSyncDateTime'],
          1000,
          1000,
        );
      }),
    );

    router.get(
      `/${version}/security/secureScores`,
      authorized(tokens, PERMISSIONS.secureScores, (ctx) => {
        const rows = secureScores(ctx.store.data, 7);
        page(
          ctx,
          rows,
          'security/secureScores',
          'microsoft.graph.secureScore',
          keysOf(rows[0] ?? { id: '' }),
          100,
          100,
        );
      }),
    );

    router.get(
      `/${version}/security/secureScoreControlProfiles`,
      authorized(tokens, PERMISSIONS.secureScores, (ctx) => {
        const rows = secureScoreControlProfiles(ctx.store.data);
        page(
          ctx,
          rows,
          'security/secureScoreControlProfiles',
          'microsoft.graph.secureScoreControlProfile',
          keysOf(rows[0] ?? { id: '' }),
          100,
          100,
        );
      }),
    );

    router.get(
      `/${version}/directory/subscriptions`,
      authorized(tokens, PERMISSIONS.companySubscriptions, (ctx) => {
        const rows = commerceSubscriptions(ctx.store.data);
        page(
          ctx,
          rows,
          'directory/subscriptions',
          'microsoft.graph.companySubscription',
          keysOf(rows[0] ?? { id: '' }),
          100,
          999,
        );
      }),
    );
  }
}
