import type { MessagePort } from 'node:worker_threads';
import { Worker, type ResourceLimits } from 'node:worker_threads';

/** What a SQLite worker thread answers to request `id`: its value, or the error's message. */
export type WorkerResponse<Value> = { id: number } & ({ ok: true; value: Value } | { ok: false; error: string });

/** One thread's own V8 heap and off-heap memory (each worker thread is its own isolate). */
export interface ThreadMemory {
  thread: string;
  heapUsed: number;
  heapTotal: number;
  external: number;
  arrayBuffers: number;
}

/** A request for the thread's memory figures, answered by answerMemoryProbe() in the thread. */
interface MemoryProbe {
  id: number;
  memoryProbe: true;
}

/**
 * In a worker thread: answers a memory probe (and returns true) so the owner can break the
 * process's RSS down per thread; any other message returns false and is the thread's own.
 */
export function answerMemoryProbe(port: MessagePort, message: unknown): boolean {
  if (typeof message !== 'object' || message === null || !('memoryProbe' in message)) return false;
  const { heapUsed, heapTotal, external, arrayBuffers } = process.memoryUsage();
  port.postMessage({
    id: (message as MemoryProbe).id,
    ok: true,
    value: { thread: '', heapUsed, heapTotal, external, arrayBuffers },
  });
  return true;
}

/** Threads running now, for memoryOfThreads(). */
const live = new Set<WorkerChannel<object, unknown>>();

/** The memory figures of every SQLite worker thread running now (benchmarks print them). */
export async function memoryOfThreads(): Promise<ThreadMemory[]> {
  return Promise.all([...live].map(async (t) => ({ ...(await t.memory()), thread: t.name })));
}

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
  private readonly probes = new Map<number, Pending<ThreadMemory>>();
  readonly name: string;
  private nextId = 1;
  private dead = false;

  constructor(
    entryFile: string,
    options: { workerData: unknown; resourceLimits: ResourceLimits; name: string; onDeath: () => void },
  ) {
    this.name = options.name;
    this.worker = new Worker(entryFile, { workerData: options.workerData, resourceLimits: options.resourceLimits });
    this.worker.unref();
    live.add(this as WorkerChannel<object, unknown>);
    this.worker.on('message', (res: WorkerResponse<Value>) => {
      const probe = this.probes.get(res.id);
      if (probe) {
        this.probes.delete(res.id);
        if (res.ok) probe.resolve(res.value as ThreadMemory);
        return;
      }
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
      live.delete(this as WorkerChannel<object, unknown>);
      options.onDeath();
      for (const p of [...this.pending.values(), ...this.probes.values()]) p.reject(error);
      this.pending.clear();
      this.probes.clear();
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

  /** This thread's heap and off-heap figures; does not keep the process alive. */
  memory(): Promise<ThreadMemory> {
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.probes.set(id, { resolve, reject });
      this.worker.postMessage({ id, memoryProbe: true } satisfies MemoryProbe);
    });
  }

  async close(): Promise<void> {
    live.delete(this as WorkerChannel<object, unknown>);
    await this.worker.terminate();
  }
}
