import fs from 'node:fs';
import { memoryOfThreads, type ThreadMemory } from '../src/adapters/sqlite/worker-channel';

/**
 * Where a process's RSS goes: Linux's own split (anonymous vs file-backed vs shared memory, from
 * /proc/self/status), the largest mappings (/proc/self/smaps, grouped by file, so the SQLite
 * file's memory maps show apart), and each thread's V8 heap (every worker thread is its own isolate).
 */
export interface MemoryBreakdown {
  label: string;
  rssMb: number;
  /** The kernel's high-water mark of the RSS so far (VmHWM). */
  peakRssMb: number;
  anonMb: number;
  fileMb: number;
  shmemMb: number;
  /** Resident MB per mapping group (file path, [heap], [anon], ...), largest first. */
  mappings: Array<[string, number]>;
  threads: ThreadMemory[];
  /** The main thread's heap after a full collection: what is live (only with --expose-gc). */
  liveHeapMb?: number;
}

const MB = 1024 * 1024;

function status(): Record<string, number> {
  const out: Record<string, number> = {};
  for (const line of fs.readFileSync('/proc/self/status', 'utf8').split('\n')) {
    const m = /^(\w+):\s+(\d+) kB/.exec(line);
    if (m) out[m[1]] = Number(m[2]) / 1024;
  }
  return out;
}

/** Resident MB per mapping, grouped by what is mapped (files by their last two path parts). */
function mappings(): Array<[string, number]> {
  const groups = new Map<string, number>();
  let current = '[anon]';
  for (const line of fs.readFileSync('/proc/self/smaps', 'utf8').split('\n')) {
    const header = /^[0-9a-f]+-[0-9a-f]+ \S+ \S+ \S+ \d+\s*(.*)$/.exec(line);
    if (header) {
      const name = header[1].trim();
      current = name === '' ? '[anon]' : name.startsWith('[') ? name : name.split('/').slice(-2).join('/');
      continue;
    }
    const rss = /^Rss:\s+(\d+) kB/.exec(line);
    if (rss) groups.set(current, (groups.get(current) ?? 0) + Number(rss[1]) / 1024);
  }
  return [...groups].sort((a, b) => b[1] - a[1]).slice(0, 8);
}

export async function memoryBreakdown(label: string, options: { collect?: boolean } = {}): Promise<MemoryBreakdown> {
  const s = status();
  const main = process.memoryUsage();
  const gc = (globalThis as { gc?: () => void }).gc;
  let liveHeapMb: number | undefined;
  if (options.collect && gc) {
    gc();
    liveHeapMb = process.memoryUsage().heapUsed / MB;
  }
  const threads = [
    {
      thread: 'main thread',
      heapUsed: main.heapUsed,
      heapTotal: main.heapTotal,
      external: main.external,
      arrayBuffers: main.arrayBuffers,
    },
    ...(await memoryOfThreads()),
  ];
  return {
    label,
    rssMb: s.VmRSS ?? NaN,
    peakRssMb: s.VmHWM ?? NaN,
    anonMb: s.RssAnon ?? NaN,
    fileMb: s.RssFile ?? NaN,
    shmemMb: s.RssShmem ?? NaN,
    mappings: mappings(),
    threads,
    liveHeapMb,
  };
}

/** Printable lines of a breakdown. */
export function breakdownLines(b: MemoryBreakdown): string[] {
  const mb = (n: number) => `${(n / MB).toFixed(0)}`;
  return [
    `${b.label}: RSS ${b.rssMb.toFixed(0)} MB (peak so far ${b.peakRssMb.toFixed(0)}) = anonymous ${b.anonMb.toFixed(0)} + file-backed ${b.fileMb.toFixed(0)} + shared ${b.shmemMb.toFixed(0)}`,
    `  largest mappings: ${b.mappings.map(([k, v]) => `${k} ${v.toFixed(0)}`).join(', ')}`,
    ...b.threads.map(
      (t) =>
        `  ${t.thread.padEnd(28)} heap used/total ${mb(t.heapUsed)}/${mb(t.heapTotal)} MB, external ${mb(t.external)} MB, array buffers ${mb(t.arrayBuffers)} MB`,
    ),
    ...(b.liveHeapMb === undefined ? [] : [`  main thread heap live after a full GC: ${b.liveHeapMb.toFixed(0)} MB`]),
  ];
}

/**
 * Samples the RSS every `everyMs` and keeps a full breakdown taken as close to its peak as the
 * sampling allows (the kernel's VmHWM gives the exact peak; this says what it was made of).
 */
export function peakSampler(everyMs = 250): { stop(): MemoryBreakdown | undefined } {
  let peak: MemoryBreakdown | undefined;
  let busy = false;
  const timer = setInterval(() => {
    if (busy) return;
    const rss = status().VmRSS ?? 0;
    if (peak && rss <= peak.rssMb) return;
    busy = true;
    void memoryBreakdown('at the sampled peak')
      .then((b) => {
        if (!peak || b.rssMb > peak.rssMb) peak = b;
      })
      .catch(() => undefined)
      .finally(() => (busy = false));
  }, everyMs);
  timer.unref();
  return {
    stop() {
      clearInterval(timer);
      return peak;
    },
  };
}
