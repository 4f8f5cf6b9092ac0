import { createHash, timingSafeEqual } from 'node:crypto';
import type { Request } from 'restify';
import { canSeeTenant, type ActorAccess } from '../../domain/client-access';
import type { TenantRecord } from '../../domain/tenant';
import { ApiError } from './api-errors';

const digest = (value: string) => createHash('sha256').update(value).digest();

/** What a request's key reaches: every tenant, or the tenants of some MSP clients (`client|…:key` in API_KEYS). */
const scopes = new WeakMap<Request, ActorAccess>();

/**
 * Bearer API keys from API_KEYS. Keys are compared as SHA-256 digests in constant time,
 * so neither a key's length nor its prefix leaks through response timing. The key's scope is
 * remembered for the request (apiScopeOf).
 */
export function apiKeyGuard(
  apiKeys: ReadonlyArray<{ key: string; clients: readonly string[] | null }>,
): (req: Request) => void {
  const allowed = apiKeys.map((k) => ({
    digest: digest(k.key),
    scope: (k.clients === null
      ? { kind: 'all' }
      : { kind: 'clients', clients: new Set(k.clients.map((c) => c.toLowerCase())) }) satisfies ActorAccess,
  }));
  return (req) => {
    if (allowed.length === 0) {
      throw new ApiError(
        401,
        'api_disabled',
        'The REST API has no keys configured. Set API_KEYS (comma-separated, 16+ characters each) and restart Seat Steward.',
      );
    }
    const header = req.header('authorization') ?? '';
    const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
    if (!match)
      throw new ApiError(
        401,
        'unauthorized',
        'Missing API key: send "Authorization: Bearer <key>" with one of the keys in API_KEYS.',
      );
    const given = digest(match[1]);
    // Every key is compared (no early exit), so the time taken does not say which one matched.
    let found: ActorAccess | undefined;
    for (const key of allowed) if (timingSafeEqual(key.digest, given)) found ??= key.scope;
    if (!found) throw new ApiError(401, 'unauthorized', 'Invalid API key.');
    scopes.set(req, found);
  };
}

/** The scope of the request's key; only known after the key was checked, so a route that forgot to check fails closed. */
export function apiScopeOf(req: Request): ActorAccess {
  const scope = scopes.get(req);
  if (!scope) throw new Error('the API key was not checked before the tenant was read');
  return scope;
}

export function keySeesTenant(req: Request, tenant: Pick<TenantRecord, 'mspClientId'>): boolean {
  return canSeeTenant(apiScopeOf(req), tenant);
}

/** Routes over every tenant's data or Seat Steward's own settings (jobs, access grants) need a key for every client. */
export function requireUnscopedKey(req: Request): void {
  if (apiScopeOf(req).kind !== 'all')
    throw new ApiError(
      403,
      'key_scoped_to_clients',
      'This API key is limited to some MSP clients; this route needs a key for every tenant (an API_KEYS entry without clients).',
    );
}

/** A key limited to some clients may only add tenants to, or move tenants into, those clients. */
export function requireClientInScope(req: Request, clientId: string | null): void {
  if (!canSeeTenant(apiScopeOf(req), { mspClientId: clientId }))
    throw new ApiError(
      403,
      'key_scoped_to_clients',
      `This API key is limited to some MSP clients, and ${clientId === null ? 'a tenant of no client' : `client ${clientId}`} is not one of them.`,
    );
}
