import { createHash } from 'node:crypto';
import type { UserWithLicenses } from '../../domain/directory';
import type { UserPage, UserPageContext } from '../../usecases/status/ports';
import { pagination } from './pagination';
import type { UserJson, UserPageJson } from './user-schema';

/**
 * The REST API's JSON of a page of users. Read worker threads load this module (the composition
 * root gives them its path) and render pages there, so the event loop of an API under many callers
 * only writes the bytes: building 100 users with a SHA-1 id each and serializing ~80 KB was most of
 * an uncached page's cost on it. It imports nothing heavy, since every read worker loads it.
 */
export function renderUserPage(page: UserPage, context: UserPageContext): string {
  const json: UserPageJson = {
    data: page.rows.map((u) => userJson(context.tenantId, u, context.lastSynced)),
    pagination: pagination(context.limit, context.offset, page.total),
  };
  return JSON.stringify(json);
}

/** Stable ids for rows the API exposes but the cache keys by composite keys. */
export function derivedId(...parts: string[]): string {
  const h = createHash('sha1').update(parts.join('\u0000')).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-5${h.slice(13, 16)}-${((parseInt(h[16], 16) & 0x3) | 0x8).toString(16)}${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

function userJson(tenantId: string, u: UserWithLicenses, lastSynced: string | null): UserJson {
  return {
    id: derivedId(tenantId, 'user', u.userId),
    tenant_id: tenantId,
    user_id: u.userId,
    user_principal_name: u.userPrincipalName,
    display_name: u.displayName,
    given_name: u.givenName,
    surname: u.surname,
    mail: u.mail,
    job_title: u.jobTitle,
    department: u.department,
    office_location: u.officeLocation,
    account_enabled: u.accountEnabled,
    last_sign_in: u.lastSignIn,
    mfa_enabled: u.mfaEnabled,
    mfa_methods: u.mfaMethods,
    user_type: u.userType,
    assigned_licenses: u.licenses.map((l) => ({
      sku_id: l.skuId,
      sku_part_number: l.skuPartNumber,
      product_name: l.productName,
      assigned_directly: l.direct,
      assigned_by_groups: l.assignedByGroupIds,
    })),
    usage_location: u.usageLocation,
    on_premises_sync_enabled: u.onPremisesSyncEnabled,
    created_at: u.createdAt,
    last_synced: lastSynced,
  };
}
