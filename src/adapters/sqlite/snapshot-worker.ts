import { parentPort, workerData } from 'node:worker_threads';
import { openDatabase } from './database';
import type { WriterRequest, WriterResponse } from './snapshot-worker-protocol';
import { snapshotWriterRequests } from './snapshot-writer-requests';
import { answerMemoryProbe } from './worker-channel';

/**
 * The snapshot writer thread: its own connection to the SQLite file, so inserting a large
 * tenant's rows runs beside the main thread's downloading and JSON parsing instead of after it.
 */
const port = parentPort;
if (!port) throw new Error('snapshot-worker must run as a worker thread');

const handle = snapshotWriterRequests(openDatabase((workerData as { file: string }).file));

port.on('message', (req: WriterRequest) => {
  if (answerMemoryProbe(port, req)) return;
  let response: WriterResponse;
  try {
    response = { id: req.id, ok: true, value: handle(req) };
  } catch (error) {
    response = { id: req.id, ok: false, error: error instanceof Error ? error.message : String(error) };
  }
  port.postMessage(response);
});
