import type { Db } from './database';
import { SnapshotWriter, deleteSnapshot } from './snapshots';
import { computeSeatAnalytics } from '../../usecases/analytics/compute-seat-analytics';
import { SqliteAnalyticsInputs } from './analytics-inputs';
import { SqliteAnalyticsStore, carryOverAnalytics } from './analytics-store';
import { recordHistoryDay } from '../../usecases/history/record-history';
import { SqliteUserHistory } from './user-history';
import { SqliteCohortMonths } from './cohort-months';
import { SqliteSeatCohortReads } from './seat-cohort-reads';
import type { WriterRequest, WriterValue } from './snapshot-worker-protocol';
import { SyncRunStore } from './sync-runs';
import { TenantStore } from './tenants';

/**
 * What the snapshot writer thread does with each request, on the connection it is given. Apart
 * from the thread (snapshot-worker.ts) so that the sync use-case test runs this very publish step
 * on its own connection, without a thread. The writer thread is the composition root of its own
 * isolate: it wires the analytics use case to this connection's adapters, as src/app does for the
 * main thread, so that the analytics run beside the snapshot they read.
 */
export function snapshotWriterRequests(db: Db): (req: WriterRequest) => WriterValue {
  const runs = new SyncRunStore(db);
  const tenants = new TenantStore(db);
  const writers = new Map<number, SnapshotWriter>();
  const analyticsInputs = new SqliteAnalyticsInputs(db);
  const analyticsStore = new SqliteAnalyticsStore(db);
  const history = new SqliteUserHistory(db);
  const cohorts = { reads: new SqliteSeatCohortReads(db), store: new SqliteCohortMonths(db) };

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
      case 'changes':
        // Before publish: the published snapshot is the one compared with, and its rows are still there.
        return writerFor(req).changes();
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
      case 'history':
        // Here rather than on the main thread: the day's comparison reads every user of the snapshot,
        // and the cohorts every seat interval.
        return recordHistoryDay(
          history,
          { tenantId: req.tenantId, snapshotId: req.snapshotId, at: new Date(req.at), historyDays: req.historyDays },
          cohorts,
        );
    }
  }

  return handle;
}
