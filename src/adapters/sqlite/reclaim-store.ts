import { randomUUID } from 'node:crypto';
import {
  canMove,
  EXECUTING_STATES,
  OPEN_STATES,
  seatMarkKey,
  UNDECIDED_STATES,
  type HolderPhase,
  type NudgeOutcome,
  type ReclaimEvidence,
  type ReclaimState,
  type SkipCode,
} from '../../domain/reclaim';
import type { ConversationTarget } from '../../domain/conversation';
import type {
  ItemMove,
  NewReclaimItem,
  NewReclaimRequest,
  ReclaimHistoryQuery,
  ReclaimStore,
} from '../../usecases/reclaim/ports';
import type {
  ReclaimActor,
  ReclaimItem,
  ReclaimRecheck,
  ReclaimRequest,
  ReclaimTransition,
} from '../../domain/reclaim-request';
import { NO_RECHECK } from '../../domain/reclaim-request';
import type { Db } from './database';
import { prepared } from './prepared';

interface RequestRow {
  id: string;
  tenant_id: string;
  mode: 'dry-run' | 'on';
  source: ReclaimRequest['source'];
  requested_by_id: string | null;
  requested_by_name: string | null;
  requested_at: string;
  nudge: number;
  nudge_until: string | null;
  expires_at: string;
  decision: 'approved' | 'rejected' | null;
  decided_by_id: string | null;
  decided_by_name: string | null;
  decided_at: string | null;
  approvals_target: string;
  card_activity_id: string | null;
  version: number;
  recheck: string | null;
}

interface ItemRow {
  id: number;
  request_id: string;
  tenant_id: string;
  user_id: string;
  user_principal_name: string;
  display_name: string | null;
  sku_id: string;
  sku_name: string;
  assigned_via: 'direct' | 'group';
  group_id: string | null;
  group_name: string | null;
  also_direct: number;
  evidence: string;
  monthly_saving: number | null;
  currency: string;
  state: ReclaimState;
  state_reason: string | null;
  skip_code: SkipCode | null;
  nudge_outcome: NudgeOutcome | null;
  nudge_target: string | null;
  nudge_activity_id: string | null;
  nudge_shown: HolderPhase | null;
  remove_from_group: number;
  reassign_to: string | null;
  reassign_state: ReclaimItem['reassignState'];
  reassign_reason: string | null;
  disabled_plans: string | null;
  removed_at: string | null;
  undo_until: string | null;
  undo_error: string | null;
  updated_at: string;
}

interface TransitionRow {
  id: number;
  item_id: number;
  request_id: string;
  from_state: ReclaimState | null;
  to_state: ReclaimState;
  at: string;
  actor_id: string | null;
  actor_name: string | null;
  reason: string | null;
}

const toRequest = (r: RequestRow): ReclaimRequest => ({
  id: r.id,
  tenantId: r.tenant_id,
  mode: r.mode,
  source: r.source,
  requestedBy: { aadObjectId: r.requested_by_id, name: r.requested_by_name },
  requestedAt: r.requested_at,
  nudge: r.nudge === 1,
  nudgeUntil: r.nudge_until,
  expiresAt: r.expires_at,
  decidedBy: r.decided_at ? { aadObjectId: r.decided_by_id, name: r.decided_by_name } : null,
  decidedAt: r.decided_at,
  decision: r.decision,
  approvalsTarget: JSON.parse(r.approvals_target) as ConversationTarget,
  cardActivityId: r.card_activity_id,
  version: r.version,
  recheck: r.recheck ? { ...NO_RECHECK, ...(JSON.parse(r.recheck) as Partial<ReclaimRecheck>) } : NO_RECHECK,
});

