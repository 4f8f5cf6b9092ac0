import { createHash } from 'node:crypto';
import type { SubscriptionRecord } from '../../domain/identity';
import { COPILOT_APPS, M365_SERVICES, type CopilotApp, type M365Service } from '../../domain/usage';
import type {
  ActivityReportStates,
  AnalyticsInputs,
  CopilotSkuRecord,
  HolderRecord,
  KeyedMemberRecord,
  MemberChangesRequest,
  RankedCandidate,
} from '../../usecases/analytics/ports';
import { type Db, writeTransaction } from './database';
import { SqliteIdentityStore } from './identity-store';
import { prepared } from './prepared';
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

/** Members read per statement: no statement stays open while the analytics write. */
const MEMBER_PAGE = 2000;

/** SQL function: a key of its arguments (SHA-1 of their JSON), so rows are keyed without leaving SQLite. */
const INPUTS_KEY_FUNCTION = 'seat_steward_inputs_key';

/** What a snapshot's seat analytics read: the snapshot's directory and the tenant's activity tables. */
export class SqliteAnalyticsInputs implements AnalyticsInputs {
  /** `memberPage`: members read per statement (a test reads in small pages to cross page boundaries). */
  constructor(
    private readonly db: Db,
    private readonly options: { memberPage?: number } = {},
  ) {
    db.function(INPUTS_KEY_FUNCTION, { deterministic: true, varargs: true }, (...values: unknown[]) =>
      createHash('sha1').update(JSON.stringify(values)).digest('base64'),
    );
  }

  reportStates(tenantId: string): ActivityReportStates {
    const gen = prepared(
      this.db,
      "SELECT generation, report_refresh_date FROM report_generations WHERE tenant_id = ? AND report = 'copilot_usage'",
    ).get(tenantId) as { generation: number; report_refresh_date: string | null } | undefined;
    const status = prepared(
      this.db,
      "SELECT as_of, last_success_at FROM source_status WHERE tenant_id = ? AND source = 'copilot_usage'",
    ).get(tenantId) as { as_of: string | null; last_success_at: string | null } | undefined;
    const concealedRows = gen
      ? (prepared(
          this.db,
          'SELECT COUNT(*) FROM copilot_usage_users WHERE tenant_id = ? AND generation = ? AND concealed = 1',
        )
          .pluck()
          .get(tenantId, gen.generation) as number)
      : 0;
    const m365 = prepared(
      this.db,
      "SELECT generation FROM report_generations WHERE tenant_id = ? AND report = 'm365_activity'",
    )
      .pluck()
      .get(tenantId) as number | undefined;
    return {
      copilot: gen
        ? {
            generation: gen.generation,
            refreshDate: gen.report_refresh_date,
            statusAsOf: status?.as_of ?? null,
            lastSuccessAt: status?.last_success_at ?? null,
          }
        : null,
      concealedRows,
      auditCoveredUntil:
        (prepared(this.db, 'SELECT MAX(covered_until) FROM audit_cursors WHERE tenant_id = ?').pluck().get(tenantId) as
          string | null) ?? null,
      m365Generation: m365 ?? null,
    };
  }

  *holders(tenantId: string, snapshotId: number, copilotGeneration: number | null): Iterable<HolderRecord> {
    // Report rows and last interactions come joined to the directory rows: one pass in SQLite instead
    // of a lookup per user from JavaScript, which was most of the step's time at 100,000 users.
    const reportColumns = ['last_activity_date', ...COPILOT_APPS.map((a) => COPILOT_COLUMNS[a])]
      .map((c) => `r.${c} AS r_${c}`)
      .join(', ');
    const rows = prepared(
      this.db,
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
    ).iterate({ tenant: tenantId, snapshot: snapshotId, generation: copilotGeneration ?? -1 }) as Iterable<HolderRow>;
    // Streamed: the raw rows and the records of a large tenant are never held side by side.
    for (const r of rows) {
      let report: HolderRecord['report'] = null;
      if (r.r_found) {
        const apps = {} as Record<CopilotApp, string | null>;
        for (const app of COPILOT_APPS) apps[app] = (r[`r_${COPILOT_COLUMNS[app]}`] as string | null) ?? null;
        report = { lastActivityDate: r.r_last_activity_date, apps };
      }
      yield {
        userSeq: r.user_seq,
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
        assignedByGroupId: r.assigned_by_group_id,
        state: r.state,
        assignedAt: r.assigned_at,
        groupName: r.group_name,
        report,
        lastInteraction: { at: r.i_last_at, appHost: r.i_app_host },
      };
    }
  }

