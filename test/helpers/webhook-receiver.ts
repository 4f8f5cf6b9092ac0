import { createHmac, timingSafeEqual } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { WEBHOOK_EVENT_TYPES } from '../../src/domain/webhook-events';

/**
 * A webhook receiver on loopback for tests over real HTTP, and Standard Webhooks' signature check
 * written independently of the package the app signs with.
 */

export interface Received {
  path: string;
  headers: http.IncomingHttpHeaders;
  body: string;
}

export interface Answer {
  /** Never answer (a receiver that hangs). */
  hang?: boolean;
  status: number;
  headers?: Record<string, string>;
  body?: string;
}

/** A receiver whose answers each test scripts per path (default 200). */
export class Receiver {
  readonly received: Received[] = [];
  private readonly scripts = new Map<string, Answer[]>();
  private server?: http.Server;
  url = '';

  async start(): Promise<void> {
    this.server = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const path = req.url ?? '/';
        this.received.push({ path, headers: req.headers, body: Buffer.concat(chunks).toString('utf8') });
        const next = this.scripts.get(path)?.shift() ?? { status: 200 };
        if (next.hang) return;
        res.writeHead(next.status, { 'content-type': 'text/plain', ...next.headers });
        res.end(next.body ?? `answer ${next.status} to ${path}`);
      });
    });
    await new Promise<void>((resolve) => this.server?.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server?.address() as AddressInfo).port}`;
  }

  answer(path: string, ...answers: Answer[]): void {
    this.scripts.set(path, answers);
  }

  at(path: string): Received[] {
    return this.received.filter((r) => r.path === path);
  }

  async stop(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => this.server?.close(() => resolve()));
  }
}

/** Standard Webhooks' signature, written here from the spec with node:crypto (not the package the app signs with). */
export function signaturesMatching(secret: string, r: Received): number {
  const key = Buffer.from(secret.replace(/^whsec_/, ''), 'base64');
  const signed = `${String(r.headers['webhook-id'])}.${String(r.headers['webhook-timestamp'])}.${r.body}`;
  const expected = Buffer.from(createHmac('sha256', key).update(signed).digest('base64'));
  return String(r.headers['webhook-signature'] ?? '')
    .split(' ')
    .filter((part) => {
      const [version, signature] = part.split(',');
      const given = Buffer.from(signature ?? '');
      return version === 'v1' && given.length === expected.length && timingSafeEqual(given, expected);
    }).length;
}

/**
 * A webhook for every event, pointing at `receiver`, created through the REST API: the event log
 * keeps only events some enabled webhook wants, so tests that read the log subscribe first.
 */
export async function subscribeEverything(appUrl: string, apiKey: string, receiver: Receiver): Promise<number> {
  const res = await fetch(`${appUrl}/api/v1/m365/webhooks`, {
    method: 'POST',
    headers: { authorization: `Bearer ${apiKey}`, 'content-type': 'application/json' },
    body: JSON.stringify({ url: `${receiver.url}/hook`, events: WEBHOOK_EVENT_TYPES }),
  });
  const body = (await res.json()) as { data: { id: number } };
  if (res.status !== 201) throw new Error(`creating the webhook answered ${res.status}: ${JSON.stringify(body)}`);
  return body.data.id;
}
