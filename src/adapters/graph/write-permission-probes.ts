import { READ_REQUIREMENTS } from '../../domain/access-requirements';
import { TenantAccessError } from '../../domain/tenant-access-error';
import type { AccessProbe } from '../../usecases/check/check-service';
import { createCredential, type TenantConnection } from './graph-client';
import { explainTenantError } from './graph-errors';

/** Application permissions that also allow each write (broader ones an admin may have granted instead). */
const ALSO_ALLOWED = {
  reclaim_remove: ['LicenseAssignment.ReadWrite.All', 'User.ReadWrite.All', 'Directory.ReadWrite.All'],
  reclaim_group: ['GroupMember.ReadWrite.All', 'Group.ReadWrite.All', 'Directory.ReadWrite.All'],
  reclaim_install: [
    'TeamsAppInstallation.ReadWriteSelfForUser.All',
    'TeamsAppInstallation.ReadWriteForUser.All',
    'TeamsAppInstallation.ReadWriteAndConsentSelfForUser.All',
    'TeamsAppInstallation.ReadWriteAndConsentForUser.All',
  ],
} as const;

/** The `roles` claim of the app's Graph token: the application permissions admin consent granted. */
export async function grantedRoles(conn: TenantConnection): Promise<string[]> {
  const scope = `${new URL(conn.graphEndpoint).origin}/.default`;
  let token: string;
  try {
    const got = await createCredential(conn).getToken(scope);
    if (!got) throw new Error('no token');
    token = got.token;
  } catch (error) {
    throw explainTenantError(error, conn, 'signing in to read the granted permissions');
  }
  const payload = token.split('.')[1] ?? '';
  try {
    const claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as { roles?: unknown };
    return Array.isArray(claims.roles) ? claims.roles.filter((r): r is string => typeof r === 'string') : [];
  } catch {
    return [];
  }
}

/**
 * The reclaim's write permissions, checked from the token's roles: a probe must never write. Each
 * fails as a missing permission that says it matters only for RECLAIM_MODE=on.
 */
export function writePermissionProbes(conn: TenantConnection, options: { install: boolean }): AccessProbe[] {
  let roles: Promise<string[]> | undefined;
  const rolesOnce = () => (roles ??= grantedRoles(conn));
  // Installing the app for holders is checked only where it is switched on (TEAMS_APP_CATALOG_ID).
  const ids = options.install
    ? (['reclaim_remove', 'reclaim_group', 'reclaim_install'] as const)
    : (['reclaim_remove', 'reclaim_group'] as const);
  return ids.map((id) => ({
    id,
    run: async () => {
      const granted = new Set((await rolesOnce()).map((r) => r.toLowerCase()));
      if (ALSO_ALLOWED[id].some((r) => granted.has(r.toLowerCase()))) return;
      const need = READ_REQUIREMENTS[id];
      throw new TenantAccessError(
        'insufficient_privileges',
        `The app's token does not carry ${need.permission} (nor ${ALSO_ALLOWED[id].slice(1).join(' or ')}). ${need.unlocks}`,
        403,
        undefined,
        { permission: need.permission },
      );
    },
  }));
}
