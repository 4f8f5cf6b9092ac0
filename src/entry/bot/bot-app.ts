import { ActivityTypes, MessageFactory, TurnContext, type Activity, type Attachment } from 'botbuilder';
import { Application, type AdaptiveCard, type TeamsAdapter, type TurnState } from '@microsoft/teams-ai';
import type { Logger } from 'pino';
import { z } from 'zod';
import { renderCard } from '../../cards/render';
import type { StatusService } from '../../usecases/status/status-service';
import { syncResultView, syncStartedView } from '../../usecases/status/status-views';
import type { ConversationStore } from '../../adapters/sqlite/conversations';
import type { SyncRunRecord } from '../../adapters/sqlite/sync-runs';
import type { TenantRecord, TenantStore } from '../../adapters/sqlite/tenants';
import type { SyncService } from '../../usecases/sync/sync-service';
import { COMMANDS, parseCommand } from './command-parser';
import { forgetConversation, installedInText, isPersonal, rememberConversation, teamsTenantOf } from '../../adapters/teams/conversation-tracking';
import type { ChatReference } from '../../usecases/notify/chat-poster';
import type { JobQueue } from '../../usecases/outbox/job-runner';
import { requestSyncResultPost } from '../../usecases/sync/sync-jobs';

export const BOT_NAME = 'Seat Steward';

export interface BotDeps {
  adapter: TeamsAdapter;
  tenants: TenantStore;
  status: StatusService;
  sync: SyncService;
  conversations: ConversationStore;
  /** The outbox: result posts are queued there so they survive a crash and are retried. */
  jobs: JobQueue;
  logger: Logger;
  /** Teams tenants (lower-case) whose users may use the bot; empty = any. */
  allowedTenants: string[];
  /** How long a Sync now click waits for the result before answering "running" (Teams gives an invoke ~15 s). */
  cardSyncWaitMs?: number;
}

const tenantActionData = z.object({ tenantId: z.string().trim().min(1).max(128) }).passthrough();

type AdaptiveCardJson = AdaptiveCard;

