import { CardFactory, MessageFactory, type TurnContext } from 'botbuilder';
import type { Logger } from 'pino';
import type { ConversationRegistry } from '../../usecases/notify/ports';
import { forgetConversation, installedInText, isPersonal, rememberConversation } from './activity';
import { renderCard } from '../../cards/render';
import type { CommandHelp } from '../../cards/view-models';
import { BOT_NAME, mentionHint } from './text';

/** Install and uninstall: remember where the bot may post later, and say hello once. */
export class Installs {
  constructor(
    private readonly conversations: ConversationRegistry,
    private readonly commandList: () => CommandHelp[],
    private readonly logger: Logger,
  ) {}

  async added(context: TurnContext): Promise<void> {
    rememberConversation(this.conversations, context.activity);
    const card = renderCard('welcome', {
      botName: BOT_NAME,
      tagline: 'Keeps your Microsoft 365 licenses, and above all your Copilot seats, in use.',
      installedIn: installedInText(context.activity),
      mentionHint: mentionHint(isPersonal(context.activity)),
      commands: this.commandList(),
    });
    await context.sendActivity(MessageFactory.attachment(CardFactory.adaptiveCard(card)));
  }

  removed(context: TurnContext, what: string): void {
    const n = forgetConversation(this.conversations, context.activity);
    this.logger.info({ conversation: context.activity.conversation?.id, deactivated: n }, what);
  }

  /** Teams sends installationUpdate alongside membersAdded: the welcome goes out on the latter only. */
  installationUpdate(context: TurnContext): void {
    if (String(context.activity.action ?? '').startsWith('remove')) this.removed(context, 'app uninstalled');
    else rememberConversation(this.conversations, context.activity);
  }
}