const toItem = (r: ItemRow): ReclaimItem => ({
  id: r.id,
  requestId: r.request_id,
  tenantId: r.tenant_id,
  userId: r.user_id,
  userPrincipalName: r.user_principal_name,
  displayName: r.display_name,
  skuId: r.sku_id,
  skuName: r.sku_name,
  assignment:
    r.assigned_via === 'group'
      ? { via: 'group', groupId: r.group_id ?? '', groupName: r.group_name, alsoDirect: r.also_direct === 1 }
      : { via: 'direct' },
  evidence: JSON.parse(r.evidence) as ReclaimEvidence,
  monthlySaving: r.monthly_saving,
  currency: r.currency,
  state: r.state,
  stateReason: r.state_reason,
  skipCode: r.skip_code,
  nudgeOutcome: r.nudge_outcome,
  nudgeTarget: r.nudge_target ? (JSON.parse(r.nudge_target) as ConversationTarget) : null,
  nudgeActivityId: r.nudge_activity_id,
  nudgeShown: r.nudge_shown,
  removeFromGroup: r.remove_from_group === 1,
  reassignTo: r.reassign_to ? (JSON.parse(r.reassign_to) as ReclaimItem['reassignTo']) : null,
  reassignState: r.reassign_state,
  reassignReason: r.reassign_reason,
  disabledPlans: r.disabled_plans ? (JSON.parse(r.disabled_plans) as string[]) : null,
  removedAt: r.removed_at,
  undoUntil: r.undo_until,
  undoError: r.undo_error,
  updatedAt: r.updated_at,
});

const toTransition = (r: TransitionRow): ReclaimTransition => ({
  id: r.id,
  itemId: r.item_id,
  requestId: r.request_id,
  from: r.from_state,
  to: r.to_state,
  at: r.at,
  actor: { aadObjectId: r.actor_id, name: r.actor_name },
  reason: r.reason,
});

const PATCH_COLUMNS: Record<string, { column: string; encode?: (v: unknown) => unknown }> = {
  stateReason: { column: 'state_reason' },
  skipCode: { column: 'skip_code' },
  nudgeOutcome: { column: 'nudge_outcome' },
  nudgeTarget: { column: 'nudge_target', encode: (v) => (v === null ? null : JSON.stringify(v)) },
  nudgeActivityId: { column: 'nudge_activity_id' },
  nudgeShown: { column: 'nudge_shown' },
  removeFromGroup: { column: 'remove_from_group', encode: (v) => (v ? 1 : 0) },
  reassignTo: { column: 'reassign_to', encode: (v) => (v === null ? null : JSON.stringify(v)) },
  reassignState: { column: 'reassign_state' },
  reassignReason: { column: 'reassign_reason' },
  disabledPlans: { column: 'disabled_plans', encode: (v) => (v === null ? null : JSON.stringify(v)) },
  removedAt: { column: 'removed_at' },
  undoUntil: { column: 'undo_until' },
  undoError: { column: 'undo_error' },
};

const OPEN_SQL = OPEN_STATES.map((s) => `'${s}'`).join(', ');
const UNDECIDED_SQL = UNDECIDED_STATES.map((s) => `'${s}'`).join(', ');

/**
 * The reclaim workflow's state in SQLite. Every move is a conditional update (the item must still
 * be in one of the states the caller saw) plus its transition row, in one transaction: a double
 * click, a second approver or a resumed job that lost the race changes nothing.
 */
export class SqliteReclaimStore implements ReclaimStore {
  constructor(private readonly db: Db) {}

