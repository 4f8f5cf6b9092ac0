import {
  isPostureComponent,
  type MfaRecord,
  type PostureComponentId,
  type PostureComponentRecord,
  type PostureFigures,
  type SignInRecord,
  type SubscriptionRecord,
} from '../../domain/identity';
import type { GenerationWriter, IdentityReads, IdentityStore, MfaAdoption } from '../../usecases/identity/ports';
import { type Db, writeTransaction } from './database';
import { prepared } from './prepared';

type GenerationSource = 'sign_in' | 'mfa';
const TABLE: Record<GenerationSource, string> = { sign_in: 'user_sign_ins', mfa: 'user_mfa' };
/** Rows deleted per transaction when an old generation goes, so writers and readers are never held up long. */
const DELETE_BATCH = 5_000;

export function currentGeneration(db: Db, tenantId: string, source: GenerationSource): number | null {
  const row = prepared(db, 'SELECT generation FROM identity_generations WHERE tenant_id = ? AND source = ?')
    .pluck()
    .get(tenantId, source) as number | undefined;
  return row ?? null;
}

function dropBatch(db: Db, tenantId: string, source: GenerationSource, keep: number | null): number {
  const table = TABLE[source];
  return prepared(
    db,
    `DELETE FROM ${table} WHERE tenant_id = @t AND (generation, user_id) IN (
       SELECT generation, user_id FROM ${table} WHERE tenant_id = @t AND generation IS NOT @keep LIMIT ${DELETE_BATCH})`,
  ).run({ t: tenantId, keep }).changes;
}

/** Deletes every generation of a tenant's data set but `keep`, in short batches. */
function dropOtherGenerations(db: Db, tenantId: string, source: GenerationSource, keep: number | null): void {
  while (dropBatch(db, tenantId, source, keep) > 0) {
    // next batch
  }
}

/** The same, giving the event loop a turn between batches: a 100,000-user generation is 20 of them. */
async function dropOtherGenerationsYielding(
  db: Db,
  tenantId: string,
  source: GenerationSource,
  keep: number | null,
): Promise<void> {
  while (dropBatch(db, tenantId, source, keep) > 0) await new Promise<void>((resolve) => setImmediate(resolve));
}

class SqliteGenerationWriter<T> implements GenerationWriter<T> {
  private readonly generation: number;
  private readonly insertPage: (rows: T[]) => void;
  private done = false;

  constructor(
    private readonly db: Db,
    private readonly tenantId: string,
    private readonly source: GenerationSource,
    insertRow: (generation: number, row: T) => void,
  ) {
    const current = currentGeneration(db, tenantId, source);
    // A crash mid-read left a generation nobody points at: drop it before writing the next.
    dropOtherGenerations(db, tenantId, source, current);
    this.generation = (current ?? 0) + 1;
    this.insertPage = writeTransaction(db, (rows: T[]) => {
      for (const row of rows) insertRow(this.generation, row);
    });
  }

  write(rows: T[]): void {
    this.insertPage(rows);
  }

  async commit(asOf: string): Promise<void> {
    this.done = true;
    prepared(
      this.db,
      `INSERT INTO identity_generations (tenant_id, source, generation, as_of) VALUES (?, ?, ?, ?)
       ON CONFLICT (tenant_id, source) DO UPDATE SET generation = excluded.generation, as_of = excluded.as_of`,
    ).run(this.tenantId, this.source, this.generation, asOf);
    await dropOtherGenerationsYielding(this.db, this.tenantId, this.source, this.generation);
  }

  async abort(): Promise<void> {
    if (this.done) return;
    this.done = true;
    await dropOtherGenerationsYielding(
      this.db,
      this.tenantId,
      this.source,
      currentGeneration(this.db, this.tenantId, this.source),
    );
  }
}

interface PostureRow {
  component: string;
  figures: string | null;
  as_of: string | null;
  last_attempt_at: string;
  error_code: string | null;
  reason: string | null;
}

interface SubscriptionRow {
  subscription_id: string;
  sku_id: string;
  sku_part_number: string;
  status: string;
  total_licenses: number;
  created_at: string | null;
  next_lifecycle_at: string | null;
  is_trial: number;
}

/** Sign-ins, MFA registration, security posture and subscriptions of each tenant. */
export class SqliteIdentityStore implements IdentityStore, IdentityReads {
  constructor(private readonly db: Db) {}

  beginSignIns(tenantId: string): GenerationWriter<SignInRecord> {
    const insert = prepared(
      this.db,
      `INSERT OR REPLACE INTO user_sign_ins (tenant_id, generation, user_id, last_sign_in, last_non_interactive_sign_in, last_successful_sign_in)
       VALUES (?, ?, ?, ?, ?, ?)`,
    );
    return new SqliteGenerationWriter<SignInRecord>(this.db, tenantId, 'sign_in', (g, r) =>
      insert.run(tenantId, g, r.userId, r.lastSignIn, r.lastNonInteractiveSignIn, r.lastSuccessfulSignIn),
    );
  }

  beginMfa(tenantId: string): GenerationWriter<MfaRecord> {
    const insert = prepared(
      this.db,
      'INSERT OR REPLACE INTO user_mfa (tenant_id, generation, user_id, mfa_registered, mfa_capable, is_admin, methods) VALUES (?, ?, ?, ?, ?, ?, ?)',
    );
    return new SqliteGenerationWriter<MfaRecord>(this.db, tenantId, 'mfa', (g, r) =>
      insert.run(
        tenantId,
        g,
        r.userId,
        r.mfaRegistered ? 1 : 0,
        r.mfaCapable ? 1 : 0,
        r.isAdmin ? 1 : 0,
        JSON.stringify(r.methods),
      ),
    );
  }

