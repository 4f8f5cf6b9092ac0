import { parentPort, workerData } from 'node:worker_threads';
import { openDatabase } from './database';
import { SnapshotWriter, deleteSnapshot } from './snapshots';
import { computeSeatAnalytics } from '../../usecases/analytics/compute-seat-analytics';
import { SqliteAnalyticsInputs } from './analytics-inputs';
import { SqliteAnalyticsStore, carryOverAnalytics } from './analytics-store';
import type { WriterRequest, WriterResponse, WriterValue } from './snapshot-worker-protocol';
import { SyncRunStore } from './sync-runs';
import { TenantStore } from './tenants';
import { answerMemoryProbe } from './worker-channel';

/**
 * The snapshot writer thread: its own connection to the SQLite file, so inserting a large
 * tenant's rows runs beside the main thread's downloading and JSON parsing instead of after it.
 */
const port = parentPort;
if (!port) throw new Error('snapshot-worker must run as a worker thread');

const db = openDatabase((workerData as { file: string }).file);
const runs = new SyncRunStore(db);
const tenants = new TenantStore(db);
const writers = new Map<number, SnapshotWriter>();
const analyticsInputs = new SqliteAnalyticsInputs(db);
const analyticsStore = new SqliteAnalyticsStore(db);

function writerFor(req: WriterRequest): SnapshotWriter {
  let writer = writers.get(req.snapshotId);
  if (!writer) {
    writer = new SnapshotWriter(db, req.tenantId, req.snapshotId);
    writers.set(req.snapshotId, writer);
  }
  return writer;
}

function handle(req: WriterRequest): WriterValue {
  switch (req.kind) {
    case 'users':
      return writerFor(req).writeUsers(req.users, req.licenses);
    case 'skus':
      writerFor(req).writeSkus(req.skus);
      return null;
    case 'groups':
      writerFor(req).writeGroups(req.groups);
      return null;
    case 'publish': {
      const { outcome, identity } = req;
      const replaced = writerFor(req).publish(() => {
        runs.finish(outcome.runId, { status: outcome.status, counts: outcome.counts, warnings: outcome.warnings });
        if (identity) tenants.updateIdentity(req.tenantId, identity);
      });
      writers.delete(req.snapshotId);
      return replaced;
    }
    case 'analytics':
      try {
        return computeSeatAnalytics(analyticsInputs, analyticsStore, {
          tenantId: req.tenantId,
          snapshotId: req.snapshotId,
          now: new Date(req.now),
          options: req.options,
          incremental: req.incremental,
        });
      } catch (error) {
        // The last good analytics stay served, with their own as-of date, rather than none.
        try {
          carryOverAnalytics(db, req.tenantId, req.snapshotId);
        } catch {
          // Nothing carried: the reads then say the analytics are missing.
        }
        throw error;
      }
    case 'discard':
      writerFor(req).discard();
      writers.delete(req.snapshotId);
      return null;
    case 'drop':
      deleteSnapshot(db, req.tenantId, req.replacedSnapshotId);
      return null;
  }
}

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
