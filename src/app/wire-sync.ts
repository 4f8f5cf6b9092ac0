import type { Logger } from 'pino';
import { directoryProbes } from '../adapters/graph/directory-probes';
import { GraphDirectorySource } from '../adapters/graph/graph-directory-source';
import { GraphUsageReports } from '../adapters/graph/graph-usage-reports';
import { writePermissionProbes } from '../adapters/graph/write-permission-probes';
import { databaseFile } from '../adapters/sqlite/database';
import { DirectoryReader } from '../adapters/sqlite/directory';
import { SqliteIdentityStore } from '../adapters/sqlite/identity-store';
import { SqliteSecurityObservations } from '../adapters/sqlite/security-observations';
import { ReadAdmission } from '../adapters/sqlite/read-admission';
import { SnapshotWriterThread } from '../adapters/sqlite/snapshot-writer-thread';
import { SqliteDepartmentSeats } from '../adapters/sqlite/department-seats';
import { SqliteDepartmentTrend } from '../adapters/sqlite/department-trend';
import { SqliteSourceStatusStore } from '../adapters/sqlite/source-status';
import { SqliteCacheStorage } from '../adapters/sqlite/storage-full';
import { SqliteUsageReports } from '../adapters/sqlite/usage-reports';
import { syncResultCards } from '../cards/status-cards';
import type { AppConfig } from '../config/config';
import { renderUserPage } from '../entry/api/user-json';
import type { SyncType } from '../domain/activity-sources';
import type { SyncHealth } from '../domain/sync-schedule';
import { intervalSyncTick } from '../entry/schedule/sync-schedule';
import { copilotSkuMatcher } from '../domain/copilot-skus';
import type { TenantRecord } from '../domain/tenant';
import type { Clock } from '../domain/clock';
import { CheckService, type AccessProbe } from '../usecases/check/check-service';
import { recordDepartmentDay } from '../usecases/departments/department-chargeback';
import type { ActivitySource } from '../usecases/sync/ports';
import { syncInProgress } from '../usecases/sync/sync-in-progress';
import { tenantSyncHealth } from '../usecases/sync/interval-syncs';
import { tenantSyncJob } from '../usecases/sync/sync-jobs';
import { SyncResultReport } from '../usecases/sync/sync-result-report';
import { SyncService } from '../usecases/sync/sync-service';
import { restoreConcealmentAfterCrash } from '../usecases/usage/report-concealment';
import { UsageQuery } from '../usecases/usage/usage-query';
import { recordSecurityRisks } from '../usecases/identity/security-risk-events';
import type { WebhookEventLog } from '../usecases/webhooks/ports';
import { buildActivitySources } from './activity-sources';
import type { DisposalStack } from './disposal';
import type { Core } from './wire-core';
import type { Jobs } from './wire-jobs';

/** Syncs from Graph into SQLite: the directory, the activity sources, the snapshot writer, and what reads them. */
export interface Sync {
  sync: SyncService;
  directory: DirectoryReader;
  sourceStatus: SqliteSourceStatusStore;
  identityReads: SqliteIdentityStore;
  usage: SqliteUsageReports;
  usageQuery: UsageQuery;
  check: CheckService;
  syncTypes: (tenant: TenantRecord) => SyncType[];
  activitySources: (tenant: TenantRecord) => ActivitySource[];
  report: SyncResultReport;
  concealmentRestored: Promise<number>;
  /** A tenant's figures are about to change: a sync running (until when) or queued. */
  inProgress: (tenantId: string) => { until?: Promise<unknown> } | undefined;
  /** A tenant's sync health and next scheduled sync, now. */
  health: (tenant: TenantRecord) => SyncHealth;
  /** The interval tick: queues the syncs of interval tenants due at `now` (job ids created). */
  intervalTick: (now: Date) => number[];
  /** SYNC_CRON's next firing, once the schedule runs (set by the composition root; null until then). */
  cron: { nextRun: () => Date | null };
}

