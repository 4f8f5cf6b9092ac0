import { isActiveAssignment } from '../../domain/directory';
import { licenceDates } from '../../domain/identity';
import {
  type AuditEvidence,
  type CandidateAssessment,
  type CandidateFacts,
  type CandidatePriority,
  type ReportEvidence,
  type SeatAssessment,
  type SeatFacts,
  assessCandidate,
  assessSeat,
  compareCandidates,
  compareSeats,
  exclusionOf,
} from '../../domain/seat-analytics';
import { seatHighlights } from '../../domain/seat-highlights';
import type { CopilotSeatSummary, SkuPrice, SkuSeatCounts } from '../../domain/seat-savings';
import { COPILOT_APPS, M365_SERVICES, concealmentWarning, type CopilotApp, type M365Service } from '../../domain/usage';
import type {
  AnalyticsOptions,
  AnalyticsOutcome,
  AnalyticsReads,
  CandidateQuery,
  PriceBook,
  SeatQuery,
  StoredCandidate,
  StoredSeat,
} from '../../usecases/analytics/ports';
import type { ExclusionGroupStore } from '../../usecases/analytics/exclusion-groups-source';
import { type Db, writeTransaction } from './database';
import { prepared } from './prepared';
import { isChatHost } from './copilot-interactions';
import { SqliteIdentityStore } from './identity-store';
import { COPILOT_COLUMNS, M365_COLUMNS } from './usage-reports';

/** Rows per insert transaction: short write locks while the API and the sources also write. */
const WRITE_BATCH = 2000;

interface HolderRow {
  user_seq: number;
  user_id: string;
  user_principal_name: string;
  display_name: string | null;
  mail: string | null;
  department: string | null;
  office_location: string | null;
  account_enabled: number;
  user_type: string | null;
  sku_id: string;
  sku_part_number: string;
  assigned_by_group_id: string;
  state: string | null;
  assigned_at: string | null;
  group_name: string | null;
  /** 1 when the Copilot usage report has a row for the user; its columns follow as r_<column>. */
  r_found: number;
  r_last_activity_date: string | null;
  i_last_at: string | null;
  i_app_host: string | null;
  [column: string]: string | number | null;
}

interface MemberRow {
  user_seq: number;
  user_id: string;
  user_principal_name: string;
  display_name: string | null;
  mail: string | null;
  department: string | null;
  office_location: string | null;
  /** 1 when the Microsoft 365 active user report has a row for the user. */
  m_found: number;
  i_chat_last_at: string | null;
  i_interactions: number | null;
  /** m_<service column>: the report's per-service dates. */
  [column: string]: string | number | null;
}

interface SkuDbRow {
  sku_id: string;
  sku_part_number: string;
  enabled_units: number;
  consumed_units: number;
}

const minDay = (a: string | null, b: string | null | undefined): string | null => {
  if (!b) return a;
  const day = b.slice(0, 10);
  return a === null || day < a ? day : a;
};

/**
 * Computes and stores a snapshot's seat analytics (the AnalyticsComputer's work, run on the
 * snapshot writer thread before the flip). Reads the snapshot's directory and the tenant's
 * activity data, decides with the pure domain rules, and writes seats, candidates and the
 * summary beside the snapshot, so publish makes them visible with it.
 */
const keptText = (until: string | undefined): string | null => (until ? `the holder chose to keep the seat until ${until.slice(0, 10)} (RECLAIM_KEEP_DAYS)` : null);

