import type { ConversationTarget } from '../notify/ports';

/**
 * A conversation's daily digest: when (a local time in an IANA zone) and where (the stored
 * conversation reference). One row per conversation. A chat Teams calls gone (403/404) pauses it
 * with the reason; subscribing again resumes it.
 */
export interface DigestSubscription {
  conversationId: string;
  /** "HH:MM" in `timeZone`. */
  localTime: string;
  /** IANA zone, e.g. "Europe/Paris". */
  timeZone: string;
  status: 'active' | 'paused';
  pausedReason: string | null;
  pausedAt: string | null;
  /** Who subscribed (Entra object id, else Teams user id). */
  createdBy: string;
  createdAt: string;
  updatedAt: string;
  /** The latest local day whose digest was queued (YYYY-MM-DD in the zone). */
  lastDay: string | null;
  /** Where the digest is posted. */
  target: ConversationTarget;
  /** When the last digest card reached Teams, and for which local day. */
  lastDeliveredAt: string | null;
  lastDeliveredDay: string | null;
}

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
