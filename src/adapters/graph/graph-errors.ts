import { GraphError } from '@microsoft/microsoft-graph-client';
import { TenantAccessError, type AccessRequirement } from '../../domain/tenant-access-error';

export interface TenantContext {
  entraTenantId: string;
  appClientId: string;
  graphEndpoint: string;
  authorityHost: string;
}

const PERMISSIONS =
  'User.Read.All, Organization.Read.All and Directory.Read.All (plus Group.Read.All for group-based licensing)';

/** Turns whatever the credential or the Graph client threw into an admin-facing TenantAccessError. */
/**
 * `need` names what this particular call requires, so a refusal says exactly which permission
 * (or licence tier) to add instead of listing the directory's.
 */
export function explainTenantError(
  error: unknown,
  ctx: TenantContext,
  doing: string,
  need?: AccessRequirement,
): TenantAccessError {
  if (error instanceof TenantAccessError) return error;
  const raw = error instanceof Error ? error.message : String(error);

  const aadsts = /AADSTS(\d+)/.exec(raw);
  if (aadsts) return explainAadsts(Number(aadsts[1]), ctx, raw);

  if (isGraphErrorLike(error)) return explainGraphError(error as GraphError, ctx, doing, need);

  // MSAL could not fetch the tenant's OpenID metadata: Entra answers that request with AADSTS90002
  // for an unknown tenant, but MSAL reports only this code (it also covers an unreachable authority).
  if (/endpoints_resolution_error/.test(raw)) {
    return new TenantAccessError(
      'tenant_not_found',
      `Could not load the sign-in metadata of tenant ${ctx.entraTenantId} from ${ctx.authorityHost}: the tenant was not found (AADSTS90002) or the authority is unreachable. Check TENANT_ID (Entra admin center > Overview > Tenant ID), and for a national cloud set AUTHORITY_HOST and GRAPH_ENDPOINT to that cloud's endpoints.`,
      400,
      raw,
    );
  }

  const netCode = networkCode(error) ?? (error instanceof GraphError ? 'connection failed' : undefined);
  if (netCode) {
    return new TenantAccessError(
      'network_error',
      `Could not reach Microsoft 365 while ${doing} (${netCode}: ${firstLine(raw)}). Check that ${ctx.graphEndpoint} and ${ctx.authorityHost} are reachable from this server (proxy, firewall, DNS).`,
      undefined,
      raw,
    );
  }
  return new TenantAccessError('unexpected_error', `Unexpected error while ${doing}: ${raw}`, undefined, raw);
}

function explainAadsts(code: number, ctx: TenantContext, raw: string): TenantAccessError {
  const where = 'Entra admin center > App registrations';
  switch (code) {
    case 7000215:
      return new TenantAccessError(
        'invalid_client_secret',
        `Invalid client secret (AADSTS7000215) for app ${ctx.appClientId}. In ${where} > your app > Certificates & secrets, copy the secret's Value (not its Secret ID) into SECRET_CLIENT_SECRET with no extra whitespace, or create a new secret.`,
        401,
        raw,
      );
    case 7000222:
      return new TenantAccessError(
        'expired_client_secret',
        `The client secret of app ${ctx.appClientId} has expired (AADSTS7000222). In ${where} > your app > Certificates & secrets, create a new client secret and put its Value in SECRET_CLIENT_SECRET.`,
        401,
        raw,
      );
    case 700016:
      return new TenantAccessError(
        'app_not_found',
        `App ${ctx.appClientId} was not found in tenant ${ctx.entraTenantId} (AADSTS700016). Check that CLIENT_ID is the Application (client) ID and that the app is registered in, or consented to by, this tenant.`,
        400,
        raw,
      );
    case 90002:
      return new TenantAccessError(
        'tenant_not_found',
        `Tenant ${ctx.entraTenantId} was not found (AADSTS90002). Check TENANT_ID (Entra admin center > Overview > Tenant ID); for a national cloud, set AUTHORITY_HOST and GRAPH_ENDPOINT to that cloud's endpoints.`,
        400,
        raw,
      );
    case 500011:
      return new TenantAccessError(
        'graph_resource_not_found',
        `Tenant ${ctx.entraTenantId} does not know the resource ${ctx.graphEndpoint} (AADSTS500011). Check GRAPH_ENDPOINT: it must be the Microsoft Graph endpoint of the same cloud as AUTHORITY_HOST (e.g. https://graph.microsoft.com with https://login.microsoftonline.com).`,
        400,
        raw,
      );
    default:
      return new TenantAccessError(
        `aadsts_${code}`,
        `Entra ID refused the sign-in of app ${ctx.appClientId} to tenant ${ctx.entraTenantId} (AADSTS${code}): ${firstLine(raw)}`,
        undefined,
        raw,
      );
  }
}

