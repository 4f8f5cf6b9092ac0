import fs from 'node:fs';
import path from 'node:path';
import type { CacheStorage } from '../../usecases/sync/ports';
import { type Db, writeTransaction } from './database';

/**
 * True when an error means the disk holding the database has no room left: SQLite's SQLITE_FULL
 * (also when it comes back from the writer thread as text), or the operating system's ENOSPC.
 */
export function isStorageFull(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  const code = (error as Error & { code?: unknown }).code;
  if (code === 'SQLITE_FULL' || code === 'ENOSPC') return true;
  return /database or disk is full|no space left on device/i.test(error.message);
}

/** What an admin reads while syncs are paused for want of space (status card, sync result, /healthz, log). */
export function storageFullMessage(db: Db): string {
  const dataDir = path.dirname(db.name);
  return (
    `The disk holding DATA_DIR (${dataDir}) is full. Seat Steward serves the last good snapshot read-only; ` +
    `syncs and the clean-up of unfinished snapshots are paused. Free disk space in ${dataDir}: the next sync ` +
    `(scheduled, or "sync" / Sync now) then cleans up and runs.`
  );
}

/** Below this, a sync cannot even record its run and its sources' rows: treat the disk as full. */
const MIN_FREE_BYTES = 1024 * 1024;

/** The SQLite file's disk, as the sync use case sees it. */
export class SqliteCacheStorage implements CacheStorage {
  constructor(private readonly db: Db) {}

  isFull(error: unknown): boolean {
    return isStorageFull(error);
  }

  fullMessage(): string {
    return storageFullMessage(this.db);
  }

  hasRoom(): boolean {
    try {
      const stats = fs.statfsSync(path.dirname(this.db.name));
      return stats.bavail * stats.bsize >= MIN_FREE_BYTES;
    } catch {
      // A file system that cannot say (or an in-memory database): let the writes tell.
      return true;
    }
  }

  atomically(write: () => void): void {
    writeTransaction(this.db, write)();
  }
}
