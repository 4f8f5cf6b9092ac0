import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateDemoTenant } from '../demo-tenant/generator';
import { ConversationStore } from '../src/adapters/sqlite/conversations';
import { SqliteCopilotInteractionStore } from '../src/adapters/sqlite/copilot-interactions';
import { databaseFile, type Db } from '../src/adapters/sqlite/database';
import { DirectoryReader } from '../src/adapters/sqlite/directory';
import { SqliteIdentityStore } from '../src/adapters/sqlite/identity-store';
import { SyncRunStore } from '../src/adapters/sqlite/sync-runs';
import { TenantStore } from '../src/adapters/sqlite/tenants';
import { UserLookup } from '../src/adapters/sqlite/user-lookup';
import { SqliteAccessGroupMembers } from '../src/adapters/sqlite/exclusion-group-store';
import { SqliteUsageReports } from '../src/adapters/sqlite/usage-reports';
import { SqliteAnalyticsReads } from '../src/adapters/sqlite/analytics-reads';
import { SqlitePriceBook } from '../src/adapters/sqlite/price-book';
import { SqliteDepartmentSeats } from '../src/adapters/sqlite/department-seats';
import { SqliteDepartmentTrend } from '../src/adapters/sqlite/department-trend';
import { startHarness, type Harness } from './helpers/harness';
import { SqliteReclaimStore } from '../src/adapters/sqlite/reclaim-store';
import { SqliteReclaimSeats } from '../src/adapters/sqlite/reclaim-seats';
import { SqliteTeamsUserIds } from '../src/adapters/sqlite/teams-users';

/**
 * Every read the API, the bot and the status card make must walk an index in the order it
 * returns rows: no whole-snapshot sort (USE TEMP B-TREE) and no table scan per request. The reads
 * run through the real stores on a second connection to the app's file that records each SQL
 * statement with its parameters, and each recorded SELECT is then explained.
 */
let h: Harness;
let db: Db;
let statements: string[] = [];
let tenantId: string;

beforeAll(async () => {
  h = await startHarness({ data: generateDemoTenant({ users: 600, seed: 11 }) });
  tenantId = h.app.tenants.list()[0].id;
  expect((await h.app.sync.request(tenantId, 'test').done).status).toBe('success');
  h.app.conversations.save({
    conversationId: 'a:plan-test',
    entraTenantId: 'teams-tenant',
    conversationType: 'personal',
    name: null,
    teamId: null,
    serviceUrl: 'http://127.0.0.1:1/',
    reference: { serviceUrl: 'http://127.0.0.1:1/', conversation: { id: 'c' } },
  });
  db = new Database(databaseFile(h.config.dataDir), { readonly: true, verbose: (sql) => statements.push(String(sql)) });
});
afterAll(async () => {
  db?.close();
  await h?.close();
});

interface PlanRow {
  detail: string;
}

/** The SELECTs a read ran, each with its query plan. */
async function plansOf(read: () => unknown): Promise<Array<{ sql: string; plan: string[] }>> {
  statements = [];
  await read();
  const selects = statements.filter((s) => /^\s*(WITH|SELECT)\b/i.test(s));
  statements = [];
  return selects.map((sql) => ({
    sql,
    plan: (db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all() as PlanRow[]).map((r) => r.detail),
  }));
}

/** Plan lines that mean work proportional to a table or a snapshot rather than to the rows returned. */
function problems(plan: string[]): string[] {
  return plan.filter(
    (line) => /USE TEMP B-TREE/.test(line) || (/^SCAN \w+/.test(line) && !/ USING | VIRTUAL TABLE/.test(line)),
  );
}

const directory = () => new DirectoryReader(db);
/** A page reads its positions from the stored order, then its users (and licenses) by primary key. */
const ORDER_RANGE =
  /^SEARCH user_order USING PRIMARY KEY \(tenant_id=\? AND snapshot_id=\? AND filter=\? AND chunk>\? AND chunk<\?\)/;
const USERS_BY_SEQ = /^SEARCH u USING PRIMARY KEY \(tenant_id=\? AND snapshot_id=\? AND user_seq=\?\)/;
const page = { limit: 100, offset: 0 };

