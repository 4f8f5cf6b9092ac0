import type { Statement } from 'better-sqlite3';
import type { SkuRow, UserCounts, UserWithLicenses } from '../../domain/directory';
import type {
  DirectoryReads,
  UserPage,
  UserPageContext,
  UserPageRenderer,
  UserQuery,
} from '../../usecases/status/ports';
import type { Db } from './database';
import { prepared } from './prepared';
import type { ReadAdmission } from './read-admission';
import { USER_FILTER, USER_ORDER_CHUNK } from './snapshots';
import { currentGeneration } from './identity-store';
import { mfaMethodsOf } from '../../domain/identity';

/** Runs pages of users away from the event loop (see ReadWorkerThreads); the reader answers them itself without one. */
export interface UserPageReader {
  users(tenantId: string, query: UserQuery): Promise<UserPage>;
  /** The page rendered by the thread's own UserPageRenderer. */
  usersRendered(tenantId: string, query: UserQuery, context: UserPageContext): Promise<string>;
}

interface UserDbRow {
  user_seq: number;
  user_id: string;
  user_principal_name: string;
  display_name: string | null;
  given_name: string | null;
  surname: string | null;
  mail: string | null;
  department: string | null;
  office_location: string | null;
  job_title: string | null;
  account_enabled: number;
  user_type: string | null;
  usage_location: string | null;
  created_at: string | null;
  on_premises_sync_enabled: number | null;
}

interface IdentityBySeq {
  snapshotId: number;
  /** -1 when the source was never read. */
  signInGeneration: number;
  mfaGeneration: number;
  lastSignIn: Array<string | null>;
  /** -1 unknown, 0 not registered, 1 registered. */
  mfaRegistered: Int8Array;
  /** JSON of Graph's methodsRegistered. */
  mfaMethods: Array<string | null>;
}

interface SkuDbRow {
  sku_id: string;
  sku_part_number: string;
  product_name: string;
  capability_status: string | null;
  applies_to: string | null;
  enabled_units: number;
  suspended_units: number;
  warning_units: number;
  locked_out_units: number;
  consumed_units: number;
  is_copilot: number;
  service_plans: string;
}

/** Searches kept per reader: paging through one search's results rescans nothing. */
const SEARCH_CACHE_ENTRIES = 16;

interface SnapshotOrder {
  snapshotId: number;
  /** user_seq -> position in the list order. */
  ordOfSeq: Int32Array;
  /** position -> user_seq. */
  seqAtOrd: Int32Array;
}

/**
 * Read side of the cache. Every read first pins the tenant's current snapshot inside a read
 * transaction, so a reader sees one snapshot even while a sync writes the next.
 *
 * Lists read the order and counts the writer stored at publish time (user_order, snapshot_stats),
 * so a page costs its own rows whatever its offset. Substring search cannot use a b-tree index and
 * scans the snapshot. users() hands both to worker threads when the reader has them.
 */
export class DirectoryReader implements DirectoryReads {
  private readonly orders = new Map<string, SnapshotOrder>();
  private readonly skuNames = new Map<
    string,
    { snapshotId: number; bySkuId: Map<string, { partNumber: string; productName: string }> }
  >();
  private readonly searches = new Map<string, Int32Array>();
  /**
   * Per tenant: each user's sign-in and MFA state by user_seq, for one snapshot and one generation of
   * each. Built once by one ordered pass (joining them page by page cost three B-tree searches per
   * user on every page, half of a page's time).
   */
  private readonly identities = new Map<string, IdentityBySeq>();

  constructor(
    private readonly db: Db,
    private readonly offThread?: UserPageReader,
    private readonly admission?: ReadAdmission,
    /** Renders pages here when there is no offThread reader (which has its own). */
    private readonly renderer?: UserPageRenderer,
  ) {}

  /** Runs several reads against one snapshot (a WAL read transaction). */
  consistent<T>(read: () => T): T {
    return this.db.transaction(read)();
  }

  private prepare(sql: string): Statement {
    return prepared(this.db, sql);
  }

  private snapshotOf(tenantId: string): number | null {
    const row = this.prepare('SELECT current_snapshot_id FROM tenants WHERE id = ?').pluck().get(tenantId) as
      number | null | undefined;
    return row ?? null;
  }

