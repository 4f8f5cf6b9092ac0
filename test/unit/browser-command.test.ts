import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { browserCommand } from '../../src/adapters/playground/agents-playground';
import { tempDir } from '../helpers/harness';

const URL = 'http://localhost:56150';

function binWith(...commands: string[]): string {
  const dir = tempDir('bin');
  for (const c of commands) fs.writeFileSync(path.join(dir, c), '#!/bin/sh\n', { mode: 0o755 });
  return dir;
}

describe('opening the Playground in a browser', () => {
  it('uses xdg-open on a Linux desktop (X11 or Wayland)', () => {
    const PATH = binWith('xdg-open');
    expect(browserCommand(URL, 'linux', { PATH, DISPLAY: ':0' })).toEqual({ command: 'xdg-open', args: [URL] });
    expect(browserCommand(URL, 'linux', { PATH, WAYLAND_DISPLAY: 'wayland-0' })).toEqual({
      command: 'xdg-open',
      args: [URL],
    });
  });

  it('opens nothing on Linux without a desktop session or without xdg-open', () => {
    expect(browserCommand(URL, 'linux', { PATH: binWith('xdg-open') })).toBeUndefined();
    expect(browserCommand(URL, 'linux', { PATH: binWith('node'), DISPLAY: ':0' })).toBeUndefined();
    expect(browserCommand(URL, 'linux', { DISPLAY: ':0' })).toBeUndefined();
  });

  it('ignores an xdg-open that is not executable', () => {
    const PATH = tempDir('bin');
    fs.writeFileSync(path.join(PATH, 'xdg-open'), '', { mode: 0o644 });
    expect(browserCommand(URL, 'linux', { PATH, DISPLAY: ':0' })).toBeUndefined();
  });

  it('uses open on macOS and start on Windows', () => {
    expect(browserCommand(URL, 'darwin', { PATH: binWith('open') })).toEqual({ command: 'open', args: [URL] });
    expect(browserCommand(URL, 'win32', { ComSpec: 'C:\\Windows\\system32\\cmd.exe' })).toEqual({
      command: 'C:\\Windows\\system32\\cmd.exe',
      args: ['/d', '/c', 'start', '""', URL],
    });
  });
});
