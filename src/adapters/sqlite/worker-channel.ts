import { Worker, type ResourceLimits } from 'node:worker_threads';

/** What a SQLite worker thread answers to request `id`: its value, or the error's message. */
export type WorkerResponse<Value> = { id: number } & ({ ok: true; value: Value } | { ok: false; error: string });

type Pending<Value> = { resolve: (value: Value) => void; reject: (error: Error) => void };

/**
 * Request/response over one worker thread with its own SQLite connection. Requests belong to the
 * thread they were sent to: a thread that dies fails only its own, and `onDeath` lets the owner
 * start a fresh one for the next request. The process stays alive while a request is outstanding,
 * not while the thread idles.
 */
export class WorkerChannel<Request extends object, Value> {
  private readonly worker: Worker;
  private readonly pending = new Map<number, Pending<Value>>();
  private nextId = 1;
  private dead = false;

  constructor(
    entryFile: string,
    options: { workerData: unknown; resourceLimits: ResourceLimits; name: string; onDeath: () => void },
  ) {
    this.worker = new Worker(entryFile, { workerData: options.workerData, resourceLimits: options.resourceLimits });
    this.worker.unref();
    this.worker.on('message', (res: WorkerResponse<Value>) => {
      const p = this.pending.get(res.id);
      if (!p) return;
      this.pending.delete(res.id);
      if (this.pending.size === 0) this.worker.unref();
      if (res.ok) p.resolve(res.value);
      else p.reject(new Error(res.error));
    });
    const die = (error: Error) => {
      if (this.dead) return;
      this.dead = true;
      options.onDeath();
      for (const p of this.pending.values()) p.reject(error);
      this.pending.clear();
    };
    this.worker.on('error', (error) => die(error));
    this.worker.on('exit', (code) => die(new Error(`${options.name} stopped (exit code ${code})`)));
  }

  /** Requests sent and not yet answered. */
  get outstanding(): number {
    return this.pending.size;
  }

  send(request: Request): Promise<Value> {
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.worker.ref();
      this.worker.postMessage({ ...request, id });
    });
  }

  async close(): Promise<void> {
    await this.worker.terminate();
  }
}
