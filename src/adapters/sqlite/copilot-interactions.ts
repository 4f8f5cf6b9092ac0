import { appOfHost } from '../../domain/seat-analytics';
import type {
  AuditCursor,
  AuditIngestStore,
  AuditSourceId,
  CopilotInteractionReader,
  CopilotInteractionRecord,
  LastCopilotInteraction,
} from '../../usecases/audit/ports';
import type { PendingAuditQuery } from '../../domain/audit-query';
import { type Db, writeTransaction } from './database';
import { prepared } from './prepared';

/** Copilot Chat (what a user without a Copilot seat can use), by the domain's reading of AppHost. */
export function isChatHost(appHost: string | null): boolean {
  return appOfHost(appHost) === 'copilotChat';
}

interface LastRow {
  upn: string;
  last_at: string;
  app_host: string | null;
  source: AuditSourceId;
  interactions: number;
  chat_last_at: string | null;
  unlicensed_chat: number | null;
}

const toLast = (r: LastRow): LastCopilotInteraction => ({
  upn: r.upn,
  lastInteractionAt: r.last_at,
  appHost: r.app_host,
  source: r.source,
  interactions: r.interactions,
  chatLastAt: r.chat_last_at,
  unlicensedChat: r.unlicensed_chat === null ? null : r.unlicensed_chat === 1,
});

interface UserDelta {
  lastAt: string;
  appHost: string | null;
  count: number;
  chatLastAt: string | null;
}

/**
 * Copilot interactions per user and the audit sources' positions. Each write is one short
 * transaction (a page or a blob), so ingestion never blocks the event loop for long and a crash
 * leaves records and cursor in step.
 */
export class SqliteCopilotInteractionStore implements AuditIngestStore, CopilotInteractionReader {
  constructor(private readonly db: Db) {}

  cursor(tenantId: string, source: AuditSourceId): AuditCursor {
    const row = prepared(
      this.db,
      'SELECT covered_until, pending_query FROM audit_cursors WHERE tenant_id = ? AND source = ?',
    ).get(tenantId, source) as { covered_until: string | null; pending_query: string | null } | undefined;
    return {
      coveredUntil: row?.covered_until ?? null,
      pendingQuery: row?.pending_query ? (JSON.parse(row.pending_query) as PendingAuditQuery) : null,
    };
  }

  savePendingQuery(tenantId: string, source: AuditSourceId, query: PendingAuditQuery): void {
    this.writeCursor(tenantId, source, { pendingQuery: query });
  }

  setCoveredUntil(tenantId: string, source: AuditSourceId, coveredUntil: string): void {
    this.writeCursor(tenantId, source, { coveredUntil });
  }

  commitPage(
    tenantId: string,
    source: AuditSourceId,
    records: readonly CopilotInteractionRecord[],
    position: { pendingQuery: PendingAuditQuery | null; coveredUntil?: string },
  ): number {
    return writeTransaction(this.db, () => {
      const added = this.addRecords(tenantId, source, records);
      this.writeCursor(tenantId, source, position);
      return added;
    })();
  }

  commitRecords(tenantId: string, source: AuditSourceId, records: readonly CopilotInteractionRecord[]): number {
    return writeTransaction(this.db, () => this.addRecords(tenantId, source, records))();
  }

  commitContent(
    tenantId: string,
    contentType: string,
    content: { contentId: string; contentCreated: string },
    records: readonly CopilotInteractionRecord[],
  ): number {
    return writeTransaction(this.db, () => {
      const added = this.addRecords(tenantId, 'audit_management', records);
      prepared(
        this.db,
        `INSERT OR IGNORE INTO management_content_fetched (tenant_id, content_type, content_id, content_created, records, fetched_at)
         VALUES (?, ?, ?, ?, ?, ?)`,
      ).run(tenantId, contentType, content.contentId, content.contentCreated, records.length, new Date().toISOString());
      return added;
    })();
  }

  fetchedContentIds(tenantId: string, contentType: string, createdSince: string): Set<string> {
    const ids = prepared(
      this.db,
      'SELECT content_id FROM management_content_fetched WHERE tenant_id = ? AND content_type = ? AND content_created >= ?',
    )
      .pluck()
      .all(tenantId, contentType, createdSince) as string[];
    return new Set(ids);
  }

  prune(tenantId: string, before: string): void {
    writeTransaction(this.db, () => {
      prepared(this.db, 'DELETE FROM audit_seen_records WHERE tenant_id = ? AND created_at < ?').run(tenantId, before);
      prepared(this.db, 'DELETE FROM management_content_fetched WHERE tenant_id = ? AND content_created < ?').run(
        tenantId,
        before,
      );
    })();
  }

