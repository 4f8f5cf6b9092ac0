import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { migrations, renumberedMigrations, type Migration } from './migrations';

export type Db = Database.Database;

/**
 * A write transaction that takes the write lock when it begins (BEGIN IMMEDIATE). A deferred one
 * that reads and then writes fails at once with "database is locked" when another connection (the
 * snapshot writer thread, while a sync runs beside the activity sources) committed in between:
 * SQLite cannot upgrade its stale read snapshot, and busy_timeout does not help. Waiting for the
 * lock up front does. Nested inside another transaction it becomes a savepoint, as transaction() does.
 */
export function writeTransaction<A extends unknown[], R>(db: Db, work: (...args: A) => R): (...args: A) => R {
  const transaction = db.transaction(work);
  return (...args: A) => transaction.immediate(...args);
}

/** Opens (creating if needed) the SQLite cache and brings its schema up to date. */
export function openDatabase(file: string, options: { migrations?: Migration[] } = {}): Db {
  if (file !== ':memory:') makePrivate(file);
  const db = new Database(file);
  // WAL lets the REST API and the bot read while a sync writes its next snapshot.
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  // A 100k-user sync writes ~100 MB of pages; checkpointing (and fsyncing) every 4 MB of WAL
  // would stall it repeatedly. 64 MB of WAL between checkpoints keeps syncs streaming.
  db.pragma('wal_autocheckpoint = 16384');
  db.pragma('foreign_keys = ON');
  db.pragma('busy_timeout = 5000');
  try {
    migrate(db, options.migrations ?? migrations);
  } catch (error) {
    // A refused start must not hold the file open (the next start in this process opens it again).
    db.close();
    throw error;
  }
  return db;
}

/**
 * The cache holds every user's name, mail and licenses: readable by the service account only.
 * SQLite creates the -wal and -shm files with the database file's mode, so that one is created
 * (or tightened) first.
 */
function makePrivate(file: string): void {
  fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
  fs.closeSync(fs.openSync(file, 'a', 0o600));
  for (const f of [file, `${file}-wal`, `${file}-shm`]) {
    try {
      fs.chmodSync(f, 0o600);
    } catch (error) {
      // Missing: SQLite creates it from the database file's mode. Not ours: nothing to tighten.
      const code = (error as NodeJS.ErrnoException).code;
      if (code !== 'ENOENT' && code !== 'EPERM') throw error;
    }
  }
}

export function databaseFile(dataDir: string): string {
  return path.join(dataDir, 'seat-steward.sqlite');
}

/**
 * A migration in this build is not the one the database applied: the build's copy was edited after
 * it landed. Starting anyway would leave the schema different from what the code expects.
 */
export class MigrationChecksumError extends Error {
  constructor(file: string, migration: Migration, applied: { appliedAt: string; checksum: string }, expected: string) {
    super(
      `Seat Steward cannot start: migration ${migration.version} ("${migration.name}") in this build is not the one the database ${file} applied on ${applied.appliedAt} ` +
        `(stored checksum ${applied.checksum.slice(0, 12)}…, this build's ${expected.slice(0, 12)}…). An applied migration must never be edited: ` +
        `restore its original text and put the change in a new migration, or run the build that wrote this database. ` +
        `Only if you are sure this database already has what the migration now says, clear its checksum to accept it: ` +
        `sqlite3 "${file}" "UPDATE schema_migrations SET checksum = NULL WHERE version = ${migration.version}" (it is recorded again at the next start).`,
    );
    this.name = 'MigrationChecksumError';
  }
}

/** A database that applied, under a migration's number, a migration of another name. */
export class MigrationNameError extends Error {
  constructor(file: string, migration: Migration, appliedName: string) {
    super(
      `Seat Steward cannot start: the database ${file} applied "${appliedName}" as migration ${migration.version}, but this build's migration ${migration.version} is "${migration.name}". ` +
        `Run the build that wrote this database, or restore it from a backup; do not edit schema_migrations by hand.`,
    );
    this.name = 'MigrationNameError';
  }
}

