import { parentPort, workerData } from 'node:worker_threads';
import Database from 'better-sqlite3';
import { DirectoryReader } from './directory';
import type { ReadRequest, ReadResponse } from './read-worker-thread';
import { answerMemoryProbe } from './worker-channel';

/**
 * A read worker thread: its own read-only connection to the SQLite file, for pages and searches of
 * users, so the event loop keeps serving the bot, the API and the sync while they run.
 */
const port = parentPort;
if (!port) throw new Error('read-worker must run as a worker thread');

const db = new Database((workerData as { file: string }).file, { readonly: true, fileMustExist: true });
db.pragma('busy_timeout = 5000');
// Pages of users jump around the snapshot (list order is not storage order); reading them through
// a memory map instead of a read() call per page halves their cost.
db.pragma('mmap_size = 268435456');
const directory = new DirectoryReader(db);

port.on('message', (req: ReadRequest) => {
  if (answerMemoryProbe(port, req)) return;
  let response: ReadResponse;
  try {
    response = { id: req.id, ok: true, value: directory.usersNow(req.tenantId, req.query) };
  } catch (error) {
    response = { id: req.id, ok: false, error: error instanceof Error ? error.message : String(error) };
  }
  port.postMessage(response);
});
