import type { Db } from '../adapters/sqlite/database';
import type { DirectoryReader } from '../adapters/sqlite/directory';
import type { ConversationStore } from '../adapters/sqlite/conversations';
import type { ReadWorkerThreads } from '../adapters/sqlite/read-worker-thread';
import type { SignedExportLinks } from '../adapters/secrets/signed-export-links';
import type { SqliteAnalyticsReads, SqlitePriceBook } from '../adapters/sqlite/seat-analytics-store';
import type { SyncRunStore } from '../adapters/sqlite/sync-runs';
import type { TenantStore } from '../adapters/sqlite/tenants';
import type { SqliteUsageReports } from '../adapters/sqlite/usage-reports';
import type { AppConfig } from '../config/config';
import type { JobRunner } from '../usecases/outbox/job-runner';
import type { OutboxStore } from '../usecases/outbox/outbox-store';
import type { ReclaimService } from '../usecases/reclaim/reclaim-service';
import type { LicenceGraph } from '../usecases/reclaim/ports';
import type { SyncService } from '../usecases/sync/sync-service';
import type { TenantRegistry } from '../usecases/tenants/tenant-registry';
import { assemble } from './assemble';
import type { SeatSteward, SeatStewardOptions } from './seat-steward';
import type { Digest } from './wire-digest';

/**
 * The app's parts that tests and benchmarks reach into (stores, services, the job runner). Only
 * startSeatStewardForTests returns them: the production SeatSteward is its address and close().
 */
export interface AppInternals {
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
  digests: Digest;
  /** Licence reclaims: requests, approvals, the executor, history. */
  reclaims: ReclaimService;
  /** The Graph side of reclaims per tenant (cached, so its round-trip count adds up). */
  licenceGraphFor: (tenantId: string) => LicenceGraph;
}

/** The app as tests and benchmarks drive it: the running app and its internals. */
export type TestApp = SeatSteward & AppInternals;

/** Starts the app as startSeatSteward does, and hands back its internals too. For tests and benchmarks only. */
export async function startSeatStewardForTests(config: AppConfig, options: SeatStewardOptions): Promise<TestApp> {
  const { app, internals } = await assemble(config, options);
  return { ...app, ...internals };
}
