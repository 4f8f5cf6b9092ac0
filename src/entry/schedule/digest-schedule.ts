import cron from 'node-cron';
import type { Logger } from 'pino';
import type { DigestService } from '../../usecases/digest/digest-service';

/**
 * Each minute (and once at start, which catches up a morning the app was down for), queues the
 * digests whose local time has come. The tick takes `now` so tests drive the clock.
 */
export function digestTick(digests: DigestService, logger: Logger): (now: Date) => number {
  return (now) => {
    try {
      const created = digests.enqueueDue(now);
      if (created > 0) logger.info({ jobs: created }, 'daily digests queued');
      return created;
    } catch (error) {
      logger.error({ err: error }, 'could not queue the daily digests; the next minute tries again');
      return 0;
    }
  };
}

export function scheduleDigests(deps: { digests: DigestService; logger: Logger }): { stop(): void } {
  const tick = digestTick(deps.digests, deps.logger);
  const task = cron.schedule('* * * * *', (context) => void tick(context.date), { name: 'digests', timezone: 'UTC' });
  tick(new Date());
  return { stop: () => void task.stop() };
}
