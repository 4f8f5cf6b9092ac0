import { isSourceId, type SourceId, type SourceOutcome, type SourceStatusRecord } from '../../domain/activity-sources';
import type { SourceAttempt, SourceStatusRepository } from '../../usecases/sync/ports';
import type { Db } from './database';
import { prepared } from './prepared';

interface SourceStatusRow {
  tenant_id: string;
  source: string;
  last_attempt_at: string;
  last_outcome: SourceOutcome;
  last_success_at: string | null;
  as_of: string | null;
  served_by: string | null;
  error_code: string | null;
  message: string | null;
  requests: number;
  warnings: string;
}

const toRecord = (r: SourceStatusRow & { source: SourceId }): SourceStatusRecord => ({
  tenantId: r.tenant_id,
  source: r.source,
  lastAttemptAt: r.last_attempt_at,
  lastOutcome: r.last_outcome,
  lastSuccessAt: r.last_success_at,
  asOf: r.as_of,
  servedBy: r.served_by,
  errorCode: r.error_code,
  message: r.message,
  requests: r.requests,
  warnings: JSON.parse(r.warnings) as string[],
});

export class SqliteSourceStatusStore implements SourceStatusRepository {
  constructor(private readonly db: Db) {}

  get(tenantId: string, source: SourceId): SourceStatusRecord | undefined {
    const row = prepared(this.db, 'SELECT * FROM source_status WHERE tenant_id = ? AND source = ?').get(
      tenantId,
      source,
    ) as SourceStatusRow | undefined;
    return row && isSourceId(row.source) ? toRecord({ ...row, source: row.source }) : undefined;
  }

  list(tenantId: string): SourceStatusRecord[] {
    const rows = prepared(this.db, 'SELECT * FROM source_status WHERE tenant_id = ? ORDER BY source').all(
      tenantId,
    ) as SourceStatusRow[];
    // A source a later version dropped is not reported.
    return rows.flatMap((row) => (isSourceId(row.source) ? [toRecord({ ...row, source: row.source })] : []));
  }

  record(a: SourceAttempt): void {
    const stored = a.outcome === 'ok';
    // 'not_newer' keeps what is stored but confirms it is current; refused/failed keep it as stale.
    prepared(
      this.db,
      `INSERT INTO source_status (tenant_id, source, last_attempt_at, last_outcome, last_success_at, as_of, served_by, error_code, message, requests, warnings)
       VALUES (@tenantId, @source, @at, @outcome, @successAt, @asOf, @servedBy, @errorCode, @message, @requests, @warnings)
       ON CONFLICT (tenant_id, source) DO UPDATE SET
         last_attempt_at = excluded.last_attempt_at,
         last_outcome = excluded.last_outcome,
         last_success_at = CASE WHEN @stored THEN excluded.last_success_at ELSE source_status.last_success_at END,
         as_of = CASE WHEN @stored THEN excluded.as_of ELSE COALESCE(source_status.as_of, excluded.as_of) END,
         served_by = CASE WHEN @stored THEN excluded.served_by ELSE COALESCE(source_status.served_by, excluded.served_by) END,
         error_code = excluded.error_code,
         message = excluded.message,
         requests = excluded.requests,
         warnings = excluded.warnings`,
    ).run({
      tenantId: a.tenantId,
      source: a.source,
      at: a.at,
      outcome: a.outcome,
      successAt: stored ? a.at : null,
      asOf: a.asOf ?? null,
      servedBy: a.servedBy ?? null,
      errorCode: a.errorCode ?? null,
      message: a.message ?? null,
      requests: a.requests ?? 0,
      warnings: JSON.stringify(a.warnings ?? []),
      stored: stored ? 1 : 0,
    });
  }
}