  userCounts(tenantId: string): UserCounts {
    return this.consistent(() => {
      const snapshotId = this.snapshotOf(tenantId);
      const row = snapshotId === null ? undefined : this.stats(tenantId, snapshotId);
      if (!row) return { total: 0, enabled: 0, disabled: 0, guests: 0, licensed: 0 };
      return {
        total: row.users,
        enabled: row.enabled,
        disabled: row.users - row.enabled,
        guests: row.guests,
        licensed: row.licensed,
      };
    });
  }

  private stats(
    tenantId: string,
    snapshotId: number,
  ): { users: number; enabled: number; guests: number; licensed: number } | undefined {
    const sql = 'SELECT users, enabled, guests, licensed FROM snapshot_stats WHERE tenant_id = ? AND snapshot_id = ?';
    return this.prepare(sql).get(tenantId, snapshotId) as
      { users: number; enabled: number; guests: number; licensed: number } | undefined;
  }

  skus(tenantId: string): SkuRow[] {
    const rows = this.prepare(
      `SELECT * FROM skus WHERE tenant_id = ? AND snapshot_id = (SELECT current_snapshot_id FROM tenants WHERE id = ?)
       ORDER BY is_copilot DESC, consumed_units DESC, sku_part_number`,
    ).all(tenantId, tenantId) as SkuDbRow[];
    return rows.map((r) => ({
      skuId: r.sku_id,
      skuPartNumber: r.sku_part_number,
      productName: r.product_name,
      capabilityStatus: r.capability_status,
      appliesTo: r.applies_to,
      enabledUnits: r.enabled_units,
      suspendedUnits: r.suspended_units,
      warningUnits: r.warning_units,
      lockedOutUnits: r.locked_out_units,
      consumedUnits: r.consumed_units,
      isCopilot: r.is_copilot === 1,
      servicePlans: JSON.parse(r.service_plans) as SkuRow['servicePlans'],
    }));
  }

  identityVersion(tenantId: string): string {
    return `${currentGeneration(this.db, tenantId, 'sign_in') ?? 0}.${currentGeneration(this.db, tenantId, 'mfa') ?? 0}`;
  }

  /** A page of users, read on a worker thread when the reader has them, when the admission lets it. */
  async users(tenantId: string, query: UserQuery): Promise<UserPage> {
    const read = async () => (this.offThread ? this.offThread.users(tenantId, query) : this.usersNow(tenantId, query));
    return this.admission ? this.admission.run(read) : read();
  }

  async usersRendered(tenantId: string, query: UserQuery, context: UserPageContext): Promise<string> {
    const read = async () => {
      if (this.offThread) return this.offThread.usersRendered(tenantId, query, context);
      if (!this.renderer) throw new Error('this directory reader was built without a page renderer');
      return this.renderer(this.usersNow(tenantId, query), context);
    };
    return this.admission ? this.admission.run(read) : read();
  }

  /** The count, the page and its licenses come from one read transaction: one snapshot even if a sync publishes meanwhile. */
  usersNow(tenantId: string, query: UserQuery): UserPage {
    return this.consistent(() => {
      const snapshotId = this.snapshotOf(tenantId);
      if (snapshotId === null) return { rows: [], total: 0 };
      const filter =
        query.accountEnabled === undefined
          ? USER_FILTER.all
          : query.accountEnabled
            ? USER_FILTER.enabled
            : USER_FILTER.disabled;
      if (query.mfaEnabled !== undefined) return this.mfaPage(tenantId, snapshotId, filter, query, query.mfaEnabled);
      return query.search
        ? this.searchPage(tenantId, snapshotId, filter, query)
        : this.listPage(tenantId, snapshotId, filter, query);
    });
  }

