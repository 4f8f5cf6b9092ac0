import type { AccessGrant } from '../../domain/client-access';
import type { AccessGrantStore } from '../../usecases/access/ports';
import type { Db } from './database';
import { prepared } from './prepared';

interface Row {
  principal: string;
  client_id: string;
  approve: number;
}

/** access_grants (migration 22): a few rows per technician, read whole. */
export class SqliteAccessGrants implements AccessGrantStore {
  constructor(private readonly db: Db) {}

  list(): AccessGrant[] {
    return (prepared(this.db, 'SELECT * FROM access_grants ORDER BY principal, client_id').all() as Row[]).map((r) => ({
      principal: r.principal,
      clientId: r.client_id,
      approve: r.approve === 1,
      source: 'api',
    }));
  }

  put(grant: Pick<AccessGrant, 'principal' | 'clientId' | 'approve'>, now: Date): void {
    const at = now.toISOString();
    prepared(
      this.db,
      `INSERT INTO access_grants (principal, client_id, approve, created_at, updated_at) VALUES (?, ?, ?, ?, ?)
       ON CONFLICT (principal, client_id) DO UPDATE SET approve = excluded.approve, updated_at = excluded.updated_at`,
    ).run(grant.principal.toLowerCase(), grant.clientId.toLowerCase(), grant.approve ? 1 : 0, at, at);
  }

  remove(principal: string, clientId?: string): number {
    if (clientId === undefined)
      return prepared(this.db, 'DELETE FROM access_grants WHERE principal = ?').run(principal.toLowerCase()).changes;
    return prepared(this.db, 'DELETE FROM access_grants WHERE principal = ? AND client_id = ?').run(
      principal.toLowerCase(),
      clientId.toLowerCase(),
    ).changes;
  }
}
