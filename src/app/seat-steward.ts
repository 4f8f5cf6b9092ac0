import path from 'node:path';
import type { AddressInfo } from 'node:net';
import type { Logger } from 'pino';
import { GraphDirectorySource } from '../adapters/graph/graph-directory-source';
import { createGraphClient, type TenantConnection } from '../adapters/graph/graph-client';
import { TenantReader } from '../adapters/graph/tenant-reader';
import { SqliteSourceStatusStore } from '../adapters/sqlite/source-status';
import { directoryProbes } from '../adapters/graph/directory-probes';
import { writePermissionProbes } from '../adapters/graph/write-permission-probes';
import type { SyncType } from '../domain/activity-sources';
import { CheckService, type AccessProbe } from '../usecases/check/check-service';
import { checkCommand } from '../entry/bot/commands/check';
import { registerSyncRoutes } from '../entry/api/sync-routes';
import { registerUsageRoutes } from '../entry/api/usage-routes';
import { registerCopilotRoutes } from '../entry/api/copilot-routes';
import { registerSecurityRoutes } from '../entry/api/security-routes';
import { registerAuditRoutes } from '../entry/api/audit-routes';
import { GraphUsageReports } from '../adapters/graph/graph-usage-reports';
import { SqliteUsageReports } from '../adapters/sqlite/usage-reports';
import { SqliteAnalyticsReads } from '../adapters/sqlite/analytics-reads';
import { SqlitePriceBook } from '../adapters/sqlite/price-book';
import { renderUserPage } from '../entry/api/user-json';
import { restoreConcealmentAfterCrash } from '../usecases/usage/report-concealment';
import { UsageQuery } from '../usecases/usage/usage-query';
import { SqliteIdentityStore } from '../adapters/sqlite/identity-store';
import { buildActivitySources, buildAuditRecheck, type TenantGraphAccess } from './activity-sources';
import { ConversationStore } from '../adapters/sqlite/conversations';
import { databaseFile, openDatabase, type Db } from '../adapters/sqlite/database';
import { DirectoryReader } from '../adapters/sqlite/directory';
import { acquireInstanceLock } from '../adapters/sqlite/instance-lock';
import { SnapshotWriterThread } from '../adapters/sqlite/snapshot-writer-thread';
import { SyncRunStore } from '../adapters/sqlite/sync-runs';
import { TenantStore } from '../adapters/sqlite/tenants';
import { SqliteOutboxStore } from '../adapters/sqlite/outbox-store';
import { TeamsNotifier } from '../adapters/teams/notifier';
import { botAppId, createTeamsAdapter } from '../adapters/teams/teams-adapter';
import type { AppConfig } from '../config/config';
import { copilotSkuMatcher } from '../domain/copilot-skus';
import type { TenantRecord } from '../domain/tenant';
import { TenantAccessError } from '../domain/tenant-access-error';
import { apiKeyGuard } from '../entry/api/api-auth';
import { activityProcessor, createBotApp } from '../entry/bot/bot-app';
import { registerCardAction } from '../entry/bot/bot-types';
import { tenantStatusAction } from '../entry/bot/card-actions/tenant-status';
import { tenantSyncAction } from '../entry/bot/card-actions/tenant-sync';
import { helpCommand } from '../entry/bot/commands/help';
import { statusCommand } from '../entry/bot/commands/status';
import { securityCommand } from '../entry/bot/commands/security';
import { syncCommand } from '../entry/bot/commands/sync';
import { usageCommand } from '../entry/bot/commands/usage';
import { createHttpServer } from '../entry/http/http-server';
import { JobRunner, type JobRunnerOptions } from '../usecases/outbox/job-runner';
import { JobRegistry } from '../usecases/outbox/job-type';
import type { OutboxStore } from '../usecases/outbox/outbox-store';
import { scheduleSyncs } from '../entry/schedule/sync-schedule';
import { StatusService } from '../usecases/status/status-service';
import type { DirectorySource } from '../usecases/sync/ports';
import { registerSyncJobs } from '../usecases/sync/sync-jobs';
import { SyncResultReport } from '../usecases/sync/sync-result-report';
import { SyncService } from '../usecases/sync/sync-service';
import { SecretBox } from '../adapters/secrets/secret-box';
import { SqliteTenantConnectionStore } from '../adapters/sqlite/tenant-connections';
import { TenantConnectionError, TenantRegistry, type NewTenant, type TenantConnectionSettings } from '../usecases/tenants/tenant-registry';
import { ReadAdmission } from '../adapters/sqlite/read-admission';
import { ReadWorkerThreads } from '../adapters/sqlite/read-worker-thread';
import { isStorageFull, SqliteCacheStorage } from '../adapters/sqlite/storage-full';
import { startEmbeddedDemoTenant, type EmbeddedDemoTenant } from './demo-connection';
import { AuditSubscriptions } from '../usecases/audit/audit-subscriptions';
import { auditCommand } from '../entry/bot/commands/audit';
import { auditStopConfirmAction } from '../entry/bot/card-actions/audit-stop-confirm';
import { managementApiFor } from './audit-access';
import { SqliteDigestSubscriptions } from '../adapters/sqlite/digest-subscriptions';
import { DigestService } from '../usecases/digest/digest-service';
import { digestSecurity } from '../usecases/digest/digest-security';
import { digestCommand } from '../entry/bot/commands/digest';
import { digestTick, scheduleDigests } from '../entry/schedule/digest-schedule';
import { adminGate } from '../entry/bot/admin-gate';
import { securityScoreOf } from '../usecases/identity/security-report';
import type { AnalyticsReads } from '../usecases/analytics/ports';
import { tenantSyncJob } from '../usecases/sync/sync-jobs';
import { PermanentError } from '../usecases/outbox/job-errors';
import { exclusionOf } from '../domain/seat-analytics';
import { PriceService } from '../usecases/analytics/prices';
import { priceCommand } from '../entry/bot/commands/price';
import { registerPriceRoutes } from '../entry/api/price-routes';
import { savingsCommand } from '../entry/bot/commands/savings';
import { registerExportRoutes } from '../entry/api/export-routes';
import { SignedExportLinks } from '../adapters/secrets/signed-export-links';
import { UserLookup } from '../adapters/sqlite/user-lookup';
import { inactiveCommand } from '../entry/bot/commands/inactive';
import { candidatesCommand } from '../entry/bot/commands/candidates';
import { inactivePageAction } from '../entry/bot/card-actions/inactive-page';
import { candidatesPageAction } from '../entry/bot/card-actions/candidates-page';
import { exportLinkAction } from '../entry/bot/card-actions/export-link';
import { SqliteReclaimStore } from '../adapters/sqlite/reclaim-store';
import { SqliteReclaimSeats } from '../adapters/sqlite/reclaim-seats';
import { SqliteTeamsUserIds } from '../adapters/sqlite/teams-users';
import { GraphLicenceGraph } from '../adapters/graph/licence-graph';
import { TeamsReclaimMessenger } from '../adapters/teams/reclaim-messenger';
import { TeamsHolderReach } from '../adapters/teams/holder-reach';
import { GraphTeamsAppInstaller } from '../adapters/graph/teams-app-installer';
import { ReclaimService } from '../usecases/reclaim/reclaim-service';
import type { ReclaimStep } from '../usecases/reclaim/reclaim-executor';
import type { LicenceGraph } from '../usecases/reclaim/ports';
import { reclaimCards } from '../cards/reclaim-views';
import type { AdaptiveCardJson } from '../cards/render';
import type { ConversationTarget } from '../usecases/notify/ports';
import { reclaimCommand } from '../entry/bot/commands/reclaim';
import { reclaimViewAction } from '../entry/bot/card-actions/reclaim-view';
import { reclaimRequestAction } from '../entry/bot/card-actions/reclaim-request';
import { reclaimApproveAction, reclaimCancelAction, reclaimRejectAction } from '../entry/bot/card-actions/reclaim-decide';
import { reclaimUndoAction } from '../entry/bot/card-actions/reclaim-undo';
import { reclaimNudgeAnswerAction } from '../entry/bot/card-actions/reclaim-nudge-answer';
import { registerReclaimRoutes } from '../entry/api/reclaim-routes';

