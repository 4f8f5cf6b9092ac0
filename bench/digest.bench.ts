/**
 * bench:digest — a digest fan-out to 1,000 subscribed conversations through a local connector
 * that answers 429 (Retry-After: 1) to every fifth post. Prints lost, duplicated, the total time,
 * and that time against the two floors: the connector's Retry-After rounds, and the notifier's own
 * pace (TEAMS_POST_RATE, under Teams' ~50 requests/s per bot), with the busiest second it reached.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { startSeatStewardForTests } from '../src/app/test-hooks';
import { createLogger } from '../src/adapters/logging/logger';
import { instantOf } from '../src/domain/digest-time';
import { postDigestJob } from '../src/usecases/digest/digest-service';
import { TEAMS_POST_RATE } from '../src/adapters/teams/post-rate';
import { startTestDemoTenant, testConfig } from '../test/helpers/harness';

const CONVERSATIONS = Number(process.env.DIGEST_BENCH_CONVERSATIONS ?? 1000);
const RETRY_AFTER_S = 1;

async function main(): Promise<void> {
  let posts = 0;
  const delivered = new Map<string, number>();
  let throttled = 0;
  const arrivals: number[] = [];
  const server = http.createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      const m = /^\/v3\/conversations\/([^/]+)\/activities/.exec(req.url ?? '');
      posts++;
      arrivals.push(Date.now());
      if (posts % 5 === 0) {
        throttled++;
        res.writeHead(429, { 'content-type': 'application/json', 'retry-after': String(RETRY_AFTER_S) });
        res.end('{"error":{"code":"Throttled"}}');
        return;
      }
      const id = decodeURIComponent(m?.[1] ?? '?');
      delivered.set(id, (delivered.get(id) ?? 0) + 1);
      res.writeHead(201, { 'content-type': 'application/json' });
      res.end(`{"id":"a${posts}"}`);
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const serviceUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;

  const demo = await startTestDemoTenant();
  const app = await startSeatStewardForTests(testConfig(), {
    logger: createLogger('silent'),
    demoTenant: demo,
    schedule: false,
  });
  const tenantId = app.tenants.list()[0].id;
  await app.sync.request(tenantId, 'benchmark').done;
  const now = new Date();
  for (let i = 0; i < CONVERSATIONS; i++) {
    const id = `19:bench-${i}@thread.tacv2`;
    app.digests.subscriptions.subscribe(
      {
        conversationId: id,
        localTime: '06:00',
        timeZone: 'UTC',
        createdBy: 'bench',
        target: { serviceUrl, conversation: { id } },
        skipDay: null,
        layout: 'tenants',
      },
      now,
    );
  }
  const day = new Date(now.getTime() + 86_400_000).toISOString().slice(0, 10);
  const started = Date.now();
  const queued = app.digests.tick(instantOf(day, '06:00', 'UTC'));
  const open = () => {
    const c = app.outbox.countByStatus();
    return c.pending + c.running;
  };
  while (open() > 0) await new Promise((r) => setTimeout(r, 50));
  const totalMs = Date.now() - started;
  const jobs = app.outbox.list({ kind: postDigestJob.kind, limit: CONVERSATIONS * 2, offset: 0 }).rows;
  const dead = jobs.filter((j) => j.status === 'dead').length;
  const lost = [...Array(CONVERSATIONS).keys()].filter((i) => !delivered.has(`19:bench-${i}@thread.tacv2`)).length;
  const duplicated = [...delivered.values()].filter((n) => n > 1).length;
  await app.close();
  await demo.close();
  server.close();

  // Every fifth post is refused and retried after Retry-After: the retries form rounds, each at least 1 s apart.
  let rounds = 0;
  for (let left = CONVERSATIONS; left >= 1; left = Math.floor(left / 5)) rounds++;
  const floorMs = (rounds - 1) * RETRY_AFTER_S * 1000;
  const paceFloorMs = (Math.max(0, posts - TEAMS_POST_RATE.burst) / TEAMS_POST_RATE.perSecond) * 1000;
  let busiest = 0;
  for (let i = 0, j = 0; j < arrivals.length; j++) {
    while (arrivals[j] - arrivals[i] >= 1000) i++;
    busiest = Math.max(busiest, j - i + 1);
  }
  console.log(`digest fan-out: ${CONVERSATIONS} conversations, ${queued} jobs queued`);
  console.log(`  posts ${posts}, answered 429 ${throttled}, dead-lettered ${dead}`);
  console.log(`  lost ${lost}, duplicated ${duplicated}`);
  console.log(`  total ${(totalMs / 1000).toFixed(1)} s; ${(CONVERSATIONS / (totalMs / 1000)).toFixed(0)} digests/s`);
  console.log(
    `  floors: the connector's Retry-After rounds ${(floorMs / 1000).toFixed(1)} s; the notifier's pace (${TEAMS_POST_RATE.perSecond}/s, burst ${TEAMS_POST_RATE.burst}) ${(paceFloorMs / 1000).toFixed(1)} s`,
  );
  console.log(`  busiest second: ${busiest} posts (Teams allows about 50 requests/s per bot)`);
  if (lost > 0 || duplicated > 0) process.exitCode = 1;
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
