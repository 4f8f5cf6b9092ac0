import type { Logger } from 'pino';
import type { AppConfig } from '../config/config';
import type { AnalyticsReads } from '../usecases/analytics/ports';
import type { JobRunnerOptions } from '../usecases/outbox/job-runner';
import type { ReclaimStep } from '../usecases/reclaim/reclaim-executor';
import { assemble } from './assemble';
import type { EmbeddedDemoTenant } from './demo-connection';

export { PortUnavailableError } from './wire-api';

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

/** Builds the adapters (Graph, SQLite, Teams), hands them to the use cases and the entry points, then listens. */
export async function startSeatSteward(config: AppConfig, options: SeatStewardOptions): Promise<SeatSteward> {
  return (await assemble(config, options)).app;
}
