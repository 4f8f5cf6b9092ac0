/**
 * Where a tenant added through the REST API is reached: Microsoft's own Graph and Entra hosts
 * (the global cloud and the national clouds), unless the app runs the demo or the admin allowed
 * other https hosts (ALLOW_CUSTOM_ENDPOINTS). Any other host is refused because the server
 * sends the tenant's stored client secret to the authority host and calls the Graph host from
 * inside its network: an API key alone must not be able to point either somewhere else.
 */

export const DEFAULT_GRAPH_ENDPOINT = 'https://graph.microsoft.com';
export const DEFAULT_AUTHORITY_HOST = 'https://login.microsoftonline.com';

/** Global, US Government (L4, L5/DoD) and China (21Vianet). */
export const MICROSOFT_GRAPH_HOSTS: readonly string[] = [
  'graph.microsoft.com',
  'graph.microsoft.us',
  'dod-graph.microsoft.us',
  'microsoftgraph.chinacloudapi.cn',
];

/** Global (and its alias), US Government, China. */
export const MICROSOFT_AUTHORITY_HOSTS: readonly string[] = [
  'login.microsoftonline.com',
  'login.microsoft.com',
  'login.microsoftonline.us',
  'login.chinacloudapi.cn',
  'login.partner.microsoftonline.cn',
];

export type TenantEndpointKind = 'graph_endpoint' | 'authority_host';

/**
 * The endpoint as stored (`https://host[:port]`), or the problem with it, phrased for the caller.
 * `allowOtherHosts`: the demo, or ALLOW_CUSTOM_ENDPOINTS=on.
 */
export function tenantEndpoint(
  kind: TenantEndpointKind,
  value: string,
  allowOtherHosts: boolean,
): { ok: true; origin: string } | { ok: false; problem: string } {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return { ok: false, problem: `"${value.slice(0, 100)}" is not a URL; expected e.g. ${example(kind)}` };
  }
  if (url.protocol !== 'https:') return { ok: false, problem: `must be an https:// URL (got ${url.protocol})` };
  if (url.username || url.password || (url.pathname !== '/' && url.pathname !== '') || url.search || url.hash)
    return { ok: false, problem: `must be a bare https origin such as ${example(kind)}, without path, query or user` };
  const microsoft = kind === 'graph_endpoint' ? MICROSOFT_GRAPH_HOSTS : MICROSOFT_AUTHORITY_HOSTS;
  if (!microsoft.includes(url.hostname.toLowerCase()) || url.port !== '') {
    if (!allowOtherHosts)
      return {
        ok: false,
        problem: `${url.host} is not a Microsoft cloud host (${microsoft.join(', ')}); other https hosts are taken only when the app runs the demo or ALLOW_CUSTOM_ENDPOINTS=on`,
      };
  }
  return { ok: true, origin: url.origin };
}

function example(kind: TenantEndpointKind): string {
  return kind === 'graph_endpoint' ? DEFAULT_GRAPH_ENDPOINT : DEFAULT_AUTHORITY_HOST;
}
