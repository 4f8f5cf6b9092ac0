import type { ReclaimActor, ReclaimItem, ReclaimRequest } from './reclaim-request';
import type { EventIdOf } from './snapshot-changes';
import type { JsonValue, WebhookEventInput } from './webhook-events';

/**
 * The reclaim workflow's webhook events, so that a ticket can follow a removal: one per move,
 * with an id derived from the request (requested, approved) or the item (removed, undone) and
 * the move, so a move seen twice is recorded once. The UPNs are in: the receiver is the admin's
 * own system. `mode` "dry-run" means the workflow changed nothing in the tenant.
 */

function actor(a: ReclaimActor | null): JsonValue {
  return a === null ? null : { name: a.name, aad_object_id: a.aadObjectId };
}

/** One seat of a request, as every reclaim event names it. */
export function reclaimItemData(item: ReclaimItem): { [key: string]: JsonValue } {
  return {
    item_id: item.id,
    user_id: item.userId,
    user_principal_name: item.userPrincipalName,
    display_name: item.displayName,
    sku_id: item.skuId,
    sku_name: item.skuName,
    assignment: item.assignment.via,
    group_id: item.assignment.via === 'group' ? item.assignment.groupId : null,
    monthly_saving: item.monthlySaving,
    currency: item.currency,
    state: item.state,
  };
}

export function reclaimRequestedEvent(
  request: ReclaimRequest,
  items: readonly ReclaimItem[],
  idOf: EventIdOf,
): WebhookEventInput {
  return {
    id: idOf([request.tenantId, request.id, 'reclaim.requested']),
    type: 'seat_steward.reclaim.requested',
    tenantId: request.tenantId,
    occurredAt: request.requestedAt,
    data: {
      request_id: request.id,
      mode: request.mode,
      source: request.source,
      requested_by: actor(request.requestedBy),
      requested_at: request.requestedAt,
      expires_at: request.expiresAt,
      items: items.map(reclaimItemData),
    },
  };
}

/** The approvers' decision: one event per request, with the seats it approved (those left out are not in it). */
export function reclaimApprovedEvent(
  request: ReclaimRequest,
  approved: readonly ReclaimItem[],
  by: ReclaimActor,
  at: string,
  idOf: EventIdOf,
): WebhookEventInput {
  return {
    id: idOf([request.tenantId, request.id, 'reclaim.approved']),
    type: 'seat_steward.reclaim.approved',
    tenantId: request.tenantId,
    occurredAt: at,
    data: {
      request_id: request.id,
      mode: request.mode,
      approved_by: actor(by),
      approved_at: at,
      items: approved.map(reclaimItemData),
    },
  };
}

/** A seat removed (Graph confirmed it), or put back by an undo: one event per seat. */
export function reclaimItemEvent(
  move: 'removed' | 'undone',
  request: ReclaimRequest,
  item: ReclaimItem,
  by: ReclaimActor,
  at: string,
  idOf: EventIdOf,
): WebhookEventInput {
  return {
    id: idOf([request.tenantId, request.id, item.id, `reclaim.${move}`]),
    type: move === 'removed' ? 'seat_steward.reclaim.removed' : 'seat_steward.reclaim.undone',
    tenantId: request.tenantId,
    occurredAt: at,
    data: {
      request_id: request.id,
      mode: request.mode,
      ...reclaimItemData(item),
      [move === 'removed' ? 'removed_by' : 'undone_by']: actor(by),
      [move === 'removed' ? 'removed_at' : 'undone_at']: at,
    },
  };
}
