import type { AddressInfo } from 'node:net';
import cron from 'node-cron';
import type { Logger } from 'pino';
import { apiKeyGuard } from '../api/api-auth';
import { createBotApp } from '../bot/bot-app';
import { Notifier } from '../bot/notifier';
import { botAppId, createTeamsAdapter } from '../bot/teams-adapter';
import type { AppConfig } from '../config/config';
import { createGraphClient, type TenantConnection } from '../graph/graph-client';
import { TenantReader } from '../graph/tenant-reader';
import { copilotSkuMatcher } from '../licensing/copilot-skus';
import { createHttpServer } from '../server/http-server';
import { StatusService } from '../status/status-service';
import { ConversationStore } from '../store/conversations';
import { databaseFile, openDatabase, type Db } from '../store/database';
import { DirectoryReader } from '../store/directory';
import { acquireInstanceLock } from '../store/instance-lock';
import { ReadAdmission } from '../store/read-admission';
import { ReadWorkerThreads } from '../store/read-worker-thread';
import { SnapshotWriterThread } from '../store/snapshot-writer-thread';
import { SyncRunStore } from '../store/sync-runs';
import { TenantStore, type TenantRecord } from '../store/tenants';
import { SyncService } from '../sync/sync-service';
import { startEmbeddedDemoTenant, type EmbeddedDemoTenant } from './demo-connection';

export interface SeatStewardOptions {
  logger: Logger;
  /** A demo tenant the caller already runs (tests share one); otherwise one is started when the config asks for the demo. */
  demoTenant?: EmbeddedDemoTenant;
  /** Run SYNC_CRON and the first sync of an empty cache (off in tests that drive syncs themselves). */
  schedule?: boolean;
  /** Overrides the card button's wait for a finished sync. */
  cardSyncWaitMs?: number;
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
  const readWorkers = new ReadWorkerThreads(databaseFile(config.dataDir));
  // A running sync comes first: API pages of users wait their turn until it is done.
  const directory = new DirectoryReader(db, readWorkers, new ReadAdmission(() => sync.isAnyRunning()));
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
  const status = new StatusService(tenants, directory, runs, sync);
  const bot = createBotApp({
    adapter,
    tenants,
    status,
    sync,
    conversations,
    notifier,
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
    // Unauthenticated, so no tenant names or ids: an MSP's customer list is not public.
    health: () => {
      const storage = sync.storageState();
      return {
        // Still serving, read-only: a monitor should see it, a liveness probe should not restart it.
        ...(storage.status === 'full' ? { status: 'degraded' } : {}),
        storage,
        tenants: tenants.list().map((t) => ({ lastSync: runs.latestFinished(t.id)?.status ?? 'never', syncing: sync.isRunning(t.id) })),
      };
    },
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(config.port, () => resolve());
  });
  const port = (server.address() as AddressInfo).port;

  const tasks: Array<{ stop: () => void }> = [];
  if (options.schedule !== false) {
    const syncAll = (trigger: 'schedule' | 'startup', onlyEmpty: boolean) => {
      for (const tenant of tenants.list()) {
        if (!tenant.syncEnabled || (onlyEmpty && tenant.currentSnapshotId !== null)) continue;
        sync.request(tenant.id, trigger).done.catch((error: unknown) => logger.error({ err: error, tenant: tenant.tenantId }, 'scheduled sync failed'));
      }
    };
    tasks.push(cron.schedule(config.syncCron, () => syncAll('schedule', false), { name: 'tenant-sync', timezone: 'UTC' }));
    syncAll('startup', true);
  }

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
    demoTenant,
    async close() {
      for (const task of tasks) task.stop();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await sync.idle();
      await writers.close();
      await readWorkers.close();
      if (ownedDemo) await ownedDemo.close();
      db.close();
      lock.release();
    },
  };
}
