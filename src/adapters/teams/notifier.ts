import { CardFactory, MessageFactory, type ConversationReference } from 'botbuilder';
import type { TeamsAdapter } from '@microsoft/teams-ai';
import type { Logger } from 'pino';
import type { AdaptiveCardJson } from '../../cards/render';
import { channelConversationId } from './conversation-tracking';
import { ConversationGoneError, type ConversationTarget, type Notifier } from '../../usecases/notify/ports';
import { PermanentError, RetryableError } from '../../usecases/outbox/job-errors';

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
  ) {}

  async post(target: ConversationTarget, cards: AdaptiveCardJson[], what: string): Promise<void> {
    // The adapter hands an error thrown inside the turn to the bot's onTurnError (which logs it and
    // returns), so continueConversationAsync would resolve as if the post had gone out: catch it here.
    let failure: { error: unknown } | undefined;
    try {
      await this.adapter.continueConversationAsync(this.appId, target as Partial<ConversationReference>, async (context) => {
        try {
          // One card a message: Teams' 28 KB limit applies to the whole message.
          for (const card of cards) await context.sendActivity(MessageFactory.attachment(CardFactory.adaptiveCard(card)));
        } catch (error) {
          failure = { error };
        }
      });
    } catch (error) {
      failure = { error };
    }
    if (!failure) return;
    const problem = deliveryError(failure.error, what, target);
    this.logger.warn({ err: failure.error, conversation: target.conversation.id, what, retryable: !(problem instanceof PermanentError) }, 'proactive post failed');
    throw problem;
  }
}

const NETWORK_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'ESOCKETTIMEDOUT', 'ENOTFOUND', 'EAI_AGAIN', 'EPIPE', 'EHOSTUNREACH', 'ENETUNREACH', 'REQUEST_SEND_ERROR']);

interface ConnectorErrorLike {
  statusCode?: unknown;
  code?: unknown;
  message?: unknown;
  response?: { status?: unknown; headers?: unknown };
}

/**
 * What a failed post means for its retry. The connector client has already retried 429/5xx and
 * network errors a few times itself, so what arrives here has outlasted those.
 */
export function deliveryError(error: unknown, what: string, target: ConversationTarget): Error {
  const e = (typeof error === 'object' && error !== null ? error : {}) as ConnectorErrorLike;
  const status = typeof e.statusCode === 'number' ? e.statusCode : typeof e.response?.status === 'number' ? e.response.status : undefined;
  const code = typeof e.code === 'string' ? e.code : undefined;
  const text = typeof e.message === 'string' ? e.message : String(error);
  const conversation = target.conversation.id;
  const said = `${status ?? ''}${code ? ` ${code}` : ''}: ${text}`.trim();

  if (status === undefined) {
    if (code && NETWORK_CODES.has(code)) {
      return new RetryableError(`Could not reach the Teams connector at ${target.serviceUrl} to post the ${what} (${code}: ${text}). Check that this server can reach it (proxy, firewall, DNS).`, { cause: error });
    }
    // Not from the connector (a bug, a rendering failure): the outbox retries it with backoff.
    return error instanceof Error ? error : new Error(String(error));
  }
  if (status === 429 || status === 408 || status >= 500) {
    return new RetryableError(`Teams could not take the ${what} right now (${said}).`, { retryAfter: retryAfterHeader(e.response?.headers), cause: error });
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
  const value = typeof get === 'function' ? (get as (name: string) => unknown).call(headers, 'retry-after') : (headers as Record<string, unknown>)['retry-after'];
  return typeof value === 'string' && value.trim() !== '' ? value : undefined;
}
