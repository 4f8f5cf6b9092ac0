import type { AccessGrant } from '../../domain/client-access';

/** Grants made through the REST API (CLIENT_ACCESS's are read from the environment at start). */
export interface AccessGrantStore {
  list(): AccessGrant[];
  /** Creates or replaces the grant of that principal and client. */
  put(grant: Pick<AccessGrant, 'principal' | 'clientId' | 'approve'>, now: Date): void;
  /** Removes the principal's grant for one client, or all of its grants; returns how many went. */
  remove(principal: string, clientId?: string): number;
}
