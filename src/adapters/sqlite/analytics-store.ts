import type { CopilotSeatSummary } from '../../domain/seat-savings';
import type {
  AnalyticsStore,
  CandidatePlacement,
  CandidateToStore,
  PreviousAnalytics,
  PreviousSeat,
  SeatToStore,
} from '../../usecases/analytics/ports';
import { toSeat, type SeatDbRow } from './analytics-reads';
import { type Db, writeTransaction } from './database';
import { prepared } from './prepared';

/** Rows per insert transaction: short write locks while the API and the sources also write. */
const WRITE_BATCH = 2000;
/** A decided candidate's columns, in the order stageCandidates binds them. */
const STAGED_COLUMNS = [
  'user_id',
  'user_principal_name',
  'display_name',
  'mail',
  'department',
  'office_location',
  'm365_activity_score',
  'priority',
  'chat_last_at',
  'chat_interactions',
  'reasons',
  'inputs_key',
] as const;

/** Rows per INSERT ... SELECT of copied rows: copying runs inside SQLite, about 10 µs a row. */
const COPY_BATCH = 20_000;

const ANALYTICS_TABLES = ['copilot_seats', 'copilot_candidates', 'copilot_summaries'] as const;

/** Every column of `table` but snapshot_id and `order` (seq or rank), for copying rows to another snapshot. */
function copiedColumns(db: Db, table: string, order: string): string[] {
  return (prepared(db, `SELECT name FROM pragma_table_info('${table}')`).pluck().all() as string[]).filter(
    (c) => c !== 'snapshot_id' && c !== order,
  );
}

/**
 * Writes rows in order: a row to copy whose previous position follows the last copied one's extends
 * a range, and each range is one INSERT ... SELECT inside SQLite (a repeat sync on the same day
 * copies nearly every row in a handful of statements instead of binding each one from JavaScript).
 */
function writeInOrder<T extends { reuse: number | null }>(
  db: Db,
  rows: readonly T[],
  firstPosition: number,
  insert: (row: T, position: number) => void,
  copy: (from: number, to: number, delta: number) => void,
): void {
  for (let i = 0; i < rows.length; i += WRITE_BATCH) {
    writeTransaction(db, () => {
      let rangeStart = -1;
      let rangeFrom = 0;
      const end = Math.min(rows.length, i + WRITE_BATCH);
      const flush = (k: number) => {
        if (rangeStart < 0) return;
        const from = rangeFrom;
        const count = k - rangeStart;
        copy(from, from + count - 1, rangeStart + firstPosition - from);
        rangeStart = -1;
      };
      for (let k = i; k < end; k++) {
        const reuse = rows[k].reuse;
        if (reuse !== null && rangeStart >= 0 && reuse === rangeFrom + (k - rangeStart)) continue;
        flush(k);
        if (reuse !== null) {
          rangeStart = k;
          rangeFrom = reuse;
        } else {
          insert(rows[k], k + firstPosition);
        }
      }
      flush(end);
    })();
  }
}

/** Where each snapshot's seat analytics are stored (copilot_seats, copilot_candidates, copilot_summaries). */
export class SqliteAnalyticsStore implements AnalyticsStore {
  constructor(private readonly db: Db) {}

  clear(tenantId: string, snapshotId: number): void {
    writeTransaction(this.db, () => {
      for (const table of ANALYTICS_TABLES)
        prepared(this.db, `DELETE FROM ${table} WHERE tenant_id = ? AND snapshot_id = ?`).run(tenantId, snapshotId);
    })();
    // Staged rows live in this connection's temporary database: never in the file, no write lock.
    this.db.exec(`
      CREATE TEMP TABLE IF NOT EXISTS analytics_staged_candidates (id INTEGER PRIMARY KEY, ${STAGED_COLUMNS.join(', ')});
      CREATE TEMP TABLE IF NOT EXISTS analytics_staged_ranks (id INTEGER PRIMARY KEY, rank INTEGER NOT NULL UNIQUE);
      DELETE FROM temp.analytics_staged_candidates;
      DELETE FROM temp.analytics_staged_ranks;
    `);
  }

