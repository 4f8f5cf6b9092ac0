import { type Db, writeTransaction } from './database';
import { prepared } from './prepared';
import {
  JOB_STATUSES,
  type ClaimInput,
  type EnqueueInput,
  type EnqueueResult,
  type JobListQuery,
  type JobStatus,
  type OutboxJob,
  type OutboxStore,
} from '../../usecases/outbox/outbox-store';

interface OutboxRow {
  id: number;
  kind: string;
  idempotency_key: string;
  tenant_id: string | null;
  payload: string;
  status: JobStatus;
  attempts: number;
  max_attempts: number;
  run_after: string;
  lease_until: string | null;
  last_error: string | null;
  created_at: string;
  updated_at: string;
  finished_at: string | null;
}

const toJob = (r: OutboxRow): OutboxJob => ({
  id: r.id,
  kind: r.kind,
  idempotencyKey: r.idempotency_key,
  tenantId: r.tenant_id,
  payload: JSON.parse(r.payload) as unknown,
  status: r.status,
  attempts: r.attempts,
  maxAttempts: r.max_attempts,
  runAfter: r.run_after,
  leaseUntil: r.lease_until,
  lastError: r.last_error,
  createdAt: r.created_at,
  updatedAt: r.updated_at,
  finishedAt: r.finished_at,
});

const iso = (d: Date) => d.toISOString();

/** Kinds to skip, as one JSON parameter, so the claim statement is prepared once whatever the list. */
const kindList = (kinds: readonly string[] | undefined) => JSON.stringify(kinds ?? []);

/** Due pending jobs, oldest due first; exported for the query-plan test. */
export const CLAIMABLE = `SELECT id FROM outbox_jobs
  WHERE status = 'pending' AND run_after <= @now AND kind NOT IN (SELECT value FROM json_each(@excluded))
  ORDER BY run_after, id`;

/**
 * The outbox in the app's SQLite file. Claims are single UPDATE ... RETURNING statements (one
 * implicit transaction each), and every write that ends an attempt matches (id, status 'running',
 * attempts) so a stale attempt cannot overwrite a newer one.
 */
export class SqliteOutboxStore implements OutboxStore {
  constructor(private readonly db: Db) {}

  enqueue(input: EnqueueInput): EnqueueResult {
    const now = iso(new Date());
    return writeTransaction(this.db, (): EnqueueResult => {
      const created =
        prepared(
          this.db,
          `INSERT INTO outbox_jobs (kind, idempotency_key, tenant_id, payload, status, attempts, max_attempts, run_after, created_at, updated_at)
             VALUES (@kind, @key, @tenant, @payload, 'pending', 0, @max, @runAfter, @now, @now)
             ON CONFLICT (idempotency_key) DO NOTHING`,
        ).run({
          kind: input.kind,
          key: input.idempotencyKey,
          tenant: input.tenantId ?? null,
          payload: JSON.stringify(input.payload),
          max: input.maxAttempts,
          runAfter: iso(input.runAfter),
          now,
        }).changes === 1;
      const row = prepared(this.db, 'SELECT * FROM outbox_jobs WHERE idempotency_key = ?').get(
        input.idempotencyKey,
      ) as OutboxRow;
      return { job: toJob(row), created };
    })();
  }

  get(id: number): OutboxJob | undefined {
    const row = prepared(this.db, 'SELECT * FROM outbox_jobs WHERE id = ?').get(id) as OutboxRow | undefined;
    return row ? toJob(row) : undefined;
  }

  claim(input: ClaimInput): OutboxJob[] {
    const rows = prepared(
      this.db,
      `UPDATE outbox_jobs SET status = 'running', attempts = attempts + 1, lease_until = @lease, updated_at = @now
         WHERE id IN (${CLAIMABLE} LIMIT @limit)
         RETURNING *`,
    ).all({
      now: iso(input.now),
      lease: iso(input.leaseUntil),
      limit: input.limit,
      excluded: kindList(input.excludeKinds),
    }) as OutboxRow[];
    // RETURNING does not keep the subquery's order.
    return rows.map(toJob).sort((a, b) => a.runAfter.localeCompare(b.runAfter) || a.id - b.id);
  }

  setLease(id: number, attempt: number, leaseUntil: Date): boolean {
    return (
      prepared(
        this.db,
        "UPDATE outbox_jobs SET lease_until = ? WHERE id = ? AND status = 'running' AND attempts = ?",
      ).run(iso(leaseUntil), id, attempt).changes === 1
    );
  }

  complete(id: number, attempt: number, now: Date): boolean {
    return (
      prepared(
        this.db,
        `UPDATE outbox_jobs SET status = 'done', lease_until = NULL, updated_at = @now, finished_at = @now
           WHERE id = @id AND status = 'running' AND attempts = @attempt`,
      ).run({ id, attempt, now: iso(now) }).changes === 1
    );
  }

  retry(id: number, attempt: number, runAfter: Date, error: string, now: Date): boolean {
    return (
      prepared(
        this.db,
        `UPDATE outbox_jobs SET status = 'pending', run_after = @runAfter, lease_until = NULL, last_error = @error, updated_at = @now
           WHERE id = @id AND status = 'running' AND attempts = @attempt`,
      ).run({ id, attempt, runAfter: iso(runAfter), error, now: iso(now) }).changes === 1
    );
  }

