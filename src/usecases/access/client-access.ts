import { adminDecision } from '../../domain/admins';
import {
  accessGroupIds,
  accessOf,
  canSeeTenant,
  grantApproves,
  groupOfPrincipal,
  type AccessGrant,
  type ActorAccess,
} from '../../domain/client-access';
import type { TenantRecord } from '../../domain/tenant';
import type { AccessGrantStore, AccessGroupMembers } from './ports';

export interface ClientAccessDeps {
  /** CLIENT_ACCESS. */
  environment: readonly AccessGrant[];
  store: AccessGrantStore;
  /** ADMINS, lower-case. */
  admins: readonly string[];
  /** Only the built-in demo is served: with ADMINS empty, everyone is an admin (as `adminDecision` says). */
  demoOnly: boolean;
  /** The UPN of an Entra object id from the synced directory (grants and ADMINS may name UPNs; Teams sends ids). */
  upnOf: (aadObjectId: string) => string | undefined;
  /** Members of the groups grants name (`group:<object id>`). */
  groups: AccessGroupMembers;
}

/** Who sees which tenants (src/domain/client-access.ts), from ADMINS, CLIENT_ACCESS and the stored grants. */
export class ClientAccess {
  constructor(private readonly deps: ClientAccessDeps) {}

  grants(): AccessGrant[] {
    return [...this.deps.environment, ...this.deps.store.list()];
  }

  /** Worked out per turn: grants changed through the REST API apply to the next message. */
  accessOf(actor: { aadObjectId?: string }): ActorAccess {
    const who = {
      aadObjectId: actor.aadObjectId,
      userPrincipalName: actor.aadObjectId ? this.deps.upnOf(actor.aadObjectId) : undefined,
    };
    const isGlobalAdmin = adminDecision(who, this.deps.admins, this.deps.demoOnly).allowed;
    if (isGlobalAdmin) return accessOf(who, { isGlobalAdmin, grants: [] });
    const grants = this.grants();
    const groups = accessGroupIds(grants);
    const groupIds =
      actor.aadObjectId && groups.length > 0 ? this.deps.groups.groupsOf(actor.aadObjectId.toLowerCase(), groups) : [];
    return accessOf({ ...who, groupIds }, { isGlobalAdmin, grants });
  }

  /** The Entra groups whose members the MSP tenant's sync must read (named by grants). */
  accessGroups(): string[] {
    return accessGroupIds(this.grants());
  }

  /** Whether this person may see the tenant at all (anything of a tenant they may not see answers as if it did not exist). */
  sees(actor: { aadObjectId?: string }, tenant: Pick<TenantRecord, 'mspClientId'>): boolean {
    return canSeeTenant(this.accessOf(actor), tenant);
  }

  /**
   * Technicians granted `approve` for the tenant's client, as object ids or UPNs (for the reclaim
   * approvers); a group grant counts each of its members.
   */
  approversOf(tenant: Pick<TenantRecord, 'mspClientId'>): string[] {
    return [
      ...new Set(
        this.grants()
          .filter((g) => grantApproves(g, tenant))
          .flatMap((g) => {
            const group = groupOfPrincipal(g.principal);
            return group === null ? [g.principal] : this.deps.groups.membersOf(group);
          }),
      ),
    ];
  }
}
