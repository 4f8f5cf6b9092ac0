import { groupDepartments } from '../../domain/departments';
import type { CopilotSeatSummary } from '../../domain/seat-savings';
import type { CurrentDepartments, DepartmentSeatReads } from '../../usecases/departments/ports';
import type { Db } from './database';
import { prepared } from './prepared';

/**
 * The current snapshot's Copilot seats counted per department, in SQLite: one walk of the
 * department index (tenant, snapshot, department COLLATE NOCASE), grouped in its order, so no sort.
 * Each Copilot SKU of the summary gets its own sums (a SKU has its own price); there are a handful.
 */
export class SqliteDepartmentSeats implements DepartmentSeatReads {
  constructor(private readonly db: Db) {}

  current(tenantId: string): CurrentDepartments | undefined {
    const cur = prepared(
      this.db,
      `SELECT s.snapshot_id AS snapshotId, s.computed_at AS computedAt, s.summary FROM tenants t
         JOIN copilot_summaries s ON s.tenant_id = t.id AND s.snapshot_id = t.current_snapshot_id
        WHERE t.id = ?`,
    ).get(tenantId) as { snapshotId: number; computedAt: string; summary: string } | undefined;
    if (!cur) return undefined;
    const skus = (JSON.parse(cur.summary) as CopilotSeatSummary).skus.map((s) => ({
      skuId: s.skuId,
      skuPartNumber: s.skuPartNumber,
      assigned: s.assigned,
    }));
    const skuIds = skus.map((s) => s.skuId);
    const base = { snapshotId: cur.snapshotId, asOf: cur.computedAt, skus };
    if (skuIds.length === 0) return { ...base, departments: [] };
    const sums = skuIds
      .map(
        (_, i) =>
          `SUM(sku_id = ?) AS s${i}, SUM(sku_id = ? AND status = 'active') AS a${i}, SUM(sku_id = ? AND recommendation = 'reclaim') AS i${i}`,
      )
      .join(', ');
    // MIN(department): one spelling of the group, the same at every read.
    const rows = prepared(
      this.db,
      `SELECT MIN(department) AS department, ${sums}
         FROM copilot_seats INDEXED BY copilot_seats_by_department
        WHERE tenant_id = ? AND snapshot_id = ?
        GROUP BY department COLLATE NOCASE`,
    ).all(...skuIds.flatMap((id) => [id, id, id]), tenantId, cur.snapshotId) as Array<
      Record<string, number | string | null>
    >;
    const perSku = rows.flatMap((row) =>
      skuIds.map((skuId, i) => ({
        department: row.department as string | null,
        skuId,
        seats: Number(row[`s${i}`] ?? 0),
        active: Number(row[`a${i}`] ?? 0),
        idle: Number(row[`i${i}`] ?? 0),
      })),
    );
    return { ...base, departments: groupDepartments(perSku.filter((r) => r.seats > 0)) };
  }
}
