import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

/**
 * One Seat Steward per DATA_DIR. A second instance would sweep the first one's in-flight
 * snapshot as "interrupted" and run the same syncs twice, so it must not start.
 */
export function acquireInstanceLock(dataDir: string): { release(): void } {
  fs.mkdirSync(dataDir, { recursive: true });
  const file = path.join(dataDir, 'seat-steward.lock');
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      // The token tells this instance's lock from another's in the same process (tests run several).
      const token = `${process.pid} ${randomUUID()}`;
      fs.writeFileSync(file, token, { flag: 'wx' });
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
        );
      }
      // Left behind by a process that died without releasing it.
      fs.rmSync(file, { force: true });
    }
  }
  throw new Error(`Could not take the lock ${file}; another instance may be starting. Try again.`);
}

function readLock(file: string): string | undefined {
  try {
    return fs.readFileSync(file, 'utf8').trim();
  } catch {
    return undefined;
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
