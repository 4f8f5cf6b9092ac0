import { afterEach, describe, expect, it } from 'vitest';
import { databaseFile, openDatabase } from '../src/adapters/sqlite/database';
import { SqliteDigestSubscriptions } from '../src/adapters/sqlite/digest-subscriptions';
import { SqliteOutboxStore } from '../src/adapters/sqlite/outbox-store';
import { postDigestJob } from '../src/usecases/digest/digest-service';
import { DEFAULT_RUNNER_OPTIONS } from '../src/usecases/outbox/job-runner';
import type { OutboxJob } from '../src/usecases/outbox/outbox-store';
import { bannerPort, realTenantEnv, startApp, waitFor, type RunningProcess } from './helpers/app-process';
import { ConnectorRecorder, cardText, type RecordedActivity } from './helpers/connector-recorder';
import { startTestDemoTenant, tempDir } from './helpers/harness';

/**
 * The app process is killed (SIGKILL) in the middle of a digest fan-out to many conversations and
 * started again on the same DATA_DIR. The connector lives in this test process, so it survives the
 * kill and knows every card that reached "Teams", including those whose answer the app never read.
 */
const CONVERSATIONS = 60;
/** Jobs the runner can have running at once: the most posts that can be in flight at a kill. */
const IN_FLIGHT_BOUND = Math.min(DEFAULT_RUNNER_OPTIONS.concurrency, postDigestJob.concurrency);

const closers: Array<() => Promise<void>> = [];
let app: RunningProcess | undefined;
afterEach(async () => {
  app?.killGroup('SIGKILL');
  await app?.exited;
  app = undefined;
  for (const close of closers.splice(0).reverse()) await close();
});

function withDb<T>(dataDir: string, work: (db: ReturnType<typeof openDatabase>) => T): T {
  const db = openDatabase(databaseFile(dataDir));
  try {
    return work(db);
  } finally {
    db.close();
  }
}

const digestJobs = (dataDir: string): OutboxJob[] =>
  withDb(
    dataDir,
    (db) => new SqliteOutboxStore(db).list({ kind: postDigestJob.kind, limit: CONVERSATIONS * 4, offset: 0 }).rows,
  );

/** A zone whose local day is not about to end, so the test never straddles two digest days. */
function zoneAwayFromMidnight(now: Date): string {
  const hourIn = (zone: string) =>
    Number(new Intl.DateTimeFormat('en-GB', { timeZone: zone, hour: '2-digit', hourCycle: 'h23' }).format(now));
  return ['UTC', 'Asia/Tokyo', 'America/New_York'].find((z) => hourIn(z) >= 1 && hourIn(z) <= 21) ?? 'UTC';
}