  refreshUnlicensedChat(tenantId: string): void {
    const snapshot = prepared(this.db, 'SELECT current_snapshot_id FROM tenants WHERE id = ?').pluck().get(tenantId) as
      number | null | undefined;
    if (snapshot === null || snapshot === undefined) return;
    const seated = new Set(
      (
        prepared(
          this.db,
          `SELECT u.user_principal_name FROM user_licenses l
             JOIN skus s ON s.tenant_id = l.tenant_id AND s.snapshot_id = l.snapshot_id AND s.sku_id = l.sku_id
             JOIN users u ON u.tenant_id = l.tenant_id AND u.snapshot_id = l.snapshot_id AND u.user_seq = l.user_seq
           WHERE l.tenant_id = ? AND l.snapshot_id = ? AND s.is_copilot = 1 AND (l.state IS NULL OR l.state IN ('Active', 'ActiveWithError'))`,
        )
          .pluck()
          .all(tenantId, snapshot) as string[]
      ).map((upn) => upn.toLowerCase()),
    );
    const chatUsers = prepared(
      this.db,
      'SELECT upn FROM copilot_last_interactions WHERE tenant_id = ? AND chat_last_at IS NOT NULL',
    )
      .pluck()
      .all(tenantId) as string[];
    const update = prepared(
      this.db,
      'UPDATE copilot_last_interactions SET unlicensed_chat = ? WHERE tenant_id = ? AND upn = ?',
    );
    writeTransaction(this.db, () => {
      for (const upn of chatUsers) update.run(seated.has(upn) ? 0 : 1, tenantId, upn);
    })();
  }

  lastInteraction(tenantId: string, upn: string): LastCopilotInteraction | undefined {
    const row = prepared(this.db, 'SELECT * FROM copilot_last_interactions WHERE tenant_id = ? AND upn = ?').get(
      tenantId,
      upn.toLowerCase(),
    ) as LastRow | undefined;
    return row ? toLast(row) : undefined;
  }

  listLastInteractions(tenantId: string): LastCopilotInteraction[] {
    return (
      prepared(this.db, 'SELECT * FROM copilot_last_interactions WHERE tenant_id = ? ORDER BY upn').all(
        tenantId,
      ) as LastRow[]
    ).map(toLast);
  }

  listUnlicensedChatUsers(tenantId: string): LastCopilotInteraction[] {
    return (
      prepared(
        this.db,
        'SELECT * FROM copilot_last_interactions WHERE tenant_id = ? AND unlicensed_chat = 1 ORDER BY chat_last_at DESC',
      ).all(tenantId) as LastRow[]
    ).map(toLast);
  }

  /** Inserts the dedup keys; only records never seen (by either source) count and move the per-user figures. */
  private addRecords(tenantId: string, source: AuditSourceId, records: readonly CopilotInteractionRecord[]): number {
    if (records.length === 0) return 0;
    const seen = prepared(
      this.db,
      'INSERT OR IGNORE INTO audit_seen_records (tenant_id, record_id, created_at) VALUES (?, ?, ?)',
    );
    const perUser = new Map<string, UserDelta>();
    let added = 0;
    for (const r of records) {
      if (seen.run(tenantId, r.id, r.at).changes === 0) continue;
      added++;
      const chatAt = isChatHost(r.appHost) ? r.at : null;
      const d = perUser.get(r.upn);
      if (!d) {
        perUser.set(r.upn, { lastAt: r.at, appHost: r.appHost, count: 1, chatLastAt: chatAt });
        continue;
      }
      d.count++;
      if (r.at > d.lastAt) {
        d.lastAt = r.at;
        d.appHost = r.appHost;
      }
      if (chatAt !== null && (d.chatLastAt === null || chatAt > d.chatLastAt)) d.chatLastAt = chatAt;
    }
    const upsert = prepared(
      this.db,
      `INSERT INTO copilot_last_interactions (tenant_id, upn, last_at, app_host, source, interactions, chat_last_at)
       VALUES (?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (tenant_id, upn) DO UPDATE SET
         app_host = CASE WHEN excluded.last_at > last_at THEN excluded.app_host ELSE app_host END,
         source = CASE WHEN excluded.last_at > last_at THEN excluded.source ELSE source END,
         last_at = MAX(last_at, excluded.last_at),
         interactions = interactions + excluded.interactions,
         chat_last_at = CASE WHEN chat_last_at IS NULL OR excluded.chat_last_at > chat_last_at THEN COALESCE(excluded.chat_last_at, chat_last_at) ELSE chat_last_at END`,
    );
    for (const [upn, d] of perUser) upsert.run(tenantId, upn, d.lastAt, d.appHost, source, d.count, d.chatLastAt);
    return added;
  }

  private writeCursor(
    tenantId: string,
    source: AuditSourceId,
    change: { pendingQuery?: PendingAuditQuery | null; coveredUntil?: string },
  ): void {
    const current = this.cursor(tenantId, source);
    const pending = change.pendingQuery === undefined ? current.pendingQuery : change.pendingQuery;
    prepared(
      this.db,
      `INSERT INTO audit_cursors (tenant_id, source, covered_until, pending_query, updated_at) VALUES (?, ?, ?, ?, ?)
       ON CONFLICT (tenant_id, source) DO UPDATE SET covered_until = excluded.covered_until, pending_query = excluded.pending_query, updated_at = excluded.updated_at`,
    ).run(
      tenantId,
      source,
      change.coveredUntil ?? current.coveredUntil,
      pending ? JSON.stringify(pending) : null,
      new Date().toISOString(),
    );
  }
}
