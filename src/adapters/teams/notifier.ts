import { CardFactory, MessageFactory, type TurnContext } from 'botbuilder';
import type { TeamsAdapter } from '@microsoft/teams-ai';
import type { Logger } from 'pino';
import type { AdaptiveCardJson } from '../../domain/conversation';
import { channelConversationId } from '../../domain/conversation';
import { toConversationReference } from './conversation-reference';
import { ConversationGoneError, type Notifier } from '../../usecases/notify/ports';
import { type ConversationTarget } from '../../domain/conversation';
import { PermanentError, RetryableError } from '../../usecases/outbox/job-errors';
import { TeamsPostRate } from './post-rate';

/**
 * Posts proactively through the Bot Framework connector (sync results now, digests later). It
 * throws instead of swallowing: the outbox decides from the error class whether to retry (and
 * when) or to dead-letter the post for the admin to see.
 */
export class TeamsNotifier implements Notifier {
  constructor(
    private readonly adapter: TeamsAdapter,
    private readonly appId: string,
    private readonly logger: Logger,
    private readonly rate: TeamsPostRate = new TeamsPostRate(),
  ) {}

  async post(target: ConversationTarget, cards: AdaptiveCardJson[], what: string): Promise<void> {
    const failure = await inConversation(this.adapter, this.appId, target, async (context) => {
      this.withoutInnerRetries(context.turnState.get(this.adapter.ConnectorClientKey));
      // One card a message: Teams' 28 KB limit applies to the whole message.
      for (const card of cards) {
        await this.rate.take(target.conversation.id);
        await context.sendActivity(MessageFactory.attachment(CardFactory.adaptiveCard(card)));
      }
    });
    if (!failure) return;
    const problem = deliveryError(failure.error, what, target);
    this.logger.warn(
      {
        err: failure.error,
        conversation: target.conversation.id,
        what,
        retryable: !(problem instanceof PermanentError),
      },
      'proactive post failed',
    );
    throw problem;
  }

  private warnedRetries = false;

  /**
   * The connector client retries 429 (sleeping out Retry-After), 5xx and network errors itself, up
   * to 3 times, inside the job: the runner slot stays taken while it sleeps, and a fan-out crawls at
   * the concurrency over Retry-After. Posts run as outbox jobs, which retry the same errors after
   * the same Retry-After without holding a slot, so this turn's client (one per turn) goes without.
   */
  private withoutInnerRetries(connector: unknown): void {
    // botbuilder keeps its core-client ServiceClient private; an upgrade may move it, and then posts keep the inner retries (slower, still correct).
    const pipeline = (
      connector as { client?: { pipeline?: { removePolicy?: (p: { name: string }) => unknown[] } } } | undefined
    )?.client?.pipeline;
    const removed =
      typeof pipeline?.removePolicy === 'function' ? pipeline.removePolicy({ name: CONNECTOR_RETRY_POLICY }) : [];
    if (removed.length === 0 && !this.warnedRetries) {
      this.warnedRetries = true;
      this.logger.warn(
        `the Bot Framework connector client has no "${CONNECTOR_RETRY_POLICY}" to turn off (botbuilder changed?): proactive posts retry 429 inside their job, which slows fan-outs`,
      );
    }
  }
}

/**
 * Runs `work` in a proactive turn of the conversation and returns what failed, if anything. The
 * adapter hands an error thrown inside the turn to the bot's onTurnError (which logs it and returns),
 * so continueConversationAsync would resolve as if the post had gone out: it is caught here.
 */
export async function inConversation(
  adapter: TeamsAdapter,
  appId: string,
  target: ConversationTarget,
  work: (context: TurnContext) => Promise<void>,
): Promise<{ error: unknown } | undefined> {
  let failure: { error: unknown } | undefined;
  try {
    await adapter.continueConversationAsync(appId, toConversationReference(target), async (context) => {
      try {
        await work(context);
      } catch (error) {
        failure = { error };
      }
    });
  } catch (error) {
    failure = { error };
  }
  return failure;
}

/** @azure/core-rest-pipeline's name for the retry policy its default pipeline adds. */
const CONNECTOR_RETRY_POLICY = 'defaultRetryPolicy';

const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'ESOCKETTIMEDOUT',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EPIPE',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'REQUEST_SEND_ERROR',
]);

interface ConnectorErrorLike {
  statusCode?: unknown;
  code?: unknown;
  message?: unknown;
  response?: { status?: unknown; headers?: unknown };
}

/**
 * What a failed post means for its retry. The notifier turns off the connector client's own
 * retries, so this is the first answer: the outbox retries it (after Retry-After for a 429).
 */
export function deliveryError(error: unknown, what: string, target: ConversationTarget): Error {
  const e = (typeof error === 'object' && error !== null ? error : {}) as ConnectorErrorLike;
  const status =
    typeof e.statusCode === 'number'
      ? e.statusCode
      : typeof e.response?.status === 'number'
        ? e.response.status
        : undefined;
  const code = typeof e.code === 'string' ? e.code : undefined;
  const text = typeof e.message === 'string' ? e.message : String(error);
  const conversation = target.conversation.id;
  const said = `${status ?? ''}${code ? ` ${code}` : ''}: ${text}`.trim();

  if (status === undefined) {
    if (code && NETWORK_CODES.has(code)) {
      return new RetryableError(
        `Could not reach the Teams connector at ${target.serviceUrl} to post the ${what} (${code}: ${text}). Check that this server can reach it (proxy, firewall, DNS).`,
        { cause: error },
      );
    }
    // Not from the connector (a bug, a rendering failure): the outbox retries it with backoff.
    return error instanceof Error ? error : new Error(String(error));
  }
  if (status === 429 || status === 408 || status >= 500) {
    return new RetryableError(`Teams could not take the ${what} right now (${said}).`, {
      retryAfter: retryAfterHeader(e.response?.headers),
      cause: error,
    });
  }
  if (status === 401) {
    return new RetryableError(
      `Teams rejected the bot's credentials when posting the ${what} (${said}). Check BOT_ID, SECRET_BOT_PASSWORD and the bot's app type and tenant settings; the post is retried.`,
      { cause: error },
    );
  }
  if (status === 403 || status === 404) {
    return new ConversationGoneError(
      `Teams refused the ${what} for conversation ${conversation} (${said}): the bot was removed from that chat or team, or it no longer exists. Add Seat Steward there again to get its posts.`,
      // Stored conversations are channels, not the thread a message came in on.
      channelConversationId(conversation),
      { cause: error },
    );
  }
  return new PermanentError(`Teams rejected the ${what} for conversation ${conversation} (${said}).`, { cause: error });
}

function retryAfterHeader(headers: unknown): string | undefined {
  if (!headers || typeof headers !== 'object') return undefined;
  const get = (headers as { get?: unknown }).get;
  const value =
    typeof get === 'function'
      ? (get as (name: string) => unknown).call(headers, 'retry-after')
      : (headers as Record<string, unknown>)['retry-after'];
  return typeof value === 'string' && value.trim() !== '' ? value : undefined;
}
