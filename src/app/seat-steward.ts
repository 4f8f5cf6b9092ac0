import type { AddressInfo } from 'node:net';
import type { Logger } from 'pino';
import { apiKeyGuard } from '../entry/api/api-auth';
import { createBotApp } from '../entry/bot/bot-app';
import { Notifier } from '../adapters/teams/notifier';
import { botAppId, createTeamsAdapter } from '../adapters/teams/teams-adapter';
import type { AppConfig } from '../config/config';
import { createGraphClient, type TenantConnection } from '../adapters/graph/graph-client';
import { TenantReader } from '../adapters/graph/tenant-reader';
import { copilotSkuMatcher } from '../domain/copilot-skus';
import { createHttpServer } from '../entry/http/http-server';
import { StatusService } from '../usecases/status/status-service';
import { ConversationStore } from '../adapters/sqlite/conversations';
import { databaseFile, openDatabase, type Db } from '../adapters/sqlite/database';
import { DirectoryReader } from '../adapters/sqlite/directory';
import { acquireInstanceLock } from '../adapters/sqlite/instance-lock';
import { SnapshotWriterThread } from '../adapters/sqlite/snapshot-writer-thread';
import { SyncRunStore } from '../adapters/sqlite/sync-runs';
import { TenantStore, type TenantRecord } from '../adapters/sqlite/tenants';
import { SyncService } from '../usecases/sync/sync-service';
import { SqliteOutboxStore } from '../adapters/sqlite/outbox-store';
import { startSyncSchedule } from '../entry/schedule/sync-schedule';
import { JobRunner, type JobRunnerOptions } from '../usecases/outbox/job-runner';
import { JobRegistry } from '../usecases/outbox/job-type';
import type { OutboxStore } from '../usecases/outbox/outbox-store';
import { registerSyncJobs } from '../usecases/sync/sync-jobs';
import { startEmbeddedDemoTenant, type EmbeddedDemoTenant } from './demo-connection';

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
}

export interface SeatSteward {
  /** e.g. http://127.0.0.1:3978 */
  url: string;
  port: number;
  db: Db;
  tenants: TenantStore;
  runs: SyncRunStore;
  directory: DirectoryReader;
  conversations: ConversationStore;
  sync: SyncService;
  /** Jobs that must be neither lost nor done twice; countByStatus() for the dead-letter count. */
  outbox: OutboxStore;
  jobs: JobRunner;
  demoTenant?: EmbeddedDemoTenant;
  close(): Promise<void>;
}

/** Wires the adapters (Graph, SQLite, Teams) under the domain services and the entry points, then listens. */
export async function startSeatSteward(config: AppConfig, options: SeatStewardOptions): Promise<SeatSteward> {
  const { logger } = options;
  const lock = acquireInstanceLock(config.dataDir);
  const db = openDatabase(databaseFile(config.dataDir));
  const tenants = new TenantStore(db);
  const runs = new SyncRunStore(db);
  const directory = new DirectoryReader(db);
  const conversations = new ConversationStore(db);

  let ownedDemo: EmbeddedDemoTenant | undefined;
  const connections = new Map<string, TenantConnection>();
  let demoTenant = options.demoTenant;
  if (config.tenant.kind === 'demo') {
    if (!demoTenant) demoTenant = ownedDemo = await startEmbeddedDemoTenant(config, logger);
    connections.set(demoTenant.connection.tenantId.toLowerCase(), demoTenant.connection);
    tenants.ensure({ tenantId: demoTenant.connection.tenantId, tenantName: demoTenant.organizationName, source: 'demo' });
  } else {
    const t = config.tenant;
    const conn: TenantConnection = {
      tenantId: t.tenantId,
      clientId: t.clientId,
      credential: t.credential,
      graphEndpoint: t.graphEndpoint,
      authorityHost: t.authorityHost,
    };
    connections.set(t.tenantId.toLowerCase(), conn);
    tenants.ensure({ tenantId: t.tenantId, tenantName: t.tenantId, source: 'entra' });
  }

  const readers = new Map<string, TenantReader>();
  const readerFor = (tenant: TenantRecord): TenantReader => {
    const key = tenant.tenantId.toLowerCase();
    const conn = connections.get(key);
    if (!conn) throw new Error(`Tenant ${tenant.tenantName} (${tenant.tenantId}) has no credentials configured in this instance.`);
    let reader = readers.get(key);
    if (!reader) {
      reader = new TenantReader(createGraphClient(conn), conn);
      readers.set(key, reader);
    }
    return reader;
  };

  const writers = new SnapshotWriterThread(databaseFile(config.dataDir));
  const sync = new SyncService({ db, tenants, runs, readerFor, isCopilot: copilotSkuMatcher(config.copilotSkuIds), writers, logger });
  const recovered = sync.recoverInterrupted();
  if (recovered.interruptedRuns > 0 || recovered.orphanRows > 0) logger.warn(recovered, 'cleaned up after an interrupted sync');

  const adapter = createTeamsAdapter(config.bot);
  const notifier = new Notifier(adapter, botAppId(config.bot), logger);
  const outbox = new SqliteOutboxStore(db);
  const jobs = new JobRunner(outbox, registerSyncJobs(new JobRegistry(), { sync, runs, tenants, poster: notifier }), logger.child({ component: 'outbox' }), options.outbox);
  const status = new StatusService(tenants, directory, runs, sync);
  const bot = createBotApp({
    adapter,
    tenants,
    status,
    sync,
    conversations,
    jobs,
    logger,
    allowedTenants: config.botAllowedTenants,
    cardSyncWaitMs: options.cardSyncWaitMs,
  });

  const server = createHttpServer({
    adapter,
    loopbackOnly: config.bot.mode === 'anonymous',
    bot,
    logger,
    api: { tenants, directory, runs, authorize: apiKeyGuard(config.apiKeys), logger },
    jobs: { outbox, runner: jobs, authorize: apiKeyGuard(config.apiKeys), logger },
    // Unauthenticated, so no tenant names or ids: an MSP's customer list is not public.
    health: () => ({
      tenants: tenants.list().map((t) => ({ lastSync: runs.latestFinished(t.id)?.status ?? 'never', syncing: sync.isRunning(t.id) })),
      jobs: outbox.countByStatus(),
    }),
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(config.port, () => resolve());
  });
  const port = (server.address() as AddressInfo).port;

  // After recoverInterrupted(): a result post re-queued from a crash must see its run as interrupted, not running.
  jobs.start();
  const tasks: Array<{ stop: () => void }> = [];
  if (options.schedule !== false) tasks.push(startSyncSchedule({ expression: config.syncCron, queue: jobs, outbox, tenants, logger }));

  return {
    url: `http://127.0.0.1:${port}`,
    port,
    db,
    tenants,
    runs,
    directory,
    conversations,
    sync,
    outbox,
    jobs,
    demoTenant,
    async close() {
      for (const task of tasks) task.stop();
      await jobs.stop();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await sync.idle();
      await writers.close();
      if (ownedDemo) await ownedDemo.close();
      db.close();
      lock.release();
    },
  };
}
