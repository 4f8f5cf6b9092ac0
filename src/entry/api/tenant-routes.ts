import { keySeesTenant } from './api-auth';
import type { Logger } from 'pino';
import type { Request, Server } from 'restify';
import { z } from './api-zod';
import { NO_TENANT, noQuery, paginationSchema, type ApiDoc } from './api-doc';
import type { SkuRow } from '../../domain/directory';
import type { SyncHealth } from '../../domain/sync-schedule';
import type { TenantRecord } from '../../domain/tenant';
import type { DirectoryReads, SyncRunReads, TenantReads } from '../../usecases/status/ports';
import type { IdentityReads } from '../../usecases/identity/ports';
import { licenceDates, type SubscriptionRecord } from '../../domain/identity';
import { licenceCosts, type SkuPrice } from '../../domain/seat-savings';
import { integer, jsonRoute, parseQuery, tenantFromPath } from './api-route';
import { pagination } from './pagination';
import { tenantJson as tenantAsJson, tenantSchema } from './tenant-json';
import { userPageSchema } from './user-schema';
import { RenderedJson, RenderedPageCache } from './rendered-pages';
import { derivedId, renderUserPage } from './user-json';
import { GUID } from '../../domain/guid';

export interface TenantRouteDeps {
  tenants: TenantReads;
  directory: DirectoryReads;
  runs: SyncRunReads;
  authorize: (req: Request) => void;
  /** True while any sync runs: answers then queue behind it (read admission) instead of racing it from the cache. */
  syncRunning: () => boolean;
  /** A tenant's sync health and next scheduled sync (an extension of seed 000's tenant: `health`). */
  health?: (tenant: TenantRecord) => SyncHealth;
  /** Commerce subscriptions, for each SKU's purchase and renewal dates (null without them). */
  identity?: Pick<IdentityReads, 'subscriptions'>;
  /** Each SKU's price (admin, SKU_PRICES or list price), read per request so a new price shows at once; null = unpriced. */
  prices?: (tenantId: string) => (skuId: string) => SkuPrice | null;
  logger: Logger;
}

const boolean = z
  .enum(['true', 'false'], { errorMap: () => ({ message: 'expected true or false' }) })
  .optional()
  .transform((v) => (v === undefined ? undefined : v === 'true'));

const tenantListQuery = z
  .object({
    limit: integer('limit', 1, 100, 20),
    offset: integer('offset', 0, 1_000_000, 0),
    status: z
      .enum(['active', 'inactive', 'error'], { errorMap: () => ({ message: 'expected active, inactive or error' }) })
      .optional(),
    client_id: z.string().regex(GUID, 'expected a UUID').optional(),
  })
  .strict();

const userListQuery = z
  .object({
    limit: integer('limit', 1, 500, 50),
    offset: integer('offset', 0, 10_000_000, 0),
    search: z
      .string()
      .trim()
      .min(1, 'expected at least 1 character')
      .max(200, 'expected at most 200 characters')
      .optional(),
    account_enabled: boolean,
    mfa_enabled: boolean,
  })
  .strict();

const licenseSchema = z
  .object({
    id: z.string().openapi({ description: 'A stable id derived from the tenant and the SKU.' }),
    tenant_id: z.string(),
    sku_id: z.string(),
    sku_part_number: z.string(),
    product_name: z.string(),
    is_copilot: z.boolean(),
    capability_status: z.string().nullable(),
    total_units: z.number().int(),
    consumed_units: z.number().int(),
    enabled_units: z.number().int(),
    suspended_units: z.number().int(),
    warning_units: z.number().int(),
    cost_per_license: z.number().nullable().openapi({ description: 'Per user per month; null when unpriced.' }),
    annual_cost: z.number().nullable(),
    currency: z.string().nullable(),
    price_source: z.string().nullable(),
    service_plans: z.array(
      z.object({
        service_plan_id: z.string(),
        service_plan_name: z.string(),
        provisioning_status: z.string().nullable(),
        applies_to: z.string().nullable(),
      }),
    ),
    purchase_date: z.string().nullable(),
    renewal_date: z.string().nullable(),
  })
  .openapi('License');

const tenantListSchema = z.object({ data: z.array(tenantSchema), pagination: paginationSchema });
const licenseListSchema = z.object({ data: z.array(licenseSchema) });

export function documentTenantRoutes(doc: ApiDoc): void {
  doc.route({
    method: 'get',
    path: '/api/v1/m365/tenants',
    tag: 'Tenants',
    summary: "List tenants (those of the key's clients for a key limited to some)",
    query: tenantListQuery,
    responses: { 200: { description: 'A page of tenants.', content: tenantListSchema } },
  });
  doc.route({
    method: 'get',
    path: '/api/v1/m365/tenants/:id/users',
    tag: 'Directory',
    summary: "A page of the tenant's users with their licences, from the last sync",
    query: userListQuery,
    responses: { 200: { description: 'A page of users.', content: userPageSchema } },
    errors: { 404: NO_TENANT },
  });
  doc.route({
    method: 'get',
    path: '/api/v1/m365/tenants/:id/licenses',
    tag: 'Directory',
    summary: "The tenant's SKUs with units, service plans, prices and renewal dates",
    query: noQuery,
    responses: { 200: { description: 'Every SKU.', content: licenseListSchema } },
    errors: { 404: NO_TENANT },
  });
}

