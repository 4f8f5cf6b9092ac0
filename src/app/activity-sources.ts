import type { Client } from '@microsoft/microsoft-graph-client';
import type { Logger } from 'pino';
import type { TenantConnection } from '../adapters/graph/graph-client';
import type { TenantReader } from '../adapters/graph/tenant-reader';
import type { Db } from '../adapters/sqlite/database';
import type { AppConfig } from '../config/config';
import type { TenantRecord } from '../domain/tenant';
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
  void ctx;
  return [];
}
