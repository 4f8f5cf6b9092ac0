import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface RecordedActivity {
  method: string;
  path: string;
  conversationId: string;
  replyToId?: string;
  /** When the connector received it (Date.now()). */
  at: number;
  activity: {
    type: string;
    id?: string;
    text?: string;
    attachmentLayout?: string;
    attachments?: Array<{ contentType: string; content: Record<string, unknown> }>;
    replyToId?: string;
    conversation?: { id: string };
  };
}

/** Answers matching posts with an error instead of accepting them, `times` times. */
export interface ConnectorFault {
  status: number;
  /** Sent as the Retry-After header (seconds or an HTTP-date). */
  retryAfter?: string;
  times: number;
  /** Which activities it hits; all when absent. */
  match?: (activity: RecordedActivity['activity']) => boolean;
}

/**
 * A local stand-in for the Bot Framework connector (activity.serviceUrl): records what
 * the bot sends to /v3/conversations/{id}/activities[/{replyToId}] and answers as the
 * connector does, with a resource id.
 */
export class ConnectorRecorder {
  readonly activities: RecordedActivity[] = [];
  /** Posts answered by a fault (not delivered). */
  readonly rejected: RecordedActivity[] = [];
  /**
   * How long accepted posts wait for their answer. A post is recorded when it arrives, so a sender
   * killed meanwhile has delivered it without learning so (a crash test's posts in flight).
   */
  replyDelayMs = 0;
  private readonly faults: ConnectorFault[] = [];
  private server?: http.Server;
  private waiters: Array<() => void> = [];
  private counter = 0;

  async start(): Promise<string> {
    this.server = http.createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString()));
      req.on('end', () => {
        const url = new URL(req.url ?? '/', 'http://localhost');
        const m = /^\/v3\/conversations\/([^/]+)\/activities(?:\/([^/]+))?$/.exec(url.pathname);
        if (!m) {
          // restify patches ServerResponse.writeHead globally and its version does not return the response.
          res.writeHead(404, { 'content-type': 'application/json' });
          res.end('{"error":{"code":"NotFound"}}');
          return;
        }
        const id = `recorded-${++this.counter}`;
        const recorded: RecordedActivity = {
          method: req.method ?? 'POST',
          path: url.pathname,
          conversationId: decodeURIComponent(m[1]),
          replyToId: m[2] ? decodeURIComponent(m[2]) : undefined,
          at: Date.now(),
          activity: body ? (JSON.parse(body) as RecordedActivity['activity']) : { type: 'unknown' },
        };
        const fault = this.faults.find((f) => f.times > 0 && (!f.match || f.match(recorded.activity)));
        if (fault) {
          fault.times--;
          this.rejected.push(recorded);
          res.writeHead(fault.status, {
            'content-type': 'application/json',
            ...(fault.retryAfter !== undefined ? { 'retry-after': fault.retryAfter } : {}),
          });
          res.end(
            JSON.stringify({
              error: {
                code: fault.status === 403 ? 'BotNotInConversationRoster' : 'ServiceUnavailable',
                message: `Injected ${fault.status}.`,
              },
            }),
          );
          for (const w of this.waiters.splice(0)) w();
          return;
        }
        this.activities.push(recorded);
        for (const w of this.waiters.splice(0)) w();
        const answer = () => {
          // restify patches ServerResponse.writeHead globally and its version does not return the response.
          res.writeHead(200, { 'content-type': 'application/json' });
          res.end(JSON.stringify({ id }));
        };
        if (this.replyDelayMs > 0) setTimeout(answer, this.replyDelayMs);
        else answer();
      });
    });
    await new Promise<void>((resolve) => this.server?.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/`;
  }

  /** Messages (not typing indicators) sent so far. */
  messages(): RecordedActivity[] {
    return this.activities.filter((a) => a.activity.type === 'message');
  }

  clear(): void {
    this.activities.length = 0;
    this.rejected.length = 0;
    this.faults.length = 0;
  }

  /** The next matching posts get this error answer instead of being accepted. */
  fail(fault: ConnectorFault): void {
    this.faults.push({ ...fault });
  }

  async waitFor(predicate: (all: RecordedActivity[]) => boolean, timeoutMs = 10_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!predicate(this.messages())) {
      const left = deadline - Date.now();
      if (left <= 0)
        throw new Error(
          `timed out waiting for connector activity; got ${JSON.stringify(this.messages().map((m) => m.activity.text ?? m.activity.attachments?.map((a) => a.content.type)))}`,
        );
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, Math.min(left, 200));
        this.waiters.push(() => {
          clearTimeout(t);
          resolve();
        });
      });
    }
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) => this.server?.close(() => resolve()) ?? resolve());
  }
}

/** Every TextBlock / FactSet text of a card, flattened, for content assertions. */
export function cardText(card: unknown): string {
  const out: string[] = [];
  const walk = (node: unknown) => {
    if (Array.isArray(node)) node.forEach(walk);
    else if (node && typeof node === 'object') {
      const o = node as Record<string, unknown>;
      for (const key of ['text', 'title', 'value']) if (typeof o[key] === 'string') out.push(o[key] as string);
      for (const v of Object.values(o)) if (typeof v === 'object') walk(v);
    }
  };
  walk(card);
  return out.join('\n');
}

/** All Action.Execute buttons in a card. */
export function executeActions(
  card: unknown,
): Array<{ title?: string; verb?: string; data?: Record<string, unknown> }> {
  const out: Array<{ title?: string; verb?: string; data?: Record<string, unknown> }> = [];
  const walk = (node: unknown) => {
    if (Array.isArray(node)) node.forEach(walk);
    else if (node && typeof node === 'object') {
      const o = node as Record<string, unknown>;
      if (o.type === 'Action.Execute')
        out.push({ title: o.title as string, verb: o.verb as string, data: o.data as Record<string, unknown> });
      for (const v of Object.values(o)) if (typeof v === 'object') walk(v);
    }
  };
  walk(card);
  return out;
}
