import type { ConversationTarget } from '../../domain/conversation';
import type { DigestSubscribeInput, DigestSubscriptionStore } from '../../usecases/digest/ports';
import type { DigestLayout, DigestSubscription } from '../../domain/digest';
import type { Db } from './database';
import { prepared } from './prepared';

interface Row {
  conversation_id: string;
  local_time: string;
  time_zone: string;
  status: 'active' | 'paused';
  paused_reason: string | null;
  paused_at: string | null;
  created_by: string;
  created_at: string;
  updated_at: string;
  last_day: string | null;
  reference: string;
  last_delivered_at: string | null;
  last_delivered_day: string | null;
  layout: DigestLayout;
}

const toSubscription = (r: Row): DigestSubscription => ({
  conversationId: r.conversation_id,
  localTime: r.local_time,
  timeZone: r.time_zone,
  status: r.status,
  pausedReason: r.paused_reason,
  pausedAt: r.paused_at,
  createdBy: r.created_by,
  createdAt: r.created_at,
  updatedAt: r.updated_at,
  lastDay: r.last_day,
  target: JSON.parse(r.reference) as ConversationTarget,
  lastDeliveredAt: r.last_delivered_at,
  lastDeliveredDay: r.last_delivered_day,
  layout: r.layout,
});

export class SqliteDigestSubscriptions implements DigestSubscriptionStore {
  constructor(private readonly db: Db) {}

  subscribe(input: DigestSubscribeInput, now: Date): DigestSubscription {
    const at = now.toISOString();
    prepared(
      this.db,
      `INSERT INTO digest_subscriptions (conversation_id, local_time, time_zone, status, created_by, created_at, updated_at, last_day, reference, layout)
       VALUES (@id, @time, @zone, 'active', @by, @now, @now, @skip, @ref, @layout)
       ON CONFLICT (conversation_id) DO UPDATE SET
         local_time = excluded.local_time, time_zone = excluded.time_zone, status = 'active', layout = excluded.layout,
         paused_reason = NULL, paused_at = NULL, updated_at = excluded.updated_at, reference = excluded.reference,
         last_day = CASE WHEN excluded.last_day IS NOT NULL AND (digest_subscriptions.last_day IS NULL OR digest_subscriptions.last_day < excluded.last_day)
                         THEN excluded.last_day ELSE digest_subscriptions.last_day END`,
    ).run({
      id: input.conversationId,
      time: input.localTime,
      zone: input.timeZone,
      by: input.createdBy,
      now: at,
      skip: input.skipDay,
      ref: JSON.stringify(input.target),
      layout: input.layout,
    });
    const saved = this.get(input.conversationId);
    if (!saved) throw new Error(`The digest subscription of ${input.conversationId} was not saved.`);
    return saved;
  }

  unsubscribe(conversationId: string): boolean {
    return (
      prepared(this.db, 'DELETE FROM digest_subscriptions WHERE conversation_id = ?').run(conversationId).changes > 0
    );
  }

  get(conversationId: string): DigestSubscription | undefined {
    const row = prepared(this.db, 'SELECT * FROM digest_subscriptions WHERE conversation_id = ?').get(
      conversationId,
    ) as Row | undefined;
    return row ? toSubscription(row) : undefined;
  }

  listActive(): DigestSubscription[] {
    return (
      prepared(
        this.db,
        `SELECT * FROM digest_subscriptions WHERE status = 'active' ORDER BY conversation_id`,
      ).all() as Row[]
    ).map(toSubscription);
  }

  markQueued(conversationId: string, day: string, now: Date): boolean {
    return (
      prepared(
        this.db,
        `UPDATE digest_subscriptions SET last_day = @day, updated_at = @now WHERE conversation_id = @id AND (last_day IS NULL OR last_day < @day)`,
      ).run({
        id: conversationId,
        day,
        now: now.toISOString(),
      }).changes > 0
    );
  }

  pause(conversationId: string, reason: string, now: Date): boolean {
    return (
      prepared(
        this.db,
        `UPDATE digest_subscriptions SET status = 'paused', paused_reason = @reason, paused_at = @now, updated_at = @now WHERE conversation_id = @id`,
      ).run({
        id: conversationId,
        reason,
        now: now.toISOString(),
      }).changes > 0
    );
  }

  recordDelivery(conversationId: string, day: string | null, at: Date): void {
    prepared(
      this.db,
      `UPDATE digest_subscriptions SET last_delivered_at = @at, last_delivered_day = COALESCE(@day, last_delivered_day) WHERE conversation_id = @id`,
    ).run({ id: conversationId, day, at: at.toISOString() });
  }
}