  stageCandidates(rows: readonly CandidateToStore[]): number {
    const insert = prepared(
      this.db,
      `INSERT INTO temp.analytics_staged_candidates (${STAGED_COLUMNS.join(', ')}) VALUES (${STAGED_COLUMNS.map(() => '?').join(', ')})`,
    );
    let first = 0;
    this.db.transaction(() =>
      rows.forEach(({ facts: f, assessment: a, inputsKey }, i) => {
        const id = insert.run(
          f.userId,
          f.userPrincipalName,
          f.displayName,
          f.mail,
          f.department,
          f.officeLocation,
          a.m365ActivityScore,
          a.priority,
          f.chat?.lastAt ?? null,
          f.chat?.interactions ?? null,
          JSON.stringify(a.reasons),
          inputsKey,
        ).lastInsertRowid;
        if (i === 0) first = Number(id);
      }),
    )();
    return first;
  }

  previous(tenantId: string, snapshotId: number): PreviousAnalytics | null {
    const current = prepared(this.db, 'SELECT current_snapshot_id FROM tenants WHERE id = ?').pluck().get(tenantId) as
      number | null | undefined;
    if (current === null || current === undefined || current === snapshotId) return null;
    const seats = new Map<string, PreviousSeat>();
    for (const r of prepared(
      this.db,
      'SELECT * FROM copilot_seats WHERE tenant_id = ? AND snapshot_id = ? AND inputs_key IS NOT NULL',
    ).iterate(tenantId, current) as Iterable<SeatDbRow & { inputs_key: string }>) {
      seats.set(`${r.user_id}\u0000${r.sku_id}`, { seq: r.seq, inputsKey: r.inputs_key, seat: toSeat(r) });
    }
    return { snapshotId: current, seats };
  }

