import crypto from 'node:crypto';
import { GRAPH_APP_ID, GRAPH_RESOURCE, MANAGEMENT_APP_ID, MANAGEMENT_RESOURCE } from './constants';
import { readBody, sendEntraError, sendEntraJson, sendGraphError, type EntraError, type RequestContext } from './http';
import type { Router } from './router';

/** Claims of the app-only access tokens the demo issues; names as in real Entra v1 tokens for Graph. */
export interface AccessTokenClaims {
  aud: string;
  iss: string;
  iat: number;
  nbf: number;
  exp: number;
  appid: string;
  app_displayname: string;
  idtyp: 'app';
  oid: string;
  sub: string;
  roles: string[];
  tid: string;
  uti: string;
  ver: '1.0';
}

const b64 = (value: unknown): string => Buffer.from(JSON.stringify(value), 'utf8').toString('base64url');

/**
 * Issues JWT-shaped tokens signed with a per-server HMAC key. Nothing is
 * remembered per token, so a long benchmark does not accumulate state, and
 * tokens from an earlier server instance are rejected like a foreign token.
 */
export class TokenService {
  private readonly key = crypto.randomBytes(32);

  issue(
    claims: Omit<AccessTokenClaims, 'iat' | 'nbf' | 'exp' | 'uti' | 'aud' | 'ver' | 'idtyp'> & { aud?: string },
    lifetimeSeconds: number,
  ): string {
    const now = Math.floor(Date.now() / 1000);
    const payload: AccessTokenClaims = {
      aud: GRAPH_RESOURCE,
      ...claims,
      iat: now,
      nbf: now - 300,
      exp: now + lifetimeSeconds,
      idtyp: 'app',
      uti: crypto.randomBytes(16).toString('base64url'),
      ver: '1.0',
    };
    const unsigned = `${b64({ typ: 'JWT', alg: 'HS256', kid: 'demo-tenant' })}.${b64(payload)}`;
    return `${unsigned}.${this.sign(unsigned)}`;
  }

  private sign(unsigned: string): string {
    return crypto.createHmac('sha256', this.key).update(unsigned).digest('base64url');
  }

  verify(
    token: string,
  ): { ok: true; claims: AccessTokenClaims } | { ok: false; reason: 'malformed' | 'signature' | 'expired' } {
    const parts = token.split('.');
    if (parts.length !== 3) return { ok: false, reason: 'malformed' };
    const [header, payload, signature] = parts as [string, string, string];
    const expected = Buffer.from(this.sign(`${header}.${payload}`));
    const actual = Buffer.from(signature);
    if (expected.length !== actual.length || !crypto.timingSafeEqual(expected, actual))
      return { ok: false, reason: 'signature' };
    let claims: AccessTokenClaims;
    try {
      claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as AccessTokenClaims;
    } catch {
      return { ok: false, reason: 'malformed' };
    }
    if (claims.exp * 1000 <= Date.now()) return { ok: false, reason: 'expired' };
    return { ok: true, claims };
  }
}

// ------------------------------------------------------------- discovery

