import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateDemoTenant } from '../demo-tenant/generator';
import { SqliteAnalyticsReads } from '../src/adapters/sqlite/analytics-reads';
import { databaseFile, type Db } from '../src/adapters/sqlite/database';
import { startHarness, type Harness } from './helpers/harness';

/**
 * The seat pages the `inactive` card asks for again and again are read from SQLite once per
 * snapshot: the reads run on a second connection to the app's file that records each statement.
 */
let h: Harness;
let db: Db;
let statements: string[] = [];
let tenantId: string;

beforeAll(async () => {
  h = await startHarness({ data: generateDemoTenant({ users: 400, seed: 5 }) });
  tenantId = h.app.tenants.list()[0].id;
  expect((await h.app.sync.request(tenantId, 'test').done).status).toBe('success');
  db = new Database(databaseFile(h.config.dataDir), { readonly: true, verbose: (sql) => statements.push(String(sql)) });
});
afterAll(async () => {
  db?.close();
  await h?.close();
});

function readWith(reads: SqliteAnalyticsReads, query: Parameters<SqliteAnalyticsReads['seats']>[1]) {
  statements = [];
  const page = reads.seats(tenantId, query);
  const seatReads = statements.filter((s) => /FROM copilot_seats/.test(s));
  return { page, seatReads };
}

describe('seat pages of the current snapshot', () => {
  const firstPage = { recommendation: 'reclaim' as const, offset: 0, limit: 10 };

  it('reads a small page once per snapshot, then answers it without counting the list again', async () => {
    const reads = new SqliteAnalyticsReads(db);
    const first = readWith(reads, firstPage);
    expect(first.page?.rows.length).toBeGreaterThan(0);
    expect(first.seatReads).toHaveLength(2); // the count and the page

    const again = readWith(reads, firstPage);
    expect(again.seatReads).toEqual([]);
    expect(again.page).toEqual(first.page);
    // Each caller gets a list of its own.
    expect(again.page?.rows).not.toBe(first.page?.rows);
    // Another page or filter is read.
    expect(readWith(reads, { ...firstPage, offset: 10 }).seatReads).toHaveLength(2);
    expect(readWith(reads, { ...firstPage, tier: 'certain' }).seatReads).toHaveLength(2);

    // A new sync publishes a new snapshot: its analytics are read, not the old page.
    expect((await h.app.sync.request(tenantId, 'test').done).status).toBe('success');
    const after = readWith(reads, firstPage);
    expect(after.seatReads).toHaveLength(2);
    expect(after.page?.asOf).not.toBe(first.page?.asOf);
  });

  it('does not keep large pages (exports)', () => {
    const reads = new SqliteAnalyticsReads(db);
    const big = { recommendation: 'reclaim' as const, offset: 0, limit: 1000 };
    expect(readWith(reads, big).seatReads).toHaveLength(2);
    expect(readWith(reads, big).seatReads).toHaveLength(2);
  });
});
