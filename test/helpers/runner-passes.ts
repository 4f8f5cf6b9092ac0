import type { ClaimInput, OutboxJob, OutboxStore } from '../../src/usecases/outbox/outbox-store';

/**
 * The job runner's looks at the outbox, seen from the real store it claims from: claim() runs
 * unchanged, this only records its answers. A look that claims nothing is the runner having had
 * its chance to run a due job and not taking it, so a test can wait for that event instead of
 * sleeping and hoping the runner looked in the meantime.
 */
export interface RunnerPasses {
  /**
   * Wakes the runner and resolves once it has looked at the outbox and found nothing (more) to
   * claim, with a clock at or after `notBefore` (a look before a retry fell due proves nothing),
   * and every job it claimed has ended (a job it wrongly ran has then made its post).
   */
  idle(runner: { wake(): void }, notBefore?: Date, timeoutMs?: number): Promise<void>;
}

export function watchRunnerPasses(store: OutboxStore): RunnerPasses {
  const claim = store.claim.bind(store);
  const idleAt: Date[] = [];
  store.claim = (input: ClaimInput): OutboxJob[] => {
    const jobs = claim(input);
    if (jobs.length === 0) idleAt.push(input.now);
    return jobs;
  };
  return {
    async idle(runner, notBefore = new Date(), timeoutMs = 20_000) {
      const seen = idleAt.length;
      const deadline = Date.now() + timeoutMs;
      runner.wake();
      while (!idleAt.slice(seen).some((at) => at.getTime() >= notBefore.getTime())) {
        if (Date.now() > deadline) throw new Error(`the job runner did not look at the outbox within ${timeoutMs} ms`);
        // A look made before notBefore: wake it again once the clock has passed it.
        if (Date.now() >= notBefore.getTime()) runner.wake();
        await new Promise((r) => setTimeout(r, 5));
      }
      while (store.countByStatus().running > 0) {
        if (Date.now() > deadline) throw new Error(`jobs still running after ${timeoutMs} ms`);
        await new Promise((r) => setTimeout(r, 5));
      }
    },
  };
}
