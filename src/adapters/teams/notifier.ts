import { MessageFactory, type Attachment, type ConversationReference } from 'botbuilder';
import type { TeamsAdapter } from '@microsoft/teams-ai';
import type { Logger } from 'pino';
import { PermanentError, RetryableError } from '../../usecases/outbox/job-errors';
import type { CardAttachment, ChatPoster, ChatReference } from '../../usecases/notify/chat-poster';

/**
 * Posts proactively into a conversation the bot was installed in (sync results now, digests later).
 * It throws instead of swallowing: posts run as outbox jobs, and the outbox decides, from the error
 * class, whether to retry (and when) or to dead-letter the post for the admin to see.
 */
export class Notifier implements ChatPoster {
  constructor(
    private readonly adapter: TeamsAdapter,
    private readonly appId: string,
    private readonly logger: Logger,
  ) {}

  async post(reference: ChatReference, attachments: CardAttachment[], what: string): Promise<void> {
    // The adapter hands an error thrown inside the turn to the bot's onTurnError (which logs it and
    // returns), so continueConversationAsync would resolve as if the post had gone out: catch it here.
    let failure: { error: unknown } | undefined;
    try {
      // The reference was stored from a real activity (and validated when queued); botbuilder's type wants more fields than it uses.
      await this.adapter.continueConversationAsync(this.appId, reference as unknown as Partial<ConversationReference>, async (context) => {
        try {
          for (const attachment of attachments) await context.sendActivity(MessageFactory.attachment(attachment as Attachment));
        } catch (error) {
          failure = { error };
        }
      });
    } catch (error) {
      failure = { error };
    }
    if (!failure) return;
    const problem = deliveryError(failure.error, what, reference);
    this.logger.warn({ err: failure.error, conversation: reference.conversation.id, what, retryable: !(problem instanceof PermanentError) }, 'proactive post failed');
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
export function deliveryError(error: unknown, what: string, reference: ChatReference): Error {
  const e = (typeof error === 'object' && error !== null ? error : {}) as ConnectorErrorLike;
  const status = typeof e.statusCode === 'number' ? e.statusCode : typeof e.response?.status === 'number' ? e.response.status : undefined;
  const code = typeof e.code === 'string' ? e.code : undefined;
  const text = typeof e.message === 'string' ? e.message : String(error);
  const conversation = reference.conversation.id;
  const said = `${status ?? ''}${code ? ` ${code}` : ''}: ${text}`.trim();

  if (status === undefined) {
    if (code && NETWORK_CODES.has(code)) {
      return new RetryableError(`Could not reach the Teams connector at ${reference.serviceUrl} to post the ${what} (${code}: ${text}). Check that this server can reach it (proxy, firewall, DNS).`, { cause: error });
    }
    // Not from the connector (a bug, a rendering failure): the outbox retries it with backoff.
    return error instanceof Error ? error : new Error(String(error));
  }
  if (status === 429 || status === 408 || status >= 500) {
    const retryAfter = retryAfterHeader(e.response?.headers);
    return new RetryableError(`Teams could not take the ${what} right now (${said}).`, { retryAfter, cause: error });
  }
  if (status === 401) {
    return new RetryableError(
      `Teams rejected the bot's credentials when posting the ${what} (${said}). Check BOT_ID, SECRET_BOT_PASSWORD and the bot's app type and tenant settings; the post is retried.`,
      { cause: error },
    );
  }
  if (status === 403 || status === 404) {
    return new PermanentError(
      `Teams refused the ${what} for conversation ${conversation} (${said}): the bot was removed from that chat or team, or it no longer exists. Add Seat Steward there again to get its posts.`,
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
