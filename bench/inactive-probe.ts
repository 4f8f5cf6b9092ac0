import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { ExtraProbe } from './analytics.bench';

/**
 * The `inactive` command under concurrent callers: real message activities POSTed to /api/messages
 * (anonymous mode, loopback), answered through a local connector that takes each reply at once.
 * Measured server-side by the app from the request's arrival to the end of its response, which
 * includes the reply's round trip to the connector.
 */
export function inactiveCommandProbe(options: { concurrency: number; seconds: number }): ExtraProbe {
  return {
    name: '`inactive` command',
    async run(ctx) {
      let replies = 0;
      const connector = http.createServer((req, res) => {
        req.resume();
        req.on('end', () => {
          replies++;
          res.writeHead(200, { 'content-type': 'application/json' });
          res.end(JSON.stringify({ id: `reply-${replies}` }));
        });
      });
      await new Promise<void>((resolve) => connector.listen(0, '127.0.0.1', resolve));
      const serviceUrl = `http://127.0.0.1:${(connector.address() as AddressInfo).port}/`;
      const agent = new http.Agent({ keepAlive: true, maxSockets: options.concurrency });
      const post = (n: number) =>
        new Promise<number>((resolve, reject) => {
          const body = JSON.stringify({
            type: 'message',
            id: `bench-${n}`,
            channelId: 'msteams',
            serviceUrl,
            timestamp: new Date().toISOString(),
            from: { id: 'user-id-0', name: 'Bench Admin', aadObjectId: '00000000-0000-0000-0000-000000000020' },
            recipient: { id: 'bot-id', name: 'Seat Steward' },
            conversation: {
              id: `a:bench-${n % options.concurrency}`,
              conversationType: 'personal',
              tenantId: '00000000-0000-0000-0000-00000000b0b0',
            },
            channelData: { tenant: { id: '00000000-0000-0000-0000-00000000b0b0' } },
            text: 'inactive',
            textFormat: 'plain',
            locale: 'en-US',
          });
          const req = http.request(
            `${ctx.appUrl}/api/messages`,
            {
              method: 'POST',
              agent,
              headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) },
            },
            (res) => {
              res.resume();
              res.on('end', () => resolve(res.statusCode ?? 0));
            },
          );
          req.on('error', reject);
          req.end(body);
        });
      // Warm-up, then the measured run.
      await post(0);
      await ctx.resetServerTimings();
      const until = Date.now() + options.seconds * 1000;
      let sent = 0;
      let failed = 0;
      await Promise.all(
        Array.from({ length: options.concurrency }, async (_, lane) => {
          for (let n = lane + 1; Date.now() < until; n += options.concurrency) {
            sent++;
            if ((await post(n)) !== 200) failed++;
          }
        }),
      );
      agent.destroy();
      await new Promise<void>((resolve) => connector.close(() => resolve()));
      const times = [...((await ctx.serverTimings()).bot ?? [])].sort((a, b) => a - b);
      const p = (q: number) => times[Math.min(times.length - 1, Math.ceil((q / 100) * times.length) - 1)] ?? NaN;
      return [
        ['requests', `${sent} (${failed} not 200), ${replies} replies at the connector`],
        ['server', `n=${times.length}  p50 ${p(50).toFixed(1)} ms  p99 ${p(99).toFixed(1)} ms  (target ≤ 50 ms)`],
      ];
    },
  };
}