function openIdConfiguration(ctx: RequestContext, tenantSegment: string, v2: boolean): Record<string, unknown> {
  const base = `${ctx.baseUrl}/${tenantSegment}`;
  const issuer = v2 ? `${base}/v2.0` : `${ctx.baseUrl}/${tenantSegment}/`;
  const oauth = v2 ? `${base}/oauth2/v2.0` : `${base}/oauth2`;
  return {
    token_endpoint: `${oauth}/token`,
    token_endpoint_auth_methods_supported: ['client_secret_post', 'private_key_jwt', 'client_secret_basic'],
    jwks_uri: `${base}/discovery/${v2 ? 'v2.0/' : ''}keys`,
    response_modes_supported: ['query', 'fragment', 'form_post'],
    subject_types_supported: ['pairwise'],
    id_token_signing_alg_values_supported: ['RS256'],
    response_types_supported: ['code', 'id_token', 'code id_token', 'id_token token'],
    scopes_supported: ['openid', 'profile', 'email', 'offline_access'],
    issuer,
    request_uri_parameter_supported: false,
    userinfo_endpoint: `${ctx.baseUrl}/oidc/userinfo`,
    authorization_endpoint: `${oauth}/authorize`,
    device_authorization_endpoint: `${oauth}/devicecode`,
    http_logout_supported: true,
    frontchannel_logout_supported: true,
    end_session_endpoint: `${oauth}/logout`,
    claims_supported: [
      'sub',
      'iss',
      'cloud_instance_name',
      'cloud_instance_host_name',
      'cloud_graph_host_name',
      'msgraph_host',
      'aud',
      'exp',
      'iat',
      'auth_time',
      'acr',
      'nonce',
      'preferred_username',
      'name',
      'tid',
      'ver',
      'at_hash',
      'c_hash',
      'email',
    ],
    kerberos_endpoint: `${base}/kerberos`,
    tenant_region_scope: 'NA',
    cloud_instance_name: 'microsoftonline.com',
    cloud_graph_host_name: 'graph.windows.net',
    msgraph_host: ctx.url.host,
    rbac_url: 'https://pas.windows.net',
  };
}

function tenantNotFound(tenant: string, error: string): EntraError {
  return {
    status: 400,
    error,
    code: 90002,
    description: `Tenant '${tenant}' not found. Check to make sure you have the correct tenant ID and are signing into the correct cloud. Check with your subscription administrator, this may happen if there are no active subscriptions for the tenant.`,
  };
}

function handleDiscovery(v2: boolean) {
  return (ctx: RequestContext): void => {
    const tenant = ctx.params.tenant as string;
    if (!ctx.store.isThisTenant(tenant) && !ctx.settings.discoverUnknownTenants) {
      // Entra rejects discovery for unknown tenants, so MSAL fails before it ever reaches the token endpoint.
      sendEntraError(ctx, tenantNotFound(tenant, 'invalid_tenant'));
      return;
    }
    // A known tenant is answered with its GUID in every endpoint, whichever name was used to ask.
    const segment = ctx.store.isThisTenant(tenant) ? ctx.store.data.tenantId : tenant;
    sendEntraJson(ctx, 200, openIdConfiguration(ctx, segment, v2));
  };
}

// ------------------------------------------------------------- token endpoint

const OIDC_SCOPES = new Set(['openid', 'profile', 'offline_access', 'email']);

function parseClientAuth(
  ctx: RequestContext,
  form: URLSearchParams,
): { clientId: string | null; secret: string | null } {
  const header = ctx.req.headers.authorization ?? '';
  const basic = /^Basic\s+(.+)$/i.exec(header);
  if (basic) {
    const decoded = Buffer.from(basic[1] as string, 'base64').toString('utf8');
    const sep = decoded.indexOf(':');
    if (sep > 0) {
      return {
        clientId: decodeURIComponent(decoded.slice(0, sep)),
        secret: decodeURIComponent(decoded.slice(sep + 1)),
      };
    }
  }
  return { clientId: form.get('client_id'), secret: form.get('client_secret') };
}