  create(
    input: NewReclaimRequest,
    now: Date,
  ): { request: ReclaimRequest | undefined; items: ReclaimItem[]; alreadyOpen: NewReclaimItem[] } {
    const at = now.toISOString();
    const id = randomUUID();
    const alreadyOpen: NewReclaimItem[] = [];
    const itemIds: number[] = [];
    this.db.transaction(() => {
      prepared(
        this.db,
        `INSERT INTO reclaim_requests (id, tenant_id, mode, source, requested_by_id, requested_by_name, requested_at, nudge, nudge_until, expires_at, approvals_target)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      ).run(
        id,
        input.tenantId,
        input.mode,
        input.source,
        input.requestedBy.aadObjectId,
        input.requestedBy.name,
        at,
        input.nudge ? 1 : 0,
        input.nudgeUntil?.toISOString() ?? null,
        input.expiresAt.toISOString(),
        JSON.stringify(input.approvalsTarget),
      );
      const openNow = prepared(
        this.db,
        `SELECT 1 FROM reclaim_items WHERE tenant_id = ? AND user_id = ? AND sku_id = ? AND state IN (${OPEN_SQL}) LIMIT 1`,
      );
      const insert = prepared(
        this.db,
        `INSERT INTO reclaim_items (request_id, tenant_id, user_id, user_principal_name, display_name, sku_id, sku_name, assigned_via, group_id, group_name, also_direct,
           evidence, monthly_saving, currency, state, nudge_outcome, reassign_to, updated_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'requested', ?, ?, ?)`,
      );
      const transition = prepared(
        this.db,
        `INSERT INTO reclaim_transitions (item_id, request_id, from_state, to_state, at, actor_id, actor_name, reason) VALUES (?, ?, NULL, 'requested', ?, ?, ?, ?)`,
      );
      for (const item of input.items) {
        if (openNow.get(input.tenantId, item.userId, item.skuId)) {
          alreadyOpen.push(item);
          continue;
        }
        const group = item.assignment.via === 'group' ? item.assignment : null;
        const result = insert.run(
          id,
          input.tenantId,
          item.userId,
          item.userPrincipalName,
          item.displayName,
          item.skuId,
          item.skuName,
          item.assignment.via,
          group?.groupId ?? null,
          group?.groupName ?? null,
          group?.alsoDirect ? 1 : 0,
          JSON.stringify(item.evidence),
          item.monthlySaving,
          item.currency,
          // Asking the holders first: each seat waits for its answer (sent by the nudge job).
          input.nudge ? 'pending' : null,
          item.reassignCandidate ? JSON.stringify(item.reassignCandidate) : null,
          at,
        );
        const itemId = Number(result.lastInsertRowid);
        itemIds.push(itemId);
        transition.run(
          itemId,
          id,
          at,
          input.requestedBy.aadObjectId,
          input.requestedBy.name,
          `Requested from ${input.source.replace('_', ' ')}.`,
        );
      }
      // Every seat was already in an open request: no empty request is left behind.
      if (itemIds.length === 0) prepared(this.db, 'DELETE FROM reclaim_requests WHERE id = ?').run(id);
    })();
    return { request: itemIds.length === 0 ? undefined : this.request(id), items: this.items(id), alreadyOpen };
  }

  request(id: string): ReclaimRequest | undefined {
    const row = prepared(this.db, 'SELECT * FROM reclaim_requests WHERE id = ?').get(id) as RequestRow | undefined;
    return row && toRequest(row);
  }

  items(requestId: string): ReclaimItem[] {
    return (
      prepared(this.db, 'SELECT * FROM reclaim_items WHERE request_id = ? ORDER BY id').all(requestId) as ItemRow[]
    ).map(toItem);
  }

  item(id: number): ReclaimItem | undefined {
    const row = prepared(this.db, 'SELECT * FROM reclaim_items WHERE id = ?').get(id) as ItemRow | undefined;
    return row && toItem(row);
  }

  move(moves: ItemMove[], now: Date): { moved: number[] } {
    const at = now.toISOString();
    const moved: number[] = [];
    this.db.transaction(() => {
      const current = prepared(this.db, 'SELECT state, request_id FROM reclaim_items WHERE id = ?');
      const transition = prepared(
        this.db,
        `INSERT INTO reclaim_transitions (item_id, request_id, from_state, to_state, at, actor_id, actor_name, reason) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
      );
      const bump = prepared(this.db, 'UPDATE reclaim_requests SET version = version + 1 WHERE id = ?');
      const bumped = new Set<string>();
      for (const m of moves) {
        const row = current.get(m.itemId) as { state: ReclaimState; request_id: string } | undefined;
        if (!row || !m.from.includes(row.state)) continue;
        if (row.state !== m.to && !canMove(row.state, m.to))
          throw new Error(`Reclaim item ${m.itemId} cannot move from ${row.state} to ${m.to}.`);
        const sets = ['state = @to', 'updated_at = @at'];
        const params: Record<string, unknown> = { to: m.to, at, id: m.itemId, from: row.state };
        for (const [key, value] of Object.entries(m.patch ?? {})) {
          const col = PATCH_COLUMNS[key];
          if (!col) continue;
          sets.push(`${col.column} = @${key}`);
          params[key] = col.encode ? col.encode(value) : value;
        }
        const changed = this.db
          .prepare(`UPDATE reclaim_items SET ${sets.join(', ')} WHERE id = @id AND state = @from`)
          .run(params).changes;
        if (changed !== 1) continue;
        // A same-state move is recorded when it says why (a holder's answer, an undo that failed): the trail shows who and when.
        if (row.state !== m.to || m.reason !== null)
          transition.run(m.itemId, row.request_id, row.state, m.to, at, m.actor.aadObjectId, m.actor.name, m.reason);
        if (!bumped.has(row.request_id)) {
          bump.run(row.request_id);
          bumped.add(row.request_id);
        }
        moved.push(m.itemId);
      }
    })();
    return { moved };
  }

