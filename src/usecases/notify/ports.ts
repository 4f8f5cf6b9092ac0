import type { AdaptiveCardJson, ConversationTarget } from '../../domain/conversation';
import { PermanentError } from '../outbox/job-errors';

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

export type ConversationType = 'personal' | 'groupChat' | 'channel';

/** A conversation the bot is installed in, as the bot entry records it on install and on every message. */
export interface InstalledConversation {
  conversationId: string;
  /** The Entra tenant the conversation lives in. */
  entraTenantId: string | null;
  conversationType: ConversationType;
  name: string | null;
  teamId: string | null;
  serviceUrl: string;
  reference: ConversationTarget;
}

/** Where the bot is installed: recorded on install and on every message, dropped on uninstall. */
export interface ConversationRegistry {
  get(conversationId: string): { active: boolean; serviceUrl: string } | undefined;
  /** Upserts and (re)activates: a reinstall after an uninstall must resume posting. */
  save(input: InstalledConversation): void;
  /** Uninstalling from a team drops every channel of that team. Returns how many were deactivated. */
  deactivate(match: { conversationId?: string; teamId?: string }): number;
}

/** Where posts may go; a chat Teams calls gone stops receiving them until the bot is added again. */
export interface ConversationDirectory {
  /** Returns how many stored conversations were deactivated. */
  deactivate(match: { conversationId: string }): number;
}
