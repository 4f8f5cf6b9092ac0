import type { Client } from '@microsoft/microsoft-graph-client';
import type { Logger } from 'pino';
import type { TenantConnection } from '../adapters/graph/graph-client';
import { GraphIdentityReader } from '../adapters/graph/identity-graph';
import type { TenantReader } from '../adapters/graph/tenant-reader';
import { SqliteIdentityStore } from '../adapters/sqlite/identity-store';
import type { Db } from '../adapters/sqlite/database';
import type { AppConfig } from '../config/config';
import type { TenantRecord } from '../domain/tenant';
import { MfaSource, SecurityPostureSource, SignInSource, SubscriptionsSource } from '../usecases/identity/identity-sources';
import type { ActivitySource } from '../usecases/sync/ports';

/** One tenant's Graph connection, shared by the directory read and every activity source. */
export interface TenantGraphAccess {
  conn: TenantConnection;
  client: Client;
  reader: TenantReader;
}

export interface ActivitySourceContext {
  tenant: TenantRecord;
  graph: TenantGraphAccess;
  db: Db;
  config: AppConfig;
  logger: Logger;
}

/**
 * The activity and posture sources a tenant's sync reads beside its directory, in the order
 * `check` reports them. Each capability adds its own here.
 */
export function buildActivitySources(ctx: ActivitySourceContext): ActivitySource[] {
  const { conn } = ctx.graph;
  const identity = {
    tenantId: ctx.tenant.id,
    graph: new GraphIdentityReader(ctx.graph.client, { entraTenantId: conn.entraTenantId, appClientId: conn.appClientId, graphEndpoint: conn.graphEndpoint, authorityHost: conn.authorityHost }),
    store: new SqliteIdentityStore(ctx.db),
  };
  return [new SignInSource(identity), new MfaSource(identity), new SecurityPostureSource(identity), new SubscriptionsSource(identity)];
}
