import type { Client } from '@microsoft/microsoft-graph-client';
import type { Logger } from 'pino';
import type { TenantConnection } from '../adapters/graph/graph-client';
import { GraphIdentityReader } from '../adapters/graph/identity-graph';
import type { TenantReader } from '../adapters/graph/tenant-reader';
import { SqliteIdentityStore } from '../adapters/sqlite/identity-store';
import type { Db } from '../adapters/sqlite/database';
import type { AuditConfig, ReportsConfig } from '../config/config';
import type { TenantRecord } from '../domain/tenant';
import {
  MfaSource,
  SecurityPostureSource,
  SignInSource,
  SubscriptionsSource,
} from '../usecases/identity/identity-sources';
import type { ActivitySource } from '../usecases/sync/ports';
import { GraphUsageReports } from '../adapters/graph/graph-usage-reports';
import { SqliteUsageReports } from '../adapters/sqlite/usage-reports';
import { CopilotTrendSource } from '../usecases/usage/copilot-trend-source';
import { CopilotUsageSource } from '../usecases/usage/copilot-usage-source';
import { M365ActivitySource } from '../usecases/usage/m365-activity-source';
import { ReportConcealment } from '../usecases/usage/report-concealment';
import { ReportSettingsSource } from '../usecases/usage/report-settings-source';
import { ServiceUsageSource } from '../usecases/usage/service-usage-source';
import { GraphAuditLogQueryApi } from '../adapters/graph/audit-log-query-api';
import { SqliteCopilotInteractionStore } from '../adapters/sqlite/copilot-interactions';
import { AuditGraphSource } from '../usecases/audit/audit-graph-source';
import { AuditManagementSource } from '../usecases/audit/audit-management-source';
import { AuditRecheck } from '../usecases/audit/audit-recheck';
import { managementApiFor } from './audit-access';
import { GraphExclusionGroups } from '../adapters/graph/exclusion-groups-graph';
import { SqliteExclusionGroupStore } from '../adapters/sqlite/exclusion-group-store';
import { ExclusionGroupsSource } from '../usecases/analytics/exclusion-groups-source';

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
  /** REPORTS_UNCONCEAL, REPORTS_REREAD_HOURS. */
  reports: ReportsConfig;
  audit: AuditConfig;
  /** EXCLUDE_GROUPS (lower-case): read only when some are configured. */
  exclusionGroups: readonly string[];
  /** In the MSP's own tenant: the groups access grants name (`group:<id>`), whose members hold the grant. */
  accessGroups?: readonly string[];
  logger: Logger;
}

/**
 * The activity and posture sources a tenant's sync reads beside its directory, in the order
 * `check` reports them. Each capability adds its own here.
 */
export function buildActivitySources(ctx: ActivitySourceContext): ActivitySource[] {
  // Before any sync has counted their requests, the heaviest (a request per few hundred users) start first.
  return [...identitySources(ctx), ...usageReportSources(ctx), ...auditSources(ctx), ...analyticsSources(ctx)];
}

function identitySources(ctx: ActivitySourceContext): ActivitySource[] {
  const identity = {
    tenantId: ctx.tenant.id,
    graph: new GraphIdentityReader(ctx.graph.client, ctx.graph.conn),
    store: new SqliteIdentityStore(ctx.db),
  };
  return [
    new SignInSource(identity),
    new MfaSource(identity),
    new SecurityPostureSource(identity),
    new SubscriptionsSource(identity),
  ];
}

/** The usage reports share one view of the tenant's report name concealment per sync. */
function usageReportSources(ctx: ActivitySourceContext): ActivitySource[] {
  const graph = new GraphUsageReports(ctx.graph.client, ctx.graph.conn);
  const store = new SqliteUsageReports(ctx.db);
  const concealment = new ReportConcealment(graph, store, ctx.tenant.id, ctx.reports.unconceal, ctx.logger);
  const deps = { tenantId: ctx.tenant.id, graph, store, concealment, rereadHours: ctx.reports.rereadHours };
  return [
    new CopilotUsageSource(deps),
    new CopilotTrendSource(deps),
    new M365ActivitySource(deps),
    new ServiceUsageSource(deps),
    new ReportSettingsSource(deps, ctx.reports.unconceal),
  ];
}

function auditSources(ctx: ActivitySourceContext): ActivitySource[] {
  const store = new SqliteCopilotInteractionStore(ctx.db);
  const { audit } = ctx;
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
    new AuditManagementSource({
      tenantId: ctx.tenant.id,
      api: managementApiFor(audit, ctx.tenant, ctx.graph.conn),
      store,
      overlapMs: audit.overlapMs,
      lookbackMs: audit.lookbackMs,
    }),
  ];
}

/**
 * The reclaim re-check's fresh activity read for a tenant: each audit source the tenant's syncs have
 * read (the others would only be refused), built as the sync builds them.
 */
export function buildAuditRecheck(
  ctx: ActivitySourceContext,
  readable: { graph: boolean; management: boolean },
): AuditRecheck {
  const store = new SqliteCopilotInteractionStore(ctx.db);
  const { audit } = ctx;
  return new AuditRecheck({
    tenantId: ctx.tenant.id,
    store,
    graph: readable.graph ? new GraphAuditLogQueryApi(ctx.graph.client, ctx.graph.conn) : null,
    management: readable.management
      ? new AuditManagementSource({
          tenantId: ctx.tenant.id,
          api: managementApiFor(audit, ctx.tenant, ctx.graph.conn),
          store,
          overlapMs: audit.overlapMs,
          lookbackMs: audit.lookbackMs,
        })
      : null,
    // One attempt polls briefly; a longer query is polled again by the next attempt (the card says it waits).
    pollBudgetMs: Math.min(audit.queryWaitMs, 20_000),
    pollIntervalMs: audit.pollIntervalMs,
    overlapMs: audit.overlapMs,
    lookbackMs: audit.lookbackMs,
  });
}

/** Groups are read only when some are configured: no call, and no permission needed, otherwise. */
function analyticsSources(ctx: ActivitySourceContext): ActivitySource[] {
  const groupIds = [...new Set([...ctx.exclusionGroups, ...(ctx.accessGroups ?? [])])];
  if (groupIds.length === 0) return [];
  return [
    new ExclusionGroupsSource({
      tenantId: ctx.tenant.id,
      groupIds,
      graph: new GraphExclusionGroups(ctx.graph.client, ctx.graph.conn),
      store: new SqliteExclusionGroupStore(ctx.db),
    }),
  ];
}
