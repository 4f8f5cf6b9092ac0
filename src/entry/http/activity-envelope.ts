import net from 'node:net';
import { z } from 'zod';
import { ApiError } from '../api/api-errors';

/**
 * What an inbound Bot Framework activity must look like before any of it reaches the adapter,
 * the handlers or the database, and where the bot may send its replies.
 */

const MAX_ID_LENGTH = 1024;

/**
 * Ids end up in connector URL paths (/v3/conversations/{id}/activities/{replyToId}) and headers
 * (x-ms-conversation-id): a ".." id redirected a reply to another endpoint and a non-ASCII one
 * broke the header. Teams ids are printable ASCII, e.g. 19:abc@thread.tacv2;messageid=1699999999999.
 */
function idProblem(id: string): string | undefined {
  if (id.length === 0) return 'must not be empty';
  if (id.length > MAX_ID_LENGTH) return `must be at most ${MAX_ID_LENGTH} characters`;
  if (!/^[\x21-\x7e]+$/.test(id)) return 'must be printable ASCII (no spaces, control or non-ASCII characters)';
  if (id.split(/[/\\]/).some((segment) => /^(?:\.|%2e){1,2}$/i.test(segment)))
    return 'must not contain "." or ".." path segments';
  return undefined;
}

const botId = z
  .string({ required_error: 'required', invalid_type_error: 'expected a string' })
  .superRefine((id, ctx) => {
    const problem = idProblem(id);
    if (problem) ctx.addIssue({ code: 'custom', message: problem });
  });

const account = z
  .object({ id: botId }, { required_error: 'required', invalid_type_error: 'expected an object with an id' })
  .passthrough();
const jsonObject = z.record(z.unknown(), { invalid_type_error: 'expected a JSON object' });
const jsonArray = <T extends z.ZodTypeAny>(item: T) => z.array(item, { invalid_type_error: 'expected a JSON array' });
const optionalString = z.string({ invalid_type_error: 'expected a string' }).optional();

/**
 * An entity the bot framework reads: botbuilder lower-cases every entity's `type` and, for mentions,
 * reads `mentioned.id` (removeRecipientMention), so a missing one crashed the turn after a 200.
 */
const entity = z
  .object(
    {
      type: z.string({
        required_error: 'required (a string such as "mention" or "clientInfo")',
        invalid_type_error: 'expected a string',
      }),
    },
    { invalid_type_error: 'expected a JSON object' },
  )
  .passthrough()
  .superRefine((e, ctx) => {
    if (e.type.toLowerCase() !== 'mention') return;
    const mentioned = e.mentioned;
    if (mentioned === null || typeof mentioned !== 'object' || Array.isArray(mentioned)) {
      ctx.addIssue({
        code: 'custom',
        path: ['mentioned'],
        message: 'required for a mention: the mentioned account, an object with an id',
      });
    } else if (typeof (mentioned as { id?: unknown }).id !== 'string') {
      ctx.addIssue({
        code: 'custom',
        path: ['mentioned', 'id'],
        message: "expected a string (the mentioned account's id)",
      });
    }
  });

/** The fields the bot reads, typed; everything else passes through for the adapter untouched. */
export const activityEnvelope = z
  .object(
    {
      type: z
        .string({
          required_error: 'required (message, invoke, conversationUpdate, ...)',
          invalid_type_error: 'expected a string',
        })
        .min(1),
      id: botId.nullish(),
      serviceUrl: z.string({ required_error: 'required (where replies go)', invalid_type_error: 'expected a string' }),
      channelId: z.string({ required_error: 'required', invalid_type_error: 'expected a string' }).min(1),
      conversation: z
        .object({ id: botId }, { required_error: 'required', invalid_type_error: 'expected an object with an id' })
        .passthrough(),
      from: account,
      recipient: account,
      replyToId: botId.nullish(),
      text: optionalString,
      name: optionalString,
      action: optionalString,
      value: jsonObject.nullish(),
      channelData: jsonObject.nullish(),
      entities: jsonArray(entity).nullish(),
      attachments: jsonArray(jsonObject).nullish(),
      membersAdded: jsonArray(account).nullish(),
      membersRemoved: jsonArray(account).nullish(),
    },
    { invalid_type_error: 'expected a JSON object' },
  )
  .passthrough();

export type ActivityEnvelope = z.infer<typeof activityEnvelope>;