/** Validates a client-credentials request in the order Entra does, returning the first failure. */
function checkTokenRequest(ctx: RequestContext, tenant: string, form: URLSearchParams): EntraError | null {
  const data = ctx.store.data;
  if (!ctx.store.isThisTenant(tenant)) return tenantNotFound(tenant, 'invalid_request');
  const grantType = form.get('grant_type');
  if (grantType === null) {
    return {
      status: 400,
      error: 'invalid_request',
      code: 900144,
      description: "The request body must contain the following parameter: 'grant_type'.",
    };
  }
  if (grantType !== 'client_credentials') {
    return {
      status: 400,
      error: 'unsupported_grant_type',
      code: 70003,
      description: `The app requested an unsupported grant type '${grantType}'.`,
    };
  }
  const { clientId, secret } = parseClientAuth(ctx, form);
  if (!clientId) {
    return {
      status: 400,
      error: 'invalid_request',
      code: 900144,
      description: "The request body must contain the following parameter: 'client_id'.",
    };
  }
  if (clientId.toLowerCase() !== data.app.clientId.toLowerCase()) {
    return {
      status: 400,
      error: 'unauthorized_client',
      code: 700016,
      description: `Application with identifier '${clientId}' was not found in the directory '${data.organization.displayName}'. This can happen if the application has not been installed by the administrator of the tenant or consented to by any user in the tenant. You may have sent your authentication request to the wrong tenant.`,
    };
  }
  if (!secret) {
    return {
      status: 401,
      error: 'invalid_client',
      code: 7000218,
      description: "The request body must contain the following parameter: 'client_assertion' or 'client_secret'.",
    };
  }
  if (secret !== data.app.clientSecret) {
    return {
      status: 401,
      error: 'invalid_client',
      code: 7000215,
      description: `Invalid client secret provided. Ensure the secret being sent in the request is the client secret value, not the client secret ID, for a secret added to app '${data.app.clientId}'.`,
    };
  }
  if (data.app.secretExpiresAt !== undefined && Date.parse(data.app.secretExpiresAt) <= Date.now()) {
    return {
      status: 401,
      error: 'invalid_client',
      code: 7000222,
      description: `The provided client secret keys for app '${data.app.clientId}' are expired. Visit the Azure portal to create new keys for your app: https://aka.ms/NewClientSecret, or consider using certificate credentials for added security: https://aka.ms/certCreds.`,
    };
  }
  const scopes = (form.get('scope') ?? '').split(/\s+/).filter((s) => s !== '' && !OIDC_SCOPES.has(s.toLowerCase()));
  const scope = scopes[0];
  if (scopes.length !== 1 || scope === undefined || !scope.endsWith('/.default')) {
    return {
      status: 400,
      error: 'invalid_scope',
      code: 1002012,
      description: `The provided value for scope ${form.get('scope') ?? ''} is not valid. Client credential flows must have a scope value with /.default suffixed to the resource identifier (application ID URI).`,
    };
  }
  const resource = scope.slice(0, -'/.default'.length).replace(/\/$/, '').toLowerCase();
  // The demo tenant is also the Graph endpoint: like a national cloud's Graph, it answers to its own URL as resource.
  const ownResource = ctx.baseUrl.toLowerCase();
  if (
    resource !== GRAPH_RESOURCE &&
    resource !== GRAPH_APP_ID &&
    resource !== 'https://graph.microsoft.com/beta' &&
    resource !== ownResource &&
    audienceOf(resource) !== MANAGEMENT_RESOURCE
  ) {
    return {
      status: 400,
      error: 'invalid_resource',
      code: 500011,
      description: `The resource principal named ${resource} was not found in the tenant named ${data.organization.displayName}. This can happen if the application has not been installed by the administrator of the tenant or consented to by any user in the tenant. You might have sent your authentication request to the wrong tenant.`,
    };
  }
  return null;
}

/**
 * The `aud` of a token for a requested resource: the Office 365 Management APIs (by URL or app id)
 * get their own audience, so their tokens are refused by Graph and Graph's by them.
 */
export function audienceOf(resource: string): string {
  const r = resource.replace(/\/$/, '').toLowerCase();
  return r === MANAGEMENT_RESOURCE || r === MANAGEMENT_APP_ID ? MANAGEMENT_RESOURCE : GRAPH_RESOURCE;
}

function requestedResource(form: URLSearchParams): string {
  const scope = (form.get('scope') ?? '').split(/\s+/).find((s) => s !== '' && !OIDC_SCOPES.has(s.toLowerCase())) ?? '';
  return scope.slice(0, -'/.default'.length);
}

