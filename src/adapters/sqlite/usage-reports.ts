import {
  COPILOT_APPS,
  M365_SERVICES,
  isConcealedId,
  type CopilotTrendDay,
  type CopilotUsageRow,
  type M365ActivityRow,
  type ServiceUsage,
  type UsagePeriod,
} from '../../domain/usage';
import type { ConcealmentMarkers, UsageReads, UsageReportStore, UserRowsWriter } from '../../usecases/usage/ports';
import { type Db, writeTransaction } from './database';
import { prepared } from './prepared';

type Report = 'copilot_usage' | 'm365_activity';

/** Columns of the report tables, in the domain's app and service order. */
export const COPILOT_COLUMNS: Record<(typeof COPILOT_APPS)[number], string> = {
  teams: 'teams',
  word: 'word',
  excel: 'excel',
  powerPoint: 'power_point',
  outlook: 'outlook',
  oneNote: 'one_note',
  loop: 'loop',
  copilotChat: 'copilot_chat',
};
export const M365_COLUMNS: Record<(typeof M365_SERVICES)[number], string> = {
  exchange: 'exchange',
  oneDrive: 'one_drive',
  sharePoint: 'share_point',
  teams: 'teams',
  yammer: 'yammer',
};

interface TableSpec<Row> {
  table: 'copilot_usage_users' | 'm365_activity_users';
  report: Report;
  columns: string[];
  params: (row: Row) => unknown[];
}

const COPILOT_SPEC: TableSpec<CopilotUsageRow> = {
  table: 'copilot_usage_users',
  report: 'copilot_usage',
  columns: [
    'upn',
    'concealed',
    'display_name',
    'last_activity_date',
    ...COPILOT_APPS.map((a) => COPILOT_COLUMNS[a]),
    'report_refresh_date',
    'period',
  ],
  params: (r) => [
    r.upn,
    r.concealed ? 1 : 0,
    r.displayName,
    r.lastActivityDate,
    ...COPILOT_APPS.map((a) => r.apps[a]),
    r.reportRefreshDate,
    r.period,
  ],
};
const M365_SPEC: TableSpec<M365ActivityRow> = {
  table: 'm365_activity_users',
  report: 'm365_activity',
  columns: [
    'upn',
    'concealed',
    'display_name',
    'last_activity_date',
    ...M365_SERVICES.map((s) => M365_COLUMNS[s]),
    'report_refresh_date',
    'period',
  ],
  params: (r) => [
    r.upn,
    r.concealed ? 1 : 0,
    r.displayName,
    r.lastActivityDate,
    ...M365_SERVICES.map((s) => r.services[s]),
    r.reportRefreshDate,
    r.period,
  ],
};

const DELETE_BATCH = 5000;

/** How rows are keyed: lower-case UPN, or the upper-case id a concealed report shows. */
const userKey = (upn: string): string => (isConcealedId(upn) ? upn.toUpperCase() : upn.toLowerCase());
const yieldToEventLoop = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

class GenerationWriter<Row> implements UserRowsWriter<Row> {
  private readonly generation: number;
  private readonly previous: number | null;

  constructor(
    private readonly db: Db,
    private readonly spec: TableSpec<Row>,
    private readonly tenantId: string,
  ) {
    this.previous = currentGeneration(db, tenantId, spec.report);
    // What a crash or a failed read left beyond the served generation is garbage.
    deleteGenerationsAbove(db, spec.table, tenantId, this.previous ?? 0);
    this.generation = (this.previous ?? 0) + 1;
  }

  write(rows: Row[]): void {
    const { table, columns, params } = this.spec;
    const insert = prepared(
      this.db,
      `INSERT OR REPLACE INTO ${table} (tenant_id, generation, ${columns.join(', ')}) VALUES (?, ?, ${columns.map(() => '?').join(', ')})`,
    );
    writeTransaction(this.db, () => {
      for (const row of rows) insert.run(this.tenantId, this.generation, ...params(row));
    })();
  }

