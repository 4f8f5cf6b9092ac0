import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

/**
 * One Seat Steward per DATA_DIR. A second instance would sweep the first one's in-flight
 * snapshot as "interrupted" and run the same syncs twice, so it must not start.
 */
export function acquireInstanceLock(dataDir: string): { release(): void } {
  fs.mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  tightenDataDir(dataDir);
  const file = path.join(dataDir, 'seat-steward.lock');
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      // The token tells this instance's lock from another's in the same process (tests run several).
      const token = `${process.pid} ${randomUUID()}`;
      fs.writeFileSync(file, token, { flag: 'wx', mode: 0o600 });
      return {
        release: () => {
          if (readLock(file) === token) fs.rmSync(file, { force: true });
        },
      };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const owner = Number(readLock(file)?.split(' ')[0]);
      if (Number.isInteger(owner) && owner > 0 && isAlive(owner)) {
        throw new Error(
          `Another Seat Steward (process ${owner}) is using DATA_DIR ${dataDir}. Stop it, or give this instance its own DATA_DIR.`,
          { cause: error },
        );
      }
      // Left behind by a process that died without releasing it.
      fs.rmSync(file, { force: true });
    }
  }
  throw new Error(`Could not take the lock ${file}; another instance may be starting. Try again.`);
}

/**
 * DATA_DIR holds the tenant cache and the demo tenant's private key, so group and others get no
 * access to it, its tls/ folder or the keys. A DATA_DIR made by an older version (or by hand)
 * with looser modes is tightened, as far as this account owns it.
 */
function tightenDataDir(dataDir: string): void {
  const uid = process.getuid?.();
  const tighten = (target: string) => {
    try {
      const stat = fs.statSync(target);
      if ((uid === undefined || stat.uid === uid) && (stat.mode & 0o077) !== 0) fs.chmodSync(target, stat.mode & 0o700);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    }
  };
  tighten(dataDir);
  const tls = path.join(dataDir, 'tls');
  tighten(tls);
  if (fs.existsSync(tls))
    for (const name of fs.readdirSync(tls)) if (name.endsWith('.key')) tighten(path.join(tls, name));
}

function readLock(file: string): string | undefined {
  try {
    return fs.readFileSync(file, 'utf8').trim();
  } catch {
    return undefined;
  }
}

/** Whether a process with this id exists (EPERM: it does, but belongs to another user). */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