  private listPage(tenantId: string, snapshotId: number, filter: number, query: UserQuery): UserPage {
    const stats = this.stats(tenantId, snapshotId);
    const total = !stats
      ? 0
      : filter === USER_FILTER.all
        ? stats.users
        : filter === USER_FILTER.enabled
          ? stats.enabled
          : stats.users - stats.enabled;
    if (query.offset >= total) return { rows: [], total };
    const end = Math.min(total, query.offset + query.limit);
    const chunks = this.prepare(
      `SELECT user_seqs FROM user_order
       WHERE tenant_id = @t AND snapshot_id = @s AND filter = @f AND chunk >= @first AND chunk <= @last ORDER BY chunk`,
    )
      .pluck()
      .all({
        t: tenantId,
        s: snapshotId,
        f: filter,
        first: Math.floor(query.offset / USER_ORDER_CHUNK),
        last: Math.floor((end - 1) / USER_ORDER_CHUNK),
      }) as string[];
    const positions = chunks.flatMap((c) => JSON.parse(c) as number[]);
    const from = query.offset % USER_ORDER_CHUNK;
    return { total, rows: this.usersBySeq(tenantId, snapshotId, positions.slice(from, from + end - query.offset)) };
  }

  private searchPage(tenantId: string, snapshotId: number, filter: number, query: UserQuery): UserPage {
    const matches = this.searchMatches(tenantId, snapshotId, filter, query.search ?? '');
    const seqs = Array.from(matches.subarray(query.offset, query.offset + query.limit));
    return { total: matches.length, rows: this.usersBySeq(tenantId, snapshotId, seqs) };
  }

  /**
   * Users by MFA registration, in list order. MFA lives beside the snapshot (its own generation),
   * so the stored order cannot carry it: the list order (or the search's matches) is filtered by
   * each user's state, read once per snapshot and MFA generation through both primary keys.
   * Users whose registration is unknown match neither true nor false.
   */
  private mfaPage(tenantId: string, snapshotId: number, filter: number, query: UserQuery, wanted: boolean): UserPage {
    const generation = currentGeneration(this.db, tenantId, 'mfa');
    if (generation === null) return { rows: [], total: 0 };
    const key = `mfa\u0000${tenantId}\u0000${snapshotId}\u0000${generation}\u0000${filter}\u0000${wanted}\u0000${query.search ?? ''}`;
    let matches = this.searches.get(key);
    if (!matches) {
      const states = this.mfaStatesOf(tenantId, snapshotId);
      const want = wanted ? 1 : 0;
      const base = query.search
        ? this.searchMatches(tenantId, snapshotId, filter, query.search)
        : this.orderedSeqs(tenantId, snapshotId, filter);
      matches = base.filter((seq) => states[seq] === want);
      this.searches.set(key, matches);
      if (this.searches.size > SEARCH_CACHE_ENTRIES) this.searches.delete(this.searches.keys().next().value as string);
    }
    const seqs = Array.from(matches.subarray(query.offset, query.offset + query.limit));
    return { total: matches.length, rows: this.usersBySeq(tenantId, snapshotId, seqs) };
  }

  private mfaStatesOf(tenantId: string, snapshotId: number): Int8Array {
    return this.identityOf(tenantId, snapshotId).mfaRegistered;
  }

  /** Sign-ins and MFA by user_seq for the current generations, rebuilt when the snapshot or either generation changes. */
  private identityOf(tenantId: string, snapshotId: number): IdentityBySeq {
    const signInGeneration = currentGeneration(this.db, tenantId, 'sign_in') ?? -1;
    const mfaGeneration = currentGeneration(this.db, tenantId, 'mfa') ?? -1;
    const cached = this.identities.get(tenantId);
    if (
      cached &&
      cached.snapshotId === snapshotId &&
      cached.signInGeneration === signInGeneration &&
      cached.mfaGeneration === mfaGeneration
    )
      return cached;
    const size = this.stats(tenantId, snapshotId)?.users ?? 0;
    const built: IdentityBySeq = {
      snapshotId,
      signInGeneration,
      mfaGeneration,
      lastSignIn: new Array<string | null>(size).fill(null),
      mfaRegistered: new Int8Array(size).fill(-1),
      mfaMethods: new Array<string | null>(size).fill(null),
    };
    if (signInGeneration !== -1 || mfaGeneration !== -1) {
      // The snapshot's key range in order, each user's rows by primary key.
      const rows = this.prepare(
        `SELECT u.user_seq, si.last_sign_in, m.mfa_registered, m.methods
         FROM users u
         LEFT JOIN user_sign_ins si ON si.tenant_id = @t AND si.generation = @gs AND si.user_id = u.user_id
         LEFT JOIN user_mfa m ON m.tenant_id = @t AND m.generation = @gm AND m.user_id = u.user_id
         WHERE u.tenant_id = @t AND u.snapshot_id = @s`,
      )
        .raw()
        .all({ t: tenantId, s: snapshotId, gs: signInGeneration, gm: mfaGeneration }) as Array<
        [number, string | null, number | null, string | null]
      >;
      for (const [seq, lastSignIn, registered, methods] of rows) {
        if (seq >= size) continue;
        built.lastSignIn[seq] = lastSignIn;
        if (registered !== null) built.mfaRegistered[seq] = registered;
        built.mfaMethods[seq] = methods;
      }
    }
    this.identities.set(tenantId, built);
    return built;
  }

