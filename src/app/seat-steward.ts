import type { AddressInfo } from 'node:net';
import type { Logger } from 'pino';
import { GraphDirectorySource } from '../adapters/graph/graph-directory-source';
import { createGraphClient, type TenantConnection } from '../adapters/graph/graph-client';
import { TenantReader } from '../adapters/graph/tenant-reader';
import { ConversationStore } from '../adapters/sqlite/conversations';
import { databaseFile, openDatabase, type Db } from '../adapters/sqlite/database';
import { DirectoryReader } from '../adapters/sqlite/directory';
import { acquireInstanceLock } from '../adapters/sqlite/instance-lock';
import { SnapshotWriterThread } from '../adapters/sqlite/snapshot-writer-thread';
import { SyncRunStore } from '../adapters/sqlite/sync-runs';
import { TenantStore } from '../adapters/sqlite/tenants';
import { TeamsNotifier } from '../adapters/teams/notifier';
import { botAppId, createTeamsAdapter } from '../adapters/teams/teams-adapter';
import type { AppConfig } from '../config/config';
import { copilotSkuMatcher } from '../domain/copilot-skus';
import type { TenantRecord } from '../domain/tenant';
import { apiKeyGuard } from '../entry/api/api-auth';
import { activityProcessor, createBotApp } from '../entry/bot/bot-app';
import type { CardAction } from '../entry/bot/bot-types';
import { tenantStatusAction } from '../entry/bot/card-actions/tenant-status';
import { tenantSyncAction } from '../entry/bot/card-actions/tenant-sync';
import { helpCommand } from '../entry/bot/commands/help';
import { statusCommand } from '../entry/bot/commands/status';
import { syncCommand } from '../entry/bot/commands/sync';
import { createHttpServer } from '../entry/http/http-server';
import { scheduleSyncs } from '../entry/schedule/sync-schedule';
import { StatusService } from '../usecases/status/status-service';
import type { DirectorySource } from '../usecases/sync/ports';
import { SyncResultReport } from '../usecases/sync/sync-result-report';
import { SyncService } from '../usecases/sync/sync-service';
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
  conversations: ConversationStore;
  sync: SyncService;
  demoTenant?: EmbeddedDemoTenant;
  close(): Promise<void>;
}

/** The composition root: builds the adapters (Graph, SQLite, Teams), hands them to the use cases and the entry points, then listens. */
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
    connections.set(demoTenant.connection.entraTenantId.toLowerCase(), demoTenant.connection);
    tenants.ensure({ entraTenantId: demoTenant.connection.entraTenantId, tenantName: demoTenant.organizationName, source: 'demo' });
  } else {
    const { kind: _kind, ...connection } = config.tenant;
    connections.set(connection.entraTenantId.toLowerCase(), connection);
    tenants.ensure({ entraTenantId: connection.entraTenantId, tenantName: connection.entraTenantId, source: 'entra' });
  }

  const isCopilot = copilotSkuMatcher(config.copilotSkuIds);
  const readers = new Map<string, TenantReader>();
  const sourceFor = (tenant: TenantRecord): DirectorySource => {
    const key = tenant.entraTenantId.toLowerCase();
    const conn = connections.get(key);
    if (!conn) throw new Error(`Tenant ${tenant.tenantName} (${tenant.entraTenantId}) has no credentials configured in this instance.`);
    let reader = readers.get(key);
    if (!reader) {
      reader = new TenantReader(createGraphClient(conn), conn);
      readers.set(key, reader);
    }
    return new GraphDirectorySource(reader, isCopilot, tenant.tenantName);
  };

  const sink = new SnapshotWriterThread(databaseFile(config.dataDir), db);
  const sync = new SyncService({ tenants, runs, sourceFor, sink, logger });
  const recovered = sync.recoverInterrupted();
  if (recovered.interruptedRuns > 0 || recovered.orphanRows > 0) logger.warn(recovered, 'cleaned up after an interrupted sync');

  const adapter = createTeamsAdapter(config.bot);
  const notifier = new TeamsNotifier(adapter, botAppId(config.bot), logger);
  const status = new StatusService(tenants, directory, runs, sync);
  const report = new SyncResultReport({ tenants, notifier, logger });
  const bot = createBotApp({
    adapter,
    conversations,
    logger,
    allowedTenants: config.botAllowedTenants,
    commands: (commandList) => [helpCommand(commandList), statusCommand(status), syncCommand({ status, sync, report })],
    cardActions: [
      tenantSyncAction({ status, sync, report, waitMs: options.cardSyncWaitMs ?? 8000 }),
      tenantStatusAction(status),
    ] as Array<CardAction<unknown>>,
  });

  const server = createHttpServer({
    processActivity: activityProcessor(adapter, bot),
    loopbackOnly: config.bot.mode === 'anonymous',
    logger,
    api: { tenants, directory, runs, authorize: apiKeyGuard(config.apiKeys), logger },
    // Unauthenticated, so no tenant names or ids: an MSP's customer list is not public.
    health: () => ({
      tenants: tenants.list().map((t) => ({ lastSync: runs.latestFinished(t.id)?.status ?? 'never', syncing: sync.isRunning(t.id) })),
    }),
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(config.port, () => resolve());
  });
  const port = (server.address() as AddressInfo).port;

  const schedule = options.schedule !== false ? scheduleSyncs({ cronExpression: config.syncCron, tenants, sync, logger }) : undefined;

  return {
    url: `http://127.0.0.1:${port}`,
    port,
    db,
    tenants,
    runs,
    directory,
    conversations,
    sync,
    demoTenant,
    async close() {
      schedule?.stop();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await sync.idle();
      await sink.close();
      if (ownedDemo) await ownedDemo.close();
      db.close();
      lock.release();
    },
  };
}