  decide(requestId: string, decision: 'approved' | 'rejected', by: ReclaimActor, now: Date): boolean {
    return (
      prepared(
        this.db,
        'UPDATE reclaim_requests SET decision = ?, decided_by_id = ?, decided_by_name = ?, decided_at = ?, version = version + 1 WHERE id = ? AND decision IS NULL',
      ).run(decision, by.aadObjectId, by.name, now.toISOString(), requestId).changes === 1
    );
  }

  setRecheck(requestId: string, recheck: ReclaimRecheck, options: { bump: boolean }): void {
    prepared(this.db, 'UPDATE reclaim_requests SET recheck = ?, version = version + ? WHERE id = ?').run(
      JSON.stringify(recheck),
      options.bump ? 1 : 0,
      requestId,
    );
  }

  setCard(requestId: string, activityId: string, target: ConversationTarget): void {
    prepared(this.db, 'UPDATE reclaim_requests SET card_activity_id = ? WHERE id = ? AND approvals_target = ?').run(
      activityId,
      requestId,
      JSON.stringify(target),
    );
  }

  moveCard(requestId: string, target: ConversationTarget): void {
    prepared(
      this.db,
      'UPDATE reclaim_requests SET approvals_target = ?, card_activity_id = NULL, version = version + 1 WHERE id = ?',
    ).run(JSON.stringify(target), requestId);
  }

  undecided(tenantId: string, now: Date): string[] {
    return prepared(
      this.db,
      `SELECT r.id FROM reclaim_requests r WHERE r.tenant_id = ? AND r.decision IS NULL AND r.expires_at > ?
         AND EXISTS (SELECT 1 FROM reclaim_items i WHERE i.request_id = r.id AND i.state IN (${UNDECIDED_SQL}))
       ORDER BY r.requested_at, r.id`,
    )
      .pluck()
      .all(tenantId, now.toISOString()) as string[];
  }

  history(query: ReclaimHistoryQuery): {
    total: number;
    items: Array<ReclaimItem & { transitions: ReclaimTransition[] }>;
  } {
    const user = query.user?.trim().toLowerCase();
    const byUpn = user !== undefined && user.includes('@');
    const where = ['tenant_id = @tenant'];
    if (user) where.push(byUpn ? 'user_principal_name = @user COLLATE NOCASE' : 'user_id = @user');
    if (query.state) where.push('state = @state');
    const params = { tenant: query.tenantId, user, state: query.state, limit: query.limit, offset: query.offset };
    const total = (
      this.db.prepare(`SELECT COUNT(*) AS n FROM reclaim_items WHERE ${where.join(' AND ')}`).get(params) as {
        n: number;
      }
    ).n;
    const rows = this.db
      .prepare(`SELECT * FROM reclaim_items WHERE ${where.join(' AND ')} ORDER BY id DESC LIMIT @limit OFFSET @offset`)
      .all(params) as ItemRow[];
    const byItem = prepared(this.db, 'SELECT * FROM reclaim_transitions WHERE item_id = ? ORDER BY id');
    return {
      total,
      items: rows.map((r) => ({ ...toItem(r), transitions: (byItem.all(r.id) as TransitionRow[]).map(toTransition) })),
    };
  }

  executing(): string[] {
    // One indexed range per state (a DISTINCT over three ranges would sort them in a temporary tree).
    const ids = new Set<string>();
    const byState = prepared(
      this.db,
      'SELECT request_id FROM reclaim_items WHERE state = ? ORDER BY request_id',
    ).pluck();
    for (const state of EXECUTING_STATES) for (const id of byState.all(state) as string[]) ids.add(id);
    // Removed, but the chosen candidate has not got the seat yet.
    const giving = prepared(
      this.db,
      "SELECT request_id FROM reclaim_items INDEXED BY reclaim_items_reassigning WHERE reassign_state IN ('pending', 'assigning')",
    ).pluck();
    for (const id of giving.all() as string[]) ids.add(id);
    return [...ids];
  }

