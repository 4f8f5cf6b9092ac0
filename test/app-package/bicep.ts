import * as fs from 'node:fs';
import * as path from 'node:path';
import { ROOT } from './helpers';

/**
 * A structural reading of the Bicep files in infra/. No Bicep compiler runs here (the bicep CLI is a
 * download, not a package), so the tests check what text can show: declarations, references
 * between files, resource types and API versions. Top-level declarations only, which is all
 * infra/ uses.
 */
export interface BicepParam {
  name: string;
  type: string;
  hasDefault: boolean;
  secure: boolean;
}

export function bicepText(file: string): string {
  return fs.readFileSync(path.join(ROOT, file), 'utf8');
}

export function bicepParams(file: string): BicepParam[] {
  const lines = bicepText(file).split('\n');
  const params: BicepParam[] = [];
  let secure = false;
  for (const line of lines) {
    if (/^@secure\(\)/.test(line)) secure = true;
    const m = /^param (\w+) (\w+)( = .+)?$/.exec(line);
    if (m) {
      params.push({ name: m[1], type: m[2], hasDefault: m[3] !== undefined, secure });
      secure = false;
    } else if (!line.startsWith('@')) {
      secure = false;
    }
  }
  return params;
}

export function bicepOutputs(file: string): string[] {
  return [...bicepText(file).matchAll(/^output (\w+) /gm)].map((m) => m[1]);
}

export function bicepResources(file: string): Array<{ symbol: string; type: string; apiVersion: string }> {
  return [...bicepText(file).matchAll(/^resource (\w+) '([^'@]+)@([^']+)'/gm)].map((m) => ({
    symbol: m[1],
    type: m[2],
    apiVersion: m[3],
  }));
}

/** The text of the `{ ... }` block that opens at `open` (an index of '{'). */
function block(text: string, open: number): string {
  let depth = 0;
  for (let i = open; i < text.length; i++) {
    if (text[i] === '{') depth++;
    if (text[i] === '}' && --depth === 0) return text.slice(open + 1, i);
  }
  throw new Error('unbalanced braces');
}

export function bicepModules(file: string): Array<{ symbol: string; path: string; params: string[] }> {
  const text = bicepText(file);
  return [...text.matchAll(/^module (\w+) '([^']+)' = \{/gm)].map((m) => {
    const body = block(text, (m.index ?? 0) + m[0].length - 1);
    const paramsAt = body.indexOf('params: {');
    const params = paramsAt < 0 ? '' : block(body, paramsAt + 'params: '.length);
    return {
      symbol: m[1],
      path: path.join(path.dirname(file), m[2]),
      params: [...params.matchAll(/^\s*(\w+):/gm)].map((p) => p[1]),
    };
  });
}

/** The `{ name: '...', value: ... }` pairs of a resource's appSettings, values as written (Bicep expressions or quoted strings). */
export function appSettings(file: string): Map<string, string> {
  const text = bicepText(file);
  const at = text.indexOf('appSettings: [');
  if (at < 0) return new Map();
  const list = text.slice(at, text.indexOf('\n      ]', at));
  return new Map([...list.matchAll(/name: '(\w+)'\s*\n\s*value: ([^\n]+)/g)].map((m) => [m[1], m[2].trim()]));
}
