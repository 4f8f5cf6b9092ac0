import { MessageFactory, type Attachment, type ConversationReference } from 'botbuilder';
import type { TeamsAdapter } from '@microsoft/teams-ai';
import type { Logger } from 'pino';

/** Posts proactively into a conversation the bot was installed in (sync results now, digests later). */
export class Notifier {
  constructor(
    private readonly adapter: TeamsAdapter,
    private readonly appId: string,
    private readonly logger: Logger,
  ) {}

  /** Never throws: a chat that is gone must not break the sync that reports into it. Returns whether it was delivered. */
  async post(reference: Partial<ConversationReference>, attachments: Attachment[], what: string): Promise<boolean> {
    try {
      await this.adapter.continueConversationAsync(this.appId, reference, async (context) => {
        for (const attachment of attachments) await context.sendActivity(MessageFactory.attachment(attachment));
      });
      return true;
    } catch (error) {
      this.logger.warn({ err: error, conversation: reference.conversation?.id, what }, 'proactive post failed');
      return false;
    }
  }
}
