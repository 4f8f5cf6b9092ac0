import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const MODULE = path.resolve(__dirname, '../../src/entry/http/silence-http-parser-deprecation.ts');

/** In a fresh process: Node prints each deprecation once per process, and this test's worker has loaded restify already. */
function stderrOf(script: string): string {
  const result = spawnSync(process.execPath, ['--import', 'tsx', '-e', script], {
    encoding: 'utf8',
    cwd: path.resolve(__dirname, '../..'),
  });
  expect(result.status, result.stderr).toBe(0);
  return result.stderr;
}

describe('the http_parser deprecation filter', () => {
  it('drops DEP0111 for http_parser when restify loads, and nothing else', () => {
    const stderr = stderrOf(`
      require(${JSON.stringify(MODULE)});
      require('restify');
      process.binding('crypto');
      process.emitWarning('something the admin should see', 'Warning', 'SS001');
    `);
    expect(stderr).not.toContain("process.binding('http_parser')");
    expect(stderr).toContain("[DEP0111] DeprecationWarning: Access to process.binding('crypto') is deprecated.");
    expect(stderr).toContain('[SS001] Warning: something the admin should see');
  });

  it('is what keeps restify quiet (without it the warning is there)', () => {
    expect(stderrOf(`require('restify');`)).toContain(
      "[DEP0111] DeprecationWarning: Access to process.binding('http_parser') is deprecated.",
    );
  });
});