  /** All user_seqs of a list (all, enabled or disabled accounts) in list order. */
  private orderedSeqs(tenantId: string, snapshotId: number, filter: number): Int32Array {
    if (filter === USER_FILTER.all) return this.orderOf(tenantId, snapshotId).seqAtOrd;
    const chunks = this.prepare(
      'SELECT user_seqs FROM user_order WHERE tenant_id = ? AND snapshot_id = ? AND filter = ? ORDER BY chunk',
    )
      .pluck()
      .all(tenantId, snapshotId, filter) as string[];
    return Int32Array.from(chunks.flatMap((c) => JSON.parse(c) as number[]));
  }

  /** The users with these user_seqs, in this order, with their licenses. */
  private usersBySeq(tenantId: string, snapshotId: number, seqs: number[]): UserWithLicenses[] {
    if (seqs.length === 0) return [];
    const found = this.prepare(
      'SELECT u.* FROM users u WHERE u.tenant_id = @t AND u.snapshot_id = @s AND u.user_seq IN (SELECT value FROM json_each(@seqs))',
    ).all({ t: tenantId, s: snapshotId, seqs: JSON.stringify(seqs) }) as UserDbRow[];
    const bySeq = new Map(found.map((r) => [r.user_seq, r]));
    const rows = seqs.map((seq) => bySeq.get(seq)).filter((r): r is UserDbRow => r !== undefined);
    return this.withLicenses(tenantId, snapshotId, rows);
  }

  /** user_seqs matching the search, in list order. LIKE '%q%' scans the snapshot; its ranks come from user_order. */
  private searchMatches(tenantId: string, snapshotId: number, filter: number, search: string): Int32Array {
    const key = `${tenantId}\u0000${snapshotId}\u0000${filter}\u0000${search}`;
    const cached = this.searches.get(key);
    if (cached) {
      this.searches.delete(key);
      this.searches.set(key, cached);
      return cached;
    }
    const params: Record<string, string | number> = {
      t: tenantId,
      s: snapshotId,
      q: `%${search.replace(/[\\%_]/g, (c) => `\\${c}`)}%`,
    };
    let enabledSql = '';
    if (filter !== USER_FILTER.all) {
      enabledSql = 'AND account_enabled = @enabled';
      params.enabled = filter === USER_FILTER.enabled ? 1 : 0;
    }
    const seqs = this.prepare(
      `SELECT user_seq FROM users WHERE tenant_id = @t AND snapshot_id = @s ${enabledSql}
         AND (display_name LIKE @q ESCAPE '\\' OR mail LIKE @q ESCAPE '\\' OR user_principal_name LIKE @q ESCAPE '\\')`,
    )
      .pluck()
      .all(params) as number[];
    const order = this.orderOf(tenantId, snapshotId);
    const ords = Int32Array.from(seqs, (seq) => order.ordOfSeq[seq]).sort();
    const matches = ords.map((ord) => order.seqAtOrd[ord]);
    this.searches.set(key, matches);
    if (this.searches.size > SEARCH_CACHE_ENTRIES) this.searches.delete(this.searches.keys().next().value as string);
    return matches;
  }

