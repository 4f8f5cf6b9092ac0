import { ActivityTypes, CardFactory, MessageFactory, type Activity, type TurnContext } from 'botbuilder';
import type { AdaptiveCard, TeamsAdapter, TurnState } from '@microsoft/teams-ai';
// The module itself, not the package index: the index also loads the AI parts (tokenizers with their
// tables, OpenAI clients, embeddings), about 11 MB of heap the bot never uses.
import { Application } from '@microsoft/teams-ai/lib/Application';
import type { ActivityOutcome, ActivityProcessor } from '../http/http-server';
import type { Logger } from 'pino';
import type { AdaptiveCardJson } from '../../cards/render';
import type { CommandHelp } from '../../cards/view-models';
import type { ConversationRegistry } from '../../usecases/notify/ports';
import { isPersonal, rememberConversation, replyTargetOf } from './activity';
import type { Actor, BotCommand, CommandReply, RegisteredCardAction } from './bot-types';
import { COMMAND_ORDER, parseCommand, suggestCommands, type CommandName } from './command-parser';
import { errorCard } from './error-card';
import { Installs } from './installs';
import { invokeCardResponse } from './invoke-response';
import { admitTenant } from './tenant-gate';
import { clipText } from './text';
import { hasControlCharacter } from '../input-text';

export interface BotDeps {
  adapter: TeamsAdapter;
  conversations: ConversationRegistry;
  logger: Logger;
  /** Teams tenants (lower-case) whose users may use the bot; empty = any. */
  allowedTenants: string[];
  /** Every text command, one handler each (commands/). `help` lists them in this order. */
  commands: (commandList: () => CommandHelp[]) => BotCommand[];
  /** Every Action.Execute verb, one handler each (card-actions/). */
  cardActions: RegisteredCardAction[];
  /** Each sender of a message or a card action (the reclaim card's refresh names approvers by their Teams id). */
  onActor?: (actor: Actor) => void;
  /** Runs a command or card action in its sender's access scope (access-scope.ts): which tenants it may see. */
  asActor: <T>(actor: Actor, work: () => Promise<T>) => Promise<T>;
}

/**
 * The Teams edge: routes activities to the command and card-action handlers and turns their
 * typed answers into Bot Framework messages and invoke responses. No decisions live here.
 */
export function createBotApp(deps: BotDeps): Application<TurnState> {
  const { conversations, logger } = deps;
  const app = new Application<TurnState>({
    adapter: deps.adapter,
    removeRecipientMention: true,
    startTypingTimer: false,
    longRunningMessages: false,
  });

  let commands: BotCommand[] = [];
  // The product's commands first (COMMAND_ORDER), whatever order they were registered in.
  const rank = (name: CommandName) => {
    const at = COMMAND_ORDER.indexOf(name);
    return at === -1 ? COMMAND_ORDER.length : at;
  };
  const commandList = (): CommandHelp[] =>
    [...commands]
      .sort((a, b) => rank(a.name) - rank(b.name))
      .map((c) => ({ command: c.usage, description: c.description }));
  commands = deps.commands(commandList);
  const byName = new Map<CommandName, BotCommand>(commands.map((c) => [c.name, c]));
  const installs = new Installs(conversations, commandList, logger);

  app.turn('beforeTurn', (context) => admitTenant(context, deps.allowedTenants, logger));

  app.conversationUpdate('membersAdded', async (context) => {
    const botId = context.activity.recipient?.id;
    if ((context.activity.membersAdded ?? []).some((m) => m.id === botId)) await installs.added(context);
  });
  app.conversationUpdate('membersRemoved', async (context) => {
    const botId = context.activity.recipient?.id;
    if ((context.activity.membersRemoved ?? []).some((m) => m.id === botId))
      installs.removed(context, 'bot removed from conversation');
  });
  app.activity(ActivityTypes.InstallationUpdate, async (context) => installs.installationUpdate(context));

  app.activity(ActivityTypes.Message, async (context) => {
    rememberConversation(conversations, context.activity);
    const parsed = parseCommand(context.activity.text);
    // The REST API's rule: no command takes control characters, and they are never echoed back.
    if (hasControlCharacter(parsed.text)) {
      await context.sendActivity(
        'Your message contains control characters (such as NUL or terminal escape codes), which no command takes. Type it again without them, or type **help**.',
      );
      return;
    }
    const command = parsed.name === 'unknown' ? undefined : byName.get(parsed.name);
    if (!command) {
      await context.sendActivity(unknownTextHint(parsed.text));
      return;
    }
    const actor = actorOf(context);
    deps.onActor?.(actor);
    const replies = await deps.asActor(actor, () =>
      command.run({
        argument: parsed.argument,
        personal: isPersonal(context.activity),
        replyTarget: replyTargetOf(context.activity),
        actor,
        timeZone: timeZoneOf(context.activity),
        requestId: context.activity.id,
      }),
    );
    for (const reply of replies) await send(context, reply);
  });

  for (const action of deps.cardActions) {
    app.adaptiveCards.actionExecute(action.verb, async (context, _state, data): Promise<AdaptiveCard | string> => {
      rememberConversation(conversations, context.activity);
      const actor = actorOf(context);
      deps.onActor?.(actor);
      const answer = await deps.asActor(actor, () =>
        action.run(data, {
          replyTarget: replyTargetOf(context.activity),
          personal: isPersonal(context.activity),
          actor,
        }),
      );
      if (answer.type === 'AdaptiveCard') return asTeamsCard(answer);
      // A string makes teams-ai answer with a message response: Teams leaves the pressed card as it was.
      if (answer.type === 'post')
        await context.sendActivity(MessageFactory.attachment(CardFactory.adaptiveCard(answer.card)));
      return answer.note;
    });
  }

  // Any other card action (an old card, a tampered one, one without a verb, or one with no action
  // at all) gets an explanation instead of a bare 501. Registered last: teams-ai runs the first
  // matching route. A plain invoke route, because teams-ai's actionExecute throws (and the turn
  // answers 501 with a stack in the log) when the activity carries no Action.Execute.
  app.addRoute(
    async (context) =>
      context.activity.type === ActivityTypes.Invoke && context.activity.name === 'adaptiveCard/action',
    async (context) => {
      const action = (context.activity.value as { action?: unknown } | undefined)?.action;
      const verb = action !== null && typeof action === 'object' ? (action as { verb?: unknown }).verb : undefined;
      logger.warn(
        { verb: typeof verb === 'string' ? verb : typeof verb, action: action === null ? 'null' : typeof action },
        'unknown card action',
      );
      const message =
        typeof verb === 'string' && verb.trim() !== ''
          ? `Seat Steward does not know the action "${clipText(verb, 40)}". Type **help** for what it can do.`
          : 'This button did not say what it does (its action has no verb). Type **help** for what Seat Steward can do.';
      await context.sendActivity(invokeCardResponse(errorCard('This button is not supported', message)));
    },
    true,
  );

  app.error(async (context, error) => {
    logger.error({ err: error, activityType: context.activity?.type }, 'bot turn failed');
    if (context.activity?.type === ActivityTypes.Message) {
      await context
        .sendActivity(
          'Sorry, that failed inside Seat Steward. The details are in its log; try again, or type **help**.',
        )
        .catch(() => undefined);
    }
  });

  return app;
}