  async commit(meta: { reportRefreshDate: string | null; period: string }): Promise<void> {
    prepared(
      this.db,
      `INSERT INTO report_generations (tenant_id, report, generation, report_refresh_date, period) VALUES (?, ?, ?, ?, ?)
       ON CONFLICT (tenant_id, report) DO UPDATE SET generation = excluded.generation, report_refresh_date = excluded.report_refresh_date, period = excluded.period`,
    ).run(this.tenantId, this.spec.report, this.generation, meta.reportRefreshDate, meta.period);
    // Every older generation, not just the previous one: a process killed during this delete left its remainder behind.
    await deleteGenerationsBelow(this.db, this.spec.table, this.tenantId, this.generation);
  }

  discard(): void {
    deleteGenerationsAbove(this.db, this.spec.table, this.tenantId, this.previous ?? 0);
  }
}

function currentGeneration(db: Db, tenantId: string, report: Report): number | null {
  const g = prepared(db, 'SELECT generation FROM report_generations WHERE tenant_id = ? AND report = ?')
    .pluck()
    .get(tenantId, report) as number | undefined;
  return g ?? null;
}

function deleteGenerationsAbove(db: Db, table: string, tenantId: string, generation: number): void {
  prepared(db, `DELETE FROM ${table} WHERE tenant_id = ? AND generation > ?`).run(tenantId, generation);
}

/** In short transactions, so a 100,000-row report does not hold the writer (or the event loop) for long. */
async function deleteGenerationsBelow(db: Db, table: string, tenantId: string, generation: number): Promise<void> {
  const batch = prepared(
    db,
    `DELETE FROM ${table} WHERE tenant_id = ? AND (generation, upn) IN (SELECT generation, upn FROM ${table} WHERE tenant_id = ? AND generation < ? LIMIT ${DELETE_BATCH})`,
  );
  while (batch.run(tenantId, tenantId, generation).changes > 0) await yieldToEventLoop();
}

interface ReportDbRow {
  upn: string;
  concealed: number;
  display_name: string | null;
  last_activity_date: string | null;
  report_refresh_date: string;
  period: string;
  [column: string]: unknown;
}

function userFields(row: ReportDbRow) {
  return {
    upn: row.upn,
    concealed: row.concealed === 1,
    displayName: row.display_name,
    lastActivityDate: row.last_activity_date,
    reportRefreshDate: row.report_refresh_date,
    period: row.period,
  };
}

/** The per-app or per-service dates of a row, keyed as the domain names them. */
function datesOf<K extends string>(
  row: ReportDbRow,
  keys: readonly K[],
  columns: Record<K, string>,
): Record<K, string | null> {
  const out = {} as Record<K, string | null>;
  for (const k of keys) {
    const v = row[columns[k]];
    out[k] = typeof v === 'string' ? v : null;
  }
  return out;
}

export class SqliteUsageReports implements UsageReportStore, UsageReads, ConcealmentMarkers {
  constructor(private readonly db: Db) {}

  copilotUsage(tenantId: string): UserRowsWriter<CopilotUsageRow> {
    return new GenerationWriter(this.db, COPILOT_SPEC, tenantId);
  }

  m365Activity(tenantId: string): UserRowsWriter<M365ActivityRow> {
    return new GenerationWriter(this.db, M365_SPEC, tenantId);
  }

  saveServiceUsage(tenantId: string, figures: ServiceUsage[]): void {
    writeTransaction(this.db, () => {
      prepared(this.db, 'DELETE FROM service_usage WHERE tenant_id = ?').run(tenantId);
      const insert = prepared(
        this.db,
        'INSERT INTO service_usage (tenant_id, period, report_refresh_date, figures) VALUES (?, ?, ?, ?)',
      );
      for (const f of figures) insert.run(tenantId, f.period, f.reportRefreshDate, JSON.stringify(f));
    })();
  }

  saveCopilotTrend(
    tenantId: string,
    period: string,
    days: CopilotTrendDay[],
    summary: CopilotTrendDay['counts'] | null,
  ): void {
    prepared(
      this.db,
      `INSERT INTO copilot_trend (tenant_id, period, days, summary) VALUES (?, ?, ?, ?)
       ON CONFLICT (tenant_id) DO UPDATE SET period = excluded.period, days = excluded.days, summary = excluded.summary`,
    ).run(tenantId, period, JSON.stringify(days), summary ? JSON.stringify(summary) : null);
  }

