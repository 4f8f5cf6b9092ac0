// The app's types apart from the code that builds it: the composition root and the test hooks both name them.
import type { AnalyticsReads } from '../usecases/analytics/ports';
import type { Clock } from '../domain/clock';
import type { DepartmentChargeback } from '../usecases/departments/department-chargeback';
import type { ConversationStore } from '../adapters/sqlite/conversations';
import type { Db } from '../adapters/sqlite/database';
import type { Digest } from './wire-digest';
import type { DirectoryReader } from '../adapters/sqlite/directory';
import type { EmbeddedDemoTenant } from './demo-connection';
import type { JobRunner, JobRunnerOptions } from '../usecases/outbox/job-runner';
import type { LicenceGraph } from '../usecases/reclaim/ports';
import type { Logger } from 'pino';
import type { HostLookup } from '../adapters/webhooks/webhook-sender';
import type { WebhookEventLog } from '../usecases/webhooks/ports';
import type { OutboxStore } from '../usecases/outbox/outbox-store';
import type { ReadWorkerThreads } from '../adapters/sqlite/read-worker-thread';
import type { ReclaimService } from '../usecases/reclaim/reclaim-service';
import type { ReclaimStep } from '../usecases/reclaim/reclaim-executor';
import type { SignedExportLinks } from '../adapters/secrets/signed-export-links';
import type { SqliteAnalyticsReads } from '../adapters/sqlite/analytics-reads';
import type { SqlitePriceBook } from '../adapters/sqlite/price-book';
import type { SqliteUsageReports } from '../adapters/sqlite/usage-reports';
import type { SyncRunStore } from '../adapters/sqlite/sync-runs';
import type { SyncService } from '../usecases/sync/sync-service';
import type { TenantRegistry } from '../usecases/tenants/tenant-registry';
import type { TenantStore } from '../adapters/sqlite/tenants';

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
  /** The app's time: sync runs are stamped with it, the per-tenant schedule reads it, syncs compute analytics and file the department trend at it (tests step it). Default: the system's. */
  clock?: Clock;
  /**
   * Webhook delivery overrides for tests: how hosts are resolved (names that resolve to private
   * addresses; default the system's resolver) and the per-attempt timeout (default 15 s).
   */
  webhooks?: { lookup?: HostLookup; timeoutMs?: number };
  /**
   * Wraps the real webhook event log the event sources (sync, security, reclaim) record into: for
   * tests only, to watch what each source hands over and to inject a failure after the real log
   * committed. The wrapper must pass every batch on to `real`.
   */
  webhookEventLog?: (real: WebhookEventLog) => WebhookEventLog;
}

/** The running app: where it listens, and how to stop it (tests reach its parts through startSeatStewardForTests). */
export interface SeatSteward {
  /** e.g. http://127.0.0.1:3978 */
  url: string;
  port: number;
  /** The demo tenant it talks to, when it runs on one. */
  demoTenant?: EmbeddedDemoTenant;
  /** Stops the schedules and the job runner, closes the server, waits for running syncs, then closes the threads, the database and the lock. */
  close(): Promise<void>;
}

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
  /** Department chargeback: per-department figures and their trend. */
  departments: DepartmentChargeback;
  /** Licence reclaims: requests, approvals, the executor, history. */
  reclaims: ReclaimService;
  /** The Graph side of reclaims per tenant (cached, so its round-trip count adds up). */
  licenceGraphFor: (tenantId: string) => LicenceGraph;
  /** The interval tick: queues the syncs of tenants with their own interval due at `now`; returns the jobs created. */
  syncTick: (now: Date) => number[];
  /** Every route the HTTP server registered (method, restify path), for the OpenAPI contract test. */
  httpRoutes: () => Array<{ method: string; path: string }>;
  /** Where event sources record webhook events. */
  webhookEventLog: WebhookEventLog;
}
