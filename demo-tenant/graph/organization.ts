import type { TokenService } from '../auth';
import { sendGraphJson } from '../http';
import type { GraphOrganization } from '../model';
import { parseSelect, queryOption, rejectUnsupportedOptions } from '../odata';
import type { Router } from '../router';
import { GRAPH_VERSIONS, PERMISSIONS, authorized, metadataContext, projector } from './common';

const ORG_PROPERTIES = [
  'id',
  'displayName',
  'verifiedDomains',
  'createdDateTime',
  'tenantType',
  'countryLetterCode',
  'preferredLanguage',
  'assignedPlans',
  'businessPhones',
  'city',
  'country',
  'postalCode',
  'state',
  'street',
  'technicalNotificationMails',
  'onPremisesSyncEnabled',
  'deletedDateTime',
] as const;
const COLLECTIONS = new Set(['verifiedDomains', 'assignedPlans', 'businessPhones', 'technicalNotificationMails']);

export function registerOrganizationRoutes(router: Router, tokens: TokenService): void {
  for (const version of GRAPH_VERSIONS) {
    router.get(
      `/${version}/organization`,
      authorized(tokens, PERMISSIONS.organization, (ctx) => {
        rejectUnsupportedOptions(ctx.url.searchParams, ['select']);
        const selected = parseSelect(
          queryOption(ctx.url.searchParams, 'select'),
          ORG_PROPERTIES,
          'microsoft.graph.organization',
        );
        const body = {
          '@odata.context': metadataContext(ctx, selected ? `organization(${selected.join(',')})` : 'organization'),
          value: [projector<GraphOrganization>(selected ?? ORG_PROPERTIES, COLLECTIONS)(ctx.store.data.organization)],
        };
        sendGraphJson(ctx, 200, JSON.stringify(body));
      }),
    );
  }
}