export function wireSync(
  config: Pick<AppConfig, 'dataDir' | 'copilotSkuIds' | 'reports' | 'audit' | 'analytics' | 'reclaim' | 'history'>,
  core: Core,
  jobs: Jobs,
  logger: Logger,
  disposals: DisposalStack,
  options: { clock?: Clock; events?: WebhookEventLog } = {},
): Sync {
  const { db, tenants, runs, graphs } = core;
  const isCopilot = copilotSkuMatcher(config.copilotSkuIds);
  const sourceStatus = new SqliteSourceStatusStore(db);
  const sourceConfig = {
    reports: config.reports,
    audit: config.audit,
    exclusionGroups: config.analytics.exclusions.groups,
  };
  const activitySources = (tenant: TenantRecord) =>
    buildActivitySources({
      tenant,
      graph: graphs.accessFor(tenant),
      db,
      ...sourceConfig,
      // Technicians sign in to Teams in the MSP's own tenant: only there are grant groups read.
      accessGroups: core.environmentEntraTenantIds.includes(tenant.entraTenantId)
        ? core.clientAccess.accessGroups()
        : [],
      logger,
    });
  const check = new CheckService({
    probesFor: (tenant) => [
      ...directoryProbes(graphs.accessFor(tenant).reader),
      ...writePermissionProbes(graphs.accessFor(tenant).conn, {
        install: config.reclaim.teamsAppCatalogId !== undefined,
      }),
      ...activitySources(tenant).flatMap(
        (source): AccessProbe[] => source.probes?.() ?? [{ id: source.id, run: () => source.probe() }],
      ),
    ],
  });
  const syncTypes = (tenant: TenantRecord): SyncType[] => {
    const types = new Set<SyncType>(['users', 'groups', 'licenses']);
    for (const source of activitySources(tenant)) for (const type of source.syncTypes) types.add(type);
    return [...types];
  };

  const sink = new SnapshotWriterThread(databaseFile(config.dataDir), db);
  const identityReads = new SqliteIdentityStore(db);
  // Each published sync files its day of the department trend.
  const departmentDays = { seats: new SqliteDepartmentSeats(db), trend: new SqliteDepartmentTrend(db) };
  disposals.add('the snapshot writer', () => sink.close());
  const sync = new SyncService({
    tenants,
    runs,
    sourceFor: (tenant) => new GraphDirectorySource(graphs.accessFor(tenant).reader, isCopilot, tenant.tenantName),
    activitySources,
    sourceStatus,
    sink,
    storage: new SqliteCacheStorage(db),
    logger,
    analytics: {
      computer: sink.analytics(),
      options: { settings: config.analytics.settings, exclusions: config.analytics.exclusions },
    },
    published: (tenantId, at) => recordDepartmentDay(departmentDays, tenantId, at),
    history: { recorder: sink.history(), historyDays: config.history.days },
    clock: options.clock,
    events: options.events,
    observeSecurity: options.events
      ? (tenantId, runId) =>
          recordSecurityRisks(
            {
              identity: identityReads,
              mfaStatus: (id) => sourceStatus.get(id, 'mfa'),
              observations: new SqliteSecurityObservations(db),
              events: options.events as WebhookEventLog,
            },
            tenantId,
            runId,
            core.clock(),
          )
      : undefined,
  });
  // At stop, after the server: a running sync finishes, then a scheduled sync's job records that it
  // ended (the stop stopped waiting for it), so the next start does not sync again.
  disposals.add('running syncs and their jobs', async () => {
    await sync.idle();
    await jobs.runner.settled(10_000);
  });
  // A running sync comes first: API pages of users wait their turn until it is done.
  const directory = new DirectoryReader(
    db,
    core.readWorkers,
    new ReadAdmission(() => sync.isAnyRunning()),
    renderUserPage,
  );
  const usage = new SqliteUsageReports(db);
  // Concealment a killed sync left off goes back on now, in the background: an unreachable tenant must not hold up the start.
  const concealmentRestored = restoreConcealmentAfterCrash({
    markers: usage,
    graphFor: (tenantId) => {
      const tenant = tenants.find(tenantId);
      if (!tenant) throw new Error(`tenant ${tenantId} is no longer configured`);
      const access = graphs.accessFor(tenant);
      return new GraphUsageReports(access.client, access.conn);
    },
    log: logger,
  });
  disposals.add('the report concealment restore', () => concealmentRestored);
  const recovered = sync.recoverInterrupted();
  if (recovered.interruptedRuns > 0 || recovered.orphanRows > 0)
    logger.warn(recovered, 'cleaned up after an interrupted sync');

  const report = new SyncResultReport({
    tenants,
    runs,
    whenDone: (runId) => sync.whenDone(runId),
    notifier: jobs.notifier,
    cards: syncResultCards,
    conversations: core.conversations,
    queue: jobs.runner,
  });
  const cronSchedule: Sync['cron'] = { nextRun: () => null };
  return {
    sync,
    directory,
    sourceStatus,
    identityReads,
    usage,
    usageQuery: new UsageQuery(usage, sourceStatus),
    check,
    syncTypes,
    activitySources,
    report,
    concealmentRestored,
    inProgress: (tenantId) =>
      syncInProgress(
        {
          isRunning: (id) => sync.isRunning(id),
          latestRun: (id) => runs.latest(id),
          whenDone: (runId) => sync.whenDone(runId),
          queuedSyncs: (id) => jobs.outbox.countOpen(tenantSyncJob.kind, id),
        },
        tenantId,
      ),
    health: (tenant) =>
      tenantSyncHealth({ history: runs, nextCronRun: () => cronSchedule.nextRun() }, tenant, core.clock()),
    intervalTick: intervalSyncTick({ tenants, history: runs, queue: jobs.runner, outbox: jobs.outbox }, logger),
    cron: cronSchedule,
  };
}
