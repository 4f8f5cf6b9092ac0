import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { migrations, type Migration } from './migrations';

export type Db = Database.Database;

/** Opens (creating if needed) the SQLite cache and brings its schema up to date. */
export function openDatabase(file: string, options: { migrations?: Migration[] } = {}): Db {
  if (file !== ':memory:') fs.mkdirSync(path.dirname(file), { recursive: true });
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
