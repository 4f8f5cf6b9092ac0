import type { Logger } from 'pino';
import type { Request, Server } from 'restify';
import type { SkuPrice } from '../../domain/seat-savings';
import type { PriceProblem, PriceService } from '../../usecases/analytics/prices';
import type { TenantReads } from '../../usecases/status/ports';
import { readJsonBody } from '../http/http-edge';
import { ApiError } from './api-errors';
import { jsonRoute, parseQuery, tenantFromPath } from './api-route';
import { either, NO_TENANT, noQuery, tenantPathParams, type ApiDoc } from './api-doc';
import { z } from './api-zod';

export interface PriceRouteDeps {
  tenants: TenantReads;
  prices: PriceService;
  authorize: (req: Request) => void;
  logger: Logger;
}

// The amount's range and decimals, and the currency, are checked by the price use case, so chat and REST refuse alike.
const putBody = z
  .object({
    amount: z.number({
      required_error: 'is missing: send the price per user per month, e.g. 30',
      invalid_type_error: 'expected a JSON number, e.g. 30 or 22.5',
    }),
    currency: z.string().optional(),
  })
  .strict();

const priceFields = z.object({
  amount: z.number().nullable().openapi({ description: 'Per user per month; null: no price (costs are null).' }),
  currency: z.string().nullable(),
  source: z.enum(['admin', 'config', 'list_price', 'none']),
  set_by: z.string().nullable(),
  set_at: z.string().nullable(),
});
const priceListSchema = z
  .object({
    data: z.array(
      priceFields.extend({
        sku_id: z.string(),
        sku_part_number: z.string(),
        product_name: z.string(),
        is_copilot: z.boolean(),
      }),
    ),
    note: z.string(),
  })
  .openapi('Prices');
const priceSetSchema = priceFields.extend({
  sku_id: z.string(),
  sku_part_number: z.string(),
  previous: priceFields.nullable(),
});
const priceClearedSchema = priceFields.extend({
  sku_id: z.string(),
  sku_part_number: z.string(),
  removed: z.boolean(),
});
const skuParams = tenantPathParams.extend({
  sku: z.string().openapi({ description: 'The SKU part number (e.g. Microsoft_365_Copilot) or SKU id.' }),
});

const NO_SKU = either(NO_TENANT, {
  description: 'No such SKU in the tenant (sku_not_found).',
  codes: ['sku_not_found'],
});

export function documentPriceRoutes(doc: ApiDoc): void {
  doc.route({
    method: 'get',
    path: '/api/v1/m365/tenants/:id/prices',
    tag: 'Prices',
    summary: 'Every SKU with its price per user per month and where it comes from',
    query: noQuery,
    responses: { 200: { description: 'Every SKU.', content: priceListSchema } },
    errors: { 404: NO_TENANT },
  });
  doc.route({
    method: 'put',
    path: '/api/v1/m365/tenants/:id/prices/:sku',
    tag: 'Prices',
    summary: 'Set an admin price for a SKU (over SKU_PRICES and the list price)',
    params: skuParams,
    query: noQuery,
    body: putBody,
    responses: { 200: { description: 'The price now, and the one before.', content: priceSetSchema } },
    errors: { 404: NO_SKU },
  });
  doc.route({
    method: 'delete',
    path: '/api/v1/m365/tenants/:id/prices/:sku',
    tag: 'Prices',
    summary: 'Remove the admin price: back to SKU_PRICES or the list price',
    params: skuParams,
    query: noQuery,
    responses: { 200: { description: 'The price now.', content: priceClearedSchema } },
    errors: { 404: NO_SKU },
  });
}

const priceJson = (p: SkuPrice | null): z.infer<typeof priceFields> =>
  p
    ? { amount: p.amount, currency: p.currency, source: p.source, set_by: p.setBy, set_at: p.setAt }
    : { amount: null, currency: null, source: 'none' as const, set_by: null, set_at: null };

function refused(problem: PriceProblem): never {
  throw new ApiError(
    problem.code === 'unknown_sku' ? 404 : 400,
    problem.code === 'unknown_sku' ? 'sku_not_found' : 'invalid_parameter',
    problem.message,
    [problem.message],
  );
}

/**
 * Prices per user per month (API key): GET .../prices lists every SKU with its price and source
 * (admin, config, list_price, none); PUT .../prices/{sku} {amount, currency?} sets an admin price;
 * DELETE .../prices/{sku} goes back to SKU_PRICES or the list price. {sku}: part number or SKU id.
 */
export function registerPriceRoutes(server: Server, deps: PriceRouteDeps): void {
  const handle = jsonRoute(deps);
  const base = '/api/v1/m365/tenants/:id/prices';
  server.get(
    base,
    handle((req) => {
      const tenant = tenantFromPath(deps.tenants, req);
      parseQuery(noQuery, req);
      const body: z.infer<typeof priceListSchema> = {
        data: deps.prices.list(tenant.id).map((s) => ({
          sku_id: s.skuId,
          sku_part_number: s.skuPartNumber,
          product_name: s.productName,
          is_copilot: s.isCopilot,
          ...priceJson(s.price),
        })),
        note: 'Prices are per user per month. source: admin (set here or with the price command), config (SKU_PRICES), list_price (Microsoft 365 Copilot), none (costs are null).',
      };
      return body;
    }),
  );
  server.put(
    `${base}/:sku`,
    readJsonBody(16 * 1024),
    handle((req) => {
      const tenant = tenantFromPath(deps.tenants, req);
      parseQuery(noQuery, req);
      const parsed = putBody.safeParse(req.body ?? {});
      if (!parsed.success) {
        const details = parsed.error.issues.map((i) => `${i.path.join('.') || 'body'}: ${i.message}`);
        throw new ApiError(
          400,
          'invalid_parameter',
          `Invalid body: ${details.join('; ')}. Send {"amount": 30, "currency": "USD"}.`,
          details,
        );
      }
      const set = deps.prices.set(
        tenant.id,
        String(req.params.sku ?? ''),
        parsed.data.amount,
        parsed.data.currency,
        'api',
        new Date(),
      );
      if ('code' in set) refused(set);
      const body: z.infer<typeof priceSetSchema> = {
        sku_id: set.sku.skuId,
        sku_part_number: set.sku.skuPartNumber,
        ...priceJson(set.price),
        previous: set.previous ? priceJson(set.previous) : null,
      };
      return body;
    }),
  );
  server.del(
    `${base}/:sku`,
    handle((req) => {
      const tenant = tenantFromPath(deps.tenants, req);
      parseQuery(noQuery, req);
      const cleared = deps.prices.clear(tenant.id, String(req.params.sku ?? ''));
      if ('code' in cleared) refused(cleared);
      const body: z.infer<typeof priceClearedSchema> = {
        sku_id: cleared.sku.skuId,
        sku_part_number: cleared.sku.skuPartNumber,
        removed: cleared.removed,
        ...priceJson(cleared.now),
      };
      return body;
    }),
  );
}