  writeSeats(
    tenantId: string,
    snapshotId: number,
    previousSnapshotId: number | null,
    seats: readonly SeatToStore[],
  ): void {
    const insert = prepared(
      this.db,
      `INSERT INTO copilot_seats (tenant_id, snapshot_id, seq, user_id, user_principal_name, display_name, mail, department, office_location, account_enabled,
         sku_id, sku_part_number, assigned_via, direct, groups, license_assigned_date, last_activity_date, last_activity_source, last_activity_as_of,
         days_since_last_activity, usage_score, status, recommendation, tier, reasons, inputs_key)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    const columns = copiedColumns(this.db, 'copilot_seats', 'seq').join(', ');
    const copy = prepared(
      this.db,
      `INSERT INTO copilot_seats (snapshot_id, seq, ${columns}) SELECT @to, seq + @delta, ${columns} FROM copilot_seats
        WHERE tenant_id = @tenant AND snapshot_id = @from AND seq BETWEEN @first AND @last`,
    );
    writeInOrder(
      this.db,
      seats,
      0,
      ({ facts: f, assessment: a, inputsKey }, seq) =>
        insert.run(
          tenantId,
          snapshotId,
          seq,
          f.userId,
          f.userPrincipalName,
          f.displayName,
          f.mail,
          f.department,
          f.officeLocation,
          f.accountEnabled ? 1 : 0,
          f.skuId,
          f.skuPartNumber,
          a.assignedVia,
          f.direct ? 1 : 0,
          JSON.stringify(f.groups),
          f.seatSince,
          a.lastActivityDate,
          a.lastActivitySource,
          a.lastActivityAsOf,
          a.daysSinceLastActivity,
          a.usageScore,
          a.status,
          a.recommendation,
          a.tier,
          JSON.stringify(a.reasons),
          inputsKey,
        ),
      (first, last, delta) =>
        copy.run({ to: snapshotId, delta, tenant: tenantId, from: previousSnapshotId, first, last }),
    );
  }

  writeCandidates(
    tenantId: string,
    snapshotId: number,
    previousSnapshotId: number | null,
    placements: readonly CandidatePlacement[],
  ): void {
    const columns = copiedColumns(this.db, 'copilot_candidates', 'rank').join(', ');
    const copy = prepared(
      this.db,
      `INSERT INTO copilot_candidates (snapshot_id, rank, ${columns}) SELECT @to, rank + @delta, ${columns} FROM copilot_candidates
        WHERE tenant_id = @tenant AND snapshot_id = @from AND rank BETWEEN @first AND @last`,
    );
    const insertStaged = prepared(
      this.db,
      `INSERT INTO copilot_candidates (tenant_id, snapshot_id, rank, ${STAGED_COLUMNS.join(', ')})
       SELECT @tenant, @to, r.rank, ${STAGED_COLUMNS.map((c) => `s.${c}`).join(', ')}
         FROM temp.analytics_staged_ranks r JOIN temp.analytics_staged_candidates s ON s.id = r.id
        WHERE r.rank BETWEEN @first AND @last ORDER BY r.rank`,
    );
    const rankStaged = prepared(this.db, 'INSERT INTO temp.analytics_staged_ranks (id, rank) VALUES (?, ?)');
    // Each copied run and each range of staged rows is one INSERT ... SELECT inside SQLite, in
    // statements of at most COPY_BATCH rows, each its own short transaction.
    let rank = 1;
    const ranked: Array<[number, number]> = [];
    for (const placement of placements) {
      if ('staged' in placement) {
        ranked.push([placement.staged, rank++]);
        continue;
      }
      if (previousSnapshotId === null) throw new Error('candidates to copy without a previous snapshot');
      for (let first = placement.copy.first; first <= placement.copy.last; first += COPY_BATCH) {
        const last = Math.min(placement.copy.last, first + COPY_BATCH - 1);
        copy.run({ to: snapshotId, delta: rank - first, tenant: tenantId, from: previousSnapshotId, first, last });
        rank += last - first + 1;
      }
    }
    if (ranked.length === 0) return;
    this.db.transaction(() => ranked.forEach(([id, at]) => rankStaged.run(id, at)))();
    for (let first = ranked[0][1]; first <= ranked[ranked.length - 1][1]; first += COPY_BATCH)
      insertStaged.run({ to: snapshotId, tenant: tenantId, first, last: first + COPY_BATCH - 1 });
  }

  writeSummary(tenantId: string, snapshotId: number, summary: CopilotSeatSummary): void {
    prepared(
      this.db,
      'INSERT INTO copilot_summaries (tenant_id, snapshot_id, computed_at, summary) VALUES (?, ?, ?, ?)',
    ).run(tenantId, snapshotId, summary.computedAt, JSON.stringify(summary));
  }
}

/**
 * Copies the tenant's current snapshot's analytics into `snapshotId` (after a failed computation),
 * so publishing the new snapshot does not lose the last good figures. Their computed_at stays.
 */
export function carryOverAnalytics(db: Db, tenantId: string, snapshotId: number): void {
  const current = db.prepare('SELECT current_snapshot_id FROM tenants WHERE id = ?').pluck().get(tenantId) as
    number | null | undefined;
  if (current === null || current === undefined || current === snapshotId) return;
  writeTransaction(db, () => {
    for (const table of ANALYTICS_TABLES) {
      db.prepare(`DELETE FROM ${table} WHERE tenant_id = ? AND snapshot_id = ?`).run(tenantId, snapshotId);
      const columns = (db.prepare(`SELECT name FROM pragma_table_info('${table}')`).pluck().all() as string[]).filter(
        (c) => c !== 'snapshot_id',
      );
      db.prepare(
        `INSERT INTO ${table} (snapshot_id, ${columns.join(', ')}) SELECT ?, ${columns.join(', ')} FROM ${table} WHERE tenant_id = ? AND snapshot_id = ?`,
      ).run(snapshotId, tenantId, current);
    }
  })();
}