  memberChanges(request: MemberChangesRequest): {
    changed: Iterable<KeyedMemberRecord>;
    previous: Iterable<RankedCandidate>;
  } {
    const params = {
      tenant: request.tenantId,
      snapshot: request.snapshotId,
      generation: request.m365Generation ?? -1,
      previous: request.previousSnapshotId ?? -1,
      context: request.context,
    };
    const serviceColumns = M365_SERVICES.map((sv) => `m.${M365_COLUMNS[sv]}`);
    const activityJoins = `LEFT JOIN m365_activity_users m ON m.tenant_id = u.tenant_id AND m.generation = @generation AND m.upn = lower(u.user_principal_name)
         LEFT JOIN copilot_last_interactions i ON i.tenant_id = u.tenant_id AND i.upn = lower(u.user_principal_name)`;
    // Every member's key, in one statement inside SQLite: the raw inputs a candidate row is decided
    // from, so equal keys give equal rows. A temporary table, private to this connection.
    this.db.exec(
      `CREATE TEMP TABLE IF NOT EXISTS analytics_member_keys (user_seq INTEGER PRIMARY KEY, user_id TEXT NOT NULL UNIQUE, inputs_key TEXT NOT NULL);`,
    );
    prepared(this.db, 'DELETE FROM temp.analytics_member_keys').run();
    prepared(
      this.db,
      `INSERT OR IGNORE INTO temp.analytics_member_keys (user_id, user_seq, inputs_key)
       SELECT u.user_id, u.user_seq,
              ${INPUTS_KEY_FUNCTION}(@context, u.user_id, u.user_principal_name, u.display_name, u.mail, u.department, u.office_location,
                m.upn IS NOT NULL, ${serviceColumns.join(', ')}, i.chat_last_at, i.interactions)
         FROM users u
         ${activityJoins}
        WHERE u.tenant_id = @tenant AND u.snapshot_id = @snapshot AND u.account_enabled = 1 AND (u.user_type IS NULL OR u.user_type = 'Member')
          AND EXISTS (SELECT 1 FROM user_licenses l WHERE l.tenant_id = u.tenant_id AND l.snapshot_id = u.snapshot_id AND l.user_seq = u.user_seq
                        AND (l.state IS NULL OR l.state IN ('Active', 'ActiveWithError')))
          -- A Copilot seat in effect makes the member a seat holder, not a candidate.
          AND NOT EXISTS (SELECT 1 FROM user_licenses c JOIN skus cs ON cs.tenant_id = c.tenant_id AND cs.snapshot_id = c.snapshot_id AND cs.sku_id = c.sku_id
                           WHERE c.tenant_id = u.tenant_id AND c.snapshot_id = u.snapshot_id AND c.user_seq = u.user_seq AND cs.is_copilot = 1
                             AND (c.state IS NULL OR c.state IN ('Active', 'ActiveWithError')))`,
    ).run({ tenant: params.tenant, snapshot: params.snapshot, generation: params.generation, context: params.context });

    const db = this.db;
    const pageSize = this.options.memberPage ?? MEMBER_PAGE;
    function* changed(): Iterable<KeyedMemberRecord> {
      // Read in pages (no statement stays open between them), so the caller may write while iterating.
      const page = prepared(
        db,
        `SELECT u.user_seq, u.user_id, u.user_principal_name, u.display_name, u.mail, u.department, u.office_location,
                m.upn IS NOT NULL AS m_found, ${serviceColumns.map((c) => `${c} AS m_${c.slice(2)}`).join(', ')},
                i.chat_last_at AS i_chat_last_at, i.interactions AS i_interactions, k.inputs_key
           FROM temp.analytics_member_keys k
           JOIN users u ON u.tenant_id = @tenant AND u.snapshot_id = @snapshot AND u.user_seq = k.user_seq
           ${activityJoins}
          WHERE u.user_seq > @after
            AND NOT EXISTS (SELECT 1 FROM copilot_candidates p
                             WHERE p.tenant_id = @tenant AND p.snapshot_id = @previous AND p.user_id = k.user_id AND p.inputs_key = k.inputs_key)
          -- In the users' key order, so each page stops after its rows (no sort of what remains).
          ORDER BY u.user_seq
          LIMIT ${pageSize}`,
      );
      for (let after = -1, rows: Array<MemberRow & { inputs_key: string }>; ; after = rows[rows.length - 1].user_seq) {
        rows = page.all({
          tenant: params.tenant,
          snapshot: params.snapshot,
          generation: params.generation,
          previous: params.previous,
          after,
        }) as Array<MemberRow & { inputs_key: string }>;
        if (rows.length === 0) return;
        yield* rows.map(memberRecord);
      }
    }

    function memberRecord(u: MemberRow & { inputs_key: string }): KeyedMemberRecord {
      let services: Record<M365Service, string | null> | null = null;
      if (u.m_found) {
        services = {} as Record<M365Service, string | null>;
        for (const sv of M365_SERVICES) services[sv] = (u[`m_${M365_COLUMNS[sv]}`] as string | null) ?? null;
      }
      return {
        userId: u.user_id,
        userPrincipalName: u.user_principal_name,
        displayName: u.display_name,
        mail: u.mail,
        department: u.department,
        officeLocation: u.office_location,
        services,
        chat: u.i_chat_last_at ? { lastAt: u.i_chat_last_at, interactions: u.i_interactions ?? 0 } : null,
        inputsKey: u.inputs_key,
      };
    }

    function* previous(): Iterable<RankedCandidate> {
      if (request.previousSnapshotId === null) return;
      const rows = prepared(
        db,
        `SELECT p.rank, p.user_principal_name, p.m365_activity_score, p.priority, p.chat_last_at,
                EXISTS (SELECT 1 FROM temp.analytics_member_keys k WHERE k.user_id = p.user_id AND k.inputs_key = p.inputs_key) AS kept
           FROM copilot_candidates p
          WHERE p.tenant_id = @tenant AND p.snapshot_id = @previous
          ORDER BY p.rank`,
      )
        .raw()
        .iterate({ tenant: params.tenant, previous: params.previous }) as Iterable<
        [number, string, number, RankedCandidate['priority'], string | null, number]
      >;
      for (const [rank, userPrincipalName, m365ActivityScore, priority, chatLastAt, kept] of rows)
        yield { rank, userPrincipalName, m365ActivityScore, priority, chatLastAt, kept: kept === 1 };
    }

    return { changed: changed(), previous: previous() };
  }

