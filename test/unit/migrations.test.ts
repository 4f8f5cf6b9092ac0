import path from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import {
  MigrationChecksumError,
  MigrationNameError,
  migrationChecksum,
  openDatabase,
  type Db,
} from '../../src/adapters/sqlite/database';
import { migrations, type Migration } from '../../src/adapters/sqlite/migrations';
import { tempDir } from '../helpers/harness';

const newFile = () => path.join(tempDir('migrations'), 'seat-steward.sqlite');
const stored = (db: Db) =>
  db.prepare('SELECT version, checksum FROM schema_migrations ORDER BY version').all() as Array<{
    version: number;
    checksum: string | null;
  }>;
const columnsOf = (db: Db, table: string) =>
  db.prepare('SELECT name FROM pragma_table_info(?)').pluck().all(table) as string[];
const indexes = (db: Db) => db.prepare("SELECT name FROM sqlite_master WHERE type = 'index'").pluck().all() as string[];
const upTo = (version: number) => migrations.filter((m) => m.version <= version);

/** A migration as the build had it before it was edited (the lines the edit added taken out again). */
function withoutLines(m: Migration, ...patterns: RegExp[]): Migration {
  return {
    ...m,
    sql: m.sql
      .split('\n')
      .filter((line) => !patterns.some((p) => p.test(line)))
      .join('\n'),
  };
}

describe('migration checksums', () => {
  it('records a checksum for every migration it applies', () => {
    const db = openDatabase(newFile());
    expect(stored(db)).toEqual(migrations.map((m) => ({ version: m.version, checksum: migrationChecksum(m) })));
    db.close();
  });

  it('a database from before checksums gets them recorded at its first start (trust on first use), then starts as usual', () => {
    const file = newFile();
    const old = openDatabase(file, { migrations: upTo(15) });
    // The bookkeeping table as the runner created it before checksums.
    old.exec('ALTER TABLE schema_migrations DROP COLUMN checksum');
    old.close();

    const db = openDatabase(file);
    expect(stored(db)).toEqual(migrations.map((m) => ({ version: m.version, checksum: migrationChecksum(m) })));
    db.close();
    openDatabase(file).close();
  });

  it('refuses to start when a stored checksum does not match, naming the migration and what to do', () => {
    const file = newFile();
    const db = openDatabase(file);
    db.prepare('UPDATE schema_migrations SET checksum = ? WHERE version = 13').run('0'.repeat(64));
    db.close();

    let refused: unknown;
    try {
      openDatabase(file);
    } catch (error) {
      refused = error;
    }
    expect(refused).toBeInstanceOf(MigrationChecksumError);
    const message = (refused as Error).message;
    expect(message).toContain(`migration 13 ("${migrations.find((m) => m.version === 13)?.name}")`);
    expect(message).toContain(file);
    expect(message).toMatch(/must never be edited: restore its original text and put the change in a new migration/);
    expect(message).toContain('UPDATE schema_migrations SET checksum = NULL WHERE version = 13');
    // The file was closed: clearing the checksum as the message says lets the next start record it again.
    const fix = new Database(file);
    fix.prepare('UPDATE schema_migrations SET checksum = NULL WHERE version = 13').run();
    fix.close();
    openDatabase(file).close();
  });

  it('refuses to start when an applied migration was edited in the build', () => {
    const file = newFile();
    openDatabase(file).close();
    const edited = migrations.map((m) =>
      m.version === 12
        ? { ...m, sql: `${m.sql}\n      CREATE INDEX reclaim_items_by_sku ON reclaim_items (sku_id);` }
        : m,
    );
    expect(() => openDatabase(file, { migrations: edited })).toThrow(
      /migration 12 .* is not the one the database .* applied/,
    );
    // Re-indenting a migration is not an edit.
    const reindented = migrations.map((m) => (m.version === 12 ? { ...m, sql: m.sql.replace(/\n {6}/g, '\n  ') } : m));
    openDatabase(file, { migrations: reindented }).close();
  });
});

describe('repair of migrations edited after they landed (12, 13, 14)', () => {
  it('a database created between the edits gains the missing column and indexes; a complete one is left as it is', () => {
    const file = newFile();
    const asFirstLanded = upTo(15).map((m) =>
      m.version === 12
        ? withoutLines(m, /reclaim_items_by_tenant_state/, /copilot_seats_by_user_id/)
        : m.version === 13
          ? withoutLines(m, /nudge_shown/, /reclaim_items_reassigning/, /reclaim_items_offered/)
          : m.version === 14
            ? withoutLines(m, /users_by_upn/)
            : m,
    );
    const old = openDatabase(file, { migrations: asFirstLanded });
    expect(columnsOf(old, 'reclaim_items')).not.toContain('nudge_shown');
    // Created before checksums were stored.
    old.prepare('UPDATE schema_migrations SET checksum = NULL').run();
    old.close();

    const db = openDatabase(file);
    expect(columnsOf(db, 'reclaim_items')).toContain('nudge_shown');
    expect(indexes(db)).toEqual(
      expect.arrayContaining([
        'reclaim_items_by_tenant_state',
        'copilot_seats_by_user_id',
        'reclaim_items_reassigning',
        'reclaim_items_offered',
        'users_by_upn',
      ]),
    );
    db.close();

    const complete = openDatabase(newFile());
    expect(columnsOf(complete, 'reclaim_items').filter((c) => c === 'nudge_shown')).toHaveLength(1);
    complete.close();
  });
});

describe('a migration that landed under another number', () => {
  const groupSeat = migrations.find((m) => m.version === 15);
  if (!groupSeat) throw new Error('migration 15 is the group-seat migration');
  // The database as commit 5bc0eab left it: the group-seat migration applied as 14, no checksums yet.
  function landedAs14(file: string): void {
    const old = openDatabase(file, { migrations: [...upTo(13), { ...groupSeat!, version: 14 }] });
    old.exec('ALTER TABLE schema_migrations DROP COLUMN checksum');
    old.close();
  }

  it('moves it to its number now, applies the re-check migration it lacks, and does not add the column twice', () => {
    const file = newFile();
    landedAs14(file);

    const db = openDatabase(file);
    expect(stored(db)).toEqual(migrations.map((m) => ({ version: m.version, checksum: migrationChecksum(m) })));
    const names = db
      .prepare('SELECT version, name FROM schema_migrations WHERE version IN (14, 15) ORDER BY version')
      .all();
    expect(names).toEqual([
      { version: 14, name: migrations.find((m) => m.version === 14)?.name },
      { version: 15, name: groupSeat.name },
    ]);
    expect(columnsOf(db, 'reclaim_requests')).toContain('recheck');
    expect(columnsOf(db, 'reclaim_items')).toContain('also_direct');
    expect(indexes(db)).toContain('users_by_upn');
    db.close();
    openDatabase(file).close();
  });

  it('refuses a database that applied a migration of another name under a number, instead of trusting it', () => {
    const file = newFile();
    const old = openDatabase(file, { migrations: upTo(13) });
    old.exec('ALTER TABLE schema_migrations DROP COLUMN checksum');
    old.prepare('UPDATE schema_migrations SET name = ? WHERE version = 13').run('something else');
    old.close();

    expect(() => openDatabase(file)).toThrow(MigrationNameError);
    expect(() => openDatabase(file)).toThrow(/applied "something else" as migration 13/);
  });
});
