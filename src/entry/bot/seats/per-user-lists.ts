import type { AdaptiveCardJson } from '../../../cards/render';
import { channelConversationId, type ConversationTarget } from '../../../domain/conversation';
import type { Actor } from '../bot-types';
import { clipText } from '../text';

/**
 * Where per-user lists (`inactive`, `candidates` and their page buttons) are shown. One rule:
 * in a personal chat, and in the chat or channel the admins chose for a tenant's reclaim approvals
 * (`reclaim approvals here`); anywhere else (a group chat or channel every member reads) the bot
 * shows counts only and posts the list to the asking admin's personal chat with the bot.
 */
export interface PerUserListDeps {
  /** The bot's personal chat with this person (Entra object id), when they installed the app or wrote to it. */
  personalChatOf: (aadObjectId: string) => ConversationTarget | undefined;
  /** The conversation `reclaim approvals here` chose for the tenant, if any. */
  approvalsConversation: (tenantId: string) => ConversationTarget | undefined;
  /** Posts cards into a conversation (the admin's personal chat). */
  post: (target: ConversationTarget, cards: AdaptiveCardJson[], what: string) => Promise<void>;
}

/** Where the command or button came from. */
export interface ListPlace {
  personal: boolean;
  replyTarget: ConversationTarget;
}

/** A channel message's conversation id carries ";messageid=<thread root>"; the channel is what was chosen. */
const chatId = (target: ConversationTarget): string => channelConversationId(target.conversation.id).toLowerCase();

export function listShownHere(deps: PerUserListDeps, tenantId: string, place: ListPlace): boolean {
  if (place.personal) return true;
  const chosen = deps.approvalsConversation(tenantId);
  return chosen !== undefined && chatId(chosen) === chatId(place.replyTarget);
}

/**
 * Posts the list to the admin's personal chat and says so, or says how to open one. `command`
 * is what to type there for the same list. Never throws: the group still gets its counts.
 */
export async function sendToPersonalChat(
  deps: PerUserListDeps,
  actor: Actor,
  cards: AdaptiveCardJson[],
  command: string,
  what: string,
): Promise<string> {
  const chat = actor.aadObjectId ? deps.personalChatOf(actor.aadObjectId) : undefined;
  const typeThere = `type **${command}** there`;
  if (!chat) {
    return `The list names people, so it is shown only in a personal chat, and you have none with Seat Steward yet. Open one (select Seat Steward's name in this chat and choose **Chat**, or find Seat Steward under **Apps**), then ${typeThere}.`;
  }
  try {
    await deps.post(chat, cards, what);
    return 'The list names people, so it was sent to your personal chat with Seat Steward.';
  } catch (error) {
    const why = error instanceof Error ? ` (${clipText(error.message, 200)})` : '';
    return `The list names people, so it is shown only in a personal chat, and posting it to yours failed just now${why}. Open your chat with Seat Steward and ${typeThere}.`;
  }
}
