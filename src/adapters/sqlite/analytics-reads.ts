import type { CandidatePriority } from '../../domain/seat-analytics';
import type { CopilotSeatSummary } from '../../domain/seat-savings';
import type { AnalyticsReads, CandidateQuery, SeatQuery } from '../../usecases/analytics/ports';
import type { StoredCandidate, StoredSeat } from '../../domain/seat-records';
import type { Db } from './database';
import { prepared } from './prepared';

export interface SeatDbRow {
  seq: number;
  user_id: string;
  user_principal_name: string;
  display_name: string | null;
  mail: string | null;
  department: string | null;
  office_location: string | null;
  account_enabled: number;
  sku_id: string;
  sku_part_number: string;
  assigned_via: 'direct' | 'group';
  direct: number;
  groups: string;
  license_assigned_date: string;
  last_activity_date: string | null;
  last_activity_source: StoredSeat['lastActivitySource'];
  last_activity_as_of: string | null;
  days_since_last_activity: number | null;
  usage_score: number;
  status: StoredSeat['status'];
  recommendation: StoredSeat['recommendation'];
  tier: StoredSeat['tier'];
  reasons: string;
}

export interface CandidateDbRow {
  rank: number;
  user_id: string;
  user_principal_name: string;
  display_name: string | null;
  mail: string | null;
  department: string | null;
  office_location: string | null;
  m365_activity_score: number;
  priority: CandidatePriority;
  chat_last_at: string | null;
  chat_interactions: number | null;
  reasons: string;
}

export const toSeat = (r: SeatDbRow): StoredSeat => ({
  userId: r.user_id,
  userPrincipalName: r.user_principal_name,
  displayName: r.display_name,
  mail: r.mail,
  department: r.department,
  officeLocation: r.office_location,
  accountEnabled: r.account_enabled === 1,
  skuId: r.sku_id,
  skuPartNumber: r.sku_part_number,
  direct: r.direct === 1,
  groups: JSON.parse(r.groups) as StoredSeat['groups'],
  licenseAssignedDate: r.license_assigned_date,
  status: r.status,
  recommendation: r.recommendation,
  tier: r.tier,
  lastActivityDate: r.last_activity_date,
  lastActivitySource: r.last_activity_source,
  lastActivityAsOf: r.last_activity_as_of,
  daysSinceLastActivity: r.days_since_last_activity,
  usageScore: r.usage_score,
  assignedVia: r.assigned_via,
  reasons: JSON.parse(r.reasons) as string[],
});

export const toCandidate = (r: CandidateDbRow): StoredCandidate => ({
  rank: r.rank,
  userId: r.user_id,
  userPrincipalName: r.user_principal_name,
  displayName: r.display_name,
  mail: r.mail,
  department: r.department,
  officeLocation: r.office_location,
  m365ActivityScore: r.m365_activity_score,
  priority: r.priority,
  copilotChat: r.chat_last_at ? { lastAt: r.chat_last_at, interactions: r.chat_interactions ?? 0 } : null,
  reasons: JSON.parse(r.reasons) as string[],
});

/** Pages of at most this many rows are kept (the REST API's default page is 50, the bot's 10). */
const KEPT_PAGE_ROWS = 50;
/** At most this many kept pages (under 3 MB at 50 rows of about 1 KB). */
const KEPT_PAGES = 64;

/**
 * Reads of the analytics stored with each tenant's current snapshot. Lists are stored in their
 * order (seq, rank), so every page is a range of an index: one filter at a time picks its index.
 */
export class SqliteAnalyticsReads implements AnalyticsReads {
  /** Recent small pages of seats, by snapshot, computation and query (see seats()). */
  private readonly seatPages = new Map<string, { asOf: string; total: number; rows: StoredSeat[] }>();

  constructor(private readonly db: Db) {}

  private current(tenantId: string): { snapshotId: number; computedAt: string; summary: string } | undefined {
    return prepared(
      this.db,
      `SELECT s.snapshot_id AS snapshotId, s.computed_at AS computedAt, s.summary FROM tenants t
         JOIN copilot_summaries s ON s.tenant_id = t.id AND s.snapshot_id = t.current_snapshot_id
        WHERE t.id = ?`,
    ).get(tenantId) as { snapshotId: number; computedAt: string; summary: string } | undefined;
  }

  summary(tenantId: string): { snapshotId: number; summary: CopilotSeatSummary } | undefined {
    const cur = this.current(tenantId);
    return cur ? { snapshotId: cur.snapshotId, summary: JSON.parse(cur.summary) as CopilotSeatSummary } : undefined;
  }

