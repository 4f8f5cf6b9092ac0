import type { WebhookEventInput, WebhookEventType } from '../../src/domain/webhook-events';
import type { WebhookEventLog } from '../../src/usecases/webhooks/ports';

/**
 * A WebhookEventLog that keeps what it is given, as the real log does: each id once, in order.
 * `calls` keeps every batch as handed over (duplicates included), so a test can see that a source
 * handed the same ids again. `failAfterRecording(n)`: the next n calls record their batch and then
 * throw, as a log whose write committed just before the process died would.
 */
export class RecordingEventLog implements WebhookEventLog {
  readonly calls: WebhookEventInput[][] = [];
  readonly events: WebhookEventInput[] = [];
  private readonly ids = new Set<string>();
  private failures = 0;

  record(events: readonly WebhookEventInput[]): void {
    this.calls.push([...events]);
    for (const event of events) {
      if (this.ids.has(event.id)) continue;
      this.ids.add(event.id);
      this.events.push(event);
    }
    if (this.failures > 0) {
      this.failures--;
      throw new Error('the event log failed after writing (test)');
    }
  }

  failAfterRecording(times = 1): void {
    this.failures = times;
  }

  ofType(...types: WebhookEventType[]): WebhookEventInput[] {
    return this.events.filter((e) => types.includes(e.type));
  }

  /** Forgets what was recorded so far (ids too), so a test can look at one step alone. */
  clear(): void {
    this.calls.length = 0;
    this.events.length = 0;
    this.ids.clear();
  }

  /** Events recorded from index `mark` on (mark = events.length before the step). */
  since(mark: number): WebhookEventInput[] {
    return this.events.slice(mark);
  }
}
