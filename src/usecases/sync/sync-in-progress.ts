import type { SyncRunRecord } from '../../domain/sync-run';

/**
 * Whether a tenant's figures are about to change: a sync running (with when it is done, when its
 * run is known) or one queued as a job. Undefined when neither: what is stored is current.
 */
export function syncInProgress(
  deps: {
    isRunning: (tenantId: string) => boolean;
    latestRun: (tenantId: string) => SyncRunRecord | undefined;
    whenDone: (runId: number) => Promise<unknown> | undefined;
    queuedSyncs: (tenantId: string) => number;
  },
  tenantId: string,
): { until?: Promise<unknown> } | undefined {
  if (deps.isRunning(tenantId)) {
    const running = deps.latestRun(tenantId);
    return { until: running ? deps.whenDone(running.id) : undefined };
  }
  return deps.queuedSyncs(tenantId) > 0 ? {} : undefined;
}
