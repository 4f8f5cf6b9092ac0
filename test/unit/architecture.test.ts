import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

/**
 * The layering the README promises (entry points -> use cases -> domain <- adapters), checked on
 * the imports themselves so a shortcut fails here instead of in review.
 */
const SRC = path.resolve(__dirname, '../../src');

function sourceFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const full = path.join(dir, e.name);
    return e.isDirectory() ? sourceFiles(full) : /\.(ts|js)$/.test(e.name) ? [full] : [];
  });
}

function importsOf(file: string): string[] {
  const text = fs.readFileSync(file, 'utf8');
  return [...text.matchAll(/(?:from\s+|import\(|require\()['"]([^'"]+)['"]/g)].map((m) => m[1]);
}

/** Each import as a package name or a src-relative path ("domain/tenant"). */
function targets(file: string): string[] {
  return importsOf(file).map((spec) =>
    spec.startsWith('.') ? path.relative(SRC, path.resolve(path.dirname(file), spec)) : spec,
  );
}

const layerOf = (file: string) => path.relative(SRC, file).split(path.sep)[0];
const files = sourceFiles(SRC);

describe('architecture', () => {
  it('finds the source files', () => {
    expect(files.length).toBeGreaterThan(30);
  });

  it('the domain imports nothing but itself', () => {
    const offenders = files
      .filter((f) => layerOf(f) === 'domain')
      .flatMap((f) =>
        targets(f)
          .filter((t) => !t.startsWith('domain/'))
          .map((t) => `${path.relative(SRC, f)} -> ${t}`),
      );
    expect(offenders).toEqual([]);
  });

  it('only the bot entry point and the Teams adapter import botbuilder or teams-ai', () => {
    const offenders = files
      .filter((f) => !/^(entry\/bot|adapters\/teams)\//.test(path.relative(SRC, f)))
      .flatMap((f) =>
        targets(f)
          .filter((t) => /^(botbuilder|botframework-|@microsoft\/teams-ai)/.test(t))
          .map((t) => `${path.relative(SRC, f)} -> ${t}`),
      );
    expect(offenders).toEqual([]);
  });

  it('use cases reach adapters only through ports (no SQLite, Graph or adapter imports)', () => {
    const offenders = files
      .filter((f) => layerOf(f) === 'usecases')
      .flatMap((f) =>
        targets(f)
          .filter(
            (t) =>
              t.startsWith('adapters/') ||
              t.startsWith('entry/') ||
              /^(better-sqlite3|@microsoft\/microsoft-graph-client|@azure\/identity|restify)$/.test(t),
          )
          .map((t) => `${path.relative(SRC, f)} -> ${t}`),
      );
    expect(offenders).toEqual([]);
  });

  it('cards import neither the bot framework nor adapters', () => {
    const offenders = files
      .filter((f) => layerOf(f) === 'cards')
      .flatMap((f) =>
        targets(f)
          .filter((t) => t.startsWith('adapters/') || /^botbuilder/.test(t))
          .map((t) => `${path.relative(SRC, f)} -> ${t}`),
      );
    expect(offenders).toEqual([]);
  });

  it('entry points import no adapter: they reach them through ports, and only the composition root (src/app) wires adapters', () => {
    const offenders = files
      .filter((f) => layerOf(f) === 'entry')
      .flatMap((f) =>
        targets(f)
          .filter((t) => t.startsWith('adapters/'))
          .map((t) => `${path.relative(SRC, f)} -> ${t}`),
      );
    expect(offenders).toEqual([]);
  });

  it("bot card actions import no command: what both need lives in the feature's presenter, deps or caller file", () => {
    const offenders = files
      .filter((f) => /^entry\/bot\/(.*\/)?(card-)?actions\//.test(path.relative(SRC, f)))
      .flatMap((f) =>
        targets(f)
          .filter((t) => /^entry\/bot\/(.*\/)?(command|commands\/.*|[a-z-]+-command)$/.test(t))
          .map((t) => `${path.relative(SRC, f)} -> ${t}`),
      );
    expect(offenders).toEqual([]);
  });

  it('use cases import no card code: they return data, and presenters in src/cards draw it', () => {
    const offenders = files
      .filter((f) => layerOf(f) === 'usecases')
      .flatMap((f) =>
        targets(f)
          .filter((t) => t.startsWith('cards/'))
          .map((t) => `${path.relative(SRC, f)} -> ${t}`),
      );
    expect(offenders).toEqual([]);
  });

  it('cards import no use case: what they draw is typed in the domain or in their own view models', () => {
    const offenders = files
      .filter((f) => layerOf(f) === 'cards')
      .flatMap((f) =>
        targets(f)
          .filter((t) => t.startsWith('usecases/') || t.startsWith('entry/') || t.startsWith('app/'))
          .map((t) => `${path.relative(SRC, f)} -> ${t}`),
      );
    expect(offenders).toEqual([]);
  });

  it('no import cycle among the source files (type-only imports included)', () => {
    const known = new Set(files.map((f) => path.relative(SRC, f)));
    const resolve = (t: string): string | undefined =>
      [`${t}.ts`, `${t}.js`, `${t}/index.ts`, t].find((c) => known.has(c));
    const edges = new Map(files.map((f) => [path.relative(SRC, f), targets(f).flatMap((t) => resolve(t) ?? [])]));
    const cycles: string[] = [];
    const state = new Map<string, 'open' | 'done'>();
    const stack: string[] = [];
    const visit = (file: string): void => {
      state.set(file, 'open');
      stack.push(file);
      for (const next of edges.get(file) ?? []) {
        if (state.get(next) === 'open') cycles.push([...stack.slice(stack.indexOf(next)), next].join(' -> '));
        else if (!state.has(next)) visit(next);
      }
      stack.pop();
      state.set(file, 'done');
    };
    for (const file of edges.keys()) if (!state.has(file)) visit(file);
    expect(cycles).toEqual([]);
  });

  it('ports.ts files declare ports only: types, and the errors a port throws; rules live in use cases or the domain', () => {
    const offenders = files
      .filter((f) => layerOf(f) === 'usecases' && path.basename(f) === 'ports.ts')
      .flatMap((f) =>
        fs
          .readFileSync(f, 'utf8')
          .split('\n')
          .filter((line) =>
            /^(export )?(async )?function\b|^(export )?(const|let|var)\b|^(export )?class (?!\w+Error extends )/.test(
              line,
            ),
          )
          .map((line) => `${path.relative(SRC, f)}: ${line}`),
      );
    expect(offenders).toEqual([]);
  });

  it('nothing in src imports test code or the demo tenant internals outside the composition root', () => {
    const offenders = files.flatMap((f) =>
      importsOf(f)
        .filter(
          (spec) =>
            spec.includes('/test/') || (spec.includes('demo-tenant/') && !path.relative(SRC, f).startsWith('app/')),
        )
        .map((spec) => `${path.relative(SRC, f)} -> ${spec}`),
    );
    expect(offenders).toEqual([]);
  });
});
