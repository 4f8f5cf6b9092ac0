import { TurnContext, type Activity } from 'botbuilder';
import type { ConversationStore, ConversationType } from '../store/conversations';

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

/** Stores where the bot can post later; called on install and on every message so old installs get tracked too. */
export function rememberConversation(store: ConversationStore, activity: Activity): void {
  if (!activity.conversation?.id || !activity.serviceUrl) return;
  const data = (activity.channelData ?? {}) as TeamsChannelData;
  const type = conversationTypeOf(activity);
  store.save({
    conversationId: activity.conversation.id,
    tenantId: activity.conversation.tenantId ?? data.tenant?.id ?? null,
    conversationType: type,
    name: data.channel?.name ?? data.team?.name ?? activity.conversation.name ?? null,
    teamId: data.team?.id ?? null,
    serviceUrl: activity.serviceUrl,
    reference: TurnContext.getConversationReference(activity),
  });
}

/** Uninstalling from a team drops every channel of that team. */
export function forgetConversation(store: ConversationStore, activity: Activity): number {
  const data = (activity.channelData ?? {}) as TeamsChannelData;
  return store.deactivate({ conversationId: activity.conversation?.id, teamId: data.team?.id });
}

export function installedInText(activity: Partial<Activity>): string {
  const type = conversationTypeOf(activity);
  return type === 'channel' ? 'team channel' : type === 'groupChat' ? 'group chat' : 'personal chat';
}

export function isPersonal(activity: Partial<Activity>): boolean {
  return conversationTypeOf(activity) === 'personal';
}
