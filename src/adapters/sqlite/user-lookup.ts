import type { Db } from './database';
import { prepared } from './prepared';

/**
 * Who an Entra object id is, from the synced directory: Teams identifies a sender by object id
 * only, while ADMINS may list UPNs. Each tenant's current snapshot is looked up by index; an MSP
 * has a handful of tenants, so one small query per tenant beats a join the planner cannot bound.
 */
export class UserLookup {
  constructor(private readonly db: Db) {}

  /** The UPN of an object id in any tenant's current snapshot; undefined when nobody synced has it. */
  upnOf(aadObjectId: string): string | undefined {
    // Graph and Teams both write object ids in lower case; lowering a stray upper-case one keeps the index usable.
    const id = aadObjectId.trim().toLowerCase();
    if (id === '') return undefined;
    const tenants = prepared(this.db, 'SELECT id FROM tenants ORDER BY tenant_name, id').pluck().all() as string[];
    const lookup = prepared(
      this.db,
      // Named, because without statistics the planner prefers the key's (tenant, snapshot) range: a scan of the snapshot.
      `SELECT user_principal_name FROM users INDEXED BY users_by_object_id
        WHERE tenant_id = ? AND snapshot_id = (SELECT current_snapshot_id FROM tenants WHERE id = ?) AND user_id = ?
        LIMIT 1`,
    ).pluck();
    for (const tenantId of tenants) {
      const upn = lookup.get(tenantId, tenantId, id) as string | undefined;
      if (upn !== undefined) return upn;
    }
    return undefined;
  }

  /** The object id of a UPN in any tenant's current snapshot (case-insensitive); undefined when nobody synced has it. */
  objectIdOf(userPrincipalName: string): string | undefined {
    const upn = userPrincipalName.trim();
    if (upn === '') return undefined;
    const tenants = prepared(this.db, 'SELECT id FROM tenants ORDER BY tenant_name, id').pluck().all() as string[];
    const lookup = prepared(
      this.db,
      `SELECT user_id FROM users INDEXED BY users_by_upn
        WHERE tenant_id = ? AND snapshot_id = (SELECT current_snapshot_id FROM tenants WHERE id = ?) AND user_principal_name = ? COLLATE NOCASE
        LIMIT 1`,
    ).pluck();
    for (const tenantId of tenants) {
      const id = lookup.get(tenantId, tenantId, upn) as string | undefined;
      if (id !== undefined) return id.toLowerCase();
    }
    return undefined;
  }
}