/** The Teams bot: commands, install tracking and card actions, over the domain services. */
export function createBotApp(deps: BotDeps): Application<TurnState> {
  const { tenants, status, sync, conversations, jobs, logger } = deps;
  const app = new Application<TurnState>({
    adapter: deps.adapter,
    removeRecipientMention: true,
    startTypingTimer: false,
    longRunningMessages: false,
  });
  const cardSyncWaitMs = deps.cardSyncWaitMs ?? 8000;
  const commandsHelp = COMMANDS.map((c) => ({ command: c.usage, description: c.description }));
  const mentionHint = (activity: Activity) => (isPersonal(activity) ? '' : `Mention @${BOT_NAME}, then type a command.`);

  // License data belongs to the tenant's own admins: a turn from another Teams tenant is answered
  // with a refusal and goes no further (no stored reference, no sync).
  app.turn('beforeTurn', async (context) => {
    if (deps.allowedTenants.length === 0) return true;
    const callerTenant = teamsTenantOf(context.activity)?.toLowerCase();
    if (callerTenant && deps.allowedTenants.includes(callerTenant)) return true;
    logger.warn({ callerTenant, type: context.activity.type }, 'turn from a tenant that is not allowed');
    const message = 'Seat Steward serves the Microsoft 365 admins of its own organization only.';
    if (context.activity.type === ActivityTypes.Invoke) {
      await context.sendActivity({
        type: ActivityTypes.InvokeResponse,
        value: { status: 200, body: { statusCode: 200, type: 'application/vnd.microsoft.card.adaptive', value: errorCard('Not available', message) } },
      });
    } else if (context.activity.type === ActivityTypes.Message) {
      await context.sendActivity(message);
    }
    return false;
  });

  const welcome = async (context: TurnContext) => {
    rememberConversation(conversations, context.activity);
    await context.sendActivity(
      MessageFactory.attachment(
        renderCard('welcome', {
          botName: BOT_NAME,
          tagline: 'Keeps your Microsoft 365 licenses, and above all your Copilot seats, in use.',
          installedIn: installedInText(context.activity),
          mentionHint: mentionHint(context.activity),
          commands: commandsHelp,
        }),
      ),
    );
  };

  app.conversationUpdate('membersAdded', async (context) => {
    const botId = context.activity.recipient?.id;
    if ((context.activity.membersAdded ?? []).some((m) => m.id === botId)) await welcome(context);
  });

  app.conversationUpdate('membersRemoved', async (context) => {
    const botId = context.activity.recipient?.id;
    if ((context.activity.membersRemoved ?? []).some((m) => m.id === botId)) {
      const n = forgetConversation(conversations, context.activity);
      logger.info({ conversation: context.activity.conversation?.id, deactivated: n }, 'bot removed from conversation');
    }
  });

  // Teams sends installationUpdate alongside membersAdded; the welcome card goes out on the latter only.
  app.activity(ActivityTypes.InstallationUpdate, async (context) => {
    const action = String(context.activity.action ?? '');
    if (action.startsWith('remove')) {
      const n = forgetConversation(conversations, context.activity);
      logger.info({ conversation: context.activity.conversation?.id, deactivated: n }, 'app uninstalled');
    } else {
      rememberConversation(conversations, context.activity);
    }
  });

  app.activity(ActivityTypes.Message, async (context) => {
    rememberConversation(conversations, context.activity);
    const command = parseCommand(context.activity.text);
    switch (command.name) {
      case 'help':
        await context.sendActivity(
          MessageFactory.attachment(renderCard('help', { botName: BOT_NAME, mentionHint: mentionHint(context.activity), commands: commandsHelp })),
        );
        return;
      case 'status':
        await replyStatus(context, command.argument);
        return;
      case 'sync':
        await replySync(context, command.argument);
        return;
      default:
        await context.sendActivity(
          command.text
            ? `I don't know "${truncate(command.text, 60)}". Try **status**, **sync** or **help**.`
            : 'Type **status**, **sync** or **help**.',
        );
    }
  });

  const replyStatus = async (context: TurnContext, argument: string) => {
    const matched = tenantsOrHint(argument);
    if (typeof matched === 'string') {
      await context.sendActivity(matched);
      return;
    }
    // One message per tenant: Teams' 28 KB limit applies to a whole message, not to each card in it.
    for (const tenant of matched) await context.sendActivity(MessageFactory.attachment(renderCard('status', { tenant: status.view(tenant) })));
  };

  const replySync = async (context: TurnContext, argument: string) => {
    const matched = tenantsOrHint(argument);
    if (typeof matched === 'string') {
      await context.sendActivity(matched);
      return;
    }
    const reference = chatReferenceOf(context.activity);
    for (const tenant of matched) {
      const request = sync.request(tenant.id, 'command');
      await context.sendActivity(MessageFactory.attachment(renderCard('sync-started', syncStartedView(tenant, request.run, request.joined))));
      requestSyncResultPost(jobs, request.run, reference);
    }
  };

  const tenantsOrHint = (argument: string): TenantRecord[] | string => {
    const matched = status.matchTenants(argument);
    if (matched.length > 0) return matched;
    const names = tenants.list().map((t) => t.tenantName);
    return names.length === 0
      ? 'No tenant is connected yet. See the README section "Connect a real tenant".'
      : `No tenant matches "${truncate(argument, 60)}". Connected tenants: ${names.join(', ')}.`;
  };

  const syncResultCard = (run: SyncRunRecord): Attachment => {
    const tenant = tenants.find(run.tenantId);
    if (!tenant) throw new Error(`tenant ${run.tenantId} of sync run ${run.id} is gone`);
    return renderCard('sync-result', syncResultView(tenant, run));
  };

  const cardContent = (attachment: Attachment): AdaptiveCardJson => attachment.content as AdaptiveCardJson;
  const errorCard = (title: string, message: string): AdaptiveCardJson => cardContent(renderCard('error', { title, message }));

  /** Validates what a card button sent back: card data can be stale or tampered with. */
  const tenantFromAction = (data: unknown): TenantRecord | AdaptiveCardJson => {
    const parsed = tenantActionData.safeParse(data);
    if (!parsed.success) {
      return errorCard('This button is missing its tenant', 'The card did not say which tenant it is for. Type **status** for a fresh card.');
    }
    const tenant = tenants.find(parsed.data.tenantId);
    if (!tenant) {
      return errorCard('Unknown tenant', `This card refers to a tenant Seat Steward does not know (it may have been removed). Type **status** for a fresh card.`);
    }
    return tenant;
  };

  app.adaptiveCards.actionExecute('tenant.sync', async (context, _state, data) => {
    const tenant = tenantFromAction(data);
    if (!isTenant(tenant)) return tenant;
    rememberConversation(conversations, context.activity);
    const request = sync.request(tenant.id, 'card');
    const finished = await Promise.race([request.done, delay(cardSyncWaitMs).then(() => undefined)]);
    if (finished) return cardContent(syncResultCard(finished));
    // Still running: show it as running now and post the result when it lands.
    requestSyncResultPost(jobs, request.run, chatReferenceOf(context.activity));
    return cardContent(renderCard('status', { tenant: status.view(tenant) }));
  });

  app.adaptiveCards.actionExecute('tenant.status', async (_context, _state, data) => {
    const tenant = tenantFromAction(data);
    if (!isTenant(tenant)) return tenant;
    return cardContent(renderCard('status', { tenant: status.view(tenant) }));
  });

  // A verb this version does not know (an old card, or a tampered one) gets an explanation instead of a bare 501.
  app.adaptiveCards.actionExecute(/.*/, async (context) => {
    const verb = (context.activity.value as { action?: { verb?: unknown } } | undefined)?.action?.verb;
    logger.warn({ verb }, 'unknown card action');
    return errorCard('This button is not supported', `Seat Steward does not know the action "${truncate(String(verb ?? ''), 40)}". Type **help** for what it can do.`);
  });

  app.error(async (context, error) => {
    logger.error({ err: error, activityType: context.activity?.type }, 'bot turn failed');
    if (context.activity?.type === ActivityTypes.Message) {
      await context.sendActivity('Sorry, that failed inside Seat Steward. The details are in its log; try again, or type **help**.').catch(() => undefined);
    }
  });

  return app;
}

function isTenant(value: TenantRecord | AdaptiveCardJson): value is TenantRecord {
  return typeof (value as TenantRecord).tenantId === 'string' && typeof (value as TenantRecord).id === 'string' && !('type' in value);
}

/** Where a later post to this conversation goes (the thread, for a channel message). */
function chatReferenceOf(activity: Activity): ChatReference {
  const reference = TurnContext.getConversationReference(activity);
  return { ...reference, serviceUrl: activity.serviceUrl, conversation: { ...reference.conversation, id: activity.conversation.id } };
}

function truncate(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms).unref());
}