  /**
   * A snapshot's analytics are written on the writer thread before the snapshot is published, and
   * never changed after (a retry clears them and stores a new computed_at), so a page read for a
   * snapshot and computation stays right until another snapshot is current. The `inactive` card and its page buttons ask for the same few pages over and over:
   * the count of a filter walks every matching row of its index (6,000 reclaimable seats at
   * 100,000 users), about as long as the rest of the turn. Small pages (bot cards, REST pages)
   * are kept, a bounded number; exports' large pages are not.
   */
  seats(tenantId: string, query: SeatQuery): { asOf: string; total: number; rows: StoredSeat[] } | undefined {
    const cur = this.current(tenantId);
    if (!cur) return undefined;
    if (query.limit > KEPT_PAGE_ROWS) return this.readSeats(tenantId, cur, query);
    const key = JSON.stringify([tenantId, cur.snapshotId, cur.computedAt, query]);
    let page = this.seatPages.get(key);
    if (page === undefined) {
      page = this.readSeats(tenantId, cur, query);
      if (this.seatPages.size >= KEPT_PAGES) this.seatPages.clear();
      this.seatPages.set(key, page);
    }
    // A list of its own per call: callers may sort or cut theirs.
    return { asOf: page.asOf, total: page.total, rows: page.rows.slice() };
  }

  private readSeats(
    tenantId: string,
    cur: { snapshotId: number; computedAt: string },
    query: SeatQuery,
  ): { asOf: string; total: number; rows: StoredSeat[] } {
    const { where, params } = seatFilter(query);
    // Without ANALYZE statistics the planner walks the whole snapshot for two filters; the
    // department is the most selective, then the recommendation, tier and status.
    const index =
      query.department !== undefined
        ? 'copilot_seats_by_department'
        : query.recommendation
          ? 'copilot_seats_by_recommendation'
          : query.tier
            ? 'copilot_seats_by_tier'
            : query.status
              ? 'copilot_seats_by_status'
              : null;
    const base = `FROM copilot_seats${index ? ` INDEXED BY ${index}` : ''} WHERE tenant_id = ? AND snapshot_id = ?${where}`;
    const total = prepared(this.db, `SELECT COUNT(*) ${base}`)
      .pluck()
      .get(tenantId, cur.snapshotId, ...params) as number;
    // Reclaims are stored certain before probable, and other recommendations have no tier, so with a
    // recommendation alone "tier, seq" is the stored order and walks the (recommendation, tier, seq) index.
    const order = query.recommendation && !query.tier ? 'tier, seq' : 'seq';
    const rows = prepared(this.db, `SELECT * ${base} ORDER BY ${order} LIMIT ? OFFSET ?`).all(
      tenantId,
      cur.snapshotId,
      ...params,
      query.limit,
      query.offset,
    ) as SeatDbRow[];
    return { asOf: cur.computedAt, total, rows: rows.map(toSeat) };
  }

  candidates(
    tenantId: string,
    query: CandidateQuery,
  ): { asOf: string; total: number; rows: StoredCandidate[] } | undefined {
    const cur = this.current(tenantId);
    if (!cur) return undefined;
    const clauses: string[] = [];
    const params: unknown[] = [];
    if (query.priority) {
      clauses.push(' AND priority = ?');
      params.push(query.priority);
    }
    if (query.department !== undefined) {
      clauses.push(' AND department = ? COLLATE NOCASE');
      params.push(query.department);
    }
    const index =
      query.department !== undefined
        ? 'copilot_candidates_by_department'
        : query.priority
          ? 'copilot_candidates_by_priority'
          : null;
    const base = `FROM copilot_candidates${index ? ` INDEXED BY ${index}` : ''} WHERE tenant_id = ? AND snapshot_id = ?${clauses.join('')}`;
    const total = prepared(this.db, `SELECT COUNT(*) ${base}`)
      .pluck()
      .get(tenantId, cur.snapshotId, ...params) as number;
    const rows = prepared(this.db, `SELECT * ${base} ORDER BY rank LIMIT ? OFFSET ?`).all(
      tenantId,
      cur.snapshotId,
      ...params,
      query.limit,
      query.offset,
    ) as CandidateDbRow[];
    return { asOf: cur.computedAt, total, rows: rows.map(toCandidate) };
  }
}

function seatFilter(query: SeatQuery): { where: string; params: unknown[] } {
  const clauses: string[] = [];
  const params: unknown[] = [];
  if (query.status) {
    clauses.push(' AND status = ?');
    params.push(query.status);
  }
  if (query.recommendation) {
    clauses.push(' AND recommendation = ?');
    params.push(query.recommendation);
  }
  if (query.tier) {
    clauses.push(' AND tier = ?');
    params.push(query.tier);
  }
  if (query.department !== undefined) {
    clauses.push(' AND department = ? COLLATE NOCASE');
    params.push(query.department);
  }
  return { where: clauses.join(''), params };
}