export interface SeatStewardOptions {
  logger: Logger;
  /** A demo tenant the caller already runs (tests share one); otherwise one is started when the config asks for the demo. */
  demoTenant?: EmbeddedDemoTenant;
  /** Run SYNC_CRON and the first sync of an empty cache (off in tests that drive syncs themselves). */
  schedule?: boolean;
  /** Overrides the card button's wait for a finished sync. */
  cardSyncWaitMs?: number;
  /** Overrides the job runner's settings (tests shorten its waits). */
  outbox?: Partial<JobRunnerOptions>;
  /** Run the digest scheduler's minute tick (on with `schedule`; tests drive digestTick themselves). */
  digestSchedule?: boolean;
  /** Seat analytics to read instead of the stored ones: export and savings tests that need exact rows (quoting, unicode, formula cells). */
  analytics?: AnalyticsReads;
  /** Called between the reclaim executor's steps: the crash test kills the process there. */
  reclaimCheckpoint?: (step: ReclaimStep, requestId: string) => void;
  /** How long the sync after a reclaim waits for more changes to the same tenant (5 s after the last, 2 minutes at most). */
  reclaimSyncDelayMs?: number;
}

/**
 * One sync per burst of reclaim changes to a tenant, once the burst is over: the approvals of a split
 * request finish one after another, and a sync in the middle would hold the database's writer while
 * the removals are recorded. It runs `delayMs` after the last change, and at most `maxDelayMs` after
 * the first, so a long run of approvals still shows in the figures.
 */
