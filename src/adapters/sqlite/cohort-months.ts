import type { CohortMonth } from '../../domain/seat-cohorts';
import type { CohortMonthsStore, StoredCohorts } from '../../usecases/cohorts/ports';
import { type Db, writeTransaction } from './database';
import { prepared } from './prepared';

/** copilot_cohort_months: each month's cohort figures as last worked out, by primary key (tenant, month). */
export class SqliteCohortMonths implements CohortMonthsStore {
  constructor(private readonly db: Db) {}

  save(tenantId: string, months: readonly CohortMonth[], computedAt: string, keepFrom?: string): void {
    const upsert = prepared(
      this.db,
      `INSERT INTO copilot_cohort_months (tenant_id, month, figures, computed_at) VALUES (?, ?, ?, ?)
       ON CONFLICT (tenant_id, month) DO UPDATE SET figures = excluded.figures, computed_at = excluded.computed_at`,
    );
    writeTransaction(this.db, () => {
      if (keepFrom !== undefined)
        prepared(this.db, 'DELETE FROM copilot_cohort_months WHERE tenant_id = ? AND month < ?').run(
          tenantId,
          keepFrom,
        );
      for (const m of months) upsert.run(tenantId, m.month, JSON.stringify(m), computedAt);
    })();
  }

  read(tenantId: string, fromMonth: string, toMonth: string): StoredCohorts | undefined {
    const latest = prepared(this.db, 'SELECT MAX(computed_at) FROM copilot_cohort_months WHERE tenant_id = ?')
      .pluck()
      .get(tenantId) as string | null;
    if (latest === null) return undefined;
    const rows = prepared(
      this.db,
      'SELECT figures FROM copilot_cohort_months WHERE tenant_id = ? AND month >= ? AND month <= ? ORDER BY month DESC',
    )
      .pluck()
      .all(tenantId, fromMonth, toMonth) as string[];
    return { computedAt: latest, months: rows.map((r) => JSON.parse(r) as CohortMonth) };
  }
}
