import os from 'node:os';
import path from 'node:path';
import type { UserPage, UserPageContext, UserQuery } from '../../usecases/status/ports';
import type { UserPageReader } from './directory';
import { WorkerChannel, type WorkerResponse } from './worker-channel';

export interface ReadRequest {
  id: number;
  tenantId: string;
  query: UserQuery;
  /** Set: answer with the page rendered by the worker's renderer module, not the page itself. */
  render?: UserPageContext;
}

export type ReadResponse = WorkerResponse<UserPage | string>;

type Channel = WorkerChannel<Omit<ReadRequest, 'id'>, UserPage | string>;

/**
 * Read worker threads (started on first use), each with its own read-only SQLite connection.
 * Pages of users run here, so the event loop only parses requests and writes responses, and a
 * second core can serve reads; a search, which scans a snapshot, occupies one thread and never
 * the event loop.
 */
export class ReadWorkerThreads implements UserPageReader {
  private readonly threads: Array<Channel | undefined>;
  /** Requests answered so far, and the most outstanding at once (tests read both). */
  completed = 0;
  /** Of those, pages answered already rendered to their REST JSON by the thread. */
  rendered = 0;
  peakInFlight = 0;
  private inFlight = 0;

  constructor(
    private readonly databaseFile: string,
    /** A module exporting renderUserPage (a UserPageRenderer), loaded by each thread; resolved by the composition root. */
    private readonly rendererModule?: string,
    size = Math.min(2, os.availableParallelism()),
  ) {
    this.threads = new Array<Channel | undefined>(Math.max(1, size)).fill(undefined);
  }

  async users(tenantId: string, query: UserQuery): Promise<UserPage> {
    return (await this.send({ tenantId, query })) as UserPage;
  }

  async usersRendered(tenantId: string, query: UserQuery, context: UserPageContext): Promise<string> {
    if (!this.rendererModule) throw new Error('the read worker threads were started without a page renderer');
    const body = (await this.send({ tenantId, query, render: context })) as string;
    this.rendered++;
    return body;
  }

  private async send(request: Omit<ReadRequest, 'id'>): Promise<UserPage | string> {
    const thread = this.leastBusy();
    this.peakInFlight = Math.max(this.peakInFlight, ++this.inFlight);
    try {
      return await thread.send(request);
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

  private leastBusy(): Channel {
    let best = 0;
    for (let i = 0; i < this.threads.length; i++) {
      const t = this.threads[i];
      if (!t) return this.start(i);
      if (t.outstanding < (this.threads[best]?.outstanding ?? 0)) best = i;
    }
    return this.threads[best] ?? this.start(best);
  }

  private start(slot: number): Channel {
    const thread: Channel = new WorkerChannel(path.join(__dirname, 'read-worker-entry.js'), {
      workerData: { file: this.databaseFile, rendererModule: this.rendererModule },
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