async function send(context: TurnContext, reply: CommandReply): Promise<void> {
  if (reply.kind === 'text') await context.sendActivity(reply.text);
  else await context.sendActivity(MessageFactory.attachment(CardFactory.adaptiveCard(reply.card)));
}

/** Teams sends the client's zone as localTimezone and in a clientInfo entity ("timezone"). */
function timeZoneOf(activity: Activity): string | undefined {
  if (typeof activity.localTimezone === 'string' && activity.localTimezone !== '') return activity.localTimezone;
  const info = (activity.entities ?? []).find((e) => e.type === 'clientInfo') as { timezone?: unknown } | undefined;
  return typeof info?.timezone === 'string' && info.timezone !== '' ? info.timezone : undefined;
}

function actorOf(context: TurnContext): Actor {
  const from = context.activity.from;
  return {
    id: from?.id ?? '',
    ...(from?.aadObjectId ? { aadObjectId: from.aadObjectId } : {}),
    ...(from?.name ? { name: from.name } : {}),
  };
}

function asTeamsCard(card: AdaptiveCardJson): AdaptiveCard {
  return card as unknown as AdaptiveCard;
}

/**
 * The channel adapter's inbound side (src/adapters/teams): checks the Bot Framework token, then runs
 * the turn. Token failures come back as outcomes, not as bodies that name internal calls.
 */
export interface InboundChannel {
  processTurn(
    activity: Activity,
    authorization: string,
    logic: (context: TurnContext) => Promise<void>,
  ): Promise<ActivityOutcome>;
}

/** The /api/messages handler behind the HTTP layer's checks: the adapter checks the token, then the app routes the turn. */
export function activityProcessor(adapter: InboundChannel, app: Application<TurnState>): ActivityProcessor {
  return (activity, authorization) =>
    adapter.processTurn(withDates(activity), authorization, async (context) => {
      await app.run(context);
    });
}

/** Bot Framework timestamps arrive as strings; botbuilder's handlers expect Dates (what CloudAdapter.process did). */
function withDates(activity: Record<string, unknown>): Activity {
  for (const key of ['timestamp', 'localTimestamp', 'expiration'] as const) {
    const value = activity[key];
    if (typeof value === 'string') {
      activity[`raw${key[0].toUpperCase()}${key.slice(1)}`] = value;
      activity[key] = new Date(value);
    }
  }
  return activity as unknown as Activity;
}

/** Unknown text: the commands it most likely meant, else the product's main ones. */
function unknownTextHint(text: string): string {
  const main = orList(['inactive', 'savings', 'reclaim', 'help']);
  if (!text) return `Type ${main}.`;
  const suggestions = suggestCommands(text);
  const quoted = `I don't know "${clipText(text, 60)}".`;
  return suggestions.length === 0
    ? `${quoted} Try ${main}.`
    : `${quoted} Did you mean ${orList(suggestions)}? Type **help** for every command.`;
}

/** "**a**, **b** or **c**" */
function orList(names: readonly string[]): string {
  const bold = names.map((n) => `**${n}**`);
  return bold.length <= 1 ? bold.join('') : `${bold.slice(0, -1).join(', ')} or ${bold[bold.length - 1]}`;
}
