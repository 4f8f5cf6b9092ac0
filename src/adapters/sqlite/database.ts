import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { migrations, type Migration } from './migrations';

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
  migrate(db, options.migrations ?? migrations);
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

function migrate(db: Db, all: Migration[]): void {
  db.exec('CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)');
  const applied = new Set(
    db.prepare('SELECT version FROM schema_migrations').pluck().all() as number[],
  );
  const newest = Math.max(0, ...applied);
  const known = Math.max(0, ...all.map((m) => m.version));
  if (newest > known) {
    throw new Error(
      `The database was written by a newer Seat Steward (schema v${newest}; this build knows v${known}). Upgrade the app or point DATA_DIR elsewhere.`,
    );
  }
  const record = db.prepare('INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)');
  for (const m of [...all].sort((a, b) => a.version - b.version)) {
    if (applied.has(m.version)) continue;
    db.transaction(() => {
      db.exec(m.sql);
      record.run(m.version, m.name, new Date().toISOString());
    })();
  }
}