class SyncAfterReclaim {
  private readonly waiting = new Map<string, { timer: NodeJS.Timeout; firstAt: number }>();

  constructor(
    private readonly syncTenant: (tenantId: string) => void,
    private readonly delayMs: number,
    private readonly maxDelayMs: number,
  ) {}

  changed(tenantId: string): void {
    const now = Date.now();
    const pending = this.waiting.get(tenantId);
    if (pending) clearTimeout(pending.timer);
    const firstAt = pending?.firstAt ?? now;
    const timer = setTimeout(() => {
      this.waiting.delete(tenantId);
      this.syncTenant(tenantId);
    }, Math.max(0, Math.min(this.delayMs, firstAt + this.maxDelayMs - now)));
    // A pending sync must not keep the process alive at stop; the next start's schedule catches up.
    timer.unref();
    this.waiting.set(tenantId, { timer, firstAt });
  }

  stop(): void {
    for (const { timer } of this.waiting.values()) clearTimeout(timer);
    this.waiting.clear();
  }
}

export interface SeatSteward {
  /** e.g. http://127.0.0.1:3978 */
  url: string;
  port: number;
  db: Db;
  tenants: TenantStore;
  runs: SyncRunStore;
  directory: DirectoryReader;
  /** Run pages and searches of users off the event loop. */
  readWorkers: ReadWorkerThreads;
  conversations: ConversationStore;
  sync: SyncService;
  /** Tenants' stored connections: add or update one and the next sync uses it. */
  tenantRegistry: TenantRegistry;
  /** Jobs that must be neither lost nor done twice; countByStatus() for the dead-letter count. */
  outbox: OutboxStore;
  jobs: JobRunner;
  demoTenant?: EmbeddedDemoTenant;
  /** Usage report data (per-user rows, /usage figures) for reads. */
  usage: SqliteUsageReports;
  /** Seat analytics of each tenant's current snapshot (computed at sync). */
  analytics: SqliteAnalyticsReads;
  /** Admin-set SKU prices. */
  prices: SqlitePriceBook;
  /** Signed CSV download links (card buttons). */
  exportLinks: SignedExportLinks;
  /** Settles once report name concealment a killed process left off is restored (how many tenants). */
  concealmentRestored: Promise<number>;
  /** Daily digest subscriptions, and the scheduler's tick (queues what is due at `now`; returns the jobs created). */
  digests: { subscriptions: SqliteDigestSubscriptions; service: DigestService; tick(now: Date): number };
  /** Licence reclaims: requests, approvals, the executor, history. */
  reclaims: ReclaimService;
  /** The Graph side of reclaims per tenant (cached, so its round-trip count adds up). */
  licenceGraphFor: (tenantId: string) => LicenceGraph;
  close(): Promise<void>;
}

/** The composition root: builds the adapters (Graph, SQLite, Teams), hands them to the use cases and the entry points, then listens. */
export async function startSeatSteward(config: AppConfig, options: SeatStewardOptions): Promise<SeatSteward> {
  // What is open so far, closed in reverse if start-up fails part-way: a failed start must not keep
  // the lock (the next start in this process would refuse), the database or worker threads.
  const opened: Array<() => unknown> = [];
  try {
    return await assemble(config, options, opened);
  } catch (error) {
    for (const close of opened.reverse()) {
      try {
        await close();
      } catch (closeError) {
        options.logger.warn({ err: closeError }, 'could not close a part of a failed start');
      }
    }
    throw error;
  }
}

