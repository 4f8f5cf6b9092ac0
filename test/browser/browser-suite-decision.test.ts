import { describe, expect, it } from 'vitest';
import { browserSuiteDecision } from './playground-helpers';

const only =
  (...files: string[]) =>
  (file: string) =>
    files.includes(file);

describe('whether the browser suite runs, skips or fails', () => {
  it("runs with Debian's /usr/bin/chromium, or with CHROMIUM_PATH when set", () => {
    expect(browserSuiteDecision({}, only('/usr/bin/chromium'))).toEqual({
      kind: 'run',
      executablePath: '/usr/bin/chromium',
    });
    expect(browserSuiteDecision({ CHROMIUM_PATH: '/opt/chrome/chrome' }, only('/opt/chrome/chrome'))).toEqual({
      kind: 'run',
      executablePath: '/opt/chrome/chrome',
    });
  });

  it('skips with one line saying how to install Chromium when none is found', () => {
    const decision = browserSuiteDecision({}, only());
    expect(decision.kind).toBe('skip');
    const message = decision.kind === 'skip' ? decision.message : '';
    expect(message).not.toContain('\n');
    expect(message).toContain('no Chromium at /usr/bin/chromium');
    expect(message).toContain('apt-get install chromium');
    expect(message).toContain('CHROMIUM_PATH');
  });

  it('names a CHROMIUM_PATH that does not exist instead of falling back silently', () => {
    const decision = browserSuiteDecision({ CHROMIUM_PATH: '/opt/missing/chrome' }, only('/usr/bin/chromium'));
    expect(decision).toMatchObject({
      kind: 'skip',
      message: expect.stringContaining('CHROMIUM_PATH=/opt/missing/chrome is not an executable file'),
    });
  });

  it('fails instead of skipping when REQUIRE_BROWSER_TESTS=1 (CI)', () => {
    const decision = browserSuiteDecision({ REQUIRE_BROWSER_TESTS: '1' }, only());
    expect(decision).toMatchObject({ kind: 'fail', message: expect.stringContaining('apt-get install chromium') });
    expect(browserSuiteDecision({ REQUIRE_BROWSER_TESTS: '1' }, only('/usr/bin/chromium')).kind).toBe('run');
  });

  it('checks the real file system by default', () => {
    expect(browserSuiteDecision({ CHROMIUM_PATH: process.execPath })).toEqual({
      kind: 'run',
      executablePath: process.execPath,
    });
    expect(browserSuiteDecision({ CHROMIUM_PATH: __dirname }).kind).toBe('skip');
  });
});