  /** The snapshot's list order, read once per snapshot (about 2 ms per 10,000 users). */
  private orderOf(tenantId: string, snapshotId: number): SnapshotOrder {
    const cached = this.orders.get(tenantId);
    if (cached?.snapshotId === snapshotId) return cached;
    const chunks = this.prepare(
      'SELECT user_seqs FROM user_order WHERE tenant_id = ? AND snapshot_id = ? AND filter = ? ORDER BY chunk',
    )
      .pluck()
      .all(tenantId, snapshotId, USER_FILTER.all) as string[];
    const seqAtOrd = Int32Array.from(chunks.flatMap((c) => JSON.parse(c) as number[]));
    const ordOfSeq = new Int32Array(seqAtOrd.length);
    seqAtOrd.forEach((seq, ord) => (ordOfSeq[seq] = ord));
    const order = { snapshotId, ordOfSeq, seqAtOrd };
    this.orders.set(tenantId, order);
    return order;
  }

  /** A snapshot's SKU names, read once per snapshot: joining them to every license row cost more than the rows. */
  private skuNamesOf(tenantId: string, snapshotId: number): Map<string, { partNumber: string; productName: string }> {
    const cached = this.skuNames.get(tenantId);
    if (cached?.snapshotId === snapshotId) return cached.bySkuId;
    const rows = this.prepare(
      'SELECT sku_id, sku_part_number, product_name FROM skus WHERE tenant_id = ? AND snapshot_id = ?',
    ).all(tenantId, snapshotId) as Array<{ sku_id: string; sku_part_number: string; product_name: string }>;
    const bySkuId = new Map(
      rows.map((r) => [r.sku_id, { partNumber: r.sku_part_number, productName: r.product_name }]),
    );
    this.skuNames.set(tenantId, { snapshotId, bySkuId });
    return bySkuId;
  }

  private withLicenses(tenantId: string, snapshotId: number, rows: UserDbRow[]): UserWithLicenses[] {
    if (rows.length === 0) return [];
    const identity = this.identityOf(tenantId, snapshotId);
    const licenseRows = this.prepare(
      `SELECT user_id, sku_id, assigned_by_group_id FROM user_licenses
       WHERE tenant_id = @t AND snapshot_id = @s AND user_seq IN (SELECT value FROM json_each(@seqs))
       ORDER BY user_seq, sku_id`,
    ).all({ t: tenantId, s: snapshotId, seqs: JSON.stringify(rows.map((r) => r.user_seq)) }) as Array<{
      user_id: string;
      sku_id: string;
      assigned_by_group_id: string;
    }>;

    const skuNames = this.skuNamesOf(tenantId, snapshotId);
    const byUser = new Map<string, UserWithLicenses['licenses']>();
    for (const l of licenseRows) {
      const list = byUser.get(l.user_id) ?? [];
      let entry = list.find((e) => e.skuId === l.sku_id);
      if (!entry) {
        const sku = skuNames.get(l.sku_id);
        entry = {
          skuId: l.sku_id,
          skuPartNumber: sku?.partNumber ?? null,
          productName: sku?.productName ?? null,
          assignedByGroupIds: [],
          direct: false,
        };
        list.push(entry);
      }
      if (l.assigned_by_group_id === '') entry.direct = true;
      else entry.assignedByGroupIds.push(l.assigned_by_group_id);
      byUser.set(l.user_id, list);
    }

    return rows.map((r) => ({
      userId: r.user_id,
      userPrincipalName: r.user_principal_name,
      displayName: r.display_name,
      givenName: r.given_name,
      surname: r.surname,
      mail: r.mail,
      department: r.department,
      officeLocation: r.office_location,
      jobTitle: r.job_title,
      accountEnabled: r.account_enabled === 1,
      userType: r.user_type,
      usageLocation: r.usage_location,
      createdAt: r.created_at,
      onPremisesSyncEnabled: r.on_premises_sync_enabled === null ? null : r.on_premises_sync_enabled === 1,
      licenses: byUser.get(r.user_id) ?? [],
      lastSignIn: identity.lastSignIn[r.user_seq] ?? null,
      mfaEnabled:
        identity.mfaRegistered[r.user_seq] === -1 || identity.mfaRegistered[r.user_seq] === undefined
          ? null
          : identity.mfaRegistered[r.user_seq] === 1,
      mfaMethods: methodsOf(identity.mfaMethods[r.user_seq] ?? null),
    }));
  }
}

function methodsOf(json: string | null): string[] | null {
  return json === null ? null : mfaMethodsOf(JSON.parse(json) as string[]);
}
