import type { DepartmentCounts, DepartmentDay, DepartmentSkuCounts } from '../../domain/departments';
import type { DepartmentTrendStore } from '../../usecases/departments/ports';
import type { Db } from './database';
import { prepared } from './prepared';

interface DayRow {
  day: string;
  department_key: string;
  department: string;
  skus: string;
}

/** copilot_department_days: per-department counts of the last sync of each UTC day, by primary key (tenant, day, department). */
export class SqliteDepartmentTrend implements DepartmentTrendStore {
  constructor(private readonly db: Db) {}

  record(
    tenantId: string,
    day: string,
    snapshotId: number,
    departments: readonly DepartmentCounts[],
    keepFrom: string,
  ): void {
    const sum = (d: DepartmentCounts, pick: (s: DepartmentSkuCounts) => number) =>
      d.skus.reduce((acc, s) => acc + pick(s), 0);
    const insert = prepared(
      this.db,
      `INSERT INTO copilot_department_days (tenant_id, day, department_key, department, snapshot_id, seats, active, idle, skus)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    this.db.transaction(() => {
      // The day's rows go first: a department gone since an earlier sync that day is not kept.
      prepared(this.db, 'DELETE FROM copilot_department_days WHERE tenant_id = ? AND day = ?').run(tenantId, day);
      prepared(this.db, 'DELETE FROM copilot_department_days WHERE tenant_id = ? AND day < ?').run(tenantId, keepFrom);
      for (const d of departments)
        insert.run(
          tenantId,
          day,
          d.key,
          d.name,
          snapshotId,
          sum(d, (s) => s.seats),
          sum(d, (s) => s.active),
          sum(d, (s) => s.idle),
          JSON.stringify(d.skus),
        );
    })();
  }

  days(tenantId: string, fromDay: string): DepartmentDay[] {
    const rows = prepared(
      this.db,
      `SELECT day, department_key, department, skus FROM copilot_department_days
        WHERE tenant_id = ? AND day >= ? ORDER BY day, department_key`,
    ).all(tenantId, fromDay) as DayRow[];
    return rows.map((r) => ({
      day: r.day,
      counts: { key: r.department_key, name: r.department, skus: JSON.parse(r.skus) as DepartmentSkuCounts[] },
    }));
  }
}