  copilotUser(tenantId: string, upn: string): CopilotUsageRow | undefined {
    const row = this.currentRow(COPILOT_SPEC, tenantId, upn);
    return row && { ...userFields(row), apps: datesOf(row, COPILOT_APPS, COPILOT_COLUMNS) };
  }

  m365User(tenantId: string, upn: string): M365ActivityRow | undefined {
    const row = this.currentRow(M365_SPEC, tenantId, upn);
    return row && { ...userFields(row), services: datesOf(row, M365_SERVICES, M365_COLUMNS) };
  }

  /** The user's row in the report generation being served. */
  private currentRow<Row>(spec: TableSpec<Row>, tenantId: string, upn: string): ReportDbRow | undefined {
    return prepared(
      this.db,
      `SELECT r.* FROM ${spec.table} r JOIN report_generations g ON g.tenant_id = r.tenant_id AND g.report = '${spec.report}' AND g.generation = r.generation
       WHERE r.tenant_id = ? AND r.upn = ?`,
    ).get(tenantId, userKey(upn)) as ReportDbRow | undefined;
  }

  serviceUsage(tenantId: string, period: UsagePeriod): ServiceUsage | undefined {
    const figures = prepared(this.db, 'SELECT figures FROM service_usage WHERE tenant_id = ? AND period = ?')
      .pluck()
      .get(tenantId, period) as string | undefined;
    return figures === undefined ? undefined : (JSON.parse(figures) as ServiceUsage);
  }

  unmatchedCount(tenantId: string, source: Report): number {
    const table = source === 'copilot_usage' ? 'copilot_usage_users' : 'm365_activity_users';
    const generation = currentGeneration(this.db, tenantId, source);
    if (generation === null) return 0;
    const total = prepared(this.db, `SELECT COUNT(*) FROM ${table} WHERE tenant_id = ? AND generation = ?`)
      .pluck()
      .get(tenantId, generation) as number;
    // Walks the current snapshot's users (one tenant's key range) and looks each up in the report by key.
    const matched = prepared(
      this.db,
      `SELECT COUNT(*) FROM users u
       WHERE u.tenant_id = ? AND u.snapshot_id = (SELECT current_snapshot_id FROM tenants WHERE id = ?)
         AND EXISTS (SELECT 1 FROM ${table} r WHERE r.tenant_id = u.tenant_id AND r.generation = ? AND r.upn = lower(u.user_principal_name))`,
    )
      .pluck()
      .get(tenantId, tenantId, generation) as number;
    return total - matched;
  }

  copilotTrend(
    tenantId: string,
  ): { period: string; days: CopilotTrendDay[]; summary: CopilotTrendDay['counts'] | null } | undefined {
    const row = prepared(this.db, 'SELECT period, days, summary FROM copilot_trend WHERE tenant_id = ?').get(
      tenantId,
    ) as { period: string; days: string; summary: string | null } | undefined;
    if (!row) return undefined;
    return {
      period: row.period,
      days: JSON.parse(row.days) as CopilotTrendDay[],
      summary: row.summary ? (JSON.parse(row.summary) as CopilotTrendDay['counts']) : null,
    };
  }

  set(tenantId: string, at: string): void {
    prepared(
      this.db,
      'INSERT INTO report_concealment_restore (tenant_id, set_at) VALUES (?, ?) ON CONFLICT (tenant_id) DO NOTHING',
    ).run(tenantId, at);
  }

  clear(tenantId: string): void {
    prepared(this.db, 'DELETE FROM report_concealment_restore WHERE tenant_id = ?').run(tenantId);
  }

  has(tenantId: string): boolean {
    return (
      prepared(this.db, 'SELECT 1 FROM report_concealment_restore WHERE tenant_id = ?').pluck().get(tenantId) !==
      undefined
    );
  }

  tenants(): string[] {
    return prepared(this.db, 'SELECT tenant_id FROM report_concealment_restore ORDER BY tenant_id')
      .pluck()
      .all() as string[];
  }
}
