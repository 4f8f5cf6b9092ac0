import type { Client } from '@microsoft/microsoft-graph-client';
import type { Logger } from 'pino';
import type { TenantConnection } from '../adapters/graph/graph-client';
import type { TenantReader } from '../adapters/graph/tenant-reader';
import type { Db } from '../adapters/sqlite/database';
import type { AppConfig } from '../config/config';
import type { TenantRecord } from '../domain/tenant';
import type { ActivitySource } from '../usecases/sync/ports';
import { GraphAuditLogQueryApi } from '../adapters/graph/audit-log-query-api';
import { SqliteCopilotInteractionStore } from '../adapters/sqlite/copilot-interactions';
import { AuditGraphSource } from '../usecases/audit/audit-graph-source';
import { AuditManagementSource } from '../usecases/audit/audit-management-source';
import { managementApiFor } from './audit-access';

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
  return [...auditSources(ctx)];
}

function auditSources(ctx: ActivitySourceContext): ActivitySource[] {
  const store = new SqliteCopilotInteractionStore(ctx.db);
  const { audit } = ctx.config;
  return [
    new AuditGraphSource({
      tenantId: ctx.tenant.id,
      api: new GraphAuditLogQueryApi(ctx.graph.client, ctx.graph.conn),
      store,
      queryWaitMs: audit.queryWaitMs,
      pollIntervalMs: audit.pollIntervalMs,
      overlapMs: audit.overlapMs,
      lookbackMs: audit.lookbackMs,
    }),
    new AuditManagementSource({ tenantId: ctx.tenant.id, api: managementApiFor(ctx.config, ctx.tenant, ctx.graph.conn), store, overlapMs: audit.overlapMs, lookbackMs: audit.lookbackMs }),
  ];
}
