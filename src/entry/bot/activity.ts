import { TurnContext, type Activity, type ConversationReference } from 'botbuilder';
import { channelConversationId, type ConversationTarget } from '../../domain/conversation';
import type { ConversationRegistry, ConversationType } from '../../usecases/notify/ports';

/*
 * The Bot Framework's side of an incoming activity, read in one place: who and where it comes from,
 * and the conversation target Seat Steward stores for later posts. With the Teams adapter
 * (src/adapters/teams), this is all that knows botbuilder's activity and reference shapes.
 */

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

/** Stores where the bot can post later; called on install and on every message so old installs get tracked too. */
export function rememberConversation(store: ConversationRegistry, activity: Activity): void {
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
    reference: targetOf(reference, conversationId),
  });
}

/** Our target from botbuilder's reference, posting to `conversationId` (the channel itself, not the thread that carried the message). */
function targetOf(reference: Partial<ConversationReference>, conversationId: string): ConversationTarget {
  return {
    ...reference,
    serviceUrl: reference.serviceUrl ?? '',
    conversation: { ...reference.conversation, id: conversationId },
  } as ConversationTarget;
}

/** Uninstalling from a team drops every channel of that team. */
export function forgetConversation(store: ConversationRegistry, activity: Activity): number {
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

/** Where a later post about this activity goes (a sync result): the conversation it came from, thread included. */
export function replyTargetOf(activity: Activity): ConversationTarget {
  const reference = TurnContext.getConversationReference(activity);
  return targetOf(reference, reference.conversation?.id ?? '');
}
