/**
 * The benchmarks' app process runs compiled, as production does (`node dist/main.js`, no
 * TypeScript loader): tsx compiling modules at run time costs the process about 36 MB of RSS and
 * start-up time that production never pays. The benchmark files and the app are compiled together
 * (tsconfig.bench.json) into .test-data/bench-build, rebuilt only after a source changes.
 * BENCH_FROM_SOURCE=1 runs the app process through tsx instead (to profile against the sources).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { PRODUCTION_NODE_FLAGS } from './production-flags';
import { buildIfStale } from '../scripts/build';

const ROOT = path.resolve(__dirname, '..');
const OUT_DIR = path.join(ROOT, '.test-data', 'bench-build');
const SOURCES = [
  'src',
  'demo-tenant',
  'cards',
  'bench',
  'test/helpers',
  'tsconfig.json',
  'tsconfig.build.json',
  'tsconfig.bench.json',
  'scripts/build.ts',
  'scripts/tenant-cli.ts',
];

/** Node arguments that run `benchFile` (this bench's own source file) in its app mode. */
export function appProcessArgs(benchFile: string): string[] {
  if (process.env.BENCH_FROM_SOURCE) return ['--import', 'tsx', benchFile, 'app'];
  buildIfStale(OUT_DIR, SOURCES, 'tsconfig.bench.json');
  const compiled = path.join(OUT_DIR, path.relative(ROOT, benchFile)).replace(/\.ts$/, '.js');
  return [compiled, 'app'];
}

/**
 * Starts `benchFile`'s app mode in a child process with production's Node flags (BENCH_APP_FLAGS
 * overrides them; `extraFlags` go first, e.g. a CPU profile) and IPC, and resolves with the `ready`
 * message it sends once it listens. The child is added to `children` so the bench stops it.
 */
export async function spawnBenchApp<Ready>(
  benchFile: string,
  env: Record<string, string>,
  children: ChildProcess[],
  extraFlags: string[] = [],
): Promise<{ child: ChildProcess; ready: Ready }> {
  const flags = (process.env.BENCH_APP_FLAGS ?? PRODUCTION_NODE_FLAGS).split(' ').filter(Boolean);
  const child = spawn(process.execPath, [...extraFlags, ...flags, ...appProcessArgs(benchFile)], {
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    env: { ...process.env, ...env },
  });
  children.push(child);
  const ready = await new Promise<Ready>((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`the app exited with ${code}`)));
    child.on('message', (m: unknown) => {
      if (m !== null && typeof m === 'object' && 'ready' in m) resolve((m as { ready: Ready }).ready);
    });
  });
  return { child, ready };
}

/**
 * Requests to a bench's app process over IPC: each request gets an id, and the message carrying
 * that id back is its answer (the `ready` message and others carry none).
 */
export class BenchAppChannel<Answer> {
  private nextId = 1;
  private readonly waiting = new Map<number, (m: Answer) => void>();

  constructor(readonly child: ChildProcess) {
    child.on('message', (m: unknown) => {
      if (m !== null && typeof m === 'object' && 'id' in m) this.waiting.get((m as { id: number }).id)?.(m as Answer);
    });
  }

  ask<T extends Answer = Answer>(request: object): Promise<T> {
    const id = this.nextId++;
    const answer = new Promise<T>((resolve) => this.waiting.set(id, (m) => resolve(m as T)));
    this.child.send({ ...request, id });
    return answer.finally(() => this.waiting.delete(id));
  }
}

/**
 * A bench file's entry: `node <bench> app` runs its app process, anything else its driver; a
 * failure in either prints the error and exits 1.
 */
export function runBench(parts: { app: () => Promise<void>; main: () => Promise<void> }): void {
  const part = process.argv[2] === 'app' ? parts.app : parts.main;
  part().catch((error: unknown) => {
    console.error(error);
    process.exit(1);
  });
}