async function assemble(config: AppConfig, options: SeatStewardOptions, opened: Array<() => unknown>): Promise<SeatSteward> {
  const { logger } = options;
  const lock = acquireInstanceLock(config.dataDir);
  opened.push(() => lock.release());
  const db = openDatabase(databaseFile(config.dataDir));
  opened.push(() => db.close());
  const tenants = new TenantStore(db);
  const runs = new SyncRunStore(db);
  // Pages of users are rendered to their REST JSON on the read workers, which load the renderer by
  // path (without extension: the .ts source under tsx, the .js file in a build).
  const readWorkers = new ReadWorkerThreads(databaseFile(config.dataDir), path.join(__dirname, '..', 'entry', 'api', 'user-json'));
  opened.push(() => readWorkers.close());
  // A running sync comes first: API pages of users wait their turn until it is done.
  const directory = new DirectoryReader(db, readWorkers, new ReadAdmission(() => sync.isAnyRunning()), renderUserPage);
  const conversations = new ConversationStore(db);

  let ownedDemo: EmbeddedDemoTenant | undefined;
  let demoTenant = options.demoTenant;
  if (config.tenant.kind === 'demo' && !demoTenant) {
    const started = (demoTenant = ownedDemo = await startEmbeddedDemoTenant(config, logger));
    opened.push(() => started.close());
  }

  const tenantRegistry = new TenantRegistry({ store: new SqliteTenantConnectionStore(db), secrets: secretBoxFor(config, logger) });
  const fromEnvironment = environmentTenant(config, demoTenant);
  try {
    const ensured = tenantRegistry.ensureFromEnvironment(fromEnvironment);
    if (ensured.outcome !== 'unchanged') {
      logger.info({ tenant: ensured.tenant.entraTenantId, outcome: ensured.outcome, changed: ensured.changed }, 'tenant connection stored from the environment');
    }
  } catch (error) {
    // A full disk must not stop the start: the last snapshot is still served (syncs pause until space is back).
    const held = isStorageFull(error) ? tenantRegistry.holdFromEnvironment(fromEnvironment) : undefined;
    if (!held) throw error;
    logger.warn({ tenant: held.entraTenantId, err: error }, 'the disk is full: the tenant connection from the environment is used from memory until it can be stored');
  }
  const resealed = tenantRegistry.resealStoredSecrets();
  if (resealed.resealed.length > 0) logger.info({ tenants: resealed.resealed.map((t) => t.entraTenantId) }, 'stored client secrets re-sealed with SECRET_STORE_KEY');
  if (resealed.unreadable.length > 0) {
    logger.warn({ problems: resealed.unreadable.map((u) => u.error.message) }, 'stored client secrets could not be re-sealed; those tenants will not sync until fixed');
  }

  const isCopilot = copilotSkuMatcher(config.copilotSkuIds);
  // Cached per tenant until its stored connection changes (a new revision), so a credential update needs no restart.
  const graphClients = new Map<string, { revision: string; access: TenantGraphAccess }>();
  const graphFor = (tenant: TenantRecord): TenantGraphAccess => {
    let settings: TenantConnectionSettings;
    try {
      settings = tenantRegistry.connectionFor(tenant.id);
    } catch (error) {
      if (error instanceof TenantConnectionError) throw new TenantAccessError(error.code, error.message);
      throw error;
    }
    let cached = graphClients.get(tenant.id);
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
      graphClients.set(tenant.id, cached);
    }
    return cached.access;
  };
  const sourceFor = (tenant: TenantRecord): DirectorySource => new GraphDirectorySource(graphFor(tenant).reader, isCopilot, tenant.tenantName);
  const sourceStatus = new SqliteSourceStatusStore(db);
  const identityReads = new SqliteIdentityStore(db);
  const activitySources = (tenant: TenantRecord) => buildActivitySources({ tenant, graph: graphFor(tenant), db, config, logger });
  const check = new CheckService({
    probesFor: (tenant) => [
      ...directoryProbes(graphFor(tenant).reader),
      ...writePermissionProbes(graphFor(tenant).conn, { install: config.reclaim.teamsAppCatalogId !== undefined }),
      ...activitySources(tenant).flatMap((source): AccessProbe[] => source.probes?.() ?? [{ id: source.id, run: () => source.probe() }]),
    ],
  });
  const syncTypes = (tenant: TenantRecord): SyncType[] => {
    const types = new Set<SyncType>(['users', 'groups', 'licenses']);
    for (const source of activitySources(tenant)) for (const type of source.syncTypes) types.add(type);
    return [...types];
  };

  const sink = new SnapshotWriterThread(databaseFile(config.dataDir), db);
  opened.push(() => sink.close());
  const sync = new SyncService({
    tenants,
    runs,
    sourceFor,
    activitySources,
    sourceStatus,
    sink,
    storage: new SqliteCacheStorage(db),
    logger,
    analytics: { computer: sink.analytics(), options: { settings: config.analytics.settings, exclusions: config.analytics.exclusions } },
  });
  const analytics = new SqliteAnalyticsReads(db);
  const prices = new SqlitePriceBook(db);
  const usage = new SqliteUsageReports(db);
  // Concealment a killed sync left off goes back on now, in the background: an unreachable tenant must not hold up the start.
  const concealmentRestored = restoreConcealmentAfterCrash({
    markers: usage,
    graphFor: (tenantId) => {
      const tenant = tenants.find(tenantId);
      if (!tenant) throw new Error(`tenant ${tenantId} is no longer configured`);
      const access = graphFor(tenant);
      return new GraphUsageReports(access.client, access.conn);
    },
    log: logger,
  });
  opened.push(() => concealmentRestored);
  const recovered = sync.recoverInterrupted();
  if (recovered.interruptedRuns > 0 || recovered.orphanRows > 0) logger.warn(recovered, 'cleaned up after an interrupted sync');

  const usageQuery = new UsageQuery(usage, sourceStatus);
  const adapter = createTeamsAdapter(config.bot);
  const notifier = new TeamsNotifier(adapter, botAppId(config.bot), logger);
  const outbox = new SqliteOutboxStore(db);
  // Bound once the reclaim service exists (it needs the job runner, which needs the status service's stores).
  let freedByReclaims: ((tenantId: string) => { seats: number; monthly: number; currency: string | null }) | undefined;
  const status = new StatusService(tenants, directory, runs, sync, outbox, sourceStatus, (tenantId) => freedByReclaims?.(tenantId) ?? { seats: 0, monthly: 0, currency: null });
  const jobRegistry = new JobRegistry();
  const jobs = new JobRunner(outbox, jobRegistry, logger.child({ component: 'outbox' }), options.outbox);
  const report = new SyncResultReport({ tenants, runs, whenDone: (runId) => sync.whenDone(runId), notifier, conversations, queue: jobs });
  const priceService = new PriceService({ book: prices, skus: (tenantId) => directory.skus(tenantId), configPrices: config.analytics.prices, currency: config.analytics.priceCurrency });
  // The one admin check every command and card action that shows per-user data or changes settings uses.
  const users = new UserLookup(db);
  const isAdmin = adminGate({ admins: config.admins, demoOnly: config.tenant.kind === 'demo', upnOf: (id) => users.upnOf(id) });
  const analyticsReads: AnalyticsReads = options.analytics ?? analytics;
  let listeningPort = 0;
  const exportLinks = new SignedExportLinks({ baseUrl: () => config.exports.publicBaseUrl ?? `http://localhost:${listeningPort}`, linkMs: config.exports.linkMs });
  const digestSubscriptions = new SqliteDigestSubscriptions(db);
  const digests = new DigestService({
    subscriptions: digestSubscriptions,
    tenants,
    runs,
    analytics: analyticsReads,
    usage,
    priceFor: (tenantId) => priceService.priceFor(tenantId),
    security: (tenantId, now) => digestSecurity(securityScoreOf(tenantId, identityReads, sourceStatus.get(tenantId, 'mfa'), now)),
    exports: exportLinks,
    syncInProgress: (tenantId) => {
      if (sync.isRunning(tenantId)) {
        const running = runs.latest(tenantId);
        return { until: running ? sync.whenDone(running.id) : undefined };
      }
      return outbox.countOpen(tenantSyncJob.kind, tenantId) > 0 ? {} : undefined;
    },
    notifier,
    queue: jobs,
    dashboardUrl: config.digest.dashboardUrl,
    freed: (tenantId) => freedByReclaims?.(tenantId) ?? { seats: 0, monthly: 0, currency: null },
  });
  digests.register(jobRegistry);
  registerSyncJobs(jobRegistry, {
    tenants,
    requestSync: (tenantId, trigger) => sync.request(tenantId, trigger),
    report,
    afterScheduledSync: (run) => digests.queueStatusMessages(run),
  });
  const licenceGraphs = new Map<string, { revision: TenantGraphAccess; graph: LicenceGraph }>();
  // A reclaim job may outlive its tenant's configuration: that is for good, not worth retrying.
  const reclaimGraphAccess = (tenantId: string): TenantGraphAccess => {
    const tenant = tenants.find(tenantId);
    if (!tenant) throw new PermanentError(`Tenant ${tenantId} is no longer configured, so its reclaim cannot go on.`);
    return graphFor(tenant);
  };
  const licenceGraphFor = (tenantId: string): LicenceGraph => {
    const access = reclaimGraphAccess(tenantId);
    let cached = licenceGraphs.get(tenantId);
    if (cached?.revision !== access) {
      cached = { revision: access, graph: new GraphLicenceGraph(access.client, access.conn) };
      licenceGraphs.set(tenantId, cached);
    }
    return cached.graph;
  };
  const teamsAppCatalogId = config.reclaim.teamsAppCatalogId;
  const teamsAppInstallerFor = (tenantId: string, catalogId: string): GraphTeamsAppInstaller => {
    const access = reclaimGraphAccess(tenantId);
    return new GraphTeamsAppInstaller(access.client, access.conn, catalogId);
  };
  const afterReclaim = new SyncAfterReclaim((tenantId) => {
    // A sync already running may have read the users before the change: a fresh one follows it.
    const first = sync.request(tenantId, 'reclaim');
    const after = first.joined ? first.done.catch(() => undefined).then(() => sync.request(tenantId, 'reclaim').done) : first.done;
    after.catch((error: unknown) => logger.warn({ err: error, tenantId }, 'the sync after a reclaim failed'));
  }, options.reclaimSyncDelayMs ?? 5_000, 120_000);
  const reclaimStore = new SqliteReclaimStore(db);
  const teamsUsers = new SqliteTeamsUserIds(db);
  const reclaimSeats = new SqliteReclaimSeats(db);
  const reclaims = new ReclaimService({
    store: reclaimStore,
    seats: reclaimSeats,
    newerActivity: reclaimSeats,
    freshActivity: {
      read: (tenantId, input) => {
        const tenant = tenants.find(tenantId);
        if (!tenant) throw new PermanentError(`Tenant ${tenantId} is no longer configured, so its reclaim cannot go on.`);
        const readable = (source: 'audit_graph' | 'audit_management') => (sourceStatus.get(tenantId, source)?.lastSuccessAt ?? null) !== null;
        return buildAuditRecheck({ tenant, graph: reclaimGraphAccess(tenantId), db, config, logger }, { graph: readable('audit_graph'), management: readable('audit_management') }).read(input);
      },
    },
    // Tried again every six audit polls (a minute by default) while it waits.
    recheck: { ...config.reclaim.recheck, retryMs: config.audit.pollIntervalMs * 6 },
    reportAsOf: (tenantId) => sourceStatus.get(tenantId, 'copilot_usage')?.asOf ?? null,
    graphFor: licenceGraphFor,
    signInsReadable: (tenantId) => (sourceStatus.get(tenantId, 'sign_in')?.lastSuccessAt ?? null) !== null,
    excludedNow: (tenantId, item) => {
      const kept = reclaimStore.keptUntil(tenantId, item.userId, item.skuId, new Date());
      if (kept) return `the holder chose to keep the seat until ${kept.slice(0, 10)}`;
      // The latest analytics applied every EXCLUDE_* rule (group membership included); the rules as
      // configured now are applied again in case they changed since (a restart with new settings).
      const seat = reclaimSeats.seatsOf(tenantId, [item.userId])?.seats.find((s) => s.skuId.toLowerCase() === item.skuId.toLowerCase());
      if (seat?.recommendation === 'excluded') return seat.reasons[0] ?? 'on the exclusion list';
      const rule = exclusionOf({ userId: item.userId, userPrincipalName: item.userPrincipalName, department: seat?.department ?? null, groupIds: new Set() }, config.analytics.exclusions);
      return rule ? `on the exclusion list: ${rule}` : null;
    },
    undoDays: config.reclaim.timings.undoDays,
    checkpoint: options.reclaimCheckpoint,
    priceFor: (tenantId) => priceService.priceFor(tenantId),
    queue: jobs,
    rules: { approvers: config.reclaim.approvers, admins: config.admins, twoPersonRule: config.reclaim.twoPersonRule, demoOnly: config.tenant.kind === 'demo' },
    timings: config.reclaim.timings,
    mode: () => config.reclaim.mode,
    messenger: new TeamsReclaimMessenger(adapter, botAppId(config.bot), logger),
    cards: reclaimCards,
    teamsUsers,
    reach: new TeamsHolderReach(conversations, teamsAppCatalogId ? (tenantId) => teamsAppInstallerFor(tenantId, teamsAppCatalogId) : null),
    nudgeByDefault: config.reclaim.nudgeByDefault,
    candidates: (tenantId, limit) => analyticsReads.candidates(tenantId, { offset: 0, limit })?.rows ?? [],
    upnOf: (id) => users.upnOf(id),
    objectIdOf: (upn) => users.objectIdOf(upn),
    // A sync already running may have read the users before the change: a fresh one follows it.
    licencesChanged: (tenantId) => afterReclaim.changed(tenantId),
  });
  reclaims.register(jobRegistry);
  freedByReclaims = (tenantId) => reclaims.freed(tenantId);
  const auditSubscriptions = new AuditSubscriptions((tenant) => managementApiFor(config, tenant, graphFor(tenant).conn));
  const seatLists = {
    status,
    analytics: analyticsReads,
    isAdmin,
    askHoldersFirst: config.reclaim.nudgeByDefault,
    reclaimMarks: (tenantId: string, seats: ReadonlyArray<{ userId: string; skuId: string }>, asOf: string) => reclaims.marks(tenantId, seats, asOf),
    lists: {
      personalChatOf: (aadObjectId: string) => conversations.personalChatOf(aadObjectId)?.reference,
      approvalsConversation: (tenantId: string) => reclaims.approvalsConversation(tenantId),
      post: (target: ConversationTarget, cards: AdaptiveCardJson[], what: string) => notifier.post(target, cards, what),
    },
  };
  const bot = createBotApp({
    adapter,
    conversations,
    logger,
    allowedTenants: config.botAllowedTenants,
    onActor: (actor) => {
      if (actor.aadObjectId && actor.id) teamsUsers.remember(actor.aadObjectId, actor.id);
    },
    commands: (commandList) => [
      helpCommand(commandList),
      statusCommand(status),
      syncCommand({ status, sync, report }),
      checkCommand({ status, check }),
      usageCommand({ status, usage: usageQuery, analytics: analyticsReads, inactiveDays: config.analytics.settings.inactiveDays }),
      securityCommand({ status, identity: identityReads, sourceStatus, isAdmin }),
      auditCommand({ status, subscriptions: auditSubscriptions, isAdmin }),
      digestCommand({ digests, subscriptions: digestSubscriptions, adminGate: isAdmin, defaultTime: config.digest.defaultTime }),
      priceCommand({ status, prices: priceService, gate: isAdmin }),
      savingsCommand({ status, analytics: analyticsReads, prices: priceService, gate: isAdmin }),
      inactiveCommand(seatLists),
      candidatesCommand(seatLists),
      reclaimCommand({ status, reclaims, isAdmin }),
    ],
    cardActions: [
      registerCardAction(tenantSyncAction({ status, sync, report, waitMs: options.cardSyncWaitMs ?? 8000 })),
      registerCardAction(tenantStatusAction(status)),
      registerCardAction(auditStopConfirmAction({ status, subscriptions: auditSubscriptions, isAdmin })),
      registerCardAction(inactivePageAction(seatLists)),
      registerCardAction(candidatesPageAction(seatLists)),
      registerCardAction(exportLinkAction({ status, links: exportLinks, isAdmin })),
      registerCardAction(reclaimRequestAction({ ...seatLists, reclaims })),
      registerCardAction(reclaimViewAction({ reclaims })),
      registerCardAction(reclaimApproveAction({ reclaims })),
      registerCardAction(reclaimCancelAction({ reclaims })),
      registerCardAction(reclaimRejectAction({ reclaims })),
      registerCardAction(reclaimUndoAction({ reclaims })),
      registerCardAction(reclaimNudgeAnswerAction({ reclaims })),
    ],
  });

  const authorize = apiKeyGuard(config.apiKeys);
  const server = createHttpServer({
    processActivity: activityProcessor(adapter, bot),
    loopbackOnly: config.bot.mode === 'anonymous',
    extraServiceUrls: config.botServiceUrls,
    logger,
    api: { tenants, directory, runs, authorize, syncRunning: () => sync.isAnyRunning(), identity: identityReads, prices: (tenantId) => priceService.priceFor(tenantId), logger },
    jobs: { outbox, runner: jobs, authorize, logger },
    routes: [
      (server) =>
        registerSyncRoutes(server, {
          tenants,
          runs,
          requestSync: (tenantId) => sync.request(tenantId, 'api'),
          syncTypes,
          sourceStatus: (tenantId) => sourceStatus.list(tenantId),
          check,
          authorize,
          logger,
        }),
      (server) => registerUsageRoutes(server, { tenants, usage: usageQuery, authorize, logger }),
      (server) => registerCopilotRoutes(server, {
          tenants,
          runs,
          analytics: analyticsReads,
          priceFor: (tenantId) => priceService.priceFor(tenantId),
          authorize,
          logger,
          reclaimMarks: (tenantId, seats, asOf) => reclaims.marks(tenantId, seats, asOf),
        }),
      (server) => registerSecurityRoutes(server, { tenants, identity: identityReads, sourceStatus, authorize, logger }),
      (server) => registerAuditRoutes(server, { tenants, subscriptions: auditSubscriptions, authorize, logger }),
      (server) => registerPriceRoutes(server, { tenants, prices: priceService, authorize, logger }),
      (server) => registerReclaimRoutes(server, { tenants, reclaims, authorize, logger }),
      (server) => registerExportRoutes(server, { tenants, analytics: analyticsReads, authorize, checkLink: (token, now) => exportLinks.check(token, now), logger }),
    ],
    // Unauthenticated, so no tenant names or ids: an MSP's customer list is not public.
    health: () => {
      const storage = sync.storageState();
      return {
        // Still serving, read-only: a monitor should see it, a liveness probe should not restart it.
        ...(storage.status === 'full' ? { status: 'degraded' } : {}),
        storage,
        tenants: tenants.list().map((t) => ({ lastSync: runs.latestFinished(t.id)?.status ?? 'never', syncing: sync.isRunning(t.id) })),
        jobs: outbox.countByStatus(),
      };
    },
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', (error: NodeJS.ErrnoException) => reject(error.code === 'EADDRINUSE' || error.code === 'EACCES' ? new PortUnavailableError(config, error.code) : error));
    // undefined = every interface (restify's listen takes the host second, as net's does).
    if (config.listenHost) server.listen(config.port, config.listenHost, () => resolve());
    else server.listen(config.port, () => resolve());
  });
  opened.push(() => new Promise<void>((resolve) => server.close(() => resolve())));
  const port = (server.address() as AddressInfo).port;
  listeningPort = port;

  // After recoverInterrupted(): a result post re-queued from a crash must see its run as interrupted, not running.
  try {
    jobs.start();
  } catch (error) {
    // Re-queuing what a crash left running is a write: on a full disk the app still serves, as the sync does.
    if (!isStorageFull(error)) throw error;
    logger.error({ err: error }, 'the job runner could not start: the disk holding DATA_DIR is full. Free space and restart to resume background work.');
  }
  // Requests a crash left between approval and Graph's answer: their executor runs again (after jobs.start re-queued what was running).
  try {
    const resumed = reclaims.resume();
    if (resumed > 0) logger.warn({ requests: resumed }, 'reclaims interrupted by the last stop resume');
  } catch (error) {
    if (!isStorageFull(error)) throw error;
  }
  const schedule = options.schedule !== false ? scheduleSyncs({ cronExpression: config.syncCron, tenants, queue: jobs, outbox, logger }) : undefined;
  const digestSchedule = (options.digestSchedule ?? options.schedule) !== false ? scheduleDigests({ digests, logger }) : undefined;

  return {
    url: `http://127.0.0.1:${port}`,
    port,
    db,
    tenants,
    runs,
    directory,
    readWorkers,
    conversations,
    sync,
    tenantRegistry,
    outbox,
    jobs,
    demoTenant,
    usage,
    analytics,
    prices,
    exportLinks,
    concealmentRestored,
    digests: { subscriptions: digestSubscriptions, service: digests, tick: digestTick(digests, logger) },
    reclaims,
    licenceGraphFor,
    async close() {
      afterReclaim.stop();
      schedule?.stop();
      digestSchedule?.stop();
      await concealmentRestored;
      await jobs.stop();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await sync.idle();
      // A scheduled sync the stop stopped waiting for has just ended: let its job record that, so the next start does not sync again.
      await jobs.settled(10_000);
      await sink.close();
      await readWorkers.close();
      if (ownedDemo) await ownedDemo.close();
      db.close();
      lock.release();
    },
  };
}

