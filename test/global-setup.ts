import fs from 'node:fs';
import path from 'node:path';
import { build } from '../scripts/build';

/**
 * Builds the app once per test run, as `npm run build` does, into .test-data/built-app: the tests
 * that start the app as its own process run it the way production does (`node <out>/main.js`, no
 * TypeScript loader compiling at every start), and the build test checks that very output.
 * Skipped when the output is newer than every source file, so a developer's single-file run pays
 * for it only after an edit; a fresh clone (CI) always builds.
 */
export const BUILT_APP_DIR = path.resolve(__dirname, '..', '.test-data', 'built-app');
const SOURCES = ['src', 'demo-tenant', 'cards', 'tsconfig.json', 'tsconfig.build.json', 'scripts/build.ts'];
const STAMP = path.join(BUILT_APP_DIR, '.built-at');

function newestMtime(entry: string): number {
  const stat = fs.statSync(entry);
  if (!stat.isDirectory()) return stat.mtimeMs;
  let newest = stat.mtimeMs;
  for (const name of fs.readdirSync(entry)) newest = Math.max(newest, newestMtime(path.join(entry, name)));
  return newest;
}

export default function setup(): void {
  const root = path.resolve(__dirname, '..');
  const sources = Math.max(...SOURCES.map((s) => newestMtime(path.join(root, s))));
  const builtAt = fs.existsSync(STAMP) ? fs.statSync(STAMP).mtimeMs : 0;
  if (builtAt > sources) return;
  build(BUILT_APP_DIR);
  fs.writeFileSync(STAMP, new Date().toISOString());
}