  markNudgeShown(itemId: number, shown: HolderPhase): void {
    prepared(this.db, 'UPDATE reclaim_items SET nudge_shown = ? WHERE id = ?').run(shown, itemId);
  }

  offeredCandidates(tenantId: string): Set<string> {
    const rows = prepared(
      this.db,
      `SELECT json_extract(reassign_to, '$.userId') FROM reclaim_items INDEXED BY reclaim_items_offered
       WHERE tenant_id = ? AND state IN (${OPEN_SQL}) AND reassign_to IS NOT NULL`,
    )
      .pluck()
      .all(tenantId) as Array<string | null>;
    return new Set(rows.filter((r): r is string => typeof r === 'string').map((r) => r.toLowerCase()));
  }

  keep(tenantId: string, userId: string, skuId: string, until: Date, by: ReclaimActor, now: Date): void {
    prepared(
      this.db,
      `INSERT INTO reclaim_keeps (tenant_id, user_id, sku_id, kept_until, kept_by_id, kept_at) VALUES (?, ?, ?, ?, ?, ?)
       ON CONFLICT (tenant_id, user_id, sku_id) DO UPDATE SET kept_until = excluded.kept_until, kept_by_id = excluded.kept_by_id, kept_at = excluded.kept_at`,
    ).run(tenantId, userId.toLowerCase(), skuId.toLowerCase(), until.toISOString(), by.aadObjectId, now.toISOString());
  }

  keptUntil(tenantId: string, userId: string, skuId: string, now: Date): string | null {
    const row = prepared(
      this.db,
      'SELECT kept_until FROM reclaim_keeps WHERE tenant_id = ? AND user_id = ? AND sku_id = ? AND kept_until > ?',
    ).get(tenantId, userId.toLowerCase(), skuId.toLowerCase(), now.toISOString()) as { kept_until: string } | undefined;
    return row?.kept_until ?? null;
  }

  setApprovals(tenantId: string, target: ConversationTarget, by: ReclaimActor, now: Date): void {
    prepared(
      this.db,
      `INSERT INTO reclaim_settings (tenant_id, approvals_target, set_by_id, set_at) VALUES (?, ?, ?, ?)
       ON CONFLICT (tenant_id) DO UPDATE SET approvals_target = excluded.approvals_target, set_by_id = excluded.set_by_id, set_at = excluded.set_at`,
    ).run(tenantId, JSON.stringify(target), by.aadObjectId, now.toISOString());
  }

  approvals(tenantId: string): ConversationTarget | undefined {
    const row = prepared(this.db, 'SELECT approvals_target FROM reclaim_settings WHERE tenant_id = ?').get(tenantId) as
      { approvals_target: string } | undefined;
    return row ? (JSON.parse(row.approvals_target) as ConversationTarget) : undefined;
  }

  latestItems(
    tenantId: string,
    userIds: readonly string[],
  ): Map<string, { state: ReclaimState; removedAt: string | null }> {
    const byUser = prepared(
      this.db,
      'SELECT sku_id, state, removed_at FROM reclaim_items INDEXED BY reclaim_items_by_user WHERE tenant_id = ? AND user_id = ? ORDER BY id DESC',
    );
    const latest = new Map<string, { state: ReclaimState; removedAt: string | null }>();
    for (const userId of new Set(userIds.map((u) => u.toLowerCase()))) {
      for (const row of byUser.all(tenantId, userId) as Array<{
        sku_id: string;
        state: ReclaimState;
        removed_at: string | null;
      }>) {
        const key = seatMarkKey({ userId, skuId: row.sku_id });
        if (!latest.has(key)) latest.set(key, { state: row.state, removedAt: row.removed_at });
      }
    }
    return latest;
  }

  freed(tenantId: string): { seats: number; monthly: number; currency: string | null } {
    const row = prepared(
      this.db,
      `SELECT COUNT(*) AS seats, COALESCE(SUM(i.monthly_saving), 0) AS monthly, MAX(i.currency) AS currency
       FROM reclaim_items i JOIN reclaim_requests r ON r.id = i.request_id
       WHERE i.tenant_id = ? AND i.state = 'removed' AND r.mode = 'on'`,
    ).get(tenantId) as { seats: number; monthly: number; currency: string | null };
    return {
      seats: row.seats,
      monthly: Math.round(row.monthly * 100) / 100,
      currency: row.seats > 0 ? row.currency : null,
    };
  }
}
