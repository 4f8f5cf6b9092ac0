/**
 * Who may see which customer tenants. An MSP's technicians chat with Seat Steward in the MSP's own
 * tenant and act on customer tenants; each customer tenant belongs to an MSP client (the REST API's
 * `client_id`). The rules, in order:
 * - ADMINS (and everyone in the built-in demo with ADMINS empty) see and act on every tenant;
 * - someone granted clients (CLIENT_ACCESS or the REST API) sees exactly those clients' tenants, and
 *   is an admin there (per-user lists, exports, reclaim requests); `approve` also lets them approve
 *   reclaims there;
 * - anyone else sees the tenants that belong to no client (the MSP's own organisation), as before
 *   clients existed, and never a customer tenant.
 * A grant names a person (Entra object id or UPN) or an Entra group of the MSP's own tenant
 * (`group:<object id>`): its members, as read at that tenant's last sync, hold the grant.
 */
import { GUID } from './guid';
import type { TenantRecord } from './tenant';

/** Every client: a grant for the MSP's own senior technicians. */
export const EVERY_CLIENT = '*';

/** A grant's principal naming an Entra group: `group:<object id>`. */
const GROUP_PRINCIPAL = /^group:([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})$/i;

/** The group's object id (lower-case) when the principal names a group, else null. */
export function groupOfPrincipal(principal: string): string | null {
  return GROUP_PRINCIPAL.exec(principal.trim())?.[1]?.toLowerCase() ?? null;
}

/** Whether a principal is one a grant may name: an Entra object id, a UPN, or `group:<object id>`. */
export function isAccessPrincipal(principal: string): boolean {
  return GUID.test(principal) || /^[^@\s]+@[^@\s]+$/.test(principal) || groupOfPrincipal(principal) !== null;
}

/** The groups the grants name, whose members must be read from the MSP's tenant. */
export function accessGroupIds(grants: readonly AccessGrant[]): string[] {
  return [...new Set(grants.map((g) => groupOfPrincipal(g.principal)).filter((g): g is string => g !== null))];
}

export interface AccessGrant {
  /** An Entra object id, a UPN or `group:<group object id>`, lower-case. */
  principal: string;
  /** The MSP client (`client_id`, lower-case), or EVERY_CLIENT. */
  clientId: string;
  /** Also approves reclaims in that client's tenants. */
  approve: boolean;
  /** Where it is configured: `environment` (CLIENT_ACCESS, read at start) or `api` (stored). */
  source: 'environment' | 'api';
}

export interface AccessPrincipal {
  aadObjectId?: string;
  userPrincipalName?: string;
  /** The Entra groups (object ids) the person is a member of, among those the grants name. */
  groupIds?: readonly string[];
}

export type ActorAccess = { kind: 'all' } | { kind: 'clients'; clients: ReadonlySet<string> } | { kind: 'own' };

/** What one person may reach, worked out once per turn or request. */
export function accessOf(
  who: AccessPrincipal,
  policy: { isGlobalAdmin: boolean; grants: readonly AccessGrant[] },
): ActorAccess {
  if (policy.isGlobalAdmin) return { kind: 'all' };
  const ids = [who.aadObjectId, who.userPrincipalName, ...(who.groupIds ?? []).map((g) => `group:${g}`)]
    .filter((v): v is string => typeof v === 'string' && v !== '')
    .map((v) => v.toLowerCase());
  const mine = policy.grants.filter((g) => ids.includes(g.principal));
  if (mine.length === 0) return { kind: 'own' };
  return { kind: 'clients', clients: new Set(mine.map((g) => g.clientId)) };
}

export function canSeeTenant(access: ActorAccess, tenant: Pick<TenantRecord, 'mspClientId'>): boolean {
  if (access.kind === 'all') return true;
  const client = tenant.mspClientId?.toLowerCase() ?? null;
  if (access.kind === 'own') return client === null;
  return client !== null && (access.clients.has(EVERY_CLIENT) || access.clients.has(client));
}

/** Whether a grant lets its technician approve reclaims in the tenant (ADMINS and RECLAIM_APPROVERS are the reclaim rules' own). */
export function grantApproves(grant: AccessGrant, tenant: Pick<TenantRecord, 'mspClientId'>): boolean {
  const client = tenant.mspClientId?.toLowerCase() ?? null;
  return grant.approve && client !== null && (grant.clientId === EVERY_CLIENT || grant.clientId === client);
}

/**
 * `CLIENT_ACCESS`: `principal=client[|client…][:approve]`, entries separated by `;`, e.g.
 * `tech@msp.com=2b7c…|6e1f…;lead@msp.com=*:approve;group:7d3e…=2b7c…`. Returns the grants or the first problem.
 */
export function parseClientAccess(text: string): { grants: AccessGrant[] } | { error: string } {
  const grants: AccessGrant[] = [];
  for (const raw of text.split(';')) {
    const entry = raw.trim();
    if (!entry) continue;
    const eq = entry.indexOf('=');
    if (eq <= 0) return { error: `"${entry.slice(0, 60)}" is not principal=client[|client…][:approve]` };
    const principal = entry.slice(0, eq).trim().toLowerCase();
    let rest = entry.slice(eq + 1).trim();
    let approve = false;
    if (rest.toLowerCase().endsWith(':approve')) {
      approve = true;
      rest = rest.slice(0, -':approve'.length);
    }
    if (!isAccessPrincipal(principal))
      return {
        error: `"${principal.slice(0, 60)}" is neither an Entra object id, a UPN nor group:<group object id>`,
      };
    const clients = rest.split('|').map((c) => c.trim().toLowerCase());
    for (const clientId of clients) {
      if (clientId !== EVERY_CLIENT && !GUID.test(clientId))
        return { error: `"${clientId.slice(0, 60)}" (for ${principal}) is not a client id (a UUID) or *` };
      grants.push({ principal, clientId, approve, source: 'environment' });
    }
  }
  return { grants };
}
