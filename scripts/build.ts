/**
 * `npm run build`: compiles the app and the demo tenant it starts by default (tsconfig.build.json)
 * into dist/, copies the card templates beside them, and writes dist/main.js, so that production
 * runs `node dist/main.js` with no TypeScript loader. `--out-dir <dir>` builds elsewhere (the
 * build test does, to leave dist/ alone); the folder must sit inside the project, where Node
 * finds node_modules.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

const ROOT = path.resolve(__dirname, '..');

export function build(outDir: string, project = 'tsconfig.build.json'): void {
  fs.rmSync(outDir, { recursive: true, force: true });
  const tsc = spawnSync(
    process.execPath,
    [require.resolve('typescript/bin/tsc'), '-p', path.join(ROOT, project), '--outDir', outDir],
    {
      cwd: ROOT,
      stdio: 'inherit',
    },
  );
  if (tsc.status !== 0) throw new Error(`tsc -p ${project} failed (exit ${tsc.status ?? tsc.signal})`);
  // src/cards/render.ts reads the templates from ../../cards, which is <outDir>/cards once compiled.
  fs.cpSync(path.join(ROOT, 'cards'), path.join(outDir, 'cards'), { recursive: true });
  // tsc keeps the source layout (src/ and demo-tenant/ side by side); the documented entry point is <outDir>/main.js.
  fs.writeFileSync(
    path.join(outDir, 'main.js'),
    "'use strict';\n// Written by scripts/build.ts: the app's entry point is src/main.ts.\nrequire('./src/main.js');\n",
  );
}

function newestMtime(entry: string): number {
  const stat = fs.statSync(entry);
  if (!stat.isDirectory()) return stat.mtimeMs;
  let newest = stat.mtimeMs;
  for (const name of fs.readdirSync(entry)) newest = Math.max(newest, newestMtime(path.join(entry, name)));
  return newest;
}

/**
 * Builds into `outDir` unless its last build is newer than every one of `sources` (paths from the
 * project root): a developer's repeated run pays for the build only after an edit; a fresh clone
 * always builds.
 */
export function buildIfStale(outDir: string, sources: readonly string[], project = 'tsconfig.build.json'): void {
  const stamp = path.join(outDir, '.built-at');
  const newest = Math.max(...sources.map((s) => newestMtime(path.join(ROOT, s))));
  if (fs.existsSync(stamp) && fs.statSync(stamp).mtimeMs > newest) return;
  build(outDir, project);
  fs.writeFileSync(stamp, new Date().toISOString());
}

if (require.main === module) {
  const flag = process.argv.indexOf('--out-dir');
  const outDir = path.resolve(ROOT, flag >= 0 ? (process.argv[flag + 1] ?? '') : 'dist');
  try {
    build(outDir);
    console.log(`built ${path.relative(process.cwd(), outDir) || '.'}/main.js`);
  } catch (error) {
    console.error(error instanceof Error ? error.message : error);
    process.exit(1);
  }
}
