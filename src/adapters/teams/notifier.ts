import { CardFactory, MessageFactory, type ConversationReference } from 'botbuilder';
import type { TeamsAdapter } from '@microsoft/teams-ai';
import type { Logger } from 'pino';
import type { AdaptiveCardJson } from '../../cards/render';
import type { ConversationTarget, Notifier } from '../../usecases/notify/ports';

/** Posts proactively through the Bot Framework connector (sync results now, digests later). */
export class TeamsNotifier implements Notifier {
  constructor(
    private readonly adapter: TeamsAdapter,
    private readonly appId: string,
    private readonly logger: Logger,
  ) {}

  /** Never throws: a chat that is gone must not break the sync that reports into it. */
  async post(target: ConversationTarget, cards: AdaptiveCardJson[], what: string): Promise<boolean> {
    try {
      await this.adapter.continueConversationAsync(this.appId, target as Partial<ConversationReference>, async (context) => {
        // One card a message: Teams' 28 KB limit applies to the whole message.
        for (const card of cards) await context.sendActivity(MessageFactory.attachment(CardFactory.adaptiveCard(card)));
      });
      return true;
    } catch (error) {
      this.logger.warn({ err: error, conversation: target.conversation.id, what }, 'proactive post failed');
      return false;
    }
  }
}
