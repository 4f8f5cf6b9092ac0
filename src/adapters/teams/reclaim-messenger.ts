import { CardFactory, MessageFactory, type TurnContext } from 'botbuilder';
import type { TeamsAdapter } from '@microsoft/teams-ai';
import type { Logger } from 'pino';
import type { AdaptiveCardJson } from '../../domain/conversation';
import type { ConversationTarget } from '../../domain/conversation';
import type { ReclaimMessenger } from '../../usecases/reclaim/ports';
import { deliveryError, inConversation } from './notifier';
import { TeamsPostRate } from './post-rate';

/**
 * The reclaim request card in the approvals conversation: posted once (its activity id kept) and
 * then updated in place as the request moves. Errors come out as the notifier's do, so the outbox
 * retries throttling and outages and dead-letters a chat the bot was removed from.
 */
export class TeamsReclaimMessenger implements ReclaimMessenger {
  constructor(
    private readonly adapter: TeamsAdapter,
    private readonly appId: string,
    private readonly logger: Logger,
    private readonly rate: TeamsPostRate = new TeamsPostRate(),
  ) {}

  async postCard(target: ConversationTarget, card: AdaptiveCardJson, what: string): Promise<{ activityId: string }> {
    let activityId = '';
    await this.inConversation(target, what, async (context) => {
      await this.rate.take(target.conversation.id);
      const sent = await context.sendActivity(MessageFactory.attachment(CardFactory.adaptiveCard(card)));
      activityId = sent?.id ?? '';
    });
    return { activityId };
  }

  async updateCard(
    target: ConversationTarget,
    activityId: string,
    card: AdaptiveCardJson,
    what: string,
  ): Promise<void> {
    await this.inConversation(target, what, async (context) => {
      await this.rate.take(target.conversation.id);
      await context.updateActivity({ ...MessageFactory.attachment(CardFactory.adaptiveCard(card)), id: activityId });
    });
  }

  private async inConversation(
    target: ConversationTarget,
    what: string,
    work: (context: TurnContext) => Promise<void>,
  ): Promise<void> {
    const failure = await inConversation(this.adapter, this.appId, target, work);
    if (!failure) return;
    this.logger.warn({ err: failure.error, conversation: target.conversation.id, what }, 'reclaim card post failed');
    throw deliveryError(failure.error, what, target);
  }
}
