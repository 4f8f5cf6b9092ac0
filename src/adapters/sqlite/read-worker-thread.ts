import os from 'node:os';
import path from 'node:path';
import type { UserPage, UserQuery } from '../../usecases/status/ports';
import type { UserPageReader } from './directory';
import { WorkerChannel, type WorkerResponse } from './worker-channel';

export interface ReadRequest {
  id: number;
  tenantId: string;
  query: UserQuery;
}

export type ReadResponse = WorkerResponse<UserPage>;

/**
 * Read worker threads (started on first use), each with its own read-only SQLite connection.
 * Pages of users run here, so the event loop only parses requests and writes responses, and a
 * second core can serve reads; a search, which scans a snapshot, occupies one thread and never
 * the event loop.
 */
export class ReadWorkerThreads implements UserPageReader {
  private readonly threads: Array<WorkerChannel<Omit<ReadRequest, 'id'>, UserPage> | undefined>;
  /** Requests answered so far, and the most outstanding at once (tests read both). */
  completed = 0;
  peakInFlight = 0;
  private inFlight = 0;

  constructor(
    private readonly databaseFile: string,
    size = Math.min(2, os.availableParallelism()),
  ) {
    this.threads = new Array<WorkerChannel<Omit<ReadRequest, 'id'>, UserPage> | undefined>(Math.max(1, size)).fill(undefined);
  }

  async users(tenantId: string, query: UserQuery): Promise<UserPage> {
    const thread = this.leastBusy();
    this.peakInFlight = Math.max(this.peakInFlight, ++this.inFlight);
    try {
      return await thread.send({ tenantId, query });
    } finally {
      this.inFlight--;
      this.completed++;
    }
  }

  async close(): Promise<void> {
    const running = this.threads.filter((t) => t !== undefined);
    this.threads.fill(undefined);
    await Promise.all(running.map((t) => t.close()));
  }

  private leastBusy(): WorkerChannel<Omit<ReadRequest, 'id'>, UserPage> {
    let best = 0;
    for (let i = 0; i < this.threads.length; i++) {
      const t = this.threads[i];
      if (!t) return this.start(i);
      if (t.outstanding < (this.threads[best]?.outstanding ?? 0)) best = i;
    }
    return this.threads[best] ?? this.start(best);
  }

  private start(slot: number): WorkerChannel<Omit<ReadRequest, 'id'>, UserPage> {
    const thread: WorkerChannel<Omit<ReadRequest, 'id'>, UserPage> = new WorkerChannel(path.join(__dirname, 'read-worker-entry.js'), {
      workerData: { file: this.databaseFile },
      resourceLimits: { maxOldGenerationSizeMb: 256, maxYoungGenerationSizeMb: 16 },
      name: 'a read worker thread',
      // The next read starts a fresh thread in this slot.
      onDeath: () => {
        if (this.threads[slot] === thread) this.threads[slot] = undefined;
      },
    });
    this.threads[slot] = thread;
    return thread;
  }
}
