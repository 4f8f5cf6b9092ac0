import type { AdaptiveCardJson } from '../../cards/render';

/**
 * Where the bot can post later: a stored Bot Framework conversation reference, opaque to
 * everything but the Teams adapter (JSON, so it can sit in SQLite and in job payloads).
 */
export type ConversationTarget = { conversation: { id: string }; serviceUrl: string } & Record<string, unknown>;

/** Posts cards into a conversation the bot is installed in, each card in its own message. */
export interface Notifier {
  /** Never throws; false when the post failed (the adapter logged why). */
  post(target: ConversationTarget, cards: AdaptiveCardJson[], what: string): Promise<boolean>;
}
