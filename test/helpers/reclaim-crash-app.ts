/**
 * The app for the reclaim crash test: `startSeatSteward` on the environment's config, killing
 * itself with SIGKILL at the executor step named by RECLAIM_CRASH_AT (nothing is flushed or
 * closed: the harshest stop there is). Prints "PORT <n>" once it listens.
 */
import { createLogger } from '../../src/adapters/logging/logger';
import { startSeatSteward } from '../../src/app/seat-steward';
import { loadConfig } from '../../src/config/config';

async function main(): Promise<void> {
  const config = loadConfig();
  const crashAt = process.env.RECLAIM_CRASH_AT;
  const app = await startSeatSteward(config, {
    logger: createLogger(config.logLevel),
    reclaimCheckpoint: (step) => {
      if (step === crashAt) process.kill(process.pid, 'SIGKILL');
    },
  });
  console.log(`PORT ${app.port}`);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
