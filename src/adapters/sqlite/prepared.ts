import type { Statement } from 'better-sqlite3';
import type { Db } from './database';

const caches = new WeakMap<Db, Map<string, Statement>>();

/**
 * The statement for `sql` on `db`, prepared once: preparing costs about as much as running the
 * small queries the stores make on every request, job claim and health probe. A statement's mode
 * (pluck, raw) sticks to it, so one SQL text is always used in one mode.
 */
export function prepared(db: Db, sql: string): Statement {
  let cache = caches.get(db);
  if (!cache) {
    cache = new Map();
    caches.set(db, cache);
  }
  let statement = cache.get(sql);
  if (!statement) {
    statement = db.prepare(sql);
    cache.set(sql, statement);
  }
  return statement;
}
