import type { AdaptiveCardJson, ConversationTarget } from '../../domain/conversation';
import { PermanentError } from '../outbox/job-errors';

export type { ConversationTarget } from '../../domain/conversation';

/**
 * Posts cards into a conversation the bot is installed in, each card in its own message. Posts
 * run as outbox jobs, so a failure is thrown as the outbox reads it: RetryableError for what may
 * pass (throttling with its Retry-After, outages, network), PermanentError when the chat is out
 * of reach for good (the bot was removed).
 */
export interface Notifier {
  post(target: ConversationTarget, cards: AdaptiveCardJson[], what: string): Promise<void>;
}

/** Teams says the chat is out of reach for good (403/404): the bot was removed from it, or it is gone. */
export class ConversationGoneError extends PermanentError {
  constructor(
    message: string,
    readonly conversationId: string,
    options: { cause?: unknown } = {},
  ) {
    super(message, options);
    this.name = 'ConversationGoneError';
  }
}

/** Where posts may go; a chat Teams calls gone stops receiving them until the bot is added again. */
export interface ConversationDirectory {
  /** Returns how many stored conversations were deactivated. */
  deactivate(match: { conversationId: string }): number;
}
