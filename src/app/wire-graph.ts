import { createGraphClient, type TenantConnection } from '../adapters/graph/graph-client';
import { GraphLicenceGraph } from '../adapters/graph/licence-graph';
import { TenantReader } from '../adapters/graph/tenant-reader';
import type { TenantRecord } from '../domain/tenant';
import { TenantAccessError } from '../domain/tenant-access-error';
import type { LicenceGraph } from '../usecases/reclaim/ports';
import {
  TenantConnectionError,
  type TenantConnectionSettings,
  type TenantRegistry,
} from '../usecases/tenants/tenant-registry';
import type { TenantGraphAccess } from './activity-sources';

/**
 * Each tenant's Graph client, and the reclaim's licence graph over it, cached per tenant until the
 * tenant's stored connection changes (a new revision), so a credential update needs no restart and
 * the licence graph's round-trip count adds up across a reclaim.
 */
export class TenantGraphs {
  private readonly cache = new Map<string, { revision: string; access: TenantGraphAccess; licence?: LicenceGraph }>();

  constructor(private readonly registry: TenantRegistry) {}

  accessFor(tenant: TenantRecord): TenantGraphAccess {
    return this.entryFor(tenant).access;
  }

  /** A deleted tenant: its client (holding its credential) is dropped. */
  forget(tenantId: string): void {
    this.cache.delete(tenantId);
  }

  licenceGraphFor(tenant: TenantRecord): LicenceGraph {
    const entry = this.entryFor(tenant);
    entry.licence ??= new GraphLicenceGraph(entry.access.client, entry.access.conn);
    return entry.licence;
  }

  private entryFor(tenant: TenantRecord): { revision: string; access: TenantGraphAccess; licence?: LicenceGraph } {
    let settings: TenantConnectionSettings;
    try {
      settings = this.registry.connectionFor(tenant.id);
    } catch (error) {
      if (error instanceof TenantConnectionError) throw new TenantAccessError(error.code, error.message);
      throw error;
    }
    let cached = this.cache.get(tenant.id);
    if (cached?.revision !== settings.revision) {
      const conn: TenantConnection = {
        entraTenantId: settings.entraTenantId,
        appClientId: settings.appClientId,
        credential: settings.credential,
        graphEndpoint: settings.graphEndpoint,
        authorityHost: settings.authorityHost,
      };
      const client = createGraphClient(conn);
      cached = { revision: settings.revision, access: { conn, client, reader: new TenantReader(client, conn) } };
      this.cache.set(tenant.id, cached);
    }
    return cached;
  }
}