describe('a crash in the middle of a digest fan-out', () => {
  it('delivers every digest after the restart, resends at most the posts in flight at the kill, and nothing after a second restart', async () => {
    const demo = await startTestDemoTenant();
    closers.push(() => demo.close());
    const connector = new ConnectorRecorder();
    const serviceUrl = await connector.start();
    closers.push(() => connector.stop());
    // Slow answers, so the kill lands while posts are out and before all of them went.
    connector.replyDelayMs = 250;
    const isDigest = (a: RecordedActivity['activity']) =>
      (a.attachments ?? []).some((x) => cardText(x.content).includes('Copilot digest'));
    const digestsByConversation = () => {
      const by = new Map<string, number>();
      for (const m of connector.messages())
        if (isDigest(m.activity)) by.set(m.conversationId, (by.get(m.conversationId) ?? 0) + 1);
      return by;
    };
    const delivered = () => [...digestsByConversation().values()].reduce((a, b) => a + b, 0);

    const dataDir = tempDir('digest-crash');
    const now = new Date();
    const zone = zoneAwayFromMidnight(now);
    const ids = [...Array(CONVERSATIONS).keys()].map((i) => `19:crash-${i}@thread.tacv2`);
    // Subscribed before the app starts: its start-up tick finds all of them due (00:00 local has passed).
    withDb(dataDir, (db) => {
      const subs = new SqliteDigestSubscriptions(db);
      for (const id of ids)
        subs.subscribe(
          {
            conversationId: id,
            localTime: '00:00',
            timeZone: zone,
            createdBy: 'test',
            target: { serviceUrl, conversation: { id } },
            skipDay: null,
            layout: 'tenants',
          },
          now,
        );
    });

    const env = {
      ...realTenantEnv({
        info: {
          url: demo.server.url,
          tenantId: demo.server.tenantId,
          clientId: demo.server.clientId,
          clientSecret: demo.server.clientSecret,
        },
        caFile: process.env.NODE_EXTRA_CA_CERTS as string,
      }),
      DATA_DIR: dataDir,
      PORT: '0',
      PLAYGROUND: 'off',
    };
    const first = (app = startApp('production', env));
    await connector.waitFor(() => delivered() >= 10, 90_000);
    first.killGroup('SIGKILL');
    await first.exited;
    app = undefined;

    const receivedAtKill = digestsByConversation();
    expect(delivered()).toBeLessThan(CONVERSATIONS);
    const atKill = digestJobs(dataDir);
    expect(atKill).toHaveLength(CONVERSATIONS);
    const runningAtKill = atKill.filter((j) => j.status === 'running');
    expect(runningAtKill.length).toBeLessThanOrEqual(IN_FLIGHT_BOUND);
    const inFlight = new Set(runningAtKill.map((j) => (j.payload as { conversationId: string }).conversationId));
    // Cards Teams took whose outcome the app never recorded: the one window the outbox cannot close.
    const unrecorded = [...receivedAtKill.keys()].filter((id) => inFlight.has(id));
    expect(unrecorded.length).toBeGreaterThan(0);

    connector.replyDelayMs = 0;
    const second = (app = startApp('production', env));
    await waitFor(
      () => digestsByConversation().size === CONVERSATIONS && digestJobs(dataDir).every((j) => j.status === 'done'),
      'every digest job done',
      second.output,
      90_000,
    );

    // None lost: every subscription got its digest, and every job is done (none dead-lettered).
    const counts = digestsByConversation();
    expect([...counts.keys()].sort()).toEqual([...ids].sort());
    // Resent at most the posts in flight at the kill: only conversations whose job was running then,
    // and so no more than the runner's concurrency.
    const twice = [...counts].filter(([, n]) => n > 1);
    expect(twice.every(([, n]) => n === 2)).toBe(true);
    expect(twice.map(([id]) => id).sort()).toEqual(unrecorded.sort());
    expect(twice.length).toBeLessThanOrEqual(runningAtKill.length);
    expect(twice.length).toBeLessThanOrEqual(IN_FLIGHT_BOUND);
    const jobsAfter = digestJobs(dataDir);
    expect(jobsAfter.map((j) => j.status)).toEqual(Array(CONVERSATIONS).fill('done'));
    expect(
      withDb(dataDir, (db) => new SqliteDigestSubscriptions(db).listActive().every((s) => s.lastDeliveredDay !== null)),
    ).toBe(true);

    // A second restart: today's digests are done, so its start-up tick queues nothing and nothing is posted again.
    second.killGroup('SIGTERM');
    await second.exited;
    const before = delivered();
    const third = (app = startApp('production', env));
    // The banner comes after start-up has re-queued what was left running and run its first digest
    // tick (both synchronous in start-up): whatever it queued is in the outbox by then, and once
    // nothing is pending or running, every post of those jobs has reached the connector.
    await bannerPort(third);
    await waitFor(
      () =>
        withDb(dataDir, (db) => {
          const c = new SqliteOutboxStore(db).countByStatus();
          return c.pending + c.running === 0;
        }),
      'the restarted app to go idle',
      third.output,
    );
    expect(digestJobs(dataDir)).toHaveLength(CONVERSATIONS);
    expect(delivered()).toBe(before);
  }, 240_000);
});