/** Real app tokens carry the service principal's object id; derive a stable one from the app id. */
function servicePrincipalId(clientId: string): string {
  const h = crypto.createHash('sha256').update(clientId).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-8${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

function handleToken(tokens: TokenService) {
  return async (ctx: RequestContext): Promise<void> => {
    const tenant = ctx.params.tenant as string;
    const form = new URLSearchParams(await readBody(ctx.req));
    const failure = checkTokenRequest(ctx, tenant, form);
    if (failure) {
      sendEntraError(ctx, failure);
      return;
    }
    const data = ctx.store.data;
    const lifetime = ctx.settings.tokenLifetimeSeconds;
    const accessToken = tokens.issue(
      {
        aud: audienceOf(requestedResource(form)),
        iss: `https://sts.windows.net/${data.tenantId}/`,
        appid: data.app.clientId,
        app_displayname: data.app.displayName ?? 'Demo app',
        oid: servicePrincipalId(data.app.clientId),
        sub: data.app.clientId,
        roles: [...ctx.store.appRoles],
        tid: data.tenantId,
      },
      lifetime,
    );
    sendEntraJson(ctx, 200, {
      token_type: 'Bearer',
      expires_in: lifetime,
      ext_expires_in: lifetime,
      access_token: accessToken,
    });
  };
}

export function registerAuthRoutes(router: Router, tokens: TokenService): void {
  router.get('/:tenant/v2.0/.well-known/openid-configuration', handleDiscovery(true));
  router.get('/:tenant/.well-known/openid-configuration', handleDiscovery(false));
  router.get('/:tenant/discovery/v2.0/keys', (ctx) => sendEntraJson(ctx, 200, { keys: [] }));
  router.get('/:tenant/discovery/keys', (ctx) => sendEntraJson(ctx, 200, { keys: [] }));
  router.add('POST', '/:tenant/oauth2/v2.0/token', handleToken(tokens));
}

// ------------------------------------------------------------- Graph guard

const WWW_AUTHENTICATE =
  'Bearer realm="", authorization_uri="https://login.microsoftonline.com/common/oauth2/authorize", client_id="00000003-0000-0000-c000-000000000000"';

/**
 * Checks the bearer token as Graph would: present, issued by this server,
 * unexpired, for this tenant and app, carrying one of the permissions the
 * endpoint accepts. Sends the error itself and returns null on failure.
 */
export function authorizeGraph(
  ctx: RequestContext,
  tokens: TokenService,
  anyOfRoles: readonly string[],
): AccessTokenClaims | null {
  const header = ctx.req.headers.authorization ?? '';
  const match = /^Bearer\s+(\S*)\s*$/i.exec(header);
  const token = match?.[1] ?? '';
  const deny401 = (message: string): null => {
    sendGraphError(ctx, 401, 'InvalidAuthenticationToken', message, { 'WWW-Authenticate': WWW_AUTHENTICATE });
    return null;
  };
  if (token === '') return deny401('Access token is empty.');
  const result = tokens.verify(token);
  if (!result.ok) {
    if (result.reason === 'expired') return deny401('Lifetime validation failed, the token is expired.');
    if (result.reason === 'malformed')
      return deny401(
        "IDX14100: JWT is not well formed, there are no dots (.).\nThe token needs to be in JWS or JWE Compact Serialization Format. (JWS): 'EncodedHeader.EndcodedPayload.EncodedSignature'. (JWE): 'EncodedProtectedHeader.EncodedEncryptedKey.EncodedInitializationVector.EncodedCiphertext.EncodedAuthenticationTag'.",
      );
    return deny401('Access token validation failure.');
  }
  const data = ctx.store.data;
  if (
    result.claims.tid.toLowerCase() !== data.tenantId.toLowerCase() ||
    result.claims.appid.toLowerCase() !== data.app.clientId.toLowerCase()
  ) {
    return deny401('Access token validation failure. Invalid audience.');
  }
  if (result.claims.aud === MANAGEMENT_RESOURCE) return deny401('Access token validation failure. Invalid audience.');
  const granted = new Set(result.claims.roles.map((r) => r.toLowerCase()));
  if (!anyOfRoles.some((r) => granted.has(r.toLowerCase()))) {
    sendGraphError(ctx, 403, 'Authorization_RequestDenied', 'Insufficient privileges to complete the operation.');
    return null;
  }
  return result.claims;
}
