import { ClientCertificateCredential, ClientSecretCredential, type TokenCredential } from '@azure/identity';
import {
  AuthenticationHandler,
  Client,
  HTTPMessageHandler,
  RedirectHandler,
  RedirectHandlerOptions,
  RetryHandler,
  RetryHandlerOptions,
  TelemetryHandler,
} from '@microsoft/microsoft-graph-client';
import { TokenCredentialAuthenticationProvider } from '@microsoft/microsoft-graph-client/authProviders/azureTokenCredentials';
import { GRAPH_REQUEST_TIMEOUT_MS, RequestTimeoutHandler } from './request-timeout';

/** Everything needed to reach one tenant: a real one or the demo tenant differ only in these values. */
export interface TenantConnection {
  entraTenantId: string;
  appClientId: string;
  credential: { kind: 'secret'; secret: string } | { kind: 'certificate'; path: string };
  /** e.g. https://graph.microsoft.com, https://graph.microsoft.us, or the demo tenant's URL. */
  graphEndpoint: string;
  /** e.g. https://login.microsoftonline.com. */
  authorityHost: string;
  /** Overrides the choice made from authorityHost (see usesInstanceDiscovery). */
  disableInstanceDiscovery?: boolean;
}

/**
 * Microsoft's own sign-in hosts (public, US Government, China, Germany, the sovereign clouds and
 * the pre-production ones), as listed in MSAL's built-in instance metadata.
 */
const MICROSOFT_AUTHORITY_HOSTS = new Set([
  'login.microsoftonline.com',
  'login.microsoft.com',
  'login.windows.net',
  'sts.windows.net',
  'login-us.microsoftonline.com',
  'login.microsoftonline.us',
  'login.usgovcloudapi.net',
  'login.chinacloudapi.cn',
  'login.partner.microsoftonline.cn',
  'login.microsoftonline.de',
  'login.sovcloud-identity.de',
  'login.sovcloud-identity.fr',
  'login.sovcloud-identity.sg',
  'login.windows-ppe.net',
  'login.microsoft-ppe.com',
  'sts.windows-ppe.net',
]);

/**
 * MSAL's instance discovery asks login.microsoftonline.com to vouch for the authority. Microsoft
 * only vouches for its own clouds, so any other authority (an Entra-compatible endpoint, the demo
 * tenant) failed sign-in before receiving a single request. For those, discovery is off and MSAL
 * reads the OpenID metadata from the authority itself. Microsoft's clouds keep MSAL's default
 * (built-in metadata with their host aliases, no extra request). A Microsoft host missing from
 * this list still signs in, only without those aliases.
 */
export function usesInstanceDiscovery(authorityHost: string): boolean {
  return MICROSOFT_AUTHORITY_HOSTS.has(new URL(authorityHost).hostname.toLowerCase());
}

const WELL_KNOWN_GRAPH_HOSTS = new Set([
  'graph.microsoft.com',
  'graph.microsoft.us',
  'dod-graph.microsoft.us',
  'microsoftgraph.chinacloudapi.cn',
  'canary.graph.microsoft.com',
]);

export function createCredential(conn: TenantConnection): TokenCredential {
  const options = {
    authorityHost: conn.authorityHost,
    disableInstanceDiscovery: conn.disableInstanceDiscovery ?? !usesInstanceDiscovery(conn.authorityHost),
  };
  return conn.credential.kind === 'secret'
    ? new ClientSecretCredential(conn.entraTenantId, conn.appClientId, conn.credential.secret, options)
    : new ClientCertificateCredential(
        conn.entraTenantId,
        conn.appClientId,
        { certificatePath: conn.credential.path },
        options,
      );
}

/**
 * The Graph client with the SDK's default middleware (auth, retry honouring Retry-After on
 * 429/503/504, redirects, telemetry) and a time limit on each request (request-timeout.ts).
 * Hosts other than Microsoft's clouds must be declared as custom hosts, or the client would not
 * attach the token to them.
 */
export function createGraphClient(conn: TenantConnection, options: { requestTimeoutMs?: number } = {}): Client {
  const url = new URL(conn.graphEndpoint);
  const authProvider = new TokenCredentialAuthenticationProvider(createCredential(conn), {
    scopes: [`${url.origin}/.default`],
  });
  return Client.initWithMiddleware({
    middleware: [
      new AuthenticationHandler(authProvider),
      new RetryHandler(new RetryHandlerOptions()),
      new RedirectHandler(new RedirectHandlerOptions()),
      new TelemetryHandler(),
      new RequestTimeoutHandler(options.requestTimeoutMs ?? GRAPH_REQUEST_TIMEOUT_MS),
      new HTTPMessageHandler(),
    ],
    baseUrl: url.origin,
    defaultVersion: 'v1.0',
    customHosts: WELL_KNOWN_GRAPH_HOSTS.has(url.hostname) ? undefined : new Set([url.hostname]),
  });
}