  recordPosture(
    tenantId: string,
    component: PostureComponentId,
    a: { at: string; figures?: unknown; asOf?: string | null; errorCode?: string | null; reason?: string | null },
  ): void {
    const read = a.figures !== undefined;
    prepared(
      this.db,
      `INSERT INTO security_posture (tenant_id, component, figures, as_of, last_attempt_at, error_code, reason)
       VALUES (@t, @c, @figures, @asOf, @at, @errorCode, @reason)
       ON CONFLICT (tenant_id, component) DO UPDATE SET
         figures = CASE WHEN @read THEN excluded.figures ELSE security_posture.figures END,
         as_of = CASE WHEN @read THEN excluded.as_of ELSE security_posture.as_of END,
         last_attempt_at = excluded.last_attempt_at,
         error_code = excluded.error_code,
         reason = excluded.reason`,
    ).run({
      t: tenantId,
      c: component,
      figures: read ? JSON.stringify(a.figures) : null,
      asOf: read ? (a.asOf ?? a.at) : null,
      at: a.at,
      errorCode: a.errorCode ?? null,
      reason: a.reason ?? null,
      read: read ? 1 : 0,
    });
  }

  posture(tenantId: string): PostureComponentRecord[] {
    const rows = prepared(
      this.db,
      'SELECT component, figures, as_of, last_attempt_at, error_code, reason FROM security_posture WHERE tenant_id = ? ORDER BY component',
    ).all(tenantId) as PostureRow[];
    return rows.flatMap((r): PostureComponentRecord[] => {
      if (!isPostureComponent(r.component)) return [];
      return [
        {
          component: r.component,
          figures: r.figures === null ? null : (JSON.parse(r.figures) as PostureFigures[PostureComponentId]),
          asOf: r.as_of,
          lastAttemptAt: r.last_attempt_at,
          errorCode: r.error_code,
          reason: r.reason,
        },
      ];
    });
  }

  replaceSubscriptions(tenantId: string, rows: SubscriptionRecord[]): void {
    const insert = prepared(
      this.db,
      `INSERT OR REPLACE INTO subscriptions (tenant_id, sku_id, subscription_id, sku_part_number, status, total_licenses, created_at, next_lifecycle_at, is_trial)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    writeTransaction(this.db, () => {
      prepared(this.db, 'DELETE FROM subscriptions WHERE tenant_id = ?').run(tenantId);
      for (const s of rows)
        insert.run(
          tenantId,
          s.skuId,
          s.subscriptionId,
          s.skuPartNumber,
          s.status,
          s.totalLicenses,
          s.createdAt,
          s.nextLifecycleAt,
          s.isTrial ? 1 : 0,
        );
    })();
  }

  subscriptions(tenantId: string): SubscriptionRecord[] {
    const rows = prepared(
      this.db,
      'SELECT * FROM subscriptions WHERE tenant_id = ? ORDER BY sku_id, subscription_id',
    ).all(tenantId) as SubscriptionRow[];
    return rows.map((r) => ({
      subscriptionId: r.subscription_id,
      skuId: r.sku_id,
      skuPartNumber: r.sku_part_number,
      status: r.status,
      totalLicenses: r.total_licenses,
      createdAt: r.created_at,
      nextLifecycleAt: r.next_lifecycle_at,
      isTrial: r.is_trial === 1,
    }));
  }

  /**
   * Over the current snapshot's enabled member accounts. Walks the snapshot's key range once
   * (a report, not a page), each user's registration found by primary key.
   */
  mfaAdoption(tenantId: string): MfaAdoption | null {
    return writeTransaction(this.db, () => {
      const generation = currentGeneration(this.db, tenantId, 'mfa');
      if (generation === null) return null;
      const row = prepared(
        this.db,
        `SELECT COUNT(*) AS total, COALESCE(SUM(m.mfa_registered = 1), 0) AS registered, COALESCE(SUM(m.user_id IS NULL), 0) AS unknown
         FROM users u LEFT JOIN user_mfa m ON m.tenant_id = u.tenant_id AND m.generation = @g AND m.user_id = u.user_id
         WHERE u.tenant_id = @t AND u.snapshot_id = (SELECT current_snapshot_id FROM tenants WHERE id = @t)
           AND u.account_enabled = 1 AND u.user_type = 'Member'`,
      ).get({ t: tenantId, g: generation }) as { total: number; registered: number; unknown: number };
      const admins = prepared(
        this.db,
        `SELECT u.user_principal_name AS upn
         FROM user_mfa m JOIN users u ON u.tenant_id = m.tenant_id AND u.user_id = m.user_id
           AND u.snapshot_id = (SELECT current_snapshot_id FROM tenants WHERE id = @t)
         WHERE m.tenant_id = @t AND m.generation = @g AND m.is_admin = 1 AND m.mfa_registered = 0 AND u.account_enabled = 1`,
      ).all({ t: tenantId, g: generation }) as Array<{ upn: string }>;
      // A handful of admins: sorted here rather than by a temporary b-tree in SQLite.
      admins.sort((a, b) => a.upn.toLowerCase().localeCompare(b.upn.toLowerCase()));
      return {
        totalUsers: row.total,
        mfaEnabledUsers: row.registered,
        unknownUsers: row.unknown,
        adminsWithoutMfa: admins.map((a) => a.upn),
      };
    })();
  }
}
