/**
 * Versioned schema. Append new migrations; never edit an applied one.
 *
 * Every tenant-owned row carries tenant_id (MSPs run many tenants in one file).
 * Directory data is versioned by snapshot_id (= the sync_run that wrote it): a sync
 * writes a whole new snapshot beside the current one and then flips
 * tenants.current_snapshot_id in one transaction, so readers never see a mix.
 * The big snapshot tables are WITHOUT ROWID, clustered on (tenant, snapshot, arrival order):
 * a snapshot is one contiguous key range, written by appending and dropped as a range.
 */
export interface Migration {
  version: number;
  name: string;
  sql: string;
  /**
   * Columns added only where missing, before `sql` runs (SQLite's ADD COLUMN has no IF NOT EXISTS):
   * for a repair of databases that a migration edited after landing left without them.
   */
  addMissingColumns?: ReadonlyArray<{ table: string; column: string; definition: string }>;
}

export const migrations: Migration[] = [
  {
    version: 1,
    name: 'tenants, directory snapshots, sync runs, conversations',
    sql: `
      CREATE TABLE tenants (
        id                  TEXT PRIMARY KEY,
        tenant_id           TEXT NOT NULL UNIQUE COLLATE NOCASE,
        client_id           TEXT,
        tenant_name         TEXT NOT NULL,
        domain_name         TEXT,
        display_name        TEXT,
        tenant_type         TEXT NOT NULL DEFAULT 'business',
        source              TEXT NOT NULL CHECK (source IN ('demo', 'entra')),
        sync_enabled        INTEGER NOT NULL DEFAULT 1,
        current_snapshot_id INTEGER,
        created_at          TEXT NOT NULL,
        updated_at          TEXT NOT NULL
      );

      CREATE TABLE sync_runs (
        id                        INTEGER PRIMARY KEY AUTOINCREMENT,
        tenant_id                 TEXT NOT NULL REFERENCES tenants(id),
        trigger                   TEXT NOT NULL,
        started_at                TEXT NOT NULL,
        finished_at               TEXT,
        status                    TEXT NOT NULL CHECK (status IN ('running', 'success', 'partial', 'failed')),
        users_count               INTEGER,
        licensed_users_count      INTEGER,
        license_assignments_count INTEGER,
        skus_count                INTEGER,
        groups_count              INTEGER,
        error_code                TEXT,
        error_text                TEXT,
        warnings                  TEXT NOT NULL DEFAULT '[]'
      );
      CREATE INDEX sync_runs_by_tenant ON sync_runs (tenant_id, id DESC);

      -- user_seq numbers a snapshot's users in the order Graph returned them, so a sync only ever
      -- appends to the clustered key (random GUID keys cost several times more to insert).
      CREATE TABLE users (
        tenant_id           TEXT NOT NULL,
        snapshot_id         INTEGER NOT NULL,
        user_seq            INTEGER NOT NULL,
        user_id             TEXT NOT NULL,
        user_principal_name TEXT NOT NULL,
        display_name        TEXT,
        given_name          TEXT,
        surname             TEXT,
        mail                TEXT,
        department          TEXT,
        office_location     TEXT,
        job_title           TEXT,
        account_enabled     INTEGER NOT NULL,
        user_type           TEXT,
        usage_location      TEXT,
        created_at          TEXT,
        PRIMARY KEY (tenant_id, snapshot_id, user_seq)
      ) WITHOUT ROWID;

      -- One row per way a user holds a SKU: assigned_by_group_id is '' for a direct
      -- assignment, else the group it is inherited from (a user can hold both).
      CREATE TABLE user_licenses (
        tenant_id            TEXT NOT NULL,
        snapshot_id          INTEGER NOT NULL,
        user_seq             INTEGER NOT NULL,
        sku_id               TEXT NOT NULL,
        assigned_by_group_id TEXT NOT NULL DEFAULT '',
        user_id              TEXT NOT NULL,
        state                TEXT,
        error                TEXT,
        disabled_plans       TEXT NOT NULL DEFAULT '[]',
        PRIMARY KEY (tenant_id, snapshot_id, user_seq, sku_id, assigned_by_group_id)
      ) WITHOUT ROWID;

      CREATE TABLE skus (
        tenant_id         TEXT NOT NULL,
        snapshot_id       INTEGER NOT NULL,
        sku_id            TEXT NOT NULL,
        sku_part_number   TEXT NOT NULL,
        product_name      TEXT NOT NULL,
        capability_status TEXT,
        applies_to        TEXT,
        enabled_units     INTEGER NOT NULL,
        suspended_units   INTEGER NOT NULL,
        warning_units     INTEGER NOT NULL,
        locked_out_units  INTEGER NOT NULL DEFAULT 0,
        consumed_units    INTEGER NOT NULL,
        is_copilot        INTEGER NOT NULL,
        service_plans     TEXT NOT NULL DEFAULT '[]',
        PRIMARY KEY (tenant_id, snapshot_id, sku_id)
      );

      CREATE TABLE license_groups (
        tenant_id    TEXT NOT NULL,
        snapshot_id  INTEGER NOT NULL,
        group_id     TEXT NOT NULL,
        display_name TEXT,
        sku_ids      TEXT NOT NULL DEFAULT '[]',
        PRIMARY KEY (tenant_id, snapshot_id, group_id)
      );

      -- Bot Framework conversation references, keyed by conversation id; tenant_id is the
      -- Teams tenant the conversation lives in.
      CREATE TABLE conversations (
        conversation_id   TEXT PRIMARY KEY,
        tenant_id         TEXT,
        conversation_type TEXT NOT NULL CHECK (conversation_type IN ('personal', 'groupChat', 'channel')),
        name              TEXT,
        team_id           TEXT,
        service_url       TEXT NOT NULL,
        reference         TEXT NOT NULL,
        active            INTEGER NOT NULL DEFAULT 1,
        installed_at      TEXT NOT NULL,
        updated_at        TEXT NOT NULL,
        deactivated_at    TEXT
      );
    `,
  },
  {
    version: 2,
    name: 'read indexes: user order and counts per snapshot, ordered indexes for every list',
    sql: `
      -- A page of users must not sort the whole snapshot per request. The writer stores each
      -- snapshot's users in list order (display name, case-insensitive, then user id) once, at
      -- publish time, as JSON arrays of user_seq, 1024 positions per row: filter 0 = all users,
      -- 1 = enabled accounts, 2 = disabled accounts. A page at any offset reads one or two rows here,
      -- then its users by primary key. (One row per position cost the sync 0.1 s per 100,000 users.)
      CREATE TABLE user_order (
        tenant_id   TEXT NOT NULL,
        snapshot_id INTEGER NOT NULL,
        filter      INTEGER NOT NULL CHECK (filter IN (0, 1, 2)),
        chunk       INTEGER NOT NULL,
        user_seqs   TEXT NOT NULL,
        PRIMARY KEY (tenant_id, snapshot_id, filter, chunk)
      ) WITHOUT ROWID;

      -- Counted by the writer at publish time, so a page's total and the status card cost one lookup.
      CREATE TABLE snapshot_stats (
        tenant_id   TEXT NOT NULL,
        snapshot_id INTEGER NOT NULL,
        users       INTEGER NOT NULL,
        enabled     INTEGER NOT NULL,
        guests      INTEGER NOT NULL,
        licensed    INTEGER NOT NULL,
        PRIMARY KEY (tenant_id, snapshot_id)
      );

      CREATE INDEX tenants_by_name ON tenants (tenant_name, id);
      CREATE INDEX skus_in_card_order ON skus (tenant_id, snapshot_id, is_copilot DESC, consumed_units DESC, sku_part_number);
      CREATE INDEX conversations_active ON conversations (active, installed_at);

      -- Snapshots published before this version get their order and counts here.
      INSERT INTO user_order (tenant_id, snapshot_id, filter, chunk, user_seqs)
        SELECT tenant_id, snapshot_id, filter, ord / 1024, json_group_array(user_seq ORDER BY ord)
        FROM (
          SELECT u.tenant_id, u.snapshot_id, 0 AS filter, u.user_seq,
                 ROW_NUMBER() OVER (PARTITION BY u.tenant_id ORDER BY u.display_name COLLATE NOCASE, u.user_id) - 1 AS ord
          FROM users u JOIN tenants t ON t.id = u.tenant_id AND t.current_snapshot_id = u.snapshot_id
          UNION ALL
          SELECT u.tenant_id, u.snapshot_id, 2 - u.account_enabled, u.user_seq,
                 ROW_NUMBER() OVER (PARTITION BY u.tenant_id, u.account_enabled ORDER BY u.display_name COLLATE NOCASE, u.user_id) - 1
          FROM users u JOIN tenants t ON t.id = u.tenant_id AND t.current_snapshot_id = u.snapshot_id
        )
        GROUP BY tenant_id, snapshot_id, filter, ord / 1024;
      INSERT INTO snapshot_stats (tenant_id, snapshot_id, users, enabled, guests, licensed)
        SELECT t.id, t.current_snapshot_id,
               (SELECT COUNT(*) FROM users u WHERE u.tenant_id = t.id AND u.snapshot_id = t.current_snapshot_id),
               (SELECT COUNT(*) FROM users u WHERE u.tenant_id = t.id AND u.snapshot_id = t.current_snapshot_id AND u.account_enabled = 1),
               (SELECT COUNT(*) FROM users u WHERE u.tenant_id = t.id AND u.snapshot_id = t.current_snapshot_id AND u.user_type = 'Guest'),
               (SELECT COUNT(DISTINCT l.user_seq) FROM user_licenses l WHERE l.tenant_id = t.id AND l.snapshot_id = t.current_snapshot_id
                  AND (l.state IS NULL OR l.state IN ('Active', 'ActiveWithError')))
        FROM tenants t WHERE t.current_snapshot_id IS NOT NULL;
    `,
  },
  {
    version: 3,
    name: 'outbox jobs',
    sql: `
      -- Durable work that must be neither lost nor done twice (see src/usecases/outbox).
      -- tenant_id has no foreign key: removing a tenant must not be blocked by its job history.
      -- Times are ISO-8601 UTC strings (toISOString), which sort as they compare.
      CREATE TABLE outbox_jobs (
        id              INTEGER PRIMARY KEY AUTOINCREMENT,
        kind            TEXT NOT NULL,
        idempotency_key TEXT NOT NULL UNIQUE,
        tenant_id       TEXT,
        payload         TEXT NOT NULL CHECK (json_valid(payload)),
        status          TEXT NOT NULL CHECK (status IN ('pending', 'running', 'done', 'dead')),
        attempts        INTEGER NOT NULL DEFAULT 0,
        max_attempts    INTEGER NOT NULL CHECK (max_attempts >= 1),
        run_after       TEXT NOT NULL,
        lease_until     TEXT,
        last_error      TEXT,
        created_at      TEXT NOT NULL,
        updated_at      TEXT NOT NULL,
        finished_at     TEXT
      );
      -- The claim query: pending jobs due by now, in run_after order, read straight off the index (no sort).
      CREATE INDEX outbox_jobs_due ON outbox_jobs (status, run_after);
      -- Listing by status newest first (the dead-letter list), counts by status, recovery of 'running'.
      CREATE INDEX outbox_jobs_by_status ON outbox_jobs (status, id);
    `,
  },
  {
    version: 4,
    name: 'tenant connections with sealed client secrets',
    // A table of its own rather than columns on tenants: every sync rewrites the tenants row
    // (names, current snapshot) and every reader selects it, while a connection changes rarely,
    // versions its own cache by updated_at, and keeps its ciphertext out of reads that do not need it.
    // entra_tenant_id repeats tenants.tenant_id so the row alone says where the token is asked for.
    sql: `
      CREATE TABLE tenant_connections (
        tenant_id         TEXT PRIMARY KEY REFERENCES tenants(id) ON DELETE CASCADE,
        entra_tenant_id   TEXT NOT NULL COLLATE NOCASE,
        app_client_id     TEXT NOT NULL COLLATE NOCASE,
        authority_host    TEXT NOT NULL,
        graph_endpoint    TEXT NOT NULL,
        credential_kind   TEXT NOT NULL CHECK (credential_kind IN ('secret', 'certificate')),
        -- v1:<keyId>:<iv>:<tag>:<ciphertext> (AES-256-GCM, tenants.id as associated data)
        secret_ciphertext TEXT,
        certificate_path  TEXT,
        -- The key that sealed secret_ciphertext, so a rotation finds the rows still on the old key.
        key_id            TEXT,
        created_at        TEXT NOT NULL,
        updated_at        TEXT NOT NULL,
        CHECK (
          (credential_kind = 'secret' AND secret_ciphertext IS NOT NULL AND key_id IS NOT NULL AND certificate_path IS NULL)
          OR (credential_kind = 'certificate' AND certificate_path IS NOT NULL AND secret_ciphertext IS NULL AND key_id IS NULL)
        )
      );
    `,
  },
  {
    version: 5,
    name: 'activity source status',
    // One row per tenant and source. A refused or failed attempt updates the attempt columns only,
    // so the row still says when and from where the data being served was stored.
    sql: `
      CREATE TABLE source_status (
        tenant_id        TEXT NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
        source           TEXT NOT NULL,
        last_attempt_at  TEXT NOT NULL,
        last_outcome     TEXT NOT NULL CHECK (last_outcome IN ('ok', 'not_newer', 'refused', 'failed')),
        last_success_at  TEXT,
        as_of            TEXT,
        served_by        TEXT,
        error_code       TEXT,
        message          TEXT,
        requests         INTEGER NOT NULL DEFAULT 0,
        warnings         TEXT NOT NULL DEFAULT '[]' CHECK (json_valid(warnings)),
        PRIMARY KEY (tenant_id, source)
      ) WITHOUT ROWID;
    `,
  },
  {
    version: 6,
    name: 'usage reports',
    // Per-user report rows are written as a new generation beside the one being served and
    // report_generations flips to it at the end, so a failed or cut read leaves the last good
    // report whole. upn is the lower-case userPrincipalName, or the 32-hex id of a concealed report.
    sql: `
      CREATE TABLE report_generations (
        tenant_id           TEXT NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
        report              TEXT NOT NULL,
        generation          INTEGER NOT NULL,
        report_refresh_date TEXT,
        period              TEXT NOT NULL,
        PRIMARY KEY (tenant_id, report)
      ) WITHOUT ROWID;

      CREATE TABLE copilot_usage_users (
        tenant_id           TEXT NOT NULL,
        generation          INTEGER NOT NULL,
        upn                 TEXT NOT NULL,
        concealed           INTEGER NOT NULL,
        display_name        TEXT,
        last_activity_date  TEXT,
        teams               TEXT,
        word                TEXT,
        excel               TEXT,
        power_point         TEXT,
        outlook             TEXT,
        one_note            TEXT,
        loop                TEXT,
        copilot_chat        TEXT,
        report_refresh_date TEXT NOT NULL,
        period              TEXT NOT NULL,
        PRIMARY KEY (tenant_id, generation, upn)
      ) WITHOUT ROWID;

      CREATE TABLE m365_activity_users (
        tenant_id           TEXT NOT NULL,
        generation          INTEGER NOT NULL,
        upn                 TEXT NOT NULL,
        concealed           INTEGER NOT NULL,
        display_name        TEXT,
        last_activity_date  TEXT,
        exchange            TEXT,
        one_drive           TEXT,
        share_point         TEXT,
        teams               TEXT,
        yammer              TEXT,
        report_refresh_date TEXT NOT NULL,
        period              TEXT NOT NULL,
        PRIMARY KEY (tenant_id, generation, upn)
      ) WITHOUT ROWID;

      -- Seed 000's /usage figures per period, replaced together.
      CREATE TABLE service_usage (
        tenant_id           TEXT NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
        period              TEXT NOT NULL,
        report_refresh_date TEXT NOT NULL,
        figures             TEXT NOT NULL CHECK (json_valid(figures)),
        PRIMARY KEY (tenant_id, period)
      ) WITHOUT ROWID;

      CREATE TABLE copilot_trend (
        tenant_id TEXT PRIMARY KEY REFERENCES tenants(id) ON DELETE CASCADE,
        period    TEXT NOT NULL,
        days      TEXT NOT NULL CHECK (json_valid(days)),
        summary   TEXT CHECK (summary IS NULL OR json_valid(summary))
      ) WITHOUT ROWID;

      -- Written before report name concealment is turned off, deleted once it is back on: a row
      -- left by a killed process means "restore it" at the next start.
      CREATE TABLE report_concealment_restore (
        tenant_id TEXT PRIMARY KEY REFERENCES tenants(id) ON DELETE CASCADE,
        set_at    TEXT NOT NULL
      ) WITHOUT ROWID;
    `,
  },
  {
    version: 7,
    name: 'identity: sign-ins, MFA registration, security posture, subscriptions; users.on_premises_sync_enabled',
    // Sign-ins and MFA are read beside the directory, not inside its snapshot: they are keyed by
    // user id and replaced as a whole by generation (written page by page, flipped in
    // identity_generations at the end), so a failed read keeps the last good one. Readers join
    // them to a snapshot's users by (tenant, generation, user id), the primary key.
    sql: `
      ALTER TABLE users ADD COLUMN on_premises_sync_enabled INTEGER;

      CREATE TABLE identity_generations (
        tenant_id  TEXT NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
        source     TEXT NOT NULL CHECK (source IN ('sign_in', 'mfa')),
        generation INTEGER NOT NULL,
        as_of      TEXT NOT NULL,
        PRIMARY KEY (tenant_id, source)
      ) WITHOUT ROWID;

      CREATE TABLE user_sign_ins (
        tenant_id                    TEXT NOT NULL,
        generation                   INTEGER NOT NULL,
        user_id                      TEXT NOT NULL,
        last_sign_in                 TEXT,
        last_non_interactive_sign_in TEXT,
        last_successful_sign_in      TEXT,
        PRIMARY KEY (tenant_id, generation, user_id)
      ) WITHOUT ROWID;

      CREATE TABLE user_mfa (
        tenant_id      TEXT NOT NULL,
        generation     INTEGER NOT NULL,
        user_id        TEXT NOT NULL,
        mfa_registered INTEGER NOT NULL,
        mfa_capable    INTEGER NOT NULL,
        is_admin       INTEGER NOT NULL,
        methods        TEXT NOT NULL DEFAULT '[]' CHECK (json_valid(methods)),
        PRIMARY KEY (tenant_id, generation, user_id)
      ) WITHOUT ROWID;

      -- One row per tenant and component: figures stay when a later attempt fails (then stale, with the reason).
      CREATE TABLE security_posture (
        tenant_id       TEXT NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
        component       TEXT NOT NULL,
        figures         TEXT CHECK (figures IS NULL OR json_valid(figures)),
        as_of           TEXT,
        last_attempt_at TEXT NOT NULL,
        error_code      TEXT,
        reason          TEXT,
        PRIMARY KEY (tenant_id, component)
      ) WITHOUT ROWID;

      CREATE TABLE subscriptions (
        tenant_id         TEXT NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
        sku_id            TEXT NOT NULL,
        subscription_id   TEXT NOT NULL,
        sku_part_number   TEXT NOT NULL,
        status            TEXT NOT NULL,
        total_licenses    INTEGER NOT NULL,
        created_at        TEXT,
        next_lifecycle_at TEXT,
        is_trial          INTEGER NOT NULL,
        PRIMARY KEY (tenant_id, sku_id, subscription_id)
      ) WITHOUT ROWID;
    `,
  },
  {
    version: 8,
    name: 'Copilot interactions from the audit log: last interaction per user, dedup keys, cursors',
    // Both audit roads (Graph's audit log query, the Management Activity API) carry the same unified
    // audit records, so dedup keys are per tenant and record id, whichever source saw it first.
    // Pages are committed with their cursor in one transaction: a crash resumes after the last page.
    sql: `
      CREATE TABLE copilot_last_interactions (
        tenant_id       TEXT NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
        upn             TEXT NOT NULL,
        last_at         TEXT NOT NULL,
        app_host        TEXT,
        source          TEXT NOT NULL CHECK (source IN ('audit_graph', 'audit_management')),
        interactions    INTEGER NOT NULL DEFAULT 0,
        chat_last_at    TEXT,
        -- 1 = Copilot Chat without a Copilot seat in the last published directory; NULL = not judged yet.
        unlicensed_chat INTEGER,
        PRIMARY KEY (tenant_id, upn)
      ) WITHOUT ROWID;
      CREATE INDEX copilot_unlicensed_chat ON copilot_last_interactions (tenant_id, unlicensed_chat, chat_last_at DESC);

      CREATE TABLE audit_seen_records (
        tenant_id  TEXT NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
        record_id  TEXT NOT NULL,
        created_at TEXT NOT NULL,
        PRIMARY KEY (tenant_id, record_id)
      ) WITHOUT ROWID;
      CREATE INDEX audit_seen_by_time ON audit_seen_records (tenant_id, created_at);

      CREATE TABLE audit_cursors (
        tenant_id     TEXT NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
        source        TEXT NOT NULL CHECK (source IN ('audit_graph', 'audit_management')),
        covered_until TEXT,
        pending_query TEXT CHECK (pending_query IS NULL OR json_valid(pending_query)),
        updated_at    TEXT NOT NULL,
        PRIMARY KEY (tenant_id, source)
      ) WITHOUT ROWID;

      CREATE TABLE management_content_fetched (
        tenant_id       TEXT NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
        content_type    TEXT NOT NULL,
        content_id      TEXT NOT NULL,
        content_created TEXT NOT NULL,
        records         INTEGER NOT NULL,
        fetched_at      TEXT NOT NULL,
        PRIMARY KEY (tenant_id, content_type, content_id)
      ) WITHOUT ROWID;
      CREATE INDEX management_content_by_time ON management_content_fetched (tenant_id, content_type, content_created);
    `,
  },
  {
    version: 9,
    name: 'seat analytics per snapshot, seat first-seen dates, prices, exclusion groups, digest subscriptions',
    // Analytics rows belong to a snapshot like its users: written beside it before the flip, dropped
    // with it. Seats and candidates are stored in their list order (seq / rank), so a page is a range.
    // copilot_seat_first_seen outlives snapshots: it is the bot's own evidence of how old a seat is.
    sql: `
      ALTER TABLE user_licenses ADD COLUMN assigned_at TEXT;

      CREATE TABLE copilot_seat_first_seen (
        tenant_id     TEXT NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
        user_id       TEXT NOT NULL,
        sku_id        TEXT NOT NULL,
        first_seen_at TEXT NOT NULL,
        PRIMARY KEY (tenant_id, user_id, sku_id)
      ) WITHOUT ROWID;

      CREATE TABLE copilot_seats (
        tenant_id                TEXT NOT NULL,
        snapshot_id              INTEGER NOT NULL,
        seq                      INTEGER NOT NULL,
        user_id                  TEXT NOT NULL,
        user_principal_name      TEXT NOT NULL,
        display_name             TEXT,
        mail                     TEXT,
        department               TEXT,
        office_location          TEXT,
        account_enabled          INTEGER NOT NULL,
        sku_id                   TEXT NOT NULL,
        sku_part_number          TEXT NOT NULL,
        assigned_via             TEXT NOT NULL CHECK (assigned_via IN ('direct', 'group')),
        direct                   INTEGER NOT NULL,
        groups                   TEXT NOT NULL DEFAULT '[]' CHECK (json_valid(groups)),
        license_assigned_date    TEXT NOT NULL,
        last_activity_date       TEXT,
        last_activity_source     TEXT,
        last_activity_as_of      TEXT,
        days_since_last_activity INTEGER,
        usage_score              INTEGER NOT NULL,
        status                   TEXT NOT NULL CHECK (status IN ('active', 'inactive', 'unknown')),
        recommendation           TEXT NOT NULL CHECK (recommendation IN ('reclaim', 'review', 'excluded', 'keep')),
        tier                     TEXT CHECK (tier IS NULL OR tier IN ('certain', 'probable')),
        reasons                  TEXT NOT NULL DEFAULT '[]' CHECK (json_valid(reasons)),
        PRIMARY KEY (tenant_id, snapshot_id, seq)
      ) WITHOUT ROWID;
      CREATE INDEX copilot_seats_by_status ON copilot_seats (tenant_id, snapshot_id, status, seq);
      CREATE INDEX copilot_seats_by_recommendation ON copilot_seats (tenant_id, snapshot_id, recommendation, tier, seq);
      CREATE INDEX copilot_seats_by_tier ON copilot_seats (tenant_id, snapshot_id, tier, seq);
      CREATE INDEX copilot_seats_by_department ON copilot_seats (tenant_id, snapshot_id, department COLLATE NOCASE, seq);
      CREATE INDEX copilot_seats_by_user ON copilot_seats (tenant_id, snapshot_id, user_principal_name COLLATE NOCASE);

      CREATE TABLE copilot_candidates (
        tenant_id           TEXT NOT NULL,
        snapshot_id         INTEGER NOT NULL,
        rank                INTEGER NOT NULL,
        user_id             TEXT NOT NULL,
        user_principal_name TEXT NOT NULL,
        display_name        TEXT,
        mail                TEXT,
        department          TEXT,
        office_location     TEXT,
        m365_activity_score INTEGER NOT NULL,
        priority            TEXT NOT NULL CHECK (priority IN ('High', 'Medium', 'Low')),
        chat_last_at        TEXT,
        chat_interactions   INTEGER,
        reasons             TEXT NOT NULL DEFAULT '[]' CHECK (json_valid(reasons)),
        PRIMARY KEY (tenant_id, snapshot_id, rank)
      ) WITHOUT ROWID;
      CREATE INDEX copilot_candidates_by_priority ON copilot_candidates (tenant_id, snapshot_id, priority, rank);
      CREATE INDEX copilot_candidates_by_department ON copilot_candidates (tenant_id, snapshot_id, department COLLATE NOCASE, rank);

      CREATE TABLE copilot_summaries (
        tenant_id   TEXT NOT NULL,
        snapshot_id INTEGER NOT NULL,
        computed_at TEXT NOT NULL,
        summary     TEXT NOT NULL CHECK (json_valid(summary)),
        PRIMARY KEY (tenant_id, snapshot_id)
      ) WITHOUT ROWID;

      CREATE TABLE sku_prices (
        tenant_id       TEXT NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
        sku_id          TEXT NOT NULL,
        sku_part_number TEXT NOT NULL,
        amount          REAL NOT NULL CHECK (amount >= 0),
        currency        TEXT NOT NULL,
        set_by          TEXT NOT NULL,
        set_at          TEXT NOT NULL,
        PRIMARY KEY (tenant_id, sku_id)
      ) WITHOUT ROWID;

      CREATE TABLE exclusion_group_members (
        tenant_id TEXT NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
        group_id  TEXT NOT NULL,
        user_id   TEXT NOT NULL,
        read_at   TEXT NOT NULL,
        PRIMARY KEY (tenant_id, group_id, user_id)
      ) WITHOUT ROWID;

      CREATE TABLE digest_subscriptions (
        conversation_id TEXT PRIMARY KEY,
        local_time      TEXT NOT NULL,
        time_zone       TEXT NOT NULL,
        status          TEXT NOT NULL CHECK (status IN ('active', 'paused')),
        paused_reason   TEXT,
        paused_at       TEXT,
        created_by      TEXT NOT NULL,
        created_at      TEXT NOT NULL,
        updated_at      TEXT NOT NULL,
        last_day        TEXT
      ) WITHOUT ROWID;
      CREATE INDEX digest_subscriptions_by_status ON digest_subscriptions (status, conversation_id);
    `,
  },
  {
    version: 10,
    name: 'digest subscriptions keep their conversation reference and last delivery',
    // The reference is the subscription's own: a digest keeps its target even when the conversations
    // table forgets the chat, and the pause on 403/404 is what stops it.
    sql: `
      ALTER TABLE digest_subscriptions ADD COLUMN reference TEXT NOT NULL DEFAULT '{}';
      ALTER TABLE digest_subscriptions ADD COLUMN last_delivered_at TEXT;
      ALTER TABLE digest_subscriptions ADD COLUMN last_delivered_day TEXT;
    `,
  },
  {
    version: 11,
    name: 'users by Entra object id, for the admin check',
    // Teams sends only the sender's object id; ADMINS may list UPNs, so each admin-only command
    // looks the id up in the current snapshot. Without this index that is a scan of the snapshot.
    sql: `
      CREATE INDEX users_by_object_id ON users (tenant_id, snapshot_id, user_id);
    `,
  },
  {
    version: 12,
    name: 'licence reclaim: requests, items, every transition, keeps, approvals conversation, Teams user ids',
    sql: `
      CREATE TABLE reclaim_requests (
        id                TEXT PRIMARY KEY,
        tenant_id         TEXT NOT NULL,
        mode              TEXT NOT NULL CHECK (mode IN ('dry-run', 'on')),
        source            TEXT NOT NULL,
        requested_by_id   TEXT,
        requested_by_name TEXT,
        requested_at      TEXT NOT NULL,
        nudge             INTEGER NOT NULL DEFAULT 0,
        nudge_until       TEXT,
        expires_at        TEXT NOT NULL,
        decision          TEXT CHECK (decision IN ('approved', 'rejected')),
        decided_by_id     TEXT,
        decided_by_name   TEXT,
        decided_at        TEXT,
        approvals_target  TEXT NOT NULL,
        card_activity_id  TEXT,
        version           INTEGER NOT NULL DEFAULT 1
      );
      CREATE INDEX reclaim_requests_by_tenant ON reclaim_requests (tenant_id, requested_at DESC, id);

      CREATE TABLE reclaim_items (
        id                  INTEGER PRIMARY KEY,
        request_id          TEXT NOT NULL REFERENCES reclaim_requests (id),
        tenant_id           TEXT NOT NULL,
        user_id             TEXT NOT NULL,
        user_principal_name TEXT NOT NULL,
        display_name        TEXT,
        sku_id              TEXT NOT NULL,
        sku_name            TEXT NOT NULL,
        assigned_via        TEXT NOT NULL CHECK (assigned_via IN ('direct', 'group')),
        group_id            TEXT,
        group_name          TEXT,
        evidence            TEXT NOT NULL,
        monthly_saving      REAL,
        currency            TEXT NOT NULL,
        state               TEXT NOT NULL,
        state_reason        TEXT,
        skip_code           TEXT,
        nudge_outcome       TEXT,
        nudge_target        TEXT,
        nudge_activity_id   TEXT,
        remove_from_group   INTEGER NOT NULL DEFAULT 0,
        reassign_to         TEXT,
        reassign_state      TEXT,
        reassign_reason     TEXT,
        disabled_plans      TEXT,
        removed_at          TEXT,
        undo_until          TEXT,
        undo_error          TEXT,
        updated_at          TEXT NOT NULL
      );
      CREATE INDEX reclaim_items_by_request ON reclaim_items (request_id, id);
      CREATE INDEX reclaim_items_by_state ON reclaim_items (state, request_id);
      CREATE INDEX reclaim_items_by_user ON reclaim_items (tenant_id, user_id, id);
      CREATE INDEX reclaim_items_by_upn ON reclaim_items (tenant_id, user_principal_name COLLATE NOCASE, id);
      CREATE INDEX reclaim_items_by_tenant ON reclaim_items (tenant_id, id);
      CREATE INDEX reclaim_items_by_tenant_state ON reclaim_items (tenant_id, state, id);
      -- One open item per seat: two requests cannot walk the same licence at once.
      CREATE UNIQUE INDEX reclaim_items_one_open ON reclaim_items (tenant_id, user_id, sku_id)
        WHERE state IN ('requested', 'nudged', 'approved', 'rechecking', 'removing');

      CREATE TABLE reclaim_transitions (
        id          INTEGER PRIMARY KEY,
        item_id     INTEGER NOT NULL REFERENCES reclaim_items (id),
        request_id  TEXT NOT NULL,
        from_state  TEXT,
        to_state    TEXT NOT NULL,
        at          TEXT NOT NULL,
        actor_id    TEXT,
        actor_name  TEXT,
        reason      TEXT
      );
      CREATE INDEX reclaim_transitions_by_item ON reclaim_transitions (item_id, id);
      CREATE INDEX reclaim_transitions_by_request ON reclaim_transitions (request_id, id);

      CREATE TABLE reclaim_keeps (
        tenant_id   TEXT NOT NULL,
        user_id     TEXT NOT NULL,
        sku_id      TEXT NOT NULL,
        kept_until  TEXT NOT NULL,
        kept_by_id  TEXT,
        kept_at     TEXT NOT NULL,
        PRIMARY KEY (tenant_id, user_id, sku_id)
      ) WITHOUT ROWID;

      CREATE TABLE reclaim_settings (
        tenant_id         TEXT PRIMARY KEY,
        approvals_target  TEXT NOT NULL,
        set_by_id         TEXT,
        set_at            TEXT NOT NULL
      );

      -- The reclaim reads a seat by its holder's object id.
      CREATE INDEX copilot_seats_by_user_id ON copilot_seats (tenant_id, snapshot_id, user_id);

      CREATE TABLE teams_users (
        aad_object_id  TEXT PRIMARY KEY,
        teams_user_id  TEXT NOT NULL,
        seen_at        TEXT NOT NULL
      ) WITHOUT ROWID;
    `,
  },
  {
    version: 13,
    name: 'reclaim nudge and reassign: a holder\'s personal chat by object id; seats being given to a candidate',
    sql: `
      ALTER TABLE conversations ADD COLUMN user_aad_object_id TEXT;
      UPDATE conversations SET user_aad_object_id = lower(json_extract(reference, '$.user.aadObjectId'))
        WHERE conversation_type = 'personal';
      CREATE INDEX conversations_personal_by_user ON conversations (user_aad_object_id, updated_at DESC)
        WHERE conversation_type = 'personal' AND active = 1;
      -- What the holder's question card last told them (holderPhase): it is sent again only when that changes.
      ALTER TABLE reclaim_items ADD COLUMN nudge_shown TEXT;
      -- Start-up resumes seats removed but not yet given to the chosen candidate.
      CREATE INDEX reclaim_items_reassigning ON reclaim_items (request_id) WHERE reassign_state IN ('pending', 'assigning');
      -- Candidates already offered by open requests are not offered twice.
      CREATE INDEX reclaim_items_offered ON reclaim_items (tenant_id, state, id) WHERE reassign_to IS NOT NULL;
    `,
  },
  {
    version: 14,
    name: 'reclaim re-check: the fresh activity read (how fresh, what it waits for, a query left running); users by UPN',
    sql: `
      ALTER TABLE reclaim_requests ADD COLUMN recheck TEXT;
      -- Approvers and admins configured by UPN are resolved to object ids (the request card's refresh names them by Teams id).
      CREATE INDEX users_by_upn ON users (tenant_id, snapshot_id, user_principal_name COLLATE NOCASE);
    `,
  },
  {
    version: 15,
    name: 'reclaim: a group seat the user also holds directly',
    sql: `
      -- 1: the licence is assigned directly as well as by the item's group; approving with "remove from group" removes both.
      ALTER TABLE reclaim_items ADD COLUMN also_direct INTEGER NOT NULL DEFAULT 0;
    `,
  },
  {
    version: 16,
    name: 'repair: what migrations 12, 13 and 14 gained after they had landed',
    // Migrations 12-14 were edited after some databases had applied them (before checksums were
    // stored), so a database created in between lacks what was added: 12 gained
    // reclaim_items_by_tenant_state and copilot_seats_by_user_id, 13 gained reclaim_items.nudge_shown,
    // reclaim_items_reassigning and reclaim_items_offered, 14 gained users_by_upn. Each is added only
    // where missing; on any other database this changes nothing.
    addMissingColumns: [{ table: 'reclaim_items', column: 'nudge_shown', definition: 'TEXT' }],
    sql: `
      CREATE INDEX IF NOT EXISTS reclaim_items_by_tenant_state ON reclaim_items (tenant_id, state, id);
      CREATE INDEX IF NOT EXISTS copilot_seats_by_user_id ON copilot_seats (tenant_id, snapshot_id, user_id);
      CREATE INDEX IF NOT EXISTS reclaim_items_reassigning ON reclaim_items (request_id) WHERE reassign_state IN ('pending', 'assigning');
      CREATE INDEX IF NOT EXISTS reclaim_items_offered ON reclaim_items (tenant_id, state, id) WHERE reassign_to IS NOT NULL;
      CREATE INDEX IF NOT EXISTS users_by_upn ON users (tenant_id, snapshot_id, user_principal_name COLLATE NOCASE);
    `,
  },
  {
    version: 17,
    name: 'seat analytics: a key of the inputs each row was decided from, so the next sync copies unchanged rows',
    sql: `
      -- NULL (rows stored before this version): decided again at the next sync.
      ALTER TABLE copilot_seats ADD COLUMN inputs_key TEXT;
      ALTER TABLE copilot_candidates ADD COLUMN inputs_key TEXT;
    `,
  },
  {
    version: 18,
    name: 'seat analytics: candidates by user, so the next sync finds unchanged members inside SQLite',
    sql: `
      CREATE INDEX copilot_candidates_by_user_id ON copilot_candidates (tenant_id, snapshot_id, user_id, inputs_key);
    `,
  },
  {
    version: 19,
    name: 'tenants: a sync interval per tenant, and tenants listed by MSP client',
    sql: `
      -- NULL: the tenant follows SYNC_CRON, as every tenant did before this version.
      ALTER TABLE tenants ADD COLUMN sync_interval_hours INTEGER CHECK (sync_interval_hours BETWEEN 1 AND 168);
      CREATE INDEX tenants_by_client ON tenants (client_id, tenant_name, id);
    `,
  },
  {
    version: 20,
    name: 'tenants: names given through the REST API are kept by syncs',
    sql: `
      -- 1: tenant_name and domain_name came from POST or PATCH /api/v1/m365/tenants and a sync
      -- leaves them; 0: a sync takes them from the tenant's own /organization, as before.
      ALTER TABLE tenants ADD COLUMN names_from_admin INTEGER NOT NULL DEFAULT 0 CHECK (names_from_admin IN (0, 1));
    `,
  },
  {
    version: 21,
    name: 'digest subscriptions: one portfolio card instead of a card per tenant',
    sql: `
      -- 'tenants' (every subscription before this version): a digest card per tenant.
      ALTER TABLE digest_subscriptions ADD COLUMN layout TEXT NOT NULL DEFAULT 'tenants' CHECK (layout IN ('tenants', 'portfolio'));
    `,
  },
  {
    version: 22,
    name: 'access per MSP client: which technicians see which clients\' tenants, and who approves there',
    sql: `
      -- principal: an Entra object id or a UPN, lower-case; client_id: the MSP client, lower-case, or '*' for every client.
      CREATE TABLE access_grants (
        principal  TEXT NOT NULL,
        client_id  TEXT NOT NULL,
        approve    INTEGER NOT NULL DEFAULT 0 CHECK (approve IN (0, 1)),
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL,
        PRIMARY KEY (principal, client_id)
      ) WITHOUT ROWID;
    `,
  },
  {
    version: 23,
    name: 'department chargeback: per-department Copilot seat counts of the last sync of each day, kept 90 days',
    sql: `
      -- One row per tenant, UTC day and department (department_key: lower-case name, '' for no
      -- department); the last sync of a day replaces the day's rows. Counts only: money is worked
      -- out when read, at the current prices, like the seat summary.
      CREATE TABLE copilot_department_days (
        tenant_id      TEXT NOT NULL,
        day            TEXT NOT NULL,
        department_key TEXT NOT NULL,
        department     TEXT NOT NULL,
        snapshot_id    INTEGER NOT NULL,
        seats          INTEGER NOT NULL,
        active         INTEGER NOT NULL,
        idle           INTEGER NOT NULL,
        -- JSON [{skuId, seats, active, idle}]: each SKU has its own price.
        skus           TEXT NOT NULL,
        PRIMARY KEY (tenant_id, day, department_key)
      ) WITHOUT ROWID;
    `,
  },
  {
    version: 24,
    name: 'admin consent of the MSP multi-tenant app, per customer tenant',
    sql: `
      -- One row per tenant added with the MSP's app: the consent link's single-use state, and the answer.
      CREATE TABLE msp_app_consents (
        tenant_id    TEXT PRIMARY KEY REFERENCES tenants(id) ON DELETE CASCADE,
        state        TEXT NOT NULL CHECK (state IN ('pending', 'granted', 'refused')),
        nonce        TEXT NOT NULL UNIQUE,
        requested_at TEXT NOT NULL,
        answered_at  TEXT,
        error        TEXT
      ) WITHOUT ROWID;
    `,
  },
  {
    version: 25,
    name: 'daily history per user (Power BI star schema, seat cohorts): stable user keys, captured days, value intervals',
    sql: `
      -- Surrogate keys for the star schema: one per tenant and Entra user, never reused or renumbered,
      -- so UserKey is the same from day to day and across exports.
      CREATE TABLE history_user_keys (
        user_key  INTEGER PRIMARY KEY,
        tenant_id TEXT NOT NULL,
        user_id   TEXT NOT NULL,
        UNIQUE (tenant_id, user_id)
      );

      -- The UTC days that have history: the last sync of a day (its snapshot) stands for the day.
      -- A day without a sync has no row here and no facts.
      CREATE TABLE history_days (
        tenant_id   TEXT NOT NULL,
        day         TEXT NOT NULL,
        snapshot_id INTEGER NOT NULL,
        captured_at TEXT NOT NULL,
        PRIMARY KEY (tenant_id, day)
      ) WITHOUT ROWID;

      -- Per user, runs of days with the same values: a row covers every captured day from from_day to
      -- to_day (NULL: still current), so a user whose values do not change costs no write a day.
      -- Days since last activity are derived per day from last_activity_date, not stored.
      -- copilot_status is the seat's status that day (active / inactive / unknown), NULL without a seat;
      -- licenses is the sorted JSON array of the SKU ids held; department NULL when Entra has none.
      CREATE TABLE user_history (
        tenant_id          TEXT NOT NULL,
        user_key           INTEGER NOT NULL,
        from_day           TEXT NOT NULL,
        to_day             TEXT,
        has_copilot        INTEGER NOT NULL,
        copilot_status     TEXT CHECK (copilot_status IS NULL OR copilot_status IN ('active', 'inactive', 'unknown')),
        usage_score        INTEGER,
        last_activity_date TEXT,
        licenses           TEXT NOT NULL DEFAULT '[]' CHECK (json_valid(licenses)),
        department         TEXT,
        PRIMARY KEY (tenant_id, user_key, from_day)
      ) WITHOUT ROWID;
      CREATE INDEX user_history_by_day ON user_history (tenant_id, from_day);
      CREATE INDEX user_history_open ON user_history (tenant_id, to_day);
    `,
  },
  {
    version: 26,
    name: 'a change counter of the tenants table, so its readers keep the list in memory until it changes',
    sql: `
      -- Every bot turn and portfolio request lists the tenants (500 rows for an MSP, about 0.3 ms
      -- each time). Triggers count each change, from any connection (the snapshot writer thread
      -- publishes through its own), so a reader compares one integer instead of reading the table.
      CREATE TABLE tenants_version (
        only    INTEGER PRIMARY KEY CHECK (only = 1),
        version INTEGER NOT NULL
      );
      INSERT INTO tenants_version (only, version) VALUES (1, 0);
      CREATE TRIGGER tenants_version_insert AFTER INSERT ON tenants
        BEGIN UPDATE tenants_version SET version = version + 1; END;
      CREATE TRIGGER tenants_version_update AFTER UPDATE ON tenants
        BEGIN UPDATE tenants_version SET version = version + 1; END;
      CREATE TRIGGER tenants_version_delete AFTER DELETE ON tenants
        BEGIN UPDATE tenants_version SET version = version + 1; END;
    `,
  },
  {
    version: 27,
    name: 'group members by user: grants to an Entra group of the MSP tenant',
    sql: `
      -- exclusion_group_members also holds the members of groups that access grants name
      -- (group:<object id>); every bot turn asks which of those groups its sender is in.
      CREATE INDEX exclusion_group_members_by_user ON exclusion_group_members (user_id, tenant_id, group_id);
    `,
  },
  {
    version: 28,
    name: 'seat cohorts: the seat intervals of the daily history in user and day order; the figures per month',
    sql: `
      -- Only the intervals with a Copilot seat (a fraction of the users), in the order the cohorts
      -- reduce them per user, with every column they read: no interval of a user without a seat, no
      -- table lookup, no sort.
      CREATE INDEX user_history_seat_intervals ON user_history (tenant_id, user_key, from_day, to_day, last_activity_date)
        WHERE has_copilot = 1;

      -- The cohort figures of each month of the kept history, worked out on the snapshot writer thread
      -- after the first recorded sync of each day (reading every seat interval costs seconds for a large
      -- tenant: never on a request). figures: JSON of CohortMonth without reclaimed and partial, which
      -- are read live.
      CREATE TABLE copilot_cohort_months (
        tenant_id   TEXT NOT NULL,
        month       TEXT NOT NULL,
        figures     TEXT NOT NULL CHECK (json_valid(figures)),
        computed_at TEXT NOT NULL,
        PRIMARY KEY (tenant_id, month)
      ) WITHOUT ROWID;
    `,
  },
  {
    version: 29,
    name: 'webhooks: endpoints, the event log with per-tenant sequence numbers, deliveries',
    sql: `
      -- Where events go. events, tenant_ids and client_ids are JSON arrays; both scope lists empty =
      -- every tenant. owner_clients: the clients of the client-scoped API key that made the endpoint
      -- (JSON array), NULL for an unscoped key. Secrets are sealed with SECRET_STORE_KEY; the
      -- previous one still signs until previous_secret_until (a rotation's grace period).
      CREATE TABLE webhook_endpoints (
        id                     INTEGER PRIMARY KEY AUTOINCREMENT,
        url                    TEXT NOT NULL,
        description            TEXT,
        events                 TEXT NOT NULL CHECK (json_valid(events)),
        tenant_ids             TEXT NOT NULL DEFAULT '[]' CHECK (json_valid(tenant_ids)),
        client_ids             TEXT NOT NULL DEFAULT '[]' CHECK (json_valid(client_ids)),
        owner_clients          TEXT CHECK (owner_clients IS NULL OR json_valid(owner_clients)),
        enabled                INTEGER NOT NULL DEFAULT 1 CHECK (enabled IN (0, 1)),
        disabled_reason        TEXT,
        disabled_at            TEXT,
        secret_sealed          TEXT NOT NULL,
        previous_secret_sealed TEXT,
        previous_secret_until  TEXT,
        created_at             TEXT NOT NULL,
        updated_at             TEXT NOT NULL
      );

      -- Every event recorded, once per id. body is the exact JSON sent and signed. sequence counts a
      -- tenant's events from 1 without gaps; a test ping has no tenant and no sequence.
      CREATE TABLE webhook_events (
        id          TEXT PRIMARY KEY,
        tenant_id   TEXT,
        sequence    INTEGER,
        type        TEXT NOT NULL,
        occurred_at TEXT NOT NULL,
        body        TEXT NOT NULL,
        recorded_at TEXT NOT NULL
      );
      CREATE UNIQUE INDEX webhook_events_by_sequence ON webhook_events (tenant_id, sequence);

      CREATE TABLE webhook_sequences (
        tenant_id     TEXT PRIMARY KEY,
        last_sequence INTEGER NOT NULL
      ) WITHOUT ROWID;

      -- One event to one endpoint; its attempts run as the outbox job job_key names. An event is
      -- inserted once, and its deliveries only then, so (endpoint_id, event_id) needs no unique index
      -- (each index costs a sync that records 10,000 events).
      -- status: pending (not tried yet), failed (tried, retried later), delivered, dead (out of
      -- attempts, or the endpoint was disabled or answered 410).
      CREATE TABLE webhook_deliveries (
        id                 INTEGER PRIMARY KEY AUTOINCREMENT,
        endpoint_id        INTEGER NOT NULL REFERENCES webhook_endpoints(id) ON DELETE CASCADE,
        event_id           TEXT NOT NULL,
        tenant_id          TEXT,
        job_key            TEXT, -- NULL: webhook-delivery:<id>; a replay of a finished job names its new one
        status             TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'failed', 'delivered', 'dead')),
        attempts           INTEGER NOT NULL DEFAULT 0,
        last_status_code   INTEGER,
        last_error         TEXT,
        last_response_body TEXT,
        last_attempt_at    TEXT,
        next_attempt_at    TEXT,
        delivered_at       TEXT,
        created_at         TEXT NOT NULL
      );
      CREATE INDEX webhook_deliveries_by_status ON webhook_deliveries (endpoint_id, status, id);
      CREATE INDEX webhook_deliveries_by_endpoint ON webhook_deliveries (endpoint_id, id);
    `,
  },
  {
    version: 30,
    name: 'webhook event sources: a compact licence set per user and snapshot, and the last security observation per tenant',
    sql: `
      -- Per 1024 users of a snapshot (by user_seq), a JSON array [user_id, fingerprint, ...]: the
      -- fingerprint stands for the SKUs the user holds in effect and how (direct, which groups).
      -- The next sync compares its users with these instead of re-reading every licence row.
      CREATE TABLE user_licence_sets (
        tenant_id   TEXT NOT NULL,
        snapshot_id INTEGER NOT NULL,
        chunk       INTEGER NOT NULL,
        entries     TEXT NOT NULL,
        PRIMARY KEY (tenant_id, snapshot_id, chunk)
      ) WITHOUT ROWID;

      -- Per tenant, what the last sync saw of its security (component statuses, users at risk), JSON:
      -- the next sync's m365.security.risk_detected events are what got worse since.
      CREATE TABLE security_observations (
        tenant_id   TEXT PRIMARY KEY REFERENCES tenants(id) ON DELETE CASCADE,
        observation TEXT NOT NULL CHECK (json_valid(observation)),
        observed_at TEXT NOT NULL
      ) WITHOUT ROWID;
    `,
  },
];

/**
 * Migrations that a database may have applied under another number. Migration 15 landed as 14
 * (commit 5bc0eab); the next landing put the reclaim re-check's migration before it as 14. A
 * database that applied it as 14 has its row moved to 15 before anything else, so that 14 (the
 * re-check) is applied and 15 is not applied a second time.
 */
export const renumberedMigrations: ReadonlyArray<{ version: number; name: string; now: number }> = [
  { version: 14, name: 'reclaim: a group seat the user also holds directly', now: 15 },
];
