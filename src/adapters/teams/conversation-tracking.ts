import { TurnContext, type Activity, type ConversationReference } from 'botbuilder';
import type { ConversationStore, ConversationType } from '../sqlite/conversations';
import type { ConversationTarget } from '../../usecases/notify/ports';

interface TeamsChannelData {
  tenant?: { id?: string };
  team?: { id?: string; name?: string };
  channel?: { id?: string; name?: string };
}

function conversationTypeOf(activity: Partial<Activity>): ConversationType {
  const type = activity.conversation?.conversationType;
  if (type === 'channel' || type === 'groupChat') return type;
  return 'personal';
}

/** The Entra tenant of the Teams user or conversation the activity comes from. */
export function teamsTenantOf(activity: Partial<Activity>): string | undefined {
  return activity.conversation?.tenantId ?? ((activity.channelData ?? {}) as TeamsChannelData).tenant?.id;
}

/**
 * A channel post's conversation id carries ";messageid=<thread root>"; the channel itself (where
 * later posts such as digests go) is the id before it.
 */
export function channelConversationId(conversationId: string): string {
  return conversationId.split(';messageid=')[0];
}

/** Stores where the bot can post later; called on install and on every message so old installs get tracked too. */
export function rememberConversation(store: ConversationStore, activity: Activity): void {
  if (!activity.conversation?.id || !activity.serviceUrl) return;
  const data = (activity.channelData ?? {}) as TeamsChannelData;
  const type = conversationTypeOf(activity);
  const conversationId = channelConversationId(activity.conversation.id);
  // Every message passes here: write only when the install is new, was removed, or moved connector.
  const known = store.get(conversationId);
  if (known?.active && known.serviceUrl === activity.serviceUrl) return;
  const reference = TurnContext.getConversationReference(activity);
  store.save({
    conversationId,
    entraTenantId: teamsTenantOf(activity) ?? null,
    conversationType: type,
    name: data.channel?.name ?? data.team?.name ?? activity.conversation.name ?? null,
    teamId: data.team?.id ?? null,
    serviceUrl: activity.serviceUrl,
    reference: conversationTarget(reference, conversationId),
  });
}

/** A reference that posts to the channel itself (not into the thread that carried the message). */
export function conversationTarget(reference: Partial<ConversationReference>, conversationId: string): ConversationTarget {
  return { ...reference, serviceUrl: reference.serviceUrl ?? '', conversation: { ...reference.conversation, id: conversationId } } as ConversationTarget;
}

/** Uninstalling from a team drops every channel of that team. */
export function forgetConversation(store: ConversationStore, activity: Activity): number {
  const data = (activity.channelData ?? {}) as TeamsChannelData;
  const id = activity.conversation?.id;
  return store.deactivate({ conversationId: id ? channelConversationId(id) : undefined, teamId: data.team?.id });
}

export function installedInText(activity: Partial<Activity>): string {
  const type = conversationTypeOf(activity);
  return type === 'channel' ? 'team channel' : type === 'groupChat' ? 'group chat' : 'personal chat';
}

export function isPersonal(activity: Partial<Activity>): boolean {
  return conversationTypeOf(activity) === 'personal';
}
