/**
 * The benchmarks' app process runs compiled, as production does (`node dist/main.js`, no
 * TypeScript loader): tsx compiling modules at run time costs the process about 36 MB of RSS and
 * start-up time that production never pays. The benchmark files and the app are compiled together
 * (tsconfig.bench.json) into .test-data/bench-build, rebuilt only after a source changes.
 * BENCH_FROM_SOURCE=1 runs the app process through tsx instead (to profile against the sources).
 */
import path from 'node:path';
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
