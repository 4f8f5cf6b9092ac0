/**
 * What the bot posts and where, in Seat Steward's own terms: the use cases, the presenters and the
 * stores pass these around, and only the channel adapter (src/adapters/teams) turns them into the
 * Bot Framework's types.
 */

/** An Adaptive Card as JSON, ready for any channel adapter to wrap (Teams: an attachment). */
export type AdaptiveCardJson = { type: 'AdaptiveCard'; version: string } & Record<string, unknown>;

/**
 * Where the bot can post later. The use cases read only the conversation's id and its connector
 * address; the other keys address the conversation for the channel adapter, which writes and reads
 * them (Teams: the rest of its conversation reference). Plain JSON, so it can sit in SQLite and in
 * job payloads; rows stored before this type was ours have the same shape.
 */
export type ConversationTarget = { conversation: { id: string }; serviceUrl: string } & Record<string, unknown>;

/**
 * A channel post's conversation id carries ";messageid=<thread root>"; the channel itself (where
 * later posts such as digests go) is the id before it.
 */
export function channelConversationId(conversationId: string): string {
  return conversationId.split(';messageid=')[0];
}