/** The read part of the REST API's /api/v1/m365 API. */
export function registerTenantRoutes(server: Server, deps: TenantRouteDeps): void {
  const { tenants, directory, runs } = deps;

  const handle = jsonRoute(deps);

  const tenantParam = (req: Request): TenantRecord => tenantFromPath(tenants, req);

  const tenantJson = (t: TenantRecord) => tenantAsJson(t, { runs, directory, health: deps.health });

  server.get(
    '/api/v1/m365/tenants',
    handle((req) => {
      const q = parseQuery(tenantListQuery, req);
      const all = tenants
        .list()
        .filter((t) => keySeesTenant(req, t))
        .map(tenantJson)
        .filter((t) => (q.status ? t.status === q.status : true))
        .filter((t) => (q.client_id ? t.client_id?.toLowerCase() === q.client_id.toLowerCase() : true));
      const page: z.infer<typeof tenantListSchema> = {
        data: all.slice(q.offset, q.offset + q.limit),
        pagination: pagination(q.limit, q.offset, all.length),
      };
      return page;
    }),
  );

  // About 80 KB a page of 100: 256 pages bound the cache near 20 MB.
  const userPages = new RenderedPageCache(256);
  server.get(
    '/api/v1/m365/tenants/:id/users',
    handle(async (req) => {
      const tenant = tenantParam(req);
      const q = parseQuery(userListQuery, req);
      const key = JSON.stringify([
        tenant.id,
        tenant.currentSnapshotId,
        directory.identityVersion(tenant.id),
        q.limit,
        q.offset,
        q.search ?? null,
        q.account_enabled ?? null,
        q.mfa_enabled ?? null,
      ]);
      // A running sync comes first: thousands of cached answers a second would starve its parsing on this event loop.
      const cached = deps.syncRunning() ? undefined : userPages.get(key);
      if (cached) return cached;
      const lastSynced = tenant.currentSnapshotId ? (runs.get(tenant.currentSnapshotId)?.finishedAt ?? null) : null;
      const query = {
        limit: q.limit,
        offset: q.offset,
        search: q.search,
        accountEnabled: q.account_enabled,
        mfaEnabled: q.mfa_enabled,
      };
      const context = { tenantId: tenant.id, lastSynced, limit: q.limit, offset: q.offset };
      // Rendered on a read worker; BENCH_RENDER_ON_MAIN=1 (bench:api's baseline, never a setting) renders on the event loop as before.
      const rendered = new RenderedJson(
        process.env.BENCH_RENDER_ON_MAIN === '1'
          ? renderUserPage(await directory.users(tenant.id, query), context)
          : await directory.usersRendered(tenant.id, query, context),
      );
      // Kept only when no sync published meanwhile: then the page was read from the snapshot in its key.
      if (tenants.find(tenant.id)?.currentSnapshotId === tenant.currentSnapshotId) userPages.set(key, rendered);
      return rendered;
    }),
  );

  server.get(
    '/api/v1/m365/tenants/:id/licenses',
    handle((req) => {
      const tenant = tenantParam(req);
      parseQuery(noQuery, req);
      const subscriptions = deps.identity?.subscriptions(tenant.id) ?? [];
      const now = new Date();
      const price = deps.prices?.(tenant.id) ?? (() => null);
      const list: z.infer<typeof licenseListSchema> = {
        data: directory.skus(tenant.id).map((s) => licenseJson(tenant, s, subscriptions, now, price(s.skuId))),
      };
      return list;
    }),
  );
}

function licenseJson(
  tenant: TenantRecord,
  s: SkuRow,
  subscriptions: readonly SubscriptionRecord[],
  now: Date,
  price: SkuPrice | null,
): z.infer<typeof licenseSchema> {
  const dates = licenceDates(subscriptions, s.skuId, now);
  // Paid seats are the enabled units (seats.ts); null costs when unpriced, never 0.
  const costs = licenceCosts(price, s.enabledUnits);
  return {
    id: derivedId(tenant.id, 'sku', s.skuId),
    tenant_id: tenant.id,
    sku_id: s.skuId,
    sku_part_number: s.skuPartNumber,
    product_name: s.productName,
    is_copilot: s.isCopilot,
    capability_status: s.capabilityStatus,
    total_units: s.enabledUnits + s.suspendedUnits + s.warningUnits + s.lockedOutUnits,
    consumed_units: s.consumedUnits,
    enabled_units: s.enabledUnits,
    suspended_units: s.suspendedUnits,
    warning_units: s.warningUnits,
    cost_per_license: costs.costPerLicense,
    annual_cost: costs.annualCost,
    currency: costs.currency,
    price_source: price?.source ?? null,
    service_plans: s.servicePlans.map((p) => ({
      service_plan_id: p.servicePlanId,
      service_plan_name: p.servicePlanName,
      provisioning_status: p.provisioningStatus,
      applies_to: p.appliesTo,
    })),
    purchase_date: dates.purchaseDate,
    renewal_date: dates.renewalDate,
  };
}
