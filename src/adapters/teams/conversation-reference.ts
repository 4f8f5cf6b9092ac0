import type { ConversationReference } from 'botbuilder';
import type { ConversationTarget } from '../../domain/conversation';

/**
 * botbuilder's conversation reference for one of our stored targets. The bot entry stores the
 * reference Teams sent (src/entry/bot/activity.ts), so the keys beyond the conversation id and the
 * connector address are already the reference's own; this is the one place that relies on that.
 */
export function toConversationReference(target: ConversationTarget): Partial<ConversationReference> {
  return target as Partial<ConversationReference>;
}
