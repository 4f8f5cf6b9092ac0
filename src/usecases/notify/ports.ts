import type { AdaptiveCardJson } from '../../cards/render';

/**
 * Where the bot can post later: a stored Bot Framework conversation reference, opaque to
 * everything but the Teams adapter (JSON, so it can sit in SQLite and in job payloads).
 */
export type ConversationTarget = { conversation: { id: string }; serviceUrl: string } & Record<string, unknown>;

/**
 * Posts cards into a conversation the bot is installed in, each card in its own message. Posts
 * run as outbox jobs, so a failure is thrown as the outbox reads it: RetryableError for what may
 * pass (throttling with its Retry-After, outages, network), PermanentError when the chat is out
 * of reach for good (the bot was removed).
 */
export interface Notifier {
  post(target: ConversationTarget, cards: AdaptiveCardJson[], what: string): Promise<void>;
}
