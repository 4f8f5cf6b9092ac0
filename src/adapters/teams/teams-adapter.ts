import {
  ConfigurationServiceClientCredentialFactory,
  type Activity,
  type InvokeResponse,
  type TurnContext,
} from 'botbuilder';
// The module itself, not the package index, which also loads the AI parts (about 11 MB of heap unused here).
import { TeamsAdapter } from '@microsoft/teams-ai/lib/TeamsAdapter';
import type { BotAuth, BotTokenValidation } from '../../config/config';

/**
 * Why an inbound activity's token was not accepted: `unauthorized` when the token itself is bad
 * (forged, expired, wrong audience, missing), `unavailable` when it could not be checked because the
 * Bot Framework's OpenID metadata or signing keys could not be fetched.
 */
export class BotAuthError extends Error {
  constructor(
    readonly kind: 'unauthorized' | 'unavailable',
    cause: unknown,
  ) {
    super(
      kind === 'unauthorized'
        ? 'The Bot Framework token was not accepted.'
        : 'The Bot Framework signing keys could not be fetched.',
      { cause },
    );
    this.name = 'BotAuthError';
  }
}

/** Teams answers from a few regional service URLs; more than this means forged or test ones. */
const MAX_KEPT_CLIENTS = 64;

/**
 * CloudAdapterBase builds a new ConnectorClient and a new UserTokenClient for every inbound turn:
 * each a whole Azure core pipeline (a dozen policies, serializers, credentials), together about a
 * seventh of an `inactive` turn's CPU and garbage, for a reply. Neither holds per-turn state (their
 * credentials fetch and cache tokens per request), so one of each is kept per service URL,
 * audience and bot app id, as botbuilder's older BotFrameworkAdapter kept its connector clients.
 */
class KeptClients<C> {
  private readonly clients = new Map<string, Promise<C>>();

  get(key: string, create: () => Promise<C>): Promise<C> {
    const known = this.clients.get(key);
    if (known !== undefined) return known;
    // The service URL comes from the activity: the bound keeps made-up ones from growing the map.
    if (this.clients.size >= MAX_KEPT_CLIENTS) this.clients.clear();
    const client = create();
    this.clients.set(key, client);
    // A failed creation is not kept: the next turn tries again.
    client.catch(() => this.clients.delete(key));
    return client;
  }
}

/** The bot's app id a factory is built for: the token's audience, or its appid claim ('' when anonymous). */
function botAppIdOf(identity: { getClaimValue(type: string): string | null }): string {
  return identity.getClaimValue('aud') ?? identity.getClaimValue('appid') ?? '';
}

/** Error names jsonwebtoken gives a token that fails verification. */
const TOKEN_ERRORS = new Set(['JsonWebTokenError', 'TokenExpiredError', 'NotBeforeError']);

function authFailureKind(error: unknown): BotAuthError['kind'] | undefined {
  if (!(error instanceof Error)) return undefined;
  if (TOKEN_ERRORS.has(error.name)) return 'unauthorized';
  // node-fetch's errors: the OpenID metadata or JWKS endpoint did not answer, or answered garbage.
  if (error.name === 'FetchError' || error.name === 'AbortError') return 'unavailable';
  // botframework-connector's AuthenticationError: 401 for a rejected token, 500 when the keys failed to load.
  const status = (error as { statusCode?: unknown }).statusCode;
  if (typeof status === 'number') return status >= 500 ? 'unavailable' : 'unauthorized';
  return undefined;
}

/**
 * CloudAdapter.process writes failures itself, with the raw error message as the body (which
 * named the outbound OpenID call) and 500 for a forged token whenever the keys could not be
 * fetched. This runs the same steps but leaves the answer to the HTTP layer.
 */
export class SeatStewardAdapter extends TeamsAdapter {
  private readonly connectorClients = new KeptClients<unknown>();

  constructor(...args: ConstructorParameters<typeof TeamsAdapter>) {
    super(...args);
    // processActivity asks the authentication for a user token client per turn; it only depends on the app id.
    const auth = this.botFrameworkAuthentication;
    const create = auth.createUserTokenClient.bind(auth);
    const kept = new KeptClients<Awaited<ReturnType<typeof create>>>();
    auth.createUserTokenClient = (identity) => kept.get(botAppIdOf(identity), () => create(identity));
  }

