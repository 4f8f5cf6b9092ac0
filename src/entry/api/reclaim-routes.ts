import type { Logger } from 'pino';
import type { Request, Server } from 'restify';
import { NUDGE_OUTCOMES, RECLAIM_MODES, RECLAIM_STATES, SKIP_CODES } from '../../domain/reclaim';
import type { ReclaimItem, ReclaimTransition } from '../../domain/reclaim-request';
import type { ReclaimApi } from '../../usecases/reclaim/reclaim-api';
import type { TenantReads } from '../../usecases/status/ports';
import { integer, jsonRoute, parseQuery, positiveIdParam, tenantFromPath } from './api-route';
import { pagination } from './pagination';
import { ApiError } from './api-errors';
import { either, NO_TENANT, noQuery, paginationSchema, positiveId, tenantPathParams, type ApiDoc } from './api-doc';
import { z } from './api-zod';

export interface ReclaimRouteDeps {
  tenants: TenantReads;
  reclaims: ReclaimApi;
  authorize: (req: Request) => void;
  logger: Logger;
}

const reclaimQuery = z
  .object({
    limit: integer('limit', 1, 500, 50),
    offset: integer('offset', 0, 10_000_000, 0),
    state: z
      .enum(RECLAIM_STATES, { errorMap: () => ({ message: `expected one of ${RECLAIM_STATES.join(', ')}` }) })
      .optional(),
    user: z
      .string()
      .trim()
      .min(1, 'expected an object id or a UPN')
      .max(320, 'expected at most 320 characters')
      .optional(),
  })
  .strict();

const state = z.enum(RECLAIM_STATES);
const itemSchema = z
  .object({
    id: z.number().int().openapi({ description: 'The item id (POST …/reclaims/{itemId}/undo).' }),
    request_id: z.string(),
    user_id: z.string(),
    user_principal_name: z.string(),
    display_name: z.string().nullable(),
    sku_id: z.string(),
    sku_part_number: z.string(),
    assigned_via: z.enum(['direct', 'group']),
    group_id: z.string().nullable(),
    group_name: z.string().nullable(),
    also_direct: z.boolean(),
    remove_from_group: z.boolean(),
    evidence: z.object({
      last_activity_date: z.string().nullable(),
      last_activity_source: z.enum(['copilot_usage_report', 'audit_log']).nullable(),
      last_activity_as_of: z.string().nullable(),
      days_since_last_activity: z.number().int().nullable(),
      tier: z.enum(['certain', 'probable']).nullable(),
      reasons: z.array(z.string()),
      account_enabled: z.boolean(),
    }),
    monthly_saving: z.number().nullable(),
    currency: z.string(),
    state,
    state_reason: z.string().nullable(),
    skip_code: z.enum(SKIP_CODES).nullable(),
    nudge_outcome: z.enum(NUDGE_OUTCOMES).nullable(),
    reassign_to: z
      .object({ user_id: z.string(), user_principal_name: z.string(), display_name: z.string().nullable() })
      .nullable(),
    reassign_state: z.enum(['pending', 'assigning', 'assigned', 'skipped', 'failed']).nullable(),
    reassign_reason: z.string().nullable(),
    disabled_plans: z.array(z.string()).nullable(),
    removed_at: z.string().nullable(),
    undo_until: z.string().nullable(),
    undo_error: z.string().nullable(),
    updated_at: z.string(),
    transitions: z.array(
      z.object({
        from: state.nullable(),
        to: state,
        at: z.string(),
        actor_id: z.string().nullable(),
        actor_name: z.string().nullable(),
        reason: z.string().nullable(),
      }),
    ),
  })
  .openapi('ReclaimItem');

const reclaimListSchema = z.object({
  data: z.array(itemSchema),
  pagination: paginationSchema,
  mode: z.enum(RECLAIM_MODES),
  freed_to_date: z.object({ seats: z.number().int(), monthly_saving: z.number(), currency: z.string().nullable() }),
});
const undoneSchema = z.object({
  success: z.literal(true),
  state: z.enum(['queued', 'already']),
  message: z.string(),
});

export function documentReclaimRoutes(doc: ApiDoc): void {
  doc.route({
    method: 'get',
    path: '/api/v1/m365/tenants/:id/reclaims',
    tag: 'Reclaims',
    summary: 'Every reclaimed (or requested) seat with its whole trail, newest first',
    query: reclaimQuery,
    responses: { 200: { description: 'A page of reclaim items.', content: reclaimListSchema } },
    errors: { 404: NO_TENANT },
  });
  doc.route({
    method: 'post',
    path: '/api/v1/m365/tenants/:id/reclaims/:itemId/undo',
    tag: 'Reclaims',
    summary: "Give a removed seat back (the same checks as the card's Undo)",
    params: tenantPathParams.extend({ itemId: positiveId }),
    query: noQuery,
    responses: { 200: { description: 'Queued, or already given back.', content: undoneSchema } },
    errors: {
      404: either(NO_TENANT, {
        description: 'No such reclaim item (reclaim_item_not_found).',
        codes: ['reclaim_item_not_found'],
      }),
      409: { description: 'The seat cannot be given back now (not_undoable), with why.', codes: ['not_undoable'] },
    },
  });
}