export function computeSeatAnalytics(db: Db, tenantId: string, snapshotId: number, now: Date, options: AnalyticsOptions): AnalyticsOutcome {
  const started = Date.now();
  const today = now.toISOString().slice(0, 10);
  const nowIso = now.toISOString();

  // A retry of the same snapshot (never in practice) must not collide with its own rows.
  writeTransaction(db, () => {
    for (const table of ['copilot_seats', 'copilot_candidates', 'copilot_summaries']) {
      db.prepare(`DELETE FROM ${table} WHERE tenant_id = ? AND snapshot_id = ?`).run(tenantId, snapshotId);
    }
  })();

  // The Copilot usage report as served now (its current generation).
  const copilotGen = db.prepare("SELECT generation, report_refresh_date FROM report_generations WHERE tenant_id = ? AND report = 'copilot_usage'").get(tenantId) as
    | { generation: number; report_refresh_date: string | null }
    | undefined;
  const copilotStatus = db.prepare("SELECT as_of, last_success_at FROM source_status WHERE tenant_id = ? AND source = 'copilot_usage'").get(tenantId) as
    | { as_of: string | null; last_success_at: string | null }
    | undefined;
  const reportRefreshDate = copilotGen ? (copilotGen.report_refresh_date ?? copilotStatus?.as_of ?? copilotStatus?.last_success_at ?? null)?.slice(0, 10) ?? null : null;
  const concealedRows = copilotGen
    ? (db.prepare('SELECT COUNT(*) FROM copilot_usage_users WHERE tenant_id = ? AND generation = ? AND concealed = 1').pluck().get(tenantId, copilotGen.generation) as number)
    : 0;
  const auditCoveredUntil = (db.prepare('SELECT MAX(covered_until) FROM audit_cursors WHERE tenant_id = ?').pluck().get(tenantId) as string | null) ?? null;

  // Report rows and last interactions come joined to the directory rows: one pass in SQLite instead
  // of a lookup per user from JavaScript, which was most of the step's time at 100,000 users.
  const reportColumns = ['last_activity_date', ...COPILOT_APPS.map((a) => COPILOT_COLUMNS[a])].map((c) => `r.${c} AS r_${c}`).join(', ');
  const holderRows = db
    .prepare(
      `SELECT u.user_seq, u.user_id, u.user_principal_name, u.display_name, u.mail, u.department, u.office_location, u.account_enabled, u.user_type,
              l.sku_id, s.sku_part_number, l.assigned_by_group_id, l.state, l.assigned_at, g.display_name AS group_name,
              r.upn IS NOT NULL AS r_found, ${reportColumns},
              i.last_at AS i_last_at, i.app_host AS i_app_host
         FROM skus s
         JOIN user_licenses l ON l.tenant_id = s.tenant_id AND l.snapshot_id = s.snapshot_id AND l.sku_id = s.sku_id
         JOIN users u ON u.tenant_id = l.tenant_id AND u.snapshot_id = l.snapshot_id AND u.user_seq = l.user_seq
         LEFT JOIN license_groups g ON g.tenant_id = l.tenant_id AND g.snapshot_id = l.snapshot_id AND g.group_id = l.assigned_by_group_id
         LEFT JOIN copilot_usage_users r ON r.tenant_id = u.tenant_id AND r.generation = @generation AND r.upn = lower(u.user_principal_name)
         LEFT JOIN copilot_last_interactions i ON i.tenant_id = u.tenant_id AND i.upn = lower(u.user_principal_name)
        WHERE s.tenant_id = @tenant AND s.snapshot_id = @snapshot AND s.is_copilot = 1`,
    )
    .all({ tenant: tenantId, snapshot: snapshotId, generation: copilotGen?.generation ?? -1 }) as HolderRow[];

  // One seat per user and SKU, whatever the number of ways it is held.
  const holders = new Map<string, { row: HolderRow; direct: boolean; groups: Array<{ groupId: string; displayName: string | null }>; assignedAt: string | null }>();
  for (const r of holderRows) {
    if (!isActiveAssignment(r.state)) continue;
    const key = `${r.user_seq}\u0000${r.sku_id}`;
    let h = holders.get(key);
    if (!h) {
      h = { row: r, direct: false, groups: [], assignedAt: null };
      holders.set(key, h);
    }
    if (r.assigned_by_group_id === '') h.direct = true;
    else h.groups.push({ groupId: r.assigned_by_group_id, displayName: r.group_name });
    h.assignedAt = minDay(h.assignedAt, r.assigned_at);
  }

  // The bot's own evidence of a seat's age: the first sync that saw it.
  const firstSeenInsert = prepared(db, 'INSERT OR IGNORE INTO copilot_seat_first_seen (tenant_id, user_id, sku_id, first_seen_at) VALUES (?, ?, ?, ?)');
  const holderList = [...holders.values()];
  for (let i = 0; i < holderList.length; i += WRITE_BATCH) {
    writeTransaction(db, () => {
      for (const h of holderList.slice(i, i + WRITE_BATCH)) firstSeenInsert.run(tenantId, h.row.user_id, h.row.sku_id, nowIso);
    })();
  }
  const firstSeen = new Map<string, string>();
  for (const r of db.prepare('SELECT user_id, sku_id, first_seen_at FROM copilot_seat_first_seen WHERE tenant_id = ?').iterate(tenantId) as Iterable<{
    user_id: string;
    sku_id: string;
    first_seen_at: string;
  }>) {
    firstSeen.set(`${r.user_id}\u0000${r.sku_id}`, r.first_seen_at);
  }

  const reportOf = (row: HolderRow): { evidence: ReportEvidence; earliestApp: string | null } => {
    if (!copilotGen || reportRefreshDate === null) return { evidence: { state: 'missing' }, earliestApp: null };
    if (!row.r_found) {
      // With any concealed row, this user may be one of them: their silence proves nothing.
      return { evidence: concealedRows > 0 ? { state: 'concealed', refreshDate: reportRefreshDate } : { state: 'unmatched', refreshDate: reportRefreshDate }, earliestApp: null };
    }
    const apps = {} as Record<CopilotApp, string | null>;
    let earliestApp: string | null = null;
    for (const app of COPILOT_APPS) {
      const day = (row[`r_${COPILOT_COLUMNS[app]}`] as string | null) ?? null;
      apps[app] = day;
      // Copilot Chat needs no seat, so its use says nothing about when the seat began.
      if (app !== 'copilotChat') earliestApp = minDay(earliestApp, day);
    }
    return { evidence: { state: 'matched', refreshDate: reportRefreshDate, lastActivityDate: row.r_last_activity_date, apps }, earliestApp };
  };

  const excludedGroups = new Map<string, Set<string>>();
  if (options.exclusions.groups.length > 0) {
    for (const r of db.prepare('SELECT group_id, user_id FROM exclusion_group_members WHERE tenant_id = ?').iterate(tenantId) as Iterable<{ group_id: string; user_id: string }>) {
      const id = r.user_id.toLowerCase();
      let set = excludedGroups.get(id);
      if (!set) excludedGroups.set(id, (set = new Set()));
      set.add(r.group_id.toLowerCase());
    }
  }
  const noGroups: ReadonlySet<string> = new Set();
  // A holder who pressed Keep on a reclaim question is left out of the idle lists until the keep ends.
  const keptUntil = new Map<string, string>();
  for (const r of db.prepare('SELECT user_id, sku_id, kept_until FROM reclaim_keeps WHERE tenant_id = ? AND kept_until > ?').iterate(tenantId, nowIso) as Iterable<{ user_id: string; sku_id: string; kept_until: string }>) {
    keptUntil.set(`${r.user_id}\u0000${r.sku_id}`, r.kept_until);
  }

  const seats: Array<{ facts: SeatFacts; assessment: SeatAssessment; assignedDate: string }> = [];
  const seatedUsers = new Set<number>();
  for (const h of holderList) {
    const r = h.row;
    seatedUsers.add(r.user_seq);
    const { evidence: report, earliestApp } = reportOf(r);
    const audit: AuditEvidence = { lastAt: r.i_last_at, appHost: r.i_app_host, coveredUntil: auditCoveredUntil };
    // Copilot Chat needs no seat, so its use says nothing about when the seat began.
    const auditSeatEvidence = r.i_last_at !== null && !isChatHost(r.i_app_host) ? r.i_last_at : null;
    const assignedDate = minDay(h.assignedAt, firstSeen.get(`${r.user_id}\u0000${r.sku_id}`)) ?? today;
    const seatSince = minDay(minDay(assignedDate, earliestApp), auditSeatEvidence) ?? today;
    const facts: SeatFacts = {
      userId: r.user_id,
      userPrincipalName: r.user_principal_name,
      displayName: r.display_name,
      mail: r.mail,
      department: r.department,
      officeLocation: r.office_location,
      accountEnabled: r.account_enabled === 1,
      userType: r.user_type,
      skuId: r.sku_id,
      skuPartNumber: r.sku_part_number,
      direct: h.direct,
      groups: h.groups,
      seatSince,
      report,
      audit,
      excludedBy:
        exclusionOf(
          { userId: r.user_id, userPrincipalName: r.user_principal_name, department: r.department, groupIds: excludedGroups.get(r.user_id.toLowerCase()) ?? noGroups },
          options.exclusions,
        ) ?? keptText(keptUntil.get(`${r.user_id.toLowerCase()}\u0000${r.sku_id.toLowerCase()}`)),
    };
    seats.push({ facts, assessment: assessSeat(facts, today, options.settings), assignedDate: seatSince });
  }
  seats.sort(compareSeats);

  // Candidates: enabled members holding a licence in effect but no Copilot seat.
  const m365Gen = db.prepare("SELECT generation FROM report_generations WHERE tenant_id = ? AND report = 'm365_activity'").pluck().get(tenantId) as number | undefined;
  const serviceColumns = M365_SERVICES.map((sv) => `m.${M365_COLUMNS[sv]} AS m_${M365_COLUMNS[sv]}`).join(', ');
  const candidates: Array<{ facts: CandidateFacts; assessment: CandidateAssessment }> = [];
  const memberRows = db
    .prepare(
      `SELECT u.user_seq, u.user_id, u.user_principal_name, u.display_name, u.mail, u.department, u.office_location,
              m.upn IS NOT NULL AS m_found, ${serviceColumns}, i.chat_last_at AS i_chat_last_at, i.interactions AS i_interactions
         FROM users u
         LEFT JOIN m365_activity_users m ON m.tenant_id = u.tenant_id AND m.generation = @generation AND m.upn = lower(u.user_principal_name)
         LEFT JOIN copilot_last_interactions i ON i.tenant_id = u.tenant_id AND i.upn = lower(u.user_principal_name)
        WHERE u.tenant_id = @tenant AND u.snapshot_id = @snapshot AND u.account_enabled = 1 AND (u.user_type IS NULL OR u.user_type = 'Member')
          AND EXISTS (SELECT 1 FROM user_licenses l WHERE l.tenant_id = u.tenant_id AND l.snapshot_id = u.snapshot_id AND l.user_seq = u.user_seq
                        AND (l.state IS NULL OR l.state IN ('Active', 'ActiveWithError')))`,
    )
    .iterate({ tenant: tenantId, snapshot: snapshotId, generation: m365Gen ?? -1 }) as Iterable<MemberRow>;
  for (const u of memberRows) {
    if (seatedUsers.has(u.user_seq)) continue;
    let services: Record<M365Service, string | null> | null = null;
    if (u.m_found) {
      services = {} as Record<M365Service, string | null>;
      for (const sv of M365_SERVICES) services[sv] = (u[`m_${M365_COLUMNS[sv]}`] as string | null) ?? null;
    }
    const facts: CandidateFacts = {
      userId: u.user_id,
      userPrincipalName: u.user_principal_name,
      displayName: u.display_name,
      mail: u.mail,
      department: u.department,
      officeLocation: u.office_location,
      services,
      // No seat in this snapshot, so any Copilot Chat use the audit log saw was without one.
      chat: u.i_chat_last_at ? { lastAt: u.i_chat_last_at, interactions: u.i_interactions ?? 0 } : null,
    };
    const assessment = assessCandidate(facts, today);
    if (assessment) candidates.push({ facts, assessment });
  }
  candidates.sort(compareCandidates);

  // Per Copilot SKU of the snapshot, even one nobody holds.
  const skuRows = db
    .prepare('SELECT sku_id, sku_part_number, enabled_units, consumed_units FROM skus WHERE tenant_id = ? AND snapshot_id = ? AND is_copilot = 1 ORDER BY sku_part_number')
    .all(tenantId, snapshotId) as SkuDbRow[];
  const subscriptions = new SqliteIdentityStore(db).subscriptions(tenantId);
  const skus: SkuSeatCounts[] = skuRows.map((s) => ({
    skuId: s.sku_id,
    skuPartNumber: s.sku_part_number,
    purchased: s.enabled_units,
    assigned: 0,
    available: Math.max(0, s.enabled_units - s.consumed_units),
    byStatus: { active: 0, inactive: 0, unknown: 0 },
    reclaimable: { certain: 0, probable: 0 },
    review: 0,
    excluded: 0,
    renewalDate: licenceDates(subscriptions, s.sku_id, now).renewalDate,
  }));
  const bySku = new Map(skus.map((s) => [s.skuId, s]));
  for (const { facts, assessment } of seats) {
    const s = bySku.get(facts.skuId);
    if (!s) continue;
    s.assigned++;
    s.byStatus[assessment.status]++;
    if (assessment.recommendation === 'reclaim' && assessment.tier) s.reclaimable[assessment.tier]++;
    if (assessment.recommendation === 'review') s.review++;
    if (assessment.recommendation === 'excluded') s.excluded++;
  }
  const byPriority: Record<CandidatePriority, number> = { High: 0, Medium: 0, Low: 0 };
  for (const c of candidates) byPriority[c.assessment.priority]++;

  const warnings: string[] = [];
  if (seats.length > 0 && !copilotGen) {
    warnings.push(
      'The Copilot usage report has never been read, so seats without audit log evidence are "unknown" and none is called idle. See the status card for why the report could not be read (Reports.Read.All).',
    );
  }
  if (seats.length > 0 && concealedRows > 0) warnings.push(concealmentWarning('Copilot usage report', concealedRows, true));
  if (m365Gen === undefined) {
    warnings.push(
      'The Microsoft 365 active user report has never been read, so candidates are ranked on Copilot Chat use alone (m365_activity_score 0). See the status card for why (Reports.Read.All).',
    );
  }
  const summary: CopilotSeatSummary = {
    computedAt: nowIso,
    skus,
    candidates: byPriority,
    reportRefreshDate,
    auditCoveredUntil,
    reportNamesConcealed: concealedRows > 0,
    warnings,
    highlights: seatHighlights(seats, today, options.settings),
  };

  const insertSeat = prepared(
    db,
    `INSERT INTO copilot_seats (tenant_id, snapshot_id, seq, user_id, user_principal_name, display_name, mail, department, office_location, account_enabled,
       sku_id, sku_part_number, assigned_via, direct, groups, license_assigned_date, last_activity_date, last_activity_source, last_activity_as_of,
       days_since_last_activity, usage_score, status, recommendation, tier, reasons)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  );
  for (let i = 0; i < seats.length; i += WRITE_BATCH) {
    writeTransaction(db, () => {
      for (let seq = i; seq < Math.min(seats.length, i + WRITE_BATCH); seq++) {
        const { facts: f, assessment: a, assignedDate } = seats[seq];
        insertSeat.run(tenantId, snapshotId, seq, f.userId, f.userPrincipalName, f.displayName, f.mail, f.department, f.officeLocation, f.accountEnabled ? 1 : 0,
          f.skuId, f.skuPartNumber, a.assignedVia, f.direct ? 1 : 0, JSON.stringify(f.groups), assignedDate, a.lastActivityDate, a.lastActivitySource,
          a.lastActivityAsOf, a.daysSinceLastActivity, a.usageScore, a.status, a.recommendation, a.tier, JSON.stringify(a.reasons));
      }
    })();
  }
  const insertCandidate = prepared(
    db,
    `INSERT INTO copilot_candidates (tenant_id, snapshot_id, rank, user_id, user_principal_name, display_name, mail, department, office_location,
       m365_activity_score, priority, chat_last_at, chat_interactions, reasons)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  );
  for (let i = 0; i < candidates.length; i += WRITE_BATCH) {
    writeTransaction(db, () => {
      for (let k = i; k < Math.min(candidates.length, i + WRITE_BATCH); k++) {
        const { facts: f, assessment: a } = candidates[k];
        insertCandidate.run(tenantId, snapshotId, k + 1, f.userId, f.userPrincipalName, f.displayName, f.mail, f.department, f.officeLocation,
          a.m365ActivityScore, a.priority, f.chat?.lastAt ?? null, f.chat?.interactions ?? null, JSON.stringify(a.reasons));
      }
    })();
  }
  prepared(db, 'INSERT INTO copilot_summaries (tenant_id, snapshot_id, computed_at, summary) VALUES (?, ?, ?, ?)').run(tenantId, snapshotId, nowIso, JSON.stringify(summary));

  // The summary's warnings restate what the report sources already told the run (refused, concealed),
  // so the sync does not repeat them; they are served with the figures they qualify.
  return { seats: seats.length, candidates: candidates.length, ms: Date.now() - started, warnings: [] };
}

