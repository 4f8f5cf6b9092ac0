import type { Logger } from 'pino';
import { SqliteOutboxStore } from '../adapters/sqlite/outbox-store';
import { SqliteWebhookEventLog } from '../adapters/sqlite/webhook-store';
import { systemClock } from '../domain/clock';
import type { WebhookEventLog } from '../usecases/webhooks/ports';
import { TeamsNotifier } from '../adapters/teams/notifier';
import { botAppId, createTeamsAdapter, type SeatStewardAdapter } from '../adapters/teams/teams-adapter';
import type { AppConfig } from '../config/config';
import { JobRunner, type JobRunnerOptions } from '../usecases/outbox/job-runner';
import { JobRegistry } from '../usecases/outbox/job-type';
import type { OutboxStore } from '../usecases/outbox/outbox-store';
import type { Core } from './wire-core';

/** Background work that must be neither lost nor done twice (the outbox), and the Teams side that posts. */
export interface Jobs {
  outbox: OutboxStore;
  registry: JobRegistry;
  runner: JobRunner;
  adapter: SeatStewardAdapter;
  notifier: TeamsNotifier;
  /** Where event sources record webhook events: queued as outbox jobs in the same transaction. */
  webhookEventLog: WebhookEventLog;
}

export function wireJobs(
  bot: AppConfig['bot'],
  core: Pick<Core, 'db'>,
  deps: { logger: Logger; runner?: Partial<JobRunnerOptions> },
): Jobs {
  const outbox = new SqliteOutboxStore(core.db);
  const registry = new JobRegistry();
  const runner = new JobRunner(outbox, registry, deps.logger.child({ component: 'outbox' }), deps.runner);
  const adapter = createTeamsAdapter(bot);
  const notifier = new TeamsNotifier(adapter, botAppId(bot), deps.logger);
  // The runner's clock: deliveries are due at the time the runner claims by.
  const webhookEventLog = new SqliteWebhookEventLog(core.db, {
    clock: deps.runner?.clock ?? systemClock,
    onQueued: () => runner.wake(),
  });
  return { outbox, registry, runner, adapter, notifier, webhookEventLog };
}