function migrate(db: Db, all: Migration[]): void {
  db.exec(
    'CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL, checksum TEXT)',
  );
  // Databases from before checksums: the bookkeeping table gains the column (the runner's own table, not a migration).
  const columns = db.prepare('SELECT name FROM pragma_table_info(?)').pluck().all('schema_migrations') as string[];
  if (!columns.includes('checksum')) db.exec('ALTER TABLE schema_migrations ADD COLUMN checksum TEXT');
  const readApplied = () =>
    db.prepare('SELECT version, name, applied_at AS appliedAt, checksum FROM schema_migrations').all() as Array<{
      version: number;
      name: string;
      appliedAt: string;
      checksum: string | null;
    }>;
  // A migration applied under its old number moves to its new one first (renumberedMigrations).
  const moveRow = db.prepare('UPDATE schema_migrations SET version = ? WHERE version = ? AND name = ?');
  db.transaction(() => {
    const before = new Map(readApplied().map((row) => [row.version, row]));
    for (const r of renumberedMigrations) {
      if (before.get(r.version)?.name === r.name && !before.has(r.now)) moveRow.run(r.now, r.version, r.name);
    }
  })();
  const applied = new Map(readApplied().map((row) => [row.version, row]));
  const newest = Math.max(0, ...applied.keys());
  const known = Math.max(0, ...all.map((m) => m.version));
  if (newest > known) {
    throw new Error(
      `The database was written by a newer Seat Steward (schema v${newest}; this build knows v${known}). Upgrade the app or point DATA_DIR elsewhere.`,
    );
  }
  const sorted = [...all].sort((a, b) => a.version - b.version);
  // Applied migrations first: each must still be what the database applied. One without a checksum
  // (applied before checksums were stored) is trusted as it is now, and its checksum recorded.
  const remember = db.prepare('UPDATE schema_migrations SET checksum = ? WHERE version = ?');
  db.transaction(() => {
    for (const m of sorted) {
      const row = applied.get(m.version);
      if (!row) continue;
      const checksum = migrationChecksum(m);
      // Trust on first use only for the migration the database names: another name under this
      // number means it applied something else there, and recording this one would hide that.
      if (row.checksum === null && row.name !== m.name) throw new MigrationNameError(db.name, m, row.name);
      if (row.checksum === null) remember.run(checksum, m.version);
      else if (row.checksum !== checksum)
        throw new MigrationChecksumError(db.name, m, { appliedAt: row.appliedAt, checksum: row.checksum }, checksum);
    }
  })();
  const record = db.prepare('INSERT INTO schema_migrations (version, name, applied_at, checksum) VALUES (?, ?, ?, ?)');
  for (const m of sorted) {
    if (applied.has(m.version)) continue;
    db.transaction(() => {
      for (const c of m.addMissingColumns ?? []) {
        const has = (db.prepare('SELECT name FROM pragma_table_info(?)').pluck().all(c.table) as string[]).includes(
          c.column,
        );
        if (!has) db.exec(`ALTER TABLE ${c.table} ADD COLUMN ${c.column} ${c.definition}`);
      }
      db.exec(m.sql);
      record.run(m.version, m.name, new Date().toISOString(), migrationChecksum(m));
    })();
  }
}

/**
 * What a migration does, as a sha256 of its SQL (whitespace runs collapsed, so re-indenting the
 * file is not an edit) and of any columns it adds. Stored when the migration is applied and checked
 * at every start: a migration must never change once a database has applied it.
 */
export function migrationChecksum(m: Migration): string {
  const sql = m.sql.replace(/\s+/g, ' ').trim();
  const columns = m.addMissingColumns ? `\n${JSON.stringify(m.addMissingColumns)}` : '';
  return createHash('sha256').update(`${sql}${columns}`).digest('hex');
}
