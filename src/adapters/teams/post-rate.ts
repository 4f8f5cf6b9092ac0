/**
 * Teams throttles a bot at about 50 requests a second overall and 7 messages a second (8 in 2 s,
 * 60 in 30 s) in one conversation. Proactive posts (digests, status messages, sync results) keep
 * under both on their own, so a fan-out to a thousand chats is paced rather than answered 429.
 *
 * Overall: 40 a second with a burst of 5, so no second ever holds more than 45 posts, which leaves
 * room under the 50 for the bot's answers to people in chats (those do not pass through here).
 * Per conversation: 1 a second with a burst of 6 (at most 7 in 1 s, 8 in 2 s, 36 in 30 s).
 */
export const TEAMS_POST_RATE = { perSecond: 40, burst: 5 } as const;
export const TEAMS_CONVERSATION_RATE = { perSecond: 1, burst: 6 } as const;

export interface RateLimit {
  perSecond: number;
  burst: number;
}

/**
 * A token bucket kept as the time its queue drains (GCRA): each take reserves the next free slot at
 * once, so concurrent callers are served in order and none can overtake another's reservation.
 */
export class PostPacer {
  private drainsAt = 0;
  private readonly intervalMs: number;
  private readonly toleranceMs: number;

  constructor(limit: RateLimit) {
    if (!(limit.perSecond > 0 && limit.burst >= 1))
      throw new Error(
        `A post rate needs a positive rate and a burst of at least 1 (got ${limit.perSecond}/s, burst ${limit.burst}).`,
      );
    this.intervalMs = 1_000 / limit.perSecond;
    this.toleranceMs = (limit.burst - 1) * this.intervalMs;
  }

  /** How long the caller must wait before its post, having reserved that slot. */
  reserve(now: number): number {
    const at = Math.max(this.drainsAt, now);
    const waitMs = Math.max(0, at - this.toleranceMs - now);
    this.drainsAt = at + this.intervalMs;
    return waitMs;
  }

  /** Nothing reserved any more: the pacer can be forgotten without letting anyone burst early. */
  idle(now: number): boolean {
    return this.drainsAt <= now;
  }
}

/** The overall pace and one per conversation; `take` resolves when a post may go. */
export class TeamsPostRate {
  private readonly overall: PostPacer;
  private readonly conversations = new Map<string, PostPacer>();

  constructor(
    private readonly limits: { overall: RateLimit; perConversation: RateLimit } = {
      overall: TEAMS_POST_RATE,
      perConversation: TEAMS_CONVERSATION_RATE,
    },
    private readonly clock: () => number = Date.now,
  ) {
    this.overall = new PostPacer(limits.overall);
  }

  async take(conversationId: string): Promise<void> {
    const now = this.clock();
    if (this.conversations.size > 1_000)
      for (const [id, p] of this.conversations) if (p.idle(now)) this.conversations.delete(id);
    let own = this.conversations.get(conversationId);
    if (!own) this.conversations.set(conversationId, (own = new PostPacer(this.limits.perConversation)));
    // The conversation's own turn first, then an overall slot from that moment: a chat that must wait does not hold an overall slot meanwhile.
    const ownWait = own.reserve(now);
    if (ownWait > 0) await sleep(ownWait);
    const overallWait = this.overall.reserve(this.clock());
    if (overallWait > 0) await sleep(overallWait);
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
