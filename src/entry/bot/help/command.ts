import { renderCard } from '../../../cards/render';
import type { CommandHelp } from '../../../cards/view-models';
import type { BotCommand } from '../bot-types';
import { BOT_NAME, mentionHint } from '../text';

/** `help`: the command list, built from the registered commands so it never drifts from them. */
export function helpCommand(commandList: () => CommandHelp[]): BotCommand {
  return {
    name: 'help',
    usage: 'help',
    description: 'List the commands.',
    async run(request) {
      return [
        {
          kind: 'card',
          card: renderCard('help', {
            botName: BOT_NAME,
            mentionHint: mentionHint(request.personal),
            commands: commandList(),
          }),
        },
      ];
    },
  };
}