function itemJson(item: ReclaimItem & { transitions: ReclaimTransition[] }): z.infer<typeof itemSchema> {
  return {
    id: item.id,
    request_id: item.requestId,
    user_id: item.userId,
    user_principal_name: item.userPrincipalName,
    display_name: item.displayName,
    sku_id: item.skuId,
    sku_part_number: item.skuName,
    assigned_via: item.assignment.via,
    group_id: item.assignment.via === 'group' ? item.assignment.groupId : null,
    group_name: item.assignment.via === 'group' ? item.assignment.groupName : null,
    also_direct: item.assignment.via === 'group' && item.assignment.alsoDirect === true,
    remove_from_group: item.removeFromGroup,
    evidence: {
      last_activity_date: item.evidence.lastActivityDate,
      last_activity_source: item.evidence.lastActivitySource,
      last_activity_as_of: item.evidence.lastActivityAsOf,
      days_since_last_activity: item.evidence.daysSinceLastActivity,
      tier: item.evidence.tier,
      reasons: item.evidence.reasons,
      account_enabled: item.evidence.accountEnabled,
    },
    monthly_saving: item.monthlySaving,
    currency: item.currency,
    state: item.state,
    state_reason: item.stateReason,
    skip_code: item.skipCode,
    nudge_outcome: item.nudgeOutcome,
    reassign_to: item.reassignTo
      ? {
          user_id: item.reassignTo.userId,
          user_principal_name: item.reassignTo.userPrincipalName,
          display_name: item.reassignTo.displayName,
        }
      : null,
    reassign_state: item.reassignState,
    reassign_reason: item.reassignReason,
    disabled_plans: item.disabledPlans,
    removed_at: item.removedAt,
    undo_until: item.undoUntil,
    undo_error: item.undoError,
    updated_at: item.updatedAt,
    transitions: item.transitions.map((t) => ({
      from: t.from,
      to: t.to,
      at: t.at,
      actor_id: t.actor.aadObjectId,
      actor_name: t.actor.name,
      reason: t.reason,
    })),
  };
}

/** GET /api/v1/m365/tenants/{id}/reclaims: every reclaimed (or requested) seat with its whole trail, newest first. */
export function registerReclaimRoutes(server: Server, deps: ReclaimRouteDeps): void {
  const handle = jsonRoute(deps);
  server.get(
    '/api/v1/m365/tenants/:id/reclaims',
    handle(async (req) => {
      const q = parseQuery(reclaimQuery, req);
      const tenant = tenantFromPath(deps.tenants, req);
      const found = deps.reclaims.history({
        tenantId: tenant.id,
        user: q.user,
        state: q.state,
        offset: q.offset,
        limit: q.limit,
      });
      const freed = deps.reclaims.freed(tenant.id);
      const body: z.infer<typeof reclaimListSchema> = {
        data: found.items.map(itemJson),
        pagination: pagination(q.limit, q.offset, found.total),
        mode: deps.reclaims.mode(),
        freed_to_date: { seats: freed.seats, monthly_saving: freed.monthly, currency: freed.currency },
      };
      return body;
    }),
  );
  /**
   * POST /api/v1/m365/tenants/{id}/reclaims/{itemId}/undo: gives a removed seat back (the same checks
   * as the card's Undo; the trail records the actor "REST API"). 200 with state queued or already,
   * 404 unknown item, 409 not undoable (with why).
   */
  server.post(
    '/api/v1/m365/tenants/:id/reclaims/:itemId/undo',
    handle(async (req) => {
      const tenant = tenantFromPath(deps.tenants, req);
      parseQuery(noQuery, req);
      const itemId = positiveIdParam(req, 'itemId', 'reclaim item id (the id field of GET …/reclaims)');
      const outcome = deps.reclaims.undoByApi(tenant.id, itemId, new Date());
      if (outcome.kind === 'unknown') throw new ApiError(404, 'reclaim_item_not_found', outcome.message);
      if (outcome.kind === 'refused') throw new ApiError(409, 'not_undoable', outcome.message);
      const body: z.infer<typeof undoneSchema> = { success: true, state: outcome.kind, message: outcome.message };
      return body;
    }),
  );
}
