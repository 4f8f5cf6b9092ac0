import { createHash } from 'node:crypto';
import type { EventIdOf } from '../../domain/snapshot-changes';

/**
 * An event id from the parts that identify one change (tenant, snapshot or request, the change):
 * the same change seen twice yields the same id, which the event log records once. `evt_` and 32
 * hex digits of SHA-256, short enough for a `webhook-id` header; the parts are joined with a byte
 * that none of them contains, so two different lists never hash alike.
 */
export const hashedEventId: EventIdOf = (parts) =>
  `evt_${createHash('sha256').update(parts.map(String).join('\u0000')).digest('hex').slice(0, 32)}`;