  async processInbound(
    activity: Activity,
    authHeader: string,
    logic: (context: TurnContext) => Promise<void>,
  ): Promise<InvokeResponse | undefined> {
    const authenticated = await this.botFrameworkAuthentication
      .authenticateRequest(activity, authHeader)
      .catch((error: unknown) => {
        const kind = authFailureKind(error);
        throw kind ? new BotAuthError(kind, error) : error;
      });
    const factory = authenticated.connectorFactory;
    if (!factory) return this.processActivity(authenticated, activity, logic);
    const appId = botAppIdOf(authenticated.claimsIdentity);
    const connectorFactory: typeof factory = {
      create: (serviceUrl: string, audience?: string) =>
        this.connectorClients.get(JSON.stringify([serviceUrl, audience ?? null, appId]), () =>
          factory.create(serviceUrl, audience),
        ) as ReturnType<typeof factory.create>,
    };
    return this.processActivity({ ...authenticated, connectorFactory }, activity, logic);
  }

  /** processInbound, with a token that was not accepted (or could not be checked) as an outcome instead of a throw. */
  async processTurn(
    activity: Activity,
    authHeader: string,
    logic: (context: TurnContext) => Promise<void>,
  ): Promise<InboundOutcome> {
    try {
      const invoke = await this.processInbound(activity, authHeader, logic);
      return { kind: 'answered', status: invoke?.status ?? 200, body: invoke?.body };
    } catch (error) {
      if (error instanceof BotAuthError)
        return error.kind === 'unauthorized'
          ? { kind: 'unauthorized', cause: error.cause }
          : { kind: 'auth_unavailable', cause: error.cause };
      throw error;
    }
  }
}

/** How an inbound activity went, for the HTTP layer to answer (its ActivityOutcome). */
export type InboundOutcome =
  | { kind: 'answered'; status: number; body?: unknown }
  | { kind: 'unauthorized'; cause: unknown }
  | { kind: 'auth_unavailable'; cause: unknown };

/**
 * botframework-connector's public-cloud defaults. Once any endpoint is configured the connector
 * expects all of them (ParameterizedBotFrameworkAuthentication), so the rest keep these values.
 */
const PUBLIC_CLOUD = {
  ToBotFromChannelOpenIdMetadataUrl: 'https://login.botframework.com/v1/.well-known/openidconfiguration',
  ToBotFromChannelTokenIssuer: 'https://api.botframework.com',
  ToBotFromEmulatorOpenIdMetadataUrl: 'https://login.microsoftonline.com/common/v2.0/.well-known/openid-configuration',
  ToChannelFromBotLoginUrl: 'https://login.microsoftonline.com/botframework.com',
  ToChannelFromBotOAuthScope: 'https://api.botframework.com',
  OAuthUrl: 'https://api.botframework.com',
  CallerId: 'urn:botframework:azure',
};

function tokenSettings(tokens: BotTokenValidation): Record<string, string> {
  if (!tokens.openIdMetadataUrl && !tokens.tokenIssuer) return {};
  return {
    ...PUBLIC_CLOUD,
    ...(tokens.openIdMetadataUrl ? { ToBotFromChannelOpenIdMetadataUrl: tokens.openIdMetadataUrl } : {}),
    ...(tokens.tokenIssuer ? { ToBotFromChannelTokenIssuer: tokens.tokenIssuer } : {}),
  };
}

/**
 * With no BOT_ID the adapter runs anonymous (no inbound JWT check, no outbound token),
 * which is what the Agents Playground and local tests talk to.
 */
export function createTeamsAdapter(auth: BotAuth): SeatStewardAdapter {
  if (auth.mode === 'anonymous') return new SeatStewardAdapter({}, new ConfigurationServiceClientCredentialFactory({}));
  const credentials =
    auth.mode === 'UserAssignedMsi'
      ? { MicrosoftAppId: auth.appId, MicrosoftAppType: 'UserAssignedMSI', MicrosoftAppTenantId: auth.tenantId }
      : {
          MicrosoftAppId: auth.appId,
          MicrosoftAppPassword: auth.password,
          MicrosoftAppType: auth.mode,
          MicrosoftAppTenantId: auth.mode === 'SingleTenant' ? auth.tenantId : undefined,
        };
  return new SeatStewardAdapter(
    { ...credentials, ...tokenSettings(auth.tokens) },
    new ConfigurationServiceClientCredentialFactory(credentials),
  );
}

/** continueConversationAsync needs a string app id; '' is what anonymous mode accepts. */
export function botAppId(auth: BotAuth): string {
  return auth.mode === 'anonymous' ? '' : auth.appId;
}
