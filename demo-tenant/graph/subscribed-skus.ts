import type { TokenService } from '../auth';
import { GraphError, sendGraphJson } from '../http';
import type { GraphSubscribedSku } from '../model';
import { parseSelect, queryOption, rejectUnsupportedOptions } from '../odata';
import type { Router } from '../router';
import { GRAPH_VERSIONS, PERMISSIONS, authorized, metadataContext, projector } from './common';

const SKU_PROPERTIES = [
  'id',
  'accountId',
  'accountName',
  'skuId',
  'skuPartNumber',
  'capabilityStatus',
  'appliesTo',
  'consumedUnits',
  'prepaidUnits',
  'servicePlans',
  'subscriptionIds',
] as const;
const COLLECTIONS = new Set(['servicePlans', 'subscriptionIds']);
const DEFAULT_PROPERTIES = SKU_PROPERTIES.filter((p) => p !== 'subscriptionIds');

/** Graph returns the whole (small) collection in one page; there is no paging on subscribedSkus. */
export function registerSubscribedSkuRoutes(router: Router, tokens: TokenService): void {
  for (const version of GRAPH_VERSIONS) {
    router.get(
      `/${version}/subscribedSkus`,
      authorized(tokens, PERMISSIONS.subscribedSkus, (ctx) => {
        rejectUnsupportedOptions(ctx.url.searchParams, ['select']);
        const selected = parseSelect(
          queryOption(ctx.url.searchParams, 'select'),
          SKU_PROPERTIES,
          'microsoft.graph.subscribedSku',
        );
        const project = projector<GraphSubscribedSku>(selected ?? DEFAULT_PROPERTIES, COLLECTIONS);
        const body = {
          '@odata.context': metadataContext(ctx, selected ? `subscribedSkus(${selected.join(',')})` : 'subscribedSkus'),
          value: ctx.store.data.subscribedSkus.map(project),
        };
        sendGraphJson(ctx, 200, JSON.stringify(body));
      }),
    );

    router.get(
      `/${version}/subscribedSkus/:id`,
      authorized(tokens, PERMISSIONS.subscribedSkus, (ctx) => {
        rejectUnsupportedOptions(ctx.url.searchParams, ['select']);
        const id = (ctx.params.id as string).toLowerCase();
        const sku = ctx.store.data.subscribedSkus.find((s) => s.id.toLowerCase() === id);
        if (!sku) {
          throw new GraphError(
            404,
            'Request_ResourceNotFound',
            `Resource '${ctx.params.id as string}' does not exist or one of its queried reference-property objects are not present.`,
          );
        }
        const selected = parseSelect(
          queryOption(ctx.url.searchParams, 'select'),
          SKU_PROPERTIES,
          'microsoft.graph.subscribedSku',
        );
        const body = {
          '@odata.context': metadataContext(ctx, 'subscribedSkus/$entity'),
          ...projector<GraphSubscribedSku>(selected ?? DEFAULT_PROPERTIES, COLLECTIONS)(sku),
        };
        sendGraphJson(ctx, 200, JSON.stringify(body));
      }),
    );
  }
}
