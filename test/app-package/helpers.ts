import * as fs from 'node:fs';
import * as path from 'node:path';

export const ROOT = path.join(__dirname, '../..');
export const APP_PACKAGE = path.join(ROOT, 'appPackage');

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
export type JsonObject = { [key: string]: Json };

/** Teams Toolkit placeholders look like ${{NAME}}. */
export const PLACEHOLDER = /\$\{\{\s*([A-Za-z0-9_]+)\s*\}\}/g;

export function placeholders(text: string): string[] {
  return [...new Set([...text.matchAll(PLACEHOLDER)].map((m) => m[1]))].sort();
}

/** Parses an env file the way dotenv does for the simple KEY=value lines we commit. */
export function readEnvFile(name: string): Map<string, string> {
  const text = fs.readFileSync(path.join(ROOT, 'env', name), 'utf8');
  const env = new Map<string, string>();
  for (const line of text.split(/\r?\n/)) {
    const trimmed = line.trim();
    if (trimmed === '' || trimmed.startsWith('#')) continue;
    const eq = trimmed.indexOf('=');
    if (eq <= 0) throw new Error(`env/${name}: not a KEY=value line: ${line}`);
    env.set(trimmed.slice(0, eq).trim(), trimmed.slice(eq + 1).trim());
  }
  return env;
}

export function substitute(text: string, values: Record<string, string>): string {
  return text.replace(PLACEHOLDER, (whole, name: string) => {
    const value = values[name];
    if (value === undefined) throw new Error(`No test value for ${whole}`);
    return value;
  });
}
