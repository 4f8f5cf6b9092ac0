/**
 * Posting into a Teams chat or channel the bot is installed in, as the use cases see it (the
 * Teams adapter implements it). Failures are thrown as outbox errors: RetryableError for what
 * may pass (throttling, outages, network), PermanentError when the chat is out of reach for good.
 */

/** A stored Bot Framework conversation reference: where a post goes. */
export interface ChatReference {
  serviceUrl: string;
  channelId?: string;
  conversation: { id: string; [key: string]: unknown };
  [key: string]: unknown;
}

/** An adaptive card (or any attachment) as the cards module renders it. */
export interface CardAttachment {
  contentType: string;
  content?: unknown;
}

export interface ChatPoster {
  /** `what` names the post in errors and logs ("sync result of Contoso"). */
  post(reference: ChatReference, attachments: CardAttachment[], what: string): Promise<void>;
}
