import type { ConversationTarget } from '../../domain/conversation';
import type { DigestContent, DigestLayout, DigestStatusContent, DigestSubscription } from '../../domain/digest';
import type { PortfolioContent } from '../../domain/portfolio';
import type { AdaptiveCardJson } from '../../domain/conversation';

export interface DigestSubscribeInput {
  conversationId: string;
  localTime: string;
  timeZone: string;
  createdBy: string;
  target: ConversationTarget;
  /**
   * Today's local day when today's time has already passed: the first digest is tomorrow's
   * (`digest now` posts one at once), instead of one right after subscribing.
   */
  skipDay: string | null;
  layout: DigestLayout;
}

export interface DigestSubscriptionStore {
  /** Creates or updates, and resumes a paused subscription. Keeps the day already queued. */
  subscribe(input: DigestSubscribeInput, now: Date): DigestSubscription;
  /** Returns whether there was one. */
  unsubscribe(conversationId: string): boolean;
  get(conversationId: string): DigestSubscription | undefined;
  listActive(): DigestSubscription[];
  /** Records that `day`'s digests are queued; false when that day (or a later one) already was. */
  markQueued(conversationId: string, day: string, now: Date): boolean;
  pause(conversationId: string, reason: string, now: Date): boolean;
  recordDelivery(conversationId: string, day: string | null, at: Date): void;
}

/** The digest's cards (the presenter in src/cards/digest-cards.ts): the use case gathers the content, they draw it. */
export interface DigestCards {
  digest(content: DigestContent, now: Date): AdaptiveCardJson;
  status(content: DigestStatusContent, now: Date): AdaptiveCardJson;
  portfolio(content: PortfolioContent, now: Date): AdaptiveCardJson;
}
