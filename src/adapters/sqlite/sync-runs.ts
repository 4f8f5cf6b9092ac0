import type { FinishedSyncStatus, SyncCounts, SyncRunRecord, SyncStatus, SyncTrigger } from '../../domain/sync-run';
import { systemClock, type Clock } from '../../domain/clock';
import type { Db } from './database';
import { prepared } from './prepared';

interface SyncRunRow {
  id: number;
  tenant_id: string;
  trigger: string;
  started_at: string;
  finished_at: string | null;
  status: SyncStatus;
  users_count: number | null;
  licensed_users_count: number | null;
  license_assignments_count: number | null;
  skus_count: number | null;
  groups_count: number | null;
  error_code: string | null;
  error_text: string | null;
  warnings: string;
}

const toRecord = (r: SyncRunRow): SyncRunRecord => ({
  id: r.id,
  tenantId: r.tenant_id,
  trigger: r.trigger,
  startedAt: r.started_at,
  finishedAt: r.finished_at,
  status: r.status,
  counts:
    r.users_count === null
      ? null
      : {
          users: r.users_count,
          licensedUsers: r.licensed_users_count ?? 0,
          licenseAssignments: r.license_assignments_count ?? 0,
          skus: r.skus_count ?? 0,
          groups: r.groups_count ?? 0,
        },
  errorCode: r.error_code,
  errorText: r.error_text,
  warnings: JSON.parse(r.warnings) as string[],
});

export class SyncRunStore {
  /** `clock` stamps runs' start and end: the per-tenant schedule reads them, so its tests step it. */
  constructor(
    private readonly db: Db,
    private readonly clock: Clock = systemClock,
  ) {}

  start(tenantId: string, trigger: SyncTrigger): SyncRunRecord {
    const info = prepared(
      this.db,
      "INSERT INTO sync_runs (tenant_id, trigger, started_at, status) VALUES (?, ?, ?, 'running')",
    ).run(tenantId, trigger, this.clock().toISOString());
    return this.get(Number(info.lastInsertRowid)) as SyncRunRecord;
  }

  get(id: number): SyncRunRecord | undefined {
    const row = prepared(this.db, 'SELECT * FROM sync_runs WHERE id = ?').get(id) as SyncRunRow | undefined;
    return row ? toRecord(row) : undefined;
  }

  /** The newest run, finished or not. */
  latest(tenantId: string): SyncRunRecord | undefined {
    const row = prepared(this.db, 'SELECT * FROM sync_runs WHERE tenant_id = ? ORDER BY id DESC LIMIT 1').get(
      tenantId,
    ) as SyncRunRow | undefined;
    return row ? toRecord(row) : undefined;
  }

  latestFinished(tenantId: string): SyncRunRecord | undefined {
    const row = prepared(
      this.db,
      "SELECT * FROM sync_runs WHERE tenant_id = ? AND status <> 'running' ORDER BY id DESC LIMIT 1",
    ).get(tenantId) as SyncRunRow | undefined;
    return row ? toRecord(row) : undefined;
  }

  list(tenantId: string, limit = 20): SyncRunRecord[] {
    return (
      prepared(this.db, 'SELECT * FROM sync_runs WHERE tenant_id = ? ORDER BY id DESC LIMIT ?').all(
        tenantId,
        limit,
      ) as SyncRunRow[]
    ).map(toRecord);
  }

  /** Runs newer than `afterRunId` (all of them when null), newest first: a tenant's runs since its last success. */
  since(tenantId: string, afterRunId: number | null, limit: number): SyncRunRecord[] {
    return (
      prepared(this.db, 'SELECT * FROM sync_runs WHERE tenant_id = ? AND id > ? ORDER BY id DESC LIMIT ?').all(
        tenantId,
        afterRunId ?? 0,
        limit,
      ) as SyncRunRow[]
    ).map(toRecord);
  }

  /** A successful run is finished inside the snapshot flip transaction, so the run and the pointer change together. */
  finish(
    id: number,
    outcome: {
      status: FinishedSyncStatus;
      counts?: SyncCounts;
      errorCode?: string;
      errorText?: string;
      warnings?: string[];
    },
  ): void {
    prepared(
      this.db,
      `UPDATE sync_runs SET finished_at = ?, status = ?, users_count = ?, licensed_users_count = ?,
           license_assignments_count = ?, skus_count = ?, groups_count = ?, error_code = ?, error_text = ?, warnings = ?
         WHERE id = ?`,
    ).run(
      this.clock().toISOString(),
      outcome.status,
      outcome.counts?.users ?? null,
      outcome.counts?.licensedUsers ?? null,
      outcome.counts?.licenseAssignments ?? null,
      outcome.counts?.skus ?? null,
      outcome.counts?.groups ?? null,
      outcome.errorCode ?? null,
      outcome.errorText ?? null,
      JSON.stringify(outcome.warnings ?? []),
      id,
    );
  }

  /** Runs still marked running at start-up were cut off by a crash or a kill. */
  markInterrupted(): number {
    return prepared(
      this.db,
      `UPDATE sync_runs SET status = 'failed', finished_at = ?, error_code = 'interrupted',
           error_text = 'The sync was interrupted (Seat Steward stopped while it ran). The previous snapshot was kept; run sync again.'
         WHERE status = 'running'`,
    ).run(new Date().toISOString()).changes;
  }
}
