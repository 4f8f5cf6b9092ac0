import { parentPort, workerData } from 'node:worker_threads';
import Database from 'better-sqlite3';
import type { UserPageRenderer } from '../../usecases/status/ports';
import { DirectoryReader } from './directory';
import type { ReadRequest, ReadResponse } from './read-worker-thread';
import { answerMemoryProbe } from './worker-channel';

/**
 * A read worker thread: its own read-only connection to the SQLite file, for pages and searches of
 * users, so the event loop keeps serving the bot, the API and the sync while they run.
 */
const port = parentPort;
if (!port) throw new Error('read-worker must run as a worker thread');

const { file, rendererModule } = workerData as { file: string; rendererModule?: string };
const db = new Database(file, { readonly: true, fileMustExist: true });
db.pragma('busy_timeout = 5000');
// Pages of users jump around the snapshot (list order is not storage order); reading them through
// a memory map instead of a read() call per page halves their cost.
db.pragma('mmap_size = 268435456');
const directory = new DirectoryReader(db);
// The REST API's page renderer, by the path the composition root resolved (adapters import no entry code).
function loadRenderer(module: string): UserPageRenderer {
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- a path known only at run time
  return (require(module) as { renderUserPage: UserPageRenderer }).renderUserPage;
}
const render = rendererModule ? loadRenderer(rendererModule) : undefined;

port.on('message', (req: ReadRequest) => {
  if (answerMemoryProbe(port, req)) return;
  let response: ReadResponse;
  try {
    const page = directory.usersNow(req.tenantId, req.query);
    if (req.render && !render) throw new Error('this read worker has no page renderer');
    response = { id: req.id, ok: true, value: req.render && render ? render(page, req.render) : page };
  } catch (error) {
    response = { id: req.id, ok: false, error: error instanceof Error ? error.message : String(error) };
  }
  port.postMessage(response);
});
