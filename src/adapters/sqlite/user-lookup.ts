import type { Db } from './database';
import { prepared } from './prepared';

/**
 * Who an Entra object id is, from the synced directory: Teams identifies a sender by object id
 * only, while ADMINS may list UPNs. Every bot turn asks, for senders found in no tenant too, so
 * each query visits the tenants in name order and probes each current snapshot by index in one
 * statement (500 tenants: 500 index probes inside SQLite, not 500 statements from JavaScript).
 */
export class UserLookup {
  constructor(private readonly db: Db) {}

  /** The UPN of an object id in any tenant's current snapshot; undefined when nobody synced has it. */
  upnOf(aadObjectId: string): string | undefined {
    // Graph and Teams both write object ids in lower case; lowering a stray upper-case one keeps the index usable.
    const id = aadObjectId.trim().toLowerCase();
    if (id === '') return undefined;
    return prepared(
      this.db,
      // CROSS JOIN keeps the tenants outside (SQLite does not reorder it) and the indexes are named:
      // left to itself, without statistics, the planner scans the whole users index instead.
      `SELECT u.user_principal_name FROM tenants t INDEXED BY tenants_by_name
         CROSS JOIN users u INDEXED BY users_by_object_id
           ON u.tenant_id = t.id AND u.snapshot_id = t.current_snapshot_id AND u.user_id = ?
        ORDER BY t.tenant_name, t.id LIMIT 1`,
    )
      .pluck()
      .get(id) as string | undefined;
  }

  /** The object id of a UPN in any tenant's current snapshot (case-insensitive); undefined when nobody synced has it. */
  objectIdOf(userPrincipalName: string): string | undefined {
    const upn = userPrincipalName.trim();
    if (upn === '') return undefined;
    const id = prepared(
      this.db,
      `SELECT u.user_id FROM tenants t INDEXED BY tenants_by_name
         CROSS JOIN users u INDEXED BY users_by_upn
           ON u.tenant_id = t.id AND u.snapshot_id = t.current_snapshot_id AND u.user_principal_name = ? COLLATE NOCASE
        ORDER BY t.tenant_name, t.id LIMIT 1`,
    )
      .pluck()
      .get(upn) as string | undefined;
    return id?.toLowerCase();
  }
}