export function parseActivity(
  body: unknown,
): { ok: true; activity: ActivityEnvelope; serviceUrl: URL } | { ok: false; error: ApiError } {
  const parsed = activityEnvelope.safeParse(body);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join('.') || 'body'}: ${i.message}`);
    return {
      ok: false,
      error: new ApiError(400, 'invalid_activity', `Not a Bot Framework activity: ${problems.join('; ')}`, problems),
    };
  }
  const serviceUrl = parseServiceUrl(parsed.data.serviceUrl);
  if (typeof serviceUrl === 'string') {
    return {
      ok: false,
      error: new ApiError(400, 'invalid_activity', `Not a Bot Framework activity: serviceUrl: ${serviceUrl}`, [
        `serviceUrl: ${serviceUrl}`,
      ]),
    };
  }
  return { ok: true, activity: parsed.data, serviceUrl };
}

/** A connector URL, or what is wrong with it. Dot segments and credentials have no business in one. */
function parseServiceUrl(raw: string): URL | string {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return 'expected the connector URL';
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return 'expected an http(s) URL';
  if (url.username || url.password) return 'must not carry a user name or password';
  if (url.search || url.hash) return 'must not carry a query or fragment';
  if (/[\\]|%2e|\/\.{1,2}(?:\/|$)/i.test(raw)) return 'must not contain "." or ".." path segments';
  return url;
}

/** Loopback by address, not by name: 127.0.0.1.nip.io resolves anywhere its owner likes. */
export function isLoopbackHost(hostname: string): boolean {
  const host = hostname.replace(/^\[|\]$/g, '');
  if (host === 'localhost' || host === '::1') return true;
  return net.isIPv4(host) && host.startsWith('127.');
}

export function isLoopbackAddress(address: string | undefined): boolean {
  if (!address) return false;
  return isLoopbackHost(address.replace(/^::ffff:/, ''));
}

/**
 * The Bot Framework's connector hosts (https, default port): Teams public cloud, GCC, GCC High and
 * DoD, and the Bot Framework channels of the public and US government clouds.
 */
const CONNECTOR_HOSTS = new Set([
  'smba.trafficmanager.net',
  'smba.infra.gcc.teams.microsoft.com',
  'smba.infra.gov.teams.microsoft.us',
  'smba.infra.dod.teams.microsoft.us',
]);
const CONNECTOR_DOMAINS = ['.botframework.com', '.botframework.us', '.botframework.azure.us'];

function isBotFrameworkConnector(url: URL): boolean {
  if (url.protocol !== 'https:' || url.port !== '') return false;
  const host = url.hostname.toLowerCase();
  return CONNECTOR_HOSTS.has(host) || CONNECTOR_DOMAINS.some((domain) => host.endsWith(domain));
}

/** An extra allowed prefix (BOT_SERVICE_URLS) matches by origin, then by path prefix. */
function matchesPrefix(url: URL, prefix: string): boolean {
  const allowed = new URL(prefix);
  const path = allowed.pathname.endsWith('/') ? allowed.pathname : `${allowed.pathname}/`;
  return url.origin === allowed.origin && (url.pathname === allowed.pathname || url.pathname.startsWith(path));
}

export type ServiceUrlPolicy = { kind: 'loopback' } | { kind: 'bot-framework'; extra: readonly string[] };

/** Why replies may not go to this serviceUrl, or undefined when they may. */
export function serviceUrlRefusal(
  url: URL,
  policy: ServiceUrlPolicy,
  remoteAddress: string | undefined,
): ApiError | undefined {
  if (policy.kind === 'loopback') {
    if (isLoopbackAddress(remoteAddress) && isLoopbackHost(url.hostname)) return undefined;
    return new ApiError(
      401,
      'anonymous_mode_loopback_only',
      'Without BOT_ID the bot accepts activities only from this machine, replying to a local connector (localhost, 127.x.x.x or ::1). Register the bot (BOT_ID, SECRET_BOT_PASSWORD) to serve Teams.',
    );
  }
  if (isBotFrameworkConnector(url) || policy.extra.some((prefix) => matchesPrefix(url, prefix))) return undefined;
  return new ApiError(
    403,
    'service_url_not_allowed',
    `The activity's serviceUrl is not a Bot Framework connector. Teams and the Bot Framework use https://smba.trafficmanager.net/..., *.botframework.com and the government clouds' hosts; add other connectors to BOT_SERVICE_URLS.`,
  );
}