  firstSeen(tenantId: string): Map<string, string> {
    const out = new Map<string, string>();
    for (const r of prepared(
      this.db,
      'SELECT user_id, sku_id, first_seen_at FROM copilot_seat_first_seen WHERE tenant_id = ?',
    ).iterate(tenantId) as Iterable<{
      user_id: string;
      sku_id: string;
      first_seen_at: string;
    }>) {
      out.set(`${r.user_id}\u0000${r.sku_id}`, r.first_seen_at);
    }
    return out;
  }

  recordFirstSeen(tenantId: string, seats: ReadonlyArray<{ userId: string; skuId: string }>, at: string): void {
    const insert = prepared(
      this.db,
      'INSERT OR IGNORE INTO copilot_seat_first_seen (tenant_id, user_id, sku_id, first_seen_at) VALUES (?, ?, ?, ?)',
    );
    for (let i = 0; i < seats.length; i += WRITE_BATCH) {
      writeTransaction(this.db, () => {
        for (const s of seats.slice(i, i + WRITE_BATCH)) insert.run(tenantId, s.userId, s.skuId, at);
      })();
    }
  }

  exclusionGroupMembers(tenantId: string): Map<string, Set<string>> {
    const out = new Map<string, Set<string>>();
    for (const r of prepared(
      this.db,
      'SELECT group_id, user_id FROM exclusion_group_members WHERE tenant_id = ?',
    ).iterate(tenantId) as Iterable<{ group_id: string; user_id: string }>) {
      const id = r.user_id.toLowerCase();
      let set = out.get(id);
      if (!set) out.set(id, (set = new Set()));
      set.add(r.group_id.toLowerCase());
    }
    return out;
  }

  keptUntil(tenantId: string, now: string): Map<string, string> {
    const out = new Map<string, string>();
    for (const r of prepared(
      this.db,
      'SELECT user_id, sku_id, kept_until FROM reclaim_keeps WHERE tenant_id = ? AND kept_until > ?',
    ).iterate(tenantId, now) as Iterable<{
      user_id: string;
      sku_id: string;
      kept_until: string;
    }>) {
      out.set(`${r.user_id}\u0000${r.sku_id}`, r.kept_until);
    }
    return out;
  }

  copilotSkus(tenantId: string, snapshotId: number): CopilotSkuRecord[] {
    const rows = prepared(
      this.db,
      'SELECT sku_id, sku_part_number, enabled_units, consumed_units FROM skus WHERE tenant_id = ? AND snapshot_id = ? AND is_copilot = 1 ORDER BY sku_part_number',
    ).all(tenantId, snapshotId) as Array<{
      sku_id: string;
      sku_part_number: string;
      enabled_units: number;
      consumed_units: number;
    }>;
    return rows.map((s) => ({
      skuId: s.sku_id,
      skuPartNumber: s.sku_part_number,
      enabledUnits: s.enabled_units,
      consumedUnits: s.consumed_units,
    }));
  }

  subscriptions(tenantId: string): SubscriptionRecord[] {
    return new SqliteIdentityStore(this.db).subscriptions(tenantId);
  }
}
