/**
 * Decides when a page of users may be read. Normally at once. While a sync runs, pages are read
 * one at a time and at most one per `spacingMs` (100 a second), so a crowd of API callers cannot
 * take the CPU and the event loop the sync needs (under 50 callers, a sync of 100,000 users took
 * 4× its idle time). Callers wait longer during a sync (a few seconds at most); none is refused.
 */
export class ReadAdmission {
  private readonly waiting: Array<() => void> = [];
  private inFlight = 0;
  private lastStart = 0;
  private timer?: NodeJS.Timeout;

  constructor(
    private readonly syncRunning: () => boolean,
    private readonly spacingMs = 10,
  ) {}

  async run<T>(read: () => Promise<T>): Promise<T> {
    if (this.waiting.length === 0 && !this.syncRunning()) {
      this.started();
    } else {
      // Released by pump(), which counts the read as started.
      await new Promise<void>((resolve) => {
        this.waiting.push(resolve);
        this.pump();
      });
    }
    try {
      return await read();
    } finally {
      this.inFlight--;
      this.pump();
    }
  }

  private started(): void {
    this.inFlight++;
    this.lastStart = performance.now();
  }

  /** Whenever someone waits, a read in flight or a timer is pending, and either calls this again. */
  private pump(): void {
    if (this.timer || this.waiting.length === 0) return;
    if (!this.syncRunning()) {
      // The sync ended: everyone waiting goes now.
      for (const go of this.waiting.splice(0)) {
        this.started();
        go();
      }
      return;
    }
    if (this.inFlight > 0) return;
    const wait = this.lastStart + this.spacingMs - performance.now();
    if (wait > 0) {
      this.timer = setTimeout(() => {
        this.timer = undefined;
        this.pump();
      }, wait);
      return;
    }
    const go = this.waiting.shift();
    if (go) {
      this.started();
      go();
    }
  }
}
