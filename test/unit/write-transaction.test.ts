import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { openDatabase, writeTransaction } from '../../src/adapters/sqlite/database';
import { tempDir } from '../helpers/harness';

/**
 * The app writes from two connections at once (the main one for the activity sources, the snapshot
 * writer thread's for the directory). A write transaction that reads first must not fail with
 * "database is locked" because the other one committed in between.
 */
describe('write transactions across two connections', () => {
  it('a transaction that reads, sees another connection commit, then writes, still commits', () => {
    const file = path.join(tempDir('write-tx'), 'db.sqlite');
    const main = openDatabase(file);
    const writer = openDatabase(file);
    // The other connection does not wait: it is refused while the lock is held, and retries later as the writer thread would.
    writer.pragma('busy_timeout = 0');
    main.exec('CREATE TABLE seen (id TEXT PRIMARY KEY)');
    const refusedOther: string[] = [];
    const commitPage = writeTransaction(main, (id: string) => {
      const known = main.prepare('SELECT COUNT(*) FROM seen').pluck().get() as number;
      try {
        writer.prepare("INSERT INTO seen (id) VALUES ('from the writer thread')").run();
      } catch (error) {
        refusedOther.push(error instanceof Error ? error.message : String(error));
      }
      main.prepare('INSERT INTO seen (id) VALUES (?)').run(id);
      return known;
    });
    expect(() => commitPage('page 1')).not.toThrow();
    expect(refusedOther).toEqual(['database is locked']);
    // Outside the transaction the other connection writes as usual.
    writer.prepare("INSERT INTO seen (id) VALUES ('from the writer thread')").run();
    expect(main.prepare('SELECT id FROM seen ORDER BY id').pluck().all()).toEqual(['from the writer thread', 'page 1']);
    main.close();
    writer.close();
  });
});