/**
 * Copies the tenant's current snapshot's analytics into `snapshotId` (after a failed computation),
 * so publishing the new snapshot does not lose the last good figures. Their computed_at stays.
 */
export function carryOverAnalytics(db: Db, tenantId: string, snapshotId: number): void {
  const current = db.prepare('SELECT current_snapshot_id FROM tenants WHERE id = ?').pluck().get(tenantId) as number | null | undefined;
  if (current === null || current === undefined || current === snapshotId) return;
  writeTransaction(db, () => {
    for (const table of ['copilot_seats', 'copilot_candidates', 'copilot_summaries']) {
      db.prepare(`DELETE FROM ${table} WHERE tenant_id = ? AND snapshot_id = ?`).run(tenantId, snapshotId);
      const columns = (db.prepare(`SELECT name FROM pragma_table_info('${table}')`).pluck().all() as string[]).filter((c) => c !== 'snapshot_id');
      db.prepare(`INSERT INTO ${table} (snapshot_id, ${columns.join(', ')}) SELECT ?, ${columns.join(', ')} FROM ${table} WHERE tenant_id = ? AND snapshot_id = ?`).run(
        snapshotId,
        tenantId,
        current,
      );
    }
  })();
}

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

interface CandidateDbRow {
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

const toCandidate = (r: CandidateDbRow): StoredCandidate => ({
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

/**
 * Reads of the analytics stored with each tenant's current snapshot. Lists are stored in their
 * order (seq, rank), so every page is a range of an index: one filter at a time picks its index.
 */
export class SqliteAnalyticsReads implements AnalyticsReads {
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

  seats(tenantId: string, query: SeatQuery): { asOf: string; total: number; rows: StoredSeat[] } | undefined {
    const cur = this.current(tenantId);
    if (!cur) return undefined;
    const { where, params } = seatFilter(query);
    // Without ANALYZE statistics the planner walks the whole snapshot for two filters; the
    // department is the most selective, then the recommendation, tier and status.
    const index = query.department !== undefined ? 'copilot_seats_by_department'
      : query.recommendation ? 'copilot_seats_by_recommendation'
      : query.tier ? 'copilot_seats_by_tier'
      : query.status ? 'copilot_seats_by_status'
      : null;
    const base = `FROM copilot_seats${index ? ` INDEXED BY ${index}` : ''} WHERE tenant_id = ? AND snapshot_id = ?${where}`;
    const total = prepared(this.db, `SELECT COUNT(*) ${base}`).pluck().get(tenantId, cur.snapshotId, ...params) as number;
    // Reclaims are stored certain before probable, and other recommendations have no tier, so with a
    // recommendation alone "tier, seq" is the stored order and walks the (recommendation, tier, seq) index.
    const order = query.recommendation && !query.tier ? 'tier, seq' : 'seq';
    const rows = prepared(this.db, `SELECT * ${base} ORDER BY ${order} LIMIT ? OFFSET ?`).all(tenantId, cur.snapshotId, ...params, query.limit, query.offset) as SeatDbRow[];
    return { asOf: cur.computedAt, total, rows: rows.map(toSeat) };
  }

  candidates(tenantId: string, query: CandidateQuery): { asOf: string; total: number; rows: StoredCandidate[] } | undefined {
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
    const index = query.department !== undefined ? 'copilot_candidates_by_department' : query.priority ? 'copilot_candidates_by_priority' : null;
    const base = `FROM copilot_candidates${index ? ` INDEXED BY ${index}` : ''} WHERE tenant_id = ? AND snapshot_id = ?${clauses.join('')}`;
    const total = prepared(this.db, `SELECT COUNT(*) ${base}`).pluck().get(tenantId, cur.snapshotId, ...params) as number;
    const rows = prepared(this.db, `SELECT * ${base} ORDER BY rank LIMIT ? OFFSET ?`).all(tenantId, cur.snapshotId, ...params, query.limit, query.offset) as CandidateDbRow[];
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

/** Members of the EXCLUDE_GROUPS groups as last read (exclusion_group_members). */
export class SqliteExclusionGroupStore implements ExclusionGroupStore {
  constructor(private readonly db: Db) {}

  replaceMembers(tenantId: string, groupId: string, userIds: readonly string[], at: Date): void {
    const insert = prepared(this.db, 'INSERT OR IGNORE INTO exclusion_group_members (tenant_id, group_id, user_id, read_at) VALUES (?, ?, ?, ?)');
    writeTransaction(this.db, () => {
      prepared(this.db, 'DELETE FROM exclusion_group_members WHERE tenant_id = ? AND group_id = ?').run(tenantId, groupId.toLowerCase());
      for (const id of userIds) insert.run(tenantId, groupId.toLowerCase(), id.toLowerCase(), at.toISOString());
    })();
  }
}

/** Admin-set prices (sku_prices). */
export class SqlitePriceBook implements PriceBook {
  constructor(private readonly db: Db) {}

  adminPrices(tenantId: string): Map<string, SkuPrice> {
    const rows = prepared(this.db, 'SELECT sku_id, amount, currency, set_by, set_at FROM sku_prices WHERE tenant_id = ?').all(tenantId) as Array<{
      sku_id: string;
      amount: number;
      currency: string;
      set_by: string;
      set_at: string;
    }>;
    return new Map(rows.map((r) => [r.sku_id, { skuId: r.sku_id, amount: r.amount, currency: r.currency, source: 'admin' as const, setBy: r.set_by, setAt: r.set_at }]));
  }

  set(tenantId: string, price: { skuId: string; skuPartNumber: string; amount: number; currency: string; setBy: string }, at: Date): void {
    prepared(
      this.db,
      `INSERT INTO sku_prices (tenant_id, sku_id, sku_part_number, amount, currency, set_by, set_at) VALUES (?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (tenant_id, sku_id) DO UPDATE SET sku_part_number = excluded.sku_part_number, amount = excluded.amount, currency = excluded.currency,
         set_by = excluded.set_by, set_at = excluded.set_at`,
    ).run(tenantId, price.skuId.toLowerCase(), price.skuPartNumber, price.amount, price.currency, price.setBy, at.toISOString());
  }

  clear(tenantId: string, skuId: string): boolean {
    return prepared(this.db, 'DELETE FROM sku_prices WHERE tenant_id = ? AND sku_id = ?').run(tenantId, skuId.toLowerCase()).changes > 0;
  }
}
