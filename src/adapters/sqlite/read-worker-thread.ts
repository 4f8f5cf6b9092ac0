import os from 'node:os';
import path from 'node:path';
import { Worker } from 'node:worker_threads';
import type { UserPage, UserQuery } from '../../usecases/status/ports';
import type { UserPageReader } from './directory';

export interface ReadRequest {
  id: number;
  tenantId: string;
  query: UserQuery;
}

export type ReadResponse = { id: number } & ({ ok: true; value: UserPage } | { ok: false; error: string });

type Pending = { resolve: (value: UserPage) => void; reject: (error: Error) => void };

interface ReadThread {
  worker: Worker;
  pending: Map<number, Pending>;
}

/**
 * Read worker threads (started on first use), each with its own read-only SQLite connection.
 * Pages of users run here, so the event loop only parses requests and writes responses, and a
 * second core can serve reads; a search, which scans a snapshot, occupies one thread and never
 * the event loop.
 */
export class ReadWorkerThreads implements UserPageReader {
  private readonly threads: Array<ReadThread | undefined>;
  private nextId = 1;
  /** Requests answered so far, and the most outstanding at once (tests read both). */
  completed = 0;
  peakInFlight = 0;
  private inFlight = 0;

  constructor(
    private readonly databaseFile: string,
    size = Math.min(2, os.availableParallelism()),
  ) {
    this.threads = new Array<ReadThread | undefined>(Math.max(1, size)).fill(undefined);
  }

  users(tenantId: string, query: UserQuery): Promise<UserPage> {
    const thread = this.leastBusy();
    const id = this.nextId++;
    this.peakInFlight = Math.max(this.peakInFlight, ++this.inFlight);
    return new Promise((resolve, reject) => {
      thread.pending.set(id, { resolve, reject });
      // Keep the process alive while a read is outstanding, not while the threads idle.
      thread.worker.ref();
      thread.worker.postMessage({ id, tenantId, query } satisfies ReadRequest);
    });
  }

  async close(): Promise<void> {
    const running = this.threads.filter((t): t is ReadThread => t !== undefined);
    this.threads.fill(undefined);
    await Promise.all(running.map((t) => t.worker.terminate()));
  }

  private leastBusy(): ReadThread {
    let best = 0;
    for (let i = 0; i < this.threads.length; i++) {
      const t = this.threads[i];
      if (!t) return this.start(i);
      if (t.pending.size < (this.threads[best]?.pending.size ?? 0)) best = i;
    }
    return this.threads[best] ?? this.start(best);
  }

  private start(slot: number): ReadThread {
    const worker = new Worker(path.join(__dirname, 'read-worker-entry.js'), {
      workerData: { file: this.databaseFile },
      resourceLimits: { maxOldGenerationSizeMb: 256, maxYoungGenerationSizeMb: 16 },
    });
    worker.unref();
    const pending = new Map<number, Pending>();
    const thread = { worker, pending };
    worker.on('message', (res: ReadResponse) => {
      const p = pending.get(res.id);
      if (!p) return;
      pending.delete(res.id);
      this.completed++;
      this.inFlight--;
      if (pending.size === 0) worker.unref();
      if (res.ok) p.resolve(res.value);
      else p.reject(new Error(res.error));
    });
    let failed = false;
    const failAll = (error: Error) => {
      if (failed) return;
      failed = true;
      // The next read starts a fresh thread in this slot.
      if (this.threads[slot] === thread) this.threads[slot] = undefined;
      for (const p of pending.values()) p.reject(error);
      this.inFlight -= pending.size;
      pending.clear();
    };
    worker.on('error', (error) => failAll(error));
    worker.on('exit', (code) => failAll(new Error(`a read worker thread stopped (exit code ${code})`)));
    this.threads[slot] = thread;
    return thread;
  }
}
