import { randomUUID } from 'node:crypto';
import { type Db, writeTransaction } from './database';
import { prepared } from './prepared';
import type {
  ConnectionTenant,
  StoredConnection,
  StoredConnectionFields,
  TenantConnectionStore,
  TenantOrigin,
} from '../../usecases/tenants/ports';

interface TenantRow {
  id: string;
  tenant_id: string;
  client_id: string | null;
  tenant_name: string;
  source: TenantOrigin;
}

interface ConnectionRow {
  tenant_id: string;
  entra_tenant_id: string;
  app_client_id: string;
  authority_host: string;
  graph_endpoint: string;
  credential_kind: 'secret' | 'certificate';
  secret_ciphertext: string | null;
  certificate_path: string | null;
  key_id: string | null;
  created_at: string;
  updated_at: string;
}

const toTenant = (r: TenantRow): ConnectionTenant => ({
  tenantId: r.id,
  entraTenantId: r.tenant_id,
  tenantName: r.tenant_name,
  source: r.source,
  mspClientId: r.client_id,
});

function toConnection(r: ConnectionRow): StoredConnection {
  const base = {
    tenantId: r.tenant_id,
    entraTenantId: r.entra_tenant_id,
    appClientId: r.app_client_id,
    authorityHost: r.authority_host,
    graphEndpoint: r.graph_endpoint,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
  };
  // The table's CHECK constraint guarantees the columns each kind needs.
  return r.credential_kind === 'secret'
    ? { ...base, credential: { kind: 'secret', ciphertext: r.secret_ciphertext ?? '', keyId: r.key_id ?? '' } }
    : { ...base, credential: { kind: 'certificate', path: r.certificate_path ?? '' } };
}

/** tenants + tenant_connections (migration 4) for the tenant registry. */
export class SqliteTenantConnectionStore implements TenantConnectionStore {
  constructor(private readonly db: Db) {}

  findTenant(idOrEntraTenantId: string): ConnectionTenant | undefined {
    const row = prepared(
      this.db,
      'SELECT id, tenant_id, client_id, tenant_name, source FROM tenants WHERE id = ? OR tenant_id = ? LIMIT 1',
    ).get(idOrEntraTenantId, idOrEntraTenantId) as TenantRow | undefined;
    return row ? toTenant(row) : undefined;
  }

  createTenant(input: {
    entraTenantId: string;
    tenantName: string;
    source: TenantOrigin;
    mspClientId: string | null;
  }): ConnectionTenant {
    const now = new Date().toISOString();
    const id = randomUUID();
    prepared(
      this.db,
      'INSERT INTO tenants (id, tenant_id, client_id, tenant_name, source, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)',
    ).run(id, input.entraTenantId, input.mspClientId, input.tenantName, input.source, now, now);
    return {
      tenantId: id,
      entraTenantId: input.entraTenantId,
      tenantName: input.tenantName,
      source: input.source,
      mspClientId: input.mspClientId,
    };
  }

  load(tenantId: string): StoredConnection | undefined {
    const row = prepared(this.db, 'SELECT * FROM tenant_connections WHERE tenant_id = ?').get(tenantId) as
      ConnectionRow | undefined;
    return row ? toConnection(row) : undefined;
  }

  save(tenantId: string, fields: StoredConnectionFields): StoredConnection {
    return this.transaction(() => {
      const previous = prepared(this.db, 'SELECT updated_at FROM tenant_connections WHERE tenant_id = ?')
        .pluck()
        .get(tenantId) as string | undefined;
      // Readers cache by updated_at, so two saves within one millisecond must still differ.
      const now = Date.now();
      const stamp = new Date(previous === undefined ? now : Math.max(now, Date.parse(previous) + 1)).toISOString();
      const c = fields.credential;
      prepared(
        this.db,
        `INSERT INTO tenant_connections
             (tenant_id, entra_tenant_id, app_client_id, authority_host, graph_endpoint, credential_kind,
              secret_ciphertext, certificate_path, key_id, created_at, updated_at)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
           ON CONFLICT (tenant_id) DO UPDATE SET
             entra_tenant_id = excluded.entra_tenant_id, app_client_id = excluded.app_client_id,
             authority_host = excluded.authority_host, graph_endpoint = excluded.graph_endpoint,
             credential_kind = excluded.credential_kind, secret_ciphertext = excluded.secret_ciphertext,
             certificate_path = excluded.certificate_path, key_id = excluded.key_id, updated_at = excluded.updated_at`,
      ).run(
        tenantId,
        fields.entraTenantId,
        fields.appClientId,
        fields.authorityHost,
        fields.graphEndpoint,
        c.kind,
        c.kind === 'secret' ? c.ciphertext : null,
        c.kind === 'certificate' ? c.path : null,
        c.kind === 'secret' ? c.keyId : null,
        stamp,
        stamp,
      );
      return this.load(tenantId) as StoredConnection;
    });
  }

  list(): StoredConnection[] {
    return (prepared(this.db, 'SELECT * FROM tenant_connections ORDER BY tenant_id').all() as ConnectionRow[]).map(
      toConnection,
    );
  }

  transaction<T>(work: () => T): T {
    // better-sqlite3 turns a nested transaction() into a savepoint, so callers may nest.
    return writeTransaction(this.db, work)();
  }
}
