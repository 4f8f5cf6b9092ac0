import type { Logger } from 'pino';
import { reclaimApprovedEvent, reclaimItemEvent, reclaimRequestedEvent } from '../../domain/reclaim-events';
import type { ReclaimItem } from '../../domain/reclaim-request';
import type { WebhookEventInput } from '../../domain/webhook-events';
import { hashedEventId } from '../webhooks/event-ids';
import type { WebhookEventLog } from '../webhooks/ports';
import type { ItemMove, ReclaimStore } from './ports';

/**
 * The reclaim store, reporting the workflow's moves to the webhook event log as they are stored:
 * every path that moves a request or a seat (cards, commands, the API, the executor, undo) goes
 * through the store, so none is missed. After the store's write: a move that lost a race (not
 * moved) reports nothing. A failure to record is logged, never the move's: the seat is removed
 * whether or not a ticket hears of it.
 */
export function reclaimStoreWithEvents(store: ReclaimStore, events: WebhookEventLog, logger: Logger): ReclaimStore {
  const record = (build: () => WebhookEventInput[]): void => {
    try {
      const built = build();
      if (built.length > 0) events.record(built);
    } catch (error) {
      logger.warn({ err: error }, 'a reclaim webhook event was not recorded');
    }
  };
  const wrapped: Pick<ReclaimStore, 'create' | 'move'> = {
    create(input, now) {
      const created = store.create(input, now);
      const request = created.request;
      if (request) record(() => [reclaimRequestedEvent(request, created.items, hashedEventId)]);
      return created;
    },
    move(moves, now) {
      const result = store.move(moves, now);
      if (result.moved.length > 0) record(() => movedEvents(store, moves, result.moved, now));
      return result;
    },
  };
  // Everything else is the store's own, bound to it (its methods call each other unreported).
  return new Proxy(store, {
    get(target, prop, receiver) {
      if (prop === 'create' || prop === 'move') return wrapped[prop];
      const value: unknown = Reflect.get(target, prop, receiver);
      return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
    },
  });
}

function movedEvents(
  store: ReclaimStore,
  moves: readonly ItemMove[],
  moved: readonly number[],
  now: Date,
): WebhookEventInput[] {
  const at = now.toISOString();
  const done = new Set(moved);
  const out: WebhookEventInput[] = [];
  const approved = new Map<string, { items: ReclaimItem[]; move: ItemMove }>();
  for (const move of moves) {
    if (!done.has(move.itemId)) continue;
    // A move from 'removed' to 'removed' only notes a failed undo: the seat was removed once.
    const itemMove = (move.to === 'removed' && !move.from.includes('removed')) || move.to === 'undone' ? move.to : null;
    if (move.to !== 'approved' && itemMove === null) continue;
    const item = store.item(move.itemId);
    if (!item) continue;
    if (itemMove === null) {
      const group = approved.get(item.requestId) ?? { items: [], move };
      group.items.push(item);
      approved.set(item.requestId, group);
      continue;
    }
    const request = store.request(item.requestId);
    if (request) out.push(reclaimItemEvent(itemMove, request, item, move.actor, at, hashedEventId));
  }
  for (const [requestId, group] of approved) {
    const request = store.request(requestId);
    if (request) out.push(reclaimApprovedEvent(request, group.items, group.move.actor, at, hashedEventId));
  }
  return out;
}
