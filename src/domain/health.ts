/**
 * What GET /healthz reports besides status ok. It is unauthenticated, so it names no tenant and no
 * tenant id: an MSP's customer list is not public.
 */
export interface HealthInput {
  storage: { status: 'ok' } | { status: 'full'; since: string; message: string };
  /** One line per configured tenant, in no particular order and without names. */
  tenants: ReadonlyArray<{ lastSync: string; syncing: boolean }>;
  jobs: Record<string, number>;
}

/** GET /healthz's fields besides `status: "ok"`. */
export interface HealthReport {
  /** Only when the disk is full: still serving, read-only. */
  status?: 'degraded';
  storage: HealthInput['storage'];
  tenants: Array<{ lastSync: string; syncing: boolean }>;
  jobs: Record<string, number>;
}

export function healthReport(input: HealthInput): HealthReport {
  return {
    // Still serving, read-only: a monitor should see it, a liveness probe should not restart it.
    ...(input.storage.status === 'full' ? { status: 'degraded' as const } : {}),
    storage: input.storage,
    tenants: input.tenants.map((t) => ({ lastSync: t.lastSync, syncing: t.syncing })),
    jobs: input.jobs,
  };
}