describe('query plans of every list and lookup', () => {
  const cases: Array<[string, () => unknown, RegExp[]]> = [
    ['users page', () => directory().users(tenantId, page), [ORDER_RANGE, USERS_BY_SEQ]],
    [
      'users page, deep offset',
      () => directory().users(tenantId, { limit: 50, offset: 550 }),
      [ORDER_RANGE, USERS_BY_SEQ],
    ],
    [
      'users page, enabled accounts',
      () => directory().users(tenantId, { ...page, accountEnabled: true }),
      [ORDER_RANGE, USERS_BY_SEQ],
    ],
    [
      'users page, disabled accounts',
      () => directory().users(tenantId, { ...page, accountEnabled: false }),
      [ORDER_RANGE, USERS_BY_SEQ],
    ],
    // LIKE '%q%' cannot use a b-tree: the search reads its snapshot's key range (on the read worker in the app).
    [
      'users search',
      () => directory().users(tenantId, { ...page, search: 'an' }),
      [/^SEARCH users USING PRIMARY KEY \(tenant_id=\? AND snapshot_id=\?\)/],
    ],
    [
      'users search, enabled accounts',
      () => directory().users(tenantId, { ...page, search: 'an', accountEnabled: true }),
      [/^SEARCH users USING PRIMARY KEY/],
    ],
    // MFA lives beside the snapshot: each user's state by both primary keys (once per snapshot and MFA generation), then the page by user_seq.
    // (It reads only user_seq and user_id there, which users_by_object_id covers in fewer pages than the table.)
    [
      'users page, mfa_enabled',
      () => directory().users(tenantId, { ...page, mfaEnabled: false }),
      [
        /^SEARCH u USING (PRIMARY KEY|COVERING INDEX users_by_object_id) \(tenant_id=\? AND snapshot_id=\?\)/,
        /^SEARCH m USING PRIMARY KEY \(tenant_id=\? AND generation=\? AND user_id=\?\)/,
        USERS_BY_SEQ,
      ],
    ],
    [
      'users page, mfa_enabled and enabled accounts',
      () => directory().users(tenantId, { ...page, mfaEnabled: true, accountEnabled: true }),
      [/^SEARCH user_order USING PRIMARY KEY/, /^SEARCH m USING PRIMARY KEY/],
    ],
    [
      "a page's sign-ins and MFA",
      () => directory().users(tenantId, page),
      [
        /^SEARCH (user_sign_ins|si) USING PRIMARY KEY \(tenant_id=\? AND generation=\? AND user_id=\?\)/,
        /^SEARCH (user_mfa|m) USING PRIMARY KEY \(tenant_id=\? AND generation=\? AND user_id=\?\)/,
        /^SEARCH identity_generations USING PRIMARY KEY/,
      ],
    ],
    [
      'MFA adoption (/security)',
      () => new SqliteIdentityStore(db).mfaAdoption(tenantId),
      [
        /^SEARCH u USING PRIMARY KEY \(tenant_id=\? AND snapshot_id=\?\)/,
        /^SEARCH m USING PRIMARY KEY \(tenant_id=\? AND generation=\? AND user_id=\?\)/,
      ],
    ],
    [
      'security posture',
      () => new SqliteIdentityStore(db).posture(tenantId),
      [/^SEARCH security_posture USING PRIMARY KEY \(tenant_id=\?\)/],
    ],
    [
      'subscriptions (/licenses dates)',
      () => new SqliteIdentityStore(db).subscriptions(tenantId),
      [/^SEARCH subscriptions USING PRIMARY KEY \(tenant_id=\?\)/],
    ],
    [
      'user counts (status card)',
      () => directory().userCounts(tenantId),
      [/^SEARCH snapshot_stats USING (INDEX|PRIMARY KEY)/],
    ],
    [
      'SKUs',
      () => directory().skus(tenantId),
      [/^SEARCH skus USING INDEX skus_in_card_order \(tenant_id=\? AND snapshot_id=\?\)/],
    ],
    ['tenants list', () => new TenantStore(db).list(), [/^SCAN tenants USING INDEX tenants_by_name/]],
    ['tenant lookup', () => new TenantStore(db).find(tenantId), [/USING INDEX/]],
    [
      'sync runs list',
      () => new SyncRunStore(db).list(tenantId),
      [/^SEARCH sync_runs USING INDEX sync_runs_by_tenant \(tenant_id=\?\)/],
    ],
    [
      'latest finished sync run',
      () => new SyncRunStore(db).latestFinished(tenantId),
      [/^SEARCH sync_runs USING INDEX sync_runs_by_tenant/],
    ],
    [
      'latest sync run',
      () => new SyncRunStore(db).latest(tenantId),
      [/^SEARCH sync_runs USING INDEX sync_runs_by_tenant/],
    ],
    [
      'Copilot usage row by UPN',
      () => new SqliteUsageReports(db).copilotUser(tenantId, 'someone@contoso.com'),
      [/^SEARCH r USING PRIMARY KEY \(tenant_id=\? AND generation=\? AND upn=\?\)/],
    ],
    [
      'Microsoft 365 activity row by UPN',
      () => new SqliteUsageReports(db).m365User(tenantId, 'someone@contoso.com'),
      [/^SEARCH r USING PRIMARY KEY \(tenant_id=\? AND generation=\? AND upn=\?\)/],
    ],
    [
      'usage figures of a period',
      () => new SqliteUsageReports(db).serviceUsage(tenantId, '30d'),
      [/^SEARCH service_usage USING PRIMARY KEY/],
    ],
    [
      'Copilot user count trend',
      () => new SqliteUsageReports(db).copilotTrend(tenantId),
      [/^SEARCH copilot_trend USING PRIMARY KEY \(tenant_id=\?\)/],
    ],
    // Walks one snapshot's users (its key range, or the UPN index that covers it) and looks each up in the report by key.
    [
      'unmatched report rows',
      () => new SqliteUsageReports(db).unmatchedCount(tenantId, 'copilot_usage'),
      [
        /^SEARCH u USING (PRIMARY KEY|COVERING INDEX users_by_upn) \(tenant_id=\? AND snapshot_id=\?\)/,
        /SEARCH r (EXISTS )?USING PRIMARY KEY \(tenant_id=\? AND generation=\? AND upn=\?\)/,
      ],
    ],
    [
      'active conversations',
      () => new ConversationStore(db).listActive(),
      [/^SEARCH conversations USING INDEX conversations_active \(active=\?\)/],
    ],
    [
      'last Copilot interactions',
      () => new SqliteCopilotInteractionStore(db).listLastInteractions(tenantId),
      [/^SEARCH copilot_last_interactions USING PRIMARY KEY \(tenant_id=\?\)/],
    ],
    [
      'last Copilot interaction of a user',
      () => new SqliteCopilotInteractionStore(db).lastInteraction(tenantId, 'a@b.c'),
      [/^SEARCH copilot_last_interactions USING PRIMARY KEY/],
    ],
    [
      'unlicensed Copilot Chat users',
      () => new SqliteCopilotInteractionStore(db).listUnlicensedChatUsers(tenantId),
      [/^SEARCH copilot_last_interactions USING INDEX copilot_unlicensed_chat/],
    ],
    [
      'audit cursor',
      () => new SqliteCopilotInteractionStore(db).cursor(tenantId, 'audit_graph'),
      [/^SEARCH audit_cursors USING PRIMARY KEY/],
    ],
    [
      'fetched Management API content',
      () => new SqliteCopilotInteractionStore(db).fetchedContentIds(tenantId, 'Audit.General', '2020-01-01'),
      [/^SEARCH management_content_fetched USING/],
    ],
    // The admin check: a sender's object id to their UPN, in each tenant's current snapshot.
    [
      'Entra object id of a UPN (approvers by UPN)',
      () => new UserLookup(db).objectIdOf('Megan@Contoso.com'),
      [
        /^SCAN t USING INDEX tenants_by_name/,
        /^SEARCH u USING (COVERING )?INDEX users_by_upn \(tenant_id=\? AND snapshot_id=\? AND user_principal_name=\?\)/,
      ],
    ],
    [
      'UPN of an Entra object id',
      () => new UserLookup(db).upnOf('c1a7e2b4-0f1d-4a3e-9b5c-6d7e8f9a0b1c'),
      [
        /^SCAN t USING INDEX tenants_by_name/,
        /^SEARCH u USING (COVERING )?INDEX users_by_object_id \(tenant_id=\? AND snapshot_id=\? AND user_id=\?\)/,
      ],
    ],
    // Group grants: which granted groups a sender is in, and an approving group's members.
    [
      'granted groups of a sender',
      () =>
        new SqliteAccessGroupMembers(db, () => [tenantId]).groupsOf('c1a7e2b4-0f1d-4a3e-9b5c-6d7e8f9a0b1c', [
          'a1e3c0de-c0b1-4107-8a11-0000000c0b17',
        ]),
      [
        /^SEARCH exclusion_group_members USING COVERING INDEX exclusion_group_members_by_user \(user_id=\? AND tenant_id=\?/,
      ],
    ],
    [
      'members of a granted group',
      () => new SqliteAccessGroupMembers(db, () => [tenantId]).membersOf('a1e3c0de-c0b1-4107-8a11-0000000c0b17'),
      [/^SEARCH exclusion_group_members USING PRIMARY KEY \(tenant_id=\? AND group_id=\?\)/],
    ],
    [
      'Copilot seat summary',
      () => new SqliteAnalyticsReads(db).summary(tenantId),
      [/^SEARCH s USING PRIMARY KEY \(tenant_id=\? AND snapshot_id=\?\)/],
    ],
    [
      'Copilot seats page',
      () => new SqliteAnalyticsReads(db).seats(tenantId, { offset: 20, limit: 10 }),
      [/^SEARCH copilot_seats USING PRIMARY KEY \(tenant_id=\? AND snapshot_id=\?\)/],
    ],
    [
      'Copilot seats by status',
      () => new SqliteAnalyticsReads(db).seats(tenantId, { status: 'inactive', offset: 0, limit: 10 }),
      [/^SEARCH copilot_seats USING (COVERING )?INDEX copilot_seats_by_status/],
    ],
    [
      'Copilot seats by recommendation',
      () => new SqliteAnalyticsReads(db).seats(tenantId, { recommendation: 'reclaim', offset: 0, limit: 10 }),
      [/^SEARCH copilot_seats USING (COVERING )?INDEX copilot_seats_by_recommendation/],
    ],
    [
      'Copilot seats by recommendation and tier',
      () =>
        new SqliteAnalyticsReads(db).seats(tenantId, {
          recommendation: 'reclaim',
          tier: 'certain',
          offset: 0,
          limit: 10,
        }),
      [/^SEARCH copilot_seats USING (COVERING )?INDEX copilot_seats_by_(recommendation|tier)/],
    ],
    [
      'Copilot seats by tier',
      () => new SqliteAnalyticsReads(db).seats(tenantId, { tier: 'probable', offset: 0, limit: 10 }),
      [/^SEARCH copilot_seats USING (COVERING )?INDEX copilot_seats_by_tier/],
    ],
    [
      'Copilot seats by department',
      () => new SqliteAnalyticsReads(db).seats(tenantId, { department: 'sales', offset: 0, limit: 10 }),
      [/^SEARCH copilot_seats USING (COVERING )?INDEX copilot_seats_by_department/],
    ],
    [
      'Copilot seats by status and department',
      () =>
        new SqliteAnalyticsReads(db).seats(tenantId, { status: 'active', department: 'Sales', offset: 0, limit: 10 }),
      [/^SEARCH copilot_seats USING (COVERING )?INDEX copilot_seats_by_/],
    ],
    [
      'Copilot seats by recommendation and status',
      () =>
        new SqliteAnalyticsReads(db).seats(tenantId, {
          recommendation: 'review',
          status: 'unknown',
          offset: 0,
          limit: 10,
        }),
      [/^SEARCH copilot_seats USING INDEX copilot_seats_by_recommendation/],
    ],
    [
      'seat candidates by priority and department',
      () =>
        new SqliteAnalyticsReads(db).candidates(tenantId, {
          priority: 'Low',
          department: 'Sales',
          offset: 0,
          limit: 10,
        }),
      [/^SEARCH copilot_candidates USING INDEX copilot_candidates_by_department/],
    ],
    [
      'seat candidates page',
      () => new SqliteAnalyticsReads(db).candidates(tenantId, { offset: 0, limit: 10 }),
      [/^SEARCH copilot_candidates USING PRIMARY KEY \(tenant_id=\? AND snapshot_id=\?\)/],
    ],
    [
      'seat candidates by priority',
      () => new SqliteAnalyticsReads(db).candidates(tenantId, { priority: 'High', offset: 0, limit: 10 }),
      [/^SEARCH copilot_candidates USING (COVERING )?INDEX copilot_candidates_by_priority/],
    ],
    [
      'seat candidates by department',
      () => new SqliteAnalyticsReads(db).candidates(tenantId, { department: 'Sales', offset: 0, limit: 10 }),
      [/^SEARCH copilot_candidates USING (COVERING )?INDEX copilot_candidates_by_department/],
    ],
    [
      'Copilot seats per department (departments, the digest)',
      () => new SqliteDepartmentSeats(db).current(tenantId),
      [
        /^SEARCH s USING PRIMARY KEY \(tenant_id=\? AND snapshot_id=\?\)/,
        /^SEARCH copilot_seats USING INDEX copilot_seats_by_department \(tenant_id=\? AND snapshot_id=\?\)/,
      ],
    ],
    [
      'the department trend of a tenant',
      () => new SqliteDepartmentTrend(db).days(tenantId, '2026-01-01'),
      [/^SEARCH copilot_department_days USING PRIMARY KEY \(tenant_id=\? AND day>\?\)/],
    ],
    [
      'admin SKU prices',
      () => new SqlitePriceBook(db).adminPrices(tenantId),
      [/^SEARCH sku_prices USING PRIMARY KEY \(tenant_id=\?\)/],
    ],
    [
      'reclaim history of a tenant',
      () => new SqliteReclaimStore(db).history({ tenantId, offset: 0, limit: 10 }),
      [/^SEARCH reclaim_items USING (COVERING )?INDEX reclaim_items_by_tenant/],
    ],
    [
      'reclaim history by state',
      () => new SqliteReclaimStore(db).history({ tenantId, state: 'removed', offset: 0, limit: 10 }),
      [/^SEARCH reclaim_items USING (COVERING )?INDEX reclaim_items_by_tenant_state/],
    ],
    [
      'reclaim history of a user (object id)',
      () =>
        new SqliteReclaimStore(db).history({
          tenantId,
          user: 'c1a7e2b4-0f1d-4a3e-9b5c-6d7e8f9a0b1c',
          offset: 0,
          limit: 10,
        }),
      [/^SEARCH reclaim_items USING (COVERING )?INDEX reclaim_items_by_user/],
    ],
    [
      'reclaim history of a user (UPN)',
      () => new SqliteReclaimStore(db).history({ tenantId, user: 'a@contoso.com', offset: 0, limit: 10 }),
      [/^SEARCH reclaim_items USING (COVERING )?INDEX reclaim_items_by_upn/],
    ],
    [
      'reclaim items of a request',
      () => new SqliteReclaimStore(db).items('6f1c2d3e-4b5a-4c6d-8e7f-901a2b3c4d5e'),
      [/^SEARCH reclaim_items USING INDEX reclaim_items_by_request/],
    ],
    [
      'the personal chat of a seat holder (reclaim nudge)',
      () => new ConversationStore(db).personalChatOf('c1a7e2b4-0f1d-4a3e-9b5c-6d7e8f9a0b1c'),
      [/^SEARCH conversations USING INDEX conversations_personal_by_user/],
    ],
    [
      'reclaims to resume at start',
      () => new SqliteReclaimStore(db).executing(),
      [
        /^SEARCH reclaim_items USING (COVERING )?INDEX reclaim_items_by_state/,
        /USING (COVERING )?INDEX reclaim_items_reassigning/,
      ],
    ],
    [
      'candidates already offered a seat',
      () => new SqliteReclaimStore(db).offeredCandidates(tenantId),
      [/^SEARCH reclaim_items USING INDEX reclaim_items_offered/],
    ],
    [
      'seats freed to date',
      () => new SqliteReclaimStore(db).freed(tenantId),
      [/^SEARCH i USING INDEX reclaim_items_by_tenant_state/],
    ],
    [
      'the seat of a holder (reclaim request)',
      () => new SqliteReclaimSeats(db).seatsOf(tenantId, ['c1a7e2b4-0f1d-4a3e-9b5c-6d7e8f9a0b1c', 'a@contoso.com']),
      [
        /^SEARCH copilot_seats USING INDEX copilot_seats_by_user_id/,
        /^SEARCH copilot_seats USING INDEX copilot_seats_by_user /,
      ],
    ],
    [
      'reclaimable seats of a tier',
      () => new SqliteReclaimSeats(db).reclaimable(tenantId, 'certain', 100),
      [/^SEARCH copilot_seats USING INDEX copilot_seats_by_recommendation/],
    ],
    [
      'Teams ids of approvers',
      () => new SqliteTeamsUserIds(db).teamsIdsOf(['c1a7e2b4-0f1d-4a3e-9b5c-6d7e8f9a0b1c']),
      [/^SEARCH teams_users USING PRIMARY KEY/],
    ],
  ];

  it.each(cases)('%s uses an index, also for its order', async (_name, read, expected) => {
    const plans = await plansOf(read);
    expect(plans.length).toBeGreaterThan(0);
    for (const { sql, plan } of plans) expect({ sql, problems: problems(plan) }).toEqual({ sql, problems: [] });
    const lines = plans.flatMap((p) => p.plan);
    for (const pattern of expected)
      expect(
        lines.some((line) => pattern.test(line)),
        `${pattern} in\n${lines.join('\n')}`,
      ).toBe(true);
  });
});
