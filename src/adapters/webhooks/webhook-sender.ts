import dns from 'node:dns/promises';
import http from 'node:http';
import https from 'node:https';
import type { LookupFunction } from 'node:net';
import ipaddr from 'ipaddr.js';
import { Webhook } from 'standardwebhooks';
import {
  addressClassOf,
  addressProblem,
  urlProblem,
  WEBHOOK_RESPONSE_BODY_CAP,
  WEBHOOK_TIMEOUT_MS,
  type WebhookSafetySettings,
} from '../../domain/webhook-delivery';
import type {
  WebhookRequest,
  WebhookResponse,
  WebhookSender,
  WebhookUrlCheck,
} from '../../usecases/webhooks/webhook-ports';

export interface ResolvedAddress {
  address: string;
  family: 4 | 6;
}

/** How a host name becomes addresses; the system resolver unless a test gives its own. */
export type HostLookup = (host: string) => Promise<ResolvedAddress[]>;

const systemLookup: HostLookup = async (host) =>
  (await dns.lookup(host, { all: true, verbatim: true })).map((a) => ({
    address: a.address,
    family: a.family === 6 ? 6 : 4,
  }));

type Checked = { ok: true; url: URL; target: ResolvedAddress } | { ok: false; problem: string };

/**
 * The safety rules applied to a URL now: its scheme, then every address its host resolves to
 * (IPv4-mapped IPv6 judged as the IPv4 inside). One refused address refuses the URL, so a host
 * with a public and a private record cannot be steered to the private one later.
 */
export class WebhookAddressGuard implements WebhookUrlCheck {
  constructor(
    private readonly settings: WebhookSafetySettings,
    private readonly lookup: HostLookup = systemLookup,
  ) {}

  async problem(url: string): Promise<string | undefined> {
    const checked = await this.check(url);
    return checked.ok ? undefined : checked.problem;
  }

  async check(raw: string): Promise<Checked> {
    let url: URL;
    try {
      url = new URL(raw);
    } catch {
      return { ok: false, problem: `"${raw.slice(0, 200)}" is not a URL` };
    }
    const refused = urlProblem(url, this.settings);
    if (refused) return { ok: false, problem: refused };
    const host = url.hostname.replace(/^\[(.*)\]$/, '$1');
    let addresses: ResolvedAddress[];
    if (ipaddr.isValid(host)) {
      addresses = [{ address: host, family: ipaddr.parse(host).kind() === 'ipv6' ? 6 : 4 }];
    } else {
      try {
        addresses = await this.lookup(host);
      } catch (error) {
        const code = (error as NodeJS.ErrnoException).code;
        return { ok: false, problem: `the host ${host} could not be resolved (${code ?? String(error)})` };
      }
      if (addresses.length === 0) return { ok: false, problem: `the host ${host} has no address` };
    }
    for (const a of addresses) {
      let parsed: ipaddr.IPv4 | ipaddr.IPv6;
      try {
        // process() unwraps ::ffff:a.b.c.d, so a mapped private IPv4 is judged as private.
        parsed = ipaddr.process(a.address);
      } catch {
        return { ok: false, problem: `the host ${host} resolves to "${a.address}", which is not an IP address` };
      }
      const problem = addressProblem(a.address, addressClassOf(parsed.range()), url.protocol, this.settings);
      if (problem) return { ok: false, problem };
    }
    return { ok: true, url, target: addresses[0] };
  }
}

/** Connects to the address that was checked, whatever a second lookup would say now (DNS rebinding). */
function pinnedLookup(target: ResolvedAddress): LookupFunction {
  return (_hostname, options, callback) => {
    if (options.all) callback(null, [{ address: target.address, family: target.family }]);
    else callback(null, target.address, target.family);
  };
}

/**
 * Sends Standard Webhooks deliveries: `webhook-id`, `webhook-timestamp` (Unix seconds) and
 * `webhook-signature` (`v1,<base64 HMAC-SHA256 of id.timestamp.body>`, one per secret, space
 * separated). No redirect is followed (node:http never does), at most WEBHOOK_RESPONSE_BODY_CAP
 * bytes of the answer are read, and the whole exchange is cut at 15 s.
 */
export class HttpWebhookSender implements WebhookSender {
  constructor(
    private readonly guard: WebhookAddressGuard,
    private readonly timeoutMs = WEBHOOK_TIMEOUT_MS,
  ) {}

  async send(request: WebhookRequest): Promise<WebhookResponse> {
    const checked = await this.guard.check(request.url);
    if (!checked.ok) return { kind: 'refused', problem: checked.problem };
    const signature = request.secrets
      .map((secret) => new Webhook(secret).sign(request.id, request.timestamp, request.body))
      .join(' ');
    const body = Buffer.from(request.body, 'utf8');
    const headers = {
      'content-type': 'application/json',
      'content-length': String(body.length),
      'user-agent': 'SeatSteward-Webhooks/1',
      'webhook-id': request.id,
      'webhook-timestamp': String(Math.floor(request.timestamp.getTime() / 1000)),
      'webhook-signature': signature,
    };
    const transport = checked.url.protocol === 'https:' ? https : http;
    return new Promise<WebhookResponse>((resolve) => {
      let settled = false;
      const finish = (response: WebhookResponse) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        request.signal.removeEventListener('abort', onAbort);
        resolve(response);
      };
      const req = transport.request(checked.url, {
        method: 'POST',
        headers,
        // A fresh connection per delivery: a pooled socket could lead to an address checked for another URL.
        agent: false,
        lookup: pinnedLookup(checked.target),
      });
      const timer = setTimeout(() => {
        req.destroy(new Error(`no complete answer within ${Math.round(this.timeoutMs / 1000)} s`));
      }, this.timeoutMs);
      const onAbort = () =>
        req.destroy(new Error('Seat Steward stopped waiting (stopping, or the attempt ran out of time)'));
      if (request.signal.aborted) onAbort();
      else request.signal.addEventListener('abort', onAbort, { once: true });
      req.on('error', (error) => finish({ kind: 'failed', error: error.message || String(error) }));
      req.on('response', (res) => {
        const chunks: Buffer[] = [];
        let size = 0;
        const done = () =>
          finish({
            kind: 'answered',
            status: res.statusCode ?? 0,
            body: Buffer.concat(chunks).toString('utf8'),
            retryAfter: typeof res.headers['retry-after'] === 'string' ? res.headers['retry-after'] : undefined,
          });
        res.on('data', (chunk: Buffer) => {
          const room = WEBHOOK_RESPONSE_BODY_CAP - size;
          if (room > 0) chunks.push(chunk.subarray(0, room));
          size += chunk.length;
          // Enough read: a hostile receiver streaming gigabytes costs us nothing more.
          if (size >= WEBHOOK_RESPONSE_BODY_CAP) {
            done();
            res.destroy();
          }
        });
        res.on('end', done);
        res.on('error', done);
        res.on('close', done);
      });
      req.end(body);
    });
  }
}