/**
 * The bot's port is taken (or needs privileges): one line naming the port and the setting to
 * change, instead of a stack trace the admin must decode. The REST API and /healthz share PORT.
 */
export class PortUnavailableError extends Error {
  constructor(config: Pick<AppConfig, 'port' | 'listenHost'>, readonly code: 'EADDRINUSE' | 'EACCES') {
    const where = `${config.listenHost ?? 'all interfaces'}`;
    super(
      code === 'EADDRINUSE'
        ? `Seat Steward cannot start: port ${config.port} (PORT, used by the bot, the REST API and /healthz) is already in use on ${where} (EADDRINUSE). Stop the program using it (another Seat Steward?) or set PORT to a free port.`
        : `Seat Steward cannot start: port ${config.port} (PORT) on ${where} needs privileges this process lacks (EACCES). Set PORT to a port above 1023.`,
    );
    this.name = 'PortUnavailableError';
  }
}

/**
 * SECRET_STORE_KEY (and SECRET_STORE_KEY_PREVIOUS while rotating). The demo runs without one: its secret
 * is public and its connection is written again at every start, so a per-process key will do.
 */
function secretBoxFor(config: AppConfig, logger: Logger): SecretBox {
  const { key, previousKey } = config.secrets;
  if (key) return new SecretBox({ current: key, previous: previousKey ? [previousKey] : [] });
  if (config.tenant.kind === 'demo') {
    logger.info('no SECRET_STORE_KEY: the demo tenant\'s secret is sealed with a key that lasts until this process stops');
    return SecretBox.ephemeral();
  }
  // Config validation allows this only for a certificate, which stores no secret.
  return new SecretBox({});
}

/** The tenant TENANT_ID... configure, or the demo tenant when they are unset. */
function environmentTenant(config: AppConfig, demoTenant: EmbeddedDemoTenant | undefined): NewTenant {
  const asNew = (conn: TenantConnection, tenantName: string, source: NewTenant['source']): NewTenant => ({
    entraTenantId: conn.entraTenantId,
    tenantName,
    source,
    connection: { appClientId: conn.appClientId, authorityHost: conn.authorityHost, graphEndpoint: conn.graphEndpoint, credential: conn.credential },
  });
  if (config.tenant.kind === 'entra') return asNew(config.tenant, config.tenant.entraTenantId, 'entra');
  if (!demoTenant) throw new Error('the demo tenant was not started');
  return asNew(demoTenant.connection, demoTenant.organizationName, 'demo');
}
