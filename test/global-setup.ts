import path from 'node:path';
import { buildIfStale } from '../scripts/build';

/**
 * Builds the app once per test run, as `npm run build` does, into .test-data/built-app: the tests
 * that start the app as its own process run it the way production does (`node <out>/main.js`, no
 * TypeScript loader compiling at every start), and the build test checks that very output.
 * Skipped when the output is newer than every source file, so a developer's single-file run pays
 * for it only after an edit; a fresh clone (CI) always builds.
 */
export const BUILT_APP_DIR = path.resolve(__dirname, '..', '.test-data', 'built-app');
const SOURCES = ['src', 'demo-tenant', 'cards', 'tsconfig.json', 'tsconfig.build.json', 'scripts/build.ts'];

export default function setup(): void {
  buildIfStale(BUILT_APP_DIR, SOURCES);
}
