import type { AccessGrant } from '../../domain/client-access';

/** Grants made through the REST API (CLIENT_ACCESS's are read from the environment at start). */
export interface AccessGrantStore {
  list(): AccessGrant[];
  /** Creates or replaces the grant of that principal and client. */
  put(grant: Pick<AccessGrant, 'principal' | 'clientId' | 'approve'>, now: Date): void;
  /** Removes the principal's grant for one client, or all of its grants; returns how many went. */
  remove(principal: string, clientId?: string): number;
}

/**
 * Members of the Entra groups that grants name, as read at the last sync of the MSP's own tenant
 * (the environment's tenant, where technicians sign in to Teams).
 */
export interface AccessGroupMembers {
  /** The groups among `groupIds` that the user (object id, lower-case) is a member of. */
  groupsOf(userId: string, groupIds: readonly string[]): string[];
  /** The members (object ids) of a group; empty before it is read. */
  membersOf(groupId: string): string[];
}
