import type { SyncRunRecord } from './sync-run';
import { syncDuration, type EventIdOf } from './snapshot-changes';
import type { AccessRequirement } from './tenant-access-error';
import type { WebhookEventInput } from './webhook-events';

/**
 * `m365.tenant.sync_completed`: seed 000's fields (`sync_duration`, `users_synced`,
 * `licenses_synced` = the tenant's SKUs, `errors` = the warnings that made the sync partial), and
 * `baseline` (true for a tenant's first sync, which reports no user or licence change). One per run.
 */
export function syncCompletedEvent(
  run: SyncRunRecord,
  baseline: boolean,
  durationMs: number,
  idOf: EventIdOf,
): WebhookEventInput {
  const counts = run.counts;
  const finishedAt = run.finishedAt ?? new Date(Date.parse(run.startedAt) + durationMs).toISOString();
  return {
    id: idOf([run.tenantId, run.id, 'sync.completed']),
    type: 'm365.tenant.sync_completed',
    tenantId: run.tenantId,
    occurredAt: finishedAt,
    data: {
      sync_run_id: run.id,
      status: run.status,
      trigger: run.trigger,
      started_at: run.startedAt,
      finished_at: finishedAt,
      sync_duration: syncDuration(durationMs),
      users_synced: counts?.users ?? 0,
      licensed_users: counts?.licensedUsers ?? 0,
      licenses_synced: counts?.skus ?? 0,
      license_assignments: counts?.licenseAssignments ?? 0,
      errors: run.warnings.length,
      warnings: run.warnings,
      baseline,
    },
  };
}

/**
 * `m365.tenant.sync_failed`: the stable error code and the admin-facing reason, which already says
 * what to do (the same text as the sync status card and the REST API), plus the permission or
 * licence that is missing when a refusal is the cause. The previous snapshot stays served.
 */
export function syncFailedEvent(
  failure: {
    run: SyncRunRecord;
    errorCode: string;
    reason: string;
    requirement?: AccessRequirement;
    failedAt: string;
    durationMs: number;
  },
  idOf: EventIdOf,
): WebhookEventInput {
  const { run } = failure;
  return {
    id: idOf([run.tenantId, run.id, 'sync.failed']),
    type: 'm365.tenant.sync_failed',
    tenantId: run.tenantId,
    occurredAt: failure.failedAt,
    data: {
      sync_run_id: run.id,
      trigger: run.trigger,
      started_at: run.startedAt,
      failed_at: failure.failedAt,
      sync_duration: syncDuration(failure.durationMs),
      error_code: failure.errorCode,
      reason: failure.reason,
      required_permission: failure.requirement?.permission ?? null,
      required_licence: failure.requirement?.licence ?? null,
    },
  };
}