  release(id: number, attempt: number, runAfter: Date, note: string | null, now: Date): boolean {
    return (
      prepared(
        this.db,
        `UPDATE outbox_jobs SET status = 'pending', attempts = attempts - 1, run_after = @runAfter, lease_until = NULL,
             last_error = COALESCE(@note, last_error), updated_at = @now
           WHERE id = @id AND status = 'running' AND attempts = @attempt`,
      ).run({ id, attempt, runAfter: iso(runAfter), note, now: iso(now) }).changes === 1
    );
  }

  expedite(id: number, now: Date): boolean {
    return (
      prepared(
        this.db,
        "UPDATE outbox_jobs SET run_after = @now, updated_at = @now WHERE id = @id AND status = 'pending' AND run_after > @now",
      ).run({ id, now: iso(now) }).changes === 1
    );
  }

  dead(id: number, attempt: number, error: string, now: Date): boolean {
    return (
      prepared(
        this.db,
        `UPDATE outbox_jobs SET status = 'dead', lease_until = NULL, last_error = @error, updated_at = @now, finished_at = @now
           WHERE id = @id AND status = 'running' AND attempts = @attempt`,
      ).run({ id, attempt, error, now: iso(now) }).changes === 1
    );
  }

  recoverRunning(now: Date, reason: string): { requeued: number; dead: number } {
    return writeTransaction(this.db, () => {
      const at = iso(now);
      const dead = prepared(
        this.db,
        `UPDATE outbox_jobs SET status = 'dead', lease_until = NULL, updated_at = @at, finished_at = @at,
             last_error = @reason || ' It had used all ' || attempts || ' of its attempts, so it was dead-lettered.'
           WHERE status = 'running' AND attempts >= max_attempts`,
      ).run({ at, reason }).changes;
      const requeued = prepared(
        this.db,
        `UPDATE outbox_jobs SET status = 'pending', run_after = @at, lease_until = NULL, updated_at = @at,
             last_error = @reason || ' It runs again.'
           WHERE status = 'running'`,
      ).run({ at, reason }).changes;
      return { requeued, dead };
    })();
  }

  requeueDead(id: number, now: Date): OutboxJob | undefined {
    const row = prepared(
      this.db,
      `UPDATE outbox_jobs SET status = 'pending', attempts = 0, run_after = @now, lease_until = NULL, finished_at = NULL, updated_at = @now
         WHERE id = @id AND status = 'dead'
         RETURNING *`,
    ).get({ id, now: iso(now) }) as OutboxRow | undefined;
    return row ? toJob(row) : undefined;
  }

  list(query: JobListQuery): { rows: OutboxJob[]; total: number } {
    // Fixed fragments only; an "IS NULL OR" filter would keep SQLite from using the status index.
    const where = [query.status ? 'status = @status' : '', query.kind ? 'kind = @kind' : ''].filter(Boolean);
    const clause = where.length > 0 ? `WHERE ${where.join(' AND ')}` : '';
    const params = { status: query.status ?? null, kind: query.kind ?? null };
    const rows = prepared(
      this.db,
      `SELECT * FROM outbox_jobs ${clause} ORDER BY id DESC LIMIT @limit OFFSET @offset`,
    ).all({ ...params, limit: query.limit, offset: query.offset }) as OutboxRow[];
    const total = prepared(this.db, `SELECT COUNT(*) FROM outbox_jobs ${clause}`).pluck().get(params) as number;
    return { rows: rows.map(toJob), total };
  }

  countByStatus(): Record<JobStatus, number> {
    const counts = Object.fromEntries(JOB_STATUSES.map((s) => [s, 0])) as Record<JobStatus, number>;
    const rows = prepared(this.db, 'SELECT status, COUNT(*) AS n FROM outbox_jobs GROUP BY status').all() as Array<{
      status: JobStatus;
      n: number;
    }>;
    for (const r of rows) counts[r.status] = r.n;
    return counts;
  }

  countDead(tenantId: string): number {
    // Walks outbox_jobs_by_status over the dead jobs only, which stay few (an admin retries or they age out).
    return prepared(this.db, "SELECT COUNT(*) FROM outbox_jobs WHERE status = 'dead' AND tenant_id = ?")
      .pluck()
      .get(tenantId) as number;
  }

  countOpen(kind: string, tenantId: string): number {
    return prepared(
      this.db,
      `SELECT COUNT(*) FROM outbox_jobs
         WHERE status IN ('pending', 'running') AND kind = @kind AND tenant_id = @tenant`,
    )
      .pluck()
      .get({ kind, tenant: tenantId }) as number;
  }

  nextRunAfter(excludeKinds?: readonly string[]): Date | undefined {
    const at = prepared(
      this.db,
      `SELECT run_after FROM outbox_jobs
         WHERE status = 'pending' AND kind NOT IN (SELECT value FROM json_each(@excluded))
         ORDER BY run_after LIMIT 1`,
    )
      .pluck()
      .get({ excluded: kindList(excludeKinds) }) as string | undefined;
    return at === undefined ? undefined : new Date(at);
  }

  pruneDone(before: Date): number {
    return prepared(this.db, "DELETE FROM outbox_jobs WHERE status = 'done' AND finished_at < ?").run(iso(before))
      .changes;
  }
}
