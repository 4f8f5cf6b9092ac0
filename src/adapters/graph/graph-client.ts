import { ClientCertificateCredential, ClientSecretCredential, type TokenCredential } from '@azure/identity';
import { Client } from '@microsoft/microsoft-graph-client';
import { TokenCredentialAuthenticationProvider } from '@microsoft/microsoft-graph-client/authProviders/azureTokenCredentials';

/** Everything needed to reach one tenant: a real one or the demo tenant differ only in these values. */
export interface TenantConnection {
  entraTenantId: string;
  appClientId: string;
  credential: { kind: 'secret'; secret: string } | { kind: 'certificate'; path: string };
  /** e.g. https://graph.microsoft.com, https://graph.microsoft.us, or the demo tenant's URL. */
  graphEndpoint: string;
  /** e.g. https://login.microsoftonline.com. */
  authorityHost: string;
  /** Only the demo tenant needs this: MSAL's instance discovery would ask Microsoft about a loopback authority. */
  disableInstanceDiscovery?: boolean;
}

const WELL_KNOWN_GRAPH_HOSTS = new Set([
  'graph.microsoft.com',
  'graph.microsoft.us',
  'dod-graph.microsoft.us',
  'microsoftgraph.chinacloudapi.cn',
  'canary.graph.microsoft.com',
]);

export function createCredential(conn: TenantConnection): TokenCredential {
  const options = { authorityHost: conn.authorityHost, disableInstanceDiscovery: conn.disableInstanceDiscovery ?? false };
  return conn.credential.kind === 'secret'
    ? new ClientSecretCredential(conn.entraTenantId, conn.appClientId, conn.credential.secret, options)
    : new ClientCertificateCredential(conn.entraTenantId, conn.appClientId, { certificatePath: conn.credential.path }, options);
}

/**
 * The Graph client with its default middleware (auth, retry honouring Retry-After on
 * 429/503/504, redirects). Hosts other than Microsoft's clouds must be declared as
 * custom hosts, or the client would not attach the token to them.
 */
export function createGraphClient(conn: TenantConnection): Client {
  const url = new URL(conn.graphEndpoint);
  const authProvider = new TokenCredentialAuthenticationProvider(createCredential(conn), {
    scopes: [`${url.origin}/.default`],
  });
  return Client.initWithMiddleware({
    authProvider,
    baseUrl: url.origin,
    defaultVersion: 'v1.0',
    customHosts: WELL_KNOWN_GRAPH_HOSTS.has(url.hostname) ? undefined : new Set([url.hostname]),
  });
}