/**
 * Graph's ways of saying the tenant lacks a licence tier (Entra ID P1/P2, Intune...) rather than the app a permission.
 * Intune answers a tenant without Intune with 400 "Request not applicable to target tenant".
 */
const LICENCE_REFUSAL =
  /NonPremium|premium licen[cs]e|not licensed|not applicable to target tenant|licen[cs]e (is )?required|requires? (an? )?(Microsoft Entra ID|Azure AD|AAD) (P1|P2|Premium)|tenant (is not|isn't) licensed/i;

function explainGraphError(
  error: GraphError,
  ctx: TenantContext,
  doing: string,
  need?: AccessRequirement,
): TenantAccessError {
  const status = error.statusCode;
  const code = error.code ?? `http_${status}`;
  const graphMessage = error.message || 'no message';
  const suffix = `(Graph ${status} ${code}: ${graphMessage})`;
  if (need?.licence && (status === 403 || status === 400) && LICENCE_REFUSAL.test(`${code} ${graphMessage}`)) {
    return new TenantAccessError(
      'licence_required',
      `Microsoft Graph refused ${doing} because the tenant lacks ${need.licence} ${suffix}. This data needs ${need.licence} in tenant ${ctx.entraTenantId}; the rest of the sync is unaffected.`,
      status,
      graphMessage,
      { licence: need.licence },
    );
  }
  if (need?.permission && (status === 403 || code === 'Authorization_RequestDenied')) {
    return new TenantAccessError(
      'insufficient_privileges',
      `Microsoft Graph denied ${doing} ${suffix}. Insufficient privileges: in Entra admin center > App registrations > ${ctx.appClientId} > API permissions, add the Microsoft Graph application permission ${need.permission} (type Application, not Delegated), then click Grant admin consent.`,
      403,
      graphMessage,
      { permission: need.permission, ...(need.licence ? { licence: need.licence } : {}) },
    );
  }
  if (status === 403 || code === 'Authorization_RequestDenied') {
    return new TenantAccessError(
      'insufficient_privileges',
      `Microsoft Graph denied ${doing} ${suffix}. Insufficient privileges: in Entra admin center > App registrations > ${ctx.appClientId} > API permissions, add the Microsoft Graph application permissions ${PERMISSIONS}, then click Grant admin consent. Check also that the app registration is in tenant ${ctx.entraTenantId}.`,
      403,
      graphMessage,
    );
  }
  if (status === 401) {
    return new TenantAccessError(
      'graph_unauthorized',
      `Microsoft Graph rejected the access token while ${doing} ${suffix}. Check that AUTHORITY_HOST and GRAPH_ENDPOINT belong to the same cloud.`,
      401,
      graphMessage,
    );
  }
  if (status === 429 || status === 503 || status === 504) {
    return new TenantAccessError(
      'graph_throttled',
      `Microsoft Graph is throttling or unavailable while ${doing} ${suffix}, and still was after retries that honoured Retry-After. The next scheduled sync will try again, or run sync later.`,
      status,
      graphMessage,
    );
  }
  return new TenantAccessError(
    `graph_${code}`,
    `Microsoft Graph failed while ${doing} ${suffix}.`,
    status,
    graphMessage,
  );
}

/** The Graph client reports transport failures as a GraphError with statusCode -1: those are network errors. */
function isGraphErrorLike(error: unknown): boolean {
  if (error instanceof GraphError) return error.statusCode > 0;
  return (
    typeof error === 'object' &&
    error !== null &&
    'statusCode' in error &&
    typeof (error as { statusCode: unknown }).statusCode === 'number' &&
    (error as { statusCode: number }).statusCode > 0
  );
}

function networkCode(error: unknown): string | undefined {
  let current: unknown = error;
  for (let depth = 0; depth < 4 && current; depth++) {
    if (typeof current === 'object' && current !== null) {
      const code = (current as { code?: unknown }).code;
      if (
        typeof code === 'string' &&
        /^(E[A-Z]+|UND_ERR_[A-Z_]+|CERT_[A-Z_]+|DEPTH_ZERO_SELF_SIGNED_CERT|SELF_SIGNED_CERT_IN_CHAIN|UNABLE_TO_VERIFY_LEAF_SIGNATURE)$/.test(
          code,
        )
      )
        return code;
      current = (current as { cause?: unknown }).cause;
    } else break;
  }
  return undefined;
}

function firstLine(text: string): string {
  return text.split(/\r?\n/)[0].slice(0, 300);
}
