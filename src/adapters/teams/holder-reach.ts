import type { ConversationStore } from '../sqlite/conversations';
import type { ConversationTarget } from '../../domain/conversation';
import type { HolderReach, HolderRoute } from '../../usecases/reclaim/ports';
import type { InstalledChat } from '../graph/teams-app-installer';

/**
 * The way to a seat holder's 1:1 chat: the personal chat the bot already has with them (they
 * installed it or wrote to it), else, when TEAMS_APP_CATALOG_ID is set, the chat Graph gives after
 * installing the app for them. Without either the holder is not reachable, and the request says why.
 */
export class TeamsHolderReach implements HolderReach {
  constructor(
    private readonly conversations: ConversationStore,
    /** Null when TEAMS_APP_CATALOG_ID is not set: no proactive install. */
    private readonly installerFor:
      ((tenantId: string) => { personalChat(userId: string, signal?: AbortSignal): Promise<InstalledChat> }) | null,
  ) {}

  async reach(
    tenantId: string,
    holder: { userId: string; userPrincipalName: string },
    via: ConversationTarget,
    signal?: AbortSignal,
  ): Promise<HolderRoute> {
    const chat = this.conversations.personalChatOf(holder.userId);
    if (chat) return { kind: 'chat', target: chat.reference, how: 'personal_chat' };
    if (!this.installerFor) {
      return {
        kind: 'unreachable',
        reason: `${holder.userPrincipalName} has no chat with Seat Steward (they have not opened the app), and TEAMS_APP_CATALOG_ID is not set, so it cannot be installed for them.`,
      };
    }
    const installed = await this.installerFor(tenantId).personalChat(holder.userId, signal);
    if (installed.kind === 'unreachable') return installed;
    const conversation = via.conversation as { id: string; tenantId?: unknown };
    // The new chat lives on the same connector as the approvals conversation of this Teams tenant.
    const chatConversation: { id: string } & Record<string, unknown> = {
      id: installed.chatId,
      conversationType: 'personal',
    };
    if (typeof conversation.tenantId === 'string') chatConversation.tenantId = conversation.tenantId;
    const target: ConversationTarget = {
      channelId: 'msteams',
      serviceUrl: via.serviceUrl,
      bot: via.bot,
      conversation: chatConversation,
      user: { id: '', aadObjectId: holder.userId },
    };
    return { kind: 'chat', target, how: 'installed' };
  }
}
