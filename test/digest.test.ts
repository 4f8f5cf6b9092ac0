import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSeatStewardForTests } from '../src/app/test-hooks';
import { createLogger } from '../src/adapters/logging/logger';
import { instantOf, nextDay } from '../src/domain/digest-time';
import { postDigestJob, postDigestStatusJob } from '../src/usecases/digest/digest-service';
import { enqueueTenantSyncs } from '../src/usecases/sync/sync-jobs';
import { ConnectorRecorder, cardText, executeActions, type RecordedActivity } from './helpers/connector-recorder';
import { startSyncedHarness, type Harness } from './helpers/harness';
import { cardAction, channel, message, personal, post, type ConversationShape } from './helpers/teams-activities';
import { watchRunnerPasses } from './helpers/runner-passes';

/**
 * The daily digest through the real app: commands POSTed to /api/messages, digests and status
 * messages caught by the local connector (with injected 429/403/404), the scheduler's tick driven
 * by passing `now`, and restarts on the same SQLite file.
 */
let h: Harness;
let tenantId: string;
let connector: ConnectorRecorder;
let serviceUrl: string;

beforeAll(async () => {
  ({ h, tenantId } = await startSyncedHarness());
  connector = new ConnectorRecorder();
  serviceUrl = await connector.start();
}, 60_000);
afterAll(async () => {
  await h?.close();
  await connector?.stop();
});

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const dayTitle = (day: string) => `${Number(day.slice(8))} ${MONTHS[Number(day.slice(5, 7)) - 1]} ${day.slice(0, 4)}`;
const isDigest = (a: RecordedActivity['activity']) =>
  (a.attachments ?? []).some((x) => cardText(x.content).includes('Copilot digest'));
const isStatus = (a: RecordedActivity['activity']) =>
  (a.attachments ?? []).some((x) => cardText(x.content).includes('Daily Refresh'));
const digestsIn = (conversationId: string) =>
  connector.messages().filter((m) => m.conversationId === conversationId && isDigest(m.activity));
const textsIn = (conversationId: string) =>
  connector
    .messages()
    .filter((m) => m.conversationId === conversationId && typeof m.activity.text === 'string')
    .map((m) => m.activity.text ?? '');

/** Sends a command and waits for its text answer. */
async function say(
  app: Harness['app'],
  c: ConversationShape,
  text: string,
  extra: Record<string, unknown> = {},
): Promise<string> {
  const before = textsIn(c.conversationId).length;
  const res = await post(app.url, { ...message(serviceUrl, c, text), ...extra });
  expect(res.status).toBe(200);
  await connector.waitFor(() => textsIn(c.conversationId).length > before);
  return textsIn(c.conversationId).at(-1) ?? '';
}

/** The `digest status` card: its texts, facts as "title: value". */
const scheduleCards = (conversationId: string) =>
  connector
    .messages()
    .flatMap((m) => (m.conversationId === conversationId ? (m.activity.attachments ?? []) : []))
    .filter((a) => (a.content.body as Array<{ text?: string }> | undefined)?.[0]?.text === 'Daily digest');

async function askStatus(app: Harness['app'], c: ConversationShape): Promise<string> {
  const before = scheduleCards(c.conversationId).length;
  expect((await post(app.url, message(serviceUrl, c, 'digest status'))).status).toBe(200);
  await connector.waitFor(() => scheduleCards(c.conversationId).length > before);
  const card = scheduleCards(c.conversationId).at(-1)?.content ?? {};
  const out: string[] = [];
  const walk = (node: unknown): void => {
    if (Array.isArray(node)) node.forEach(walk);
    else if (node && typeof node === 'object') {
      const o = node as Record<string, unknown>;
      if (o.type === 'TextBlock' && typeof o.text === 'string') out.push(o.text);
      if (typeof o.title === 'string' && typeof o.value === 'string') out.push(`${o.title}: ${o.value}`);
      Object.values(o).forEach(walk);
    }
  };
  walk(card);
  return out.join('\n');
}

async function until(predicate: () => boolean, what: string, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** Runs the scheduler's tick at `now`; how many digest jobs it queued for this conversation (other tests' subscriptions are due too). */
function tickFor(app: Harness['app'], c: ConversationShape, now: Date): number {
  const before = digestJobs(app, c.conversationId).length;
  app.digests.tick(now);
  return digestJobs(app, c.conversationId).length - before;
}

/** A local day safely in the future of the real clock, so subscribing today never skips it. */
const futureDay = (days: number) => new Date(Date.now() + days * 86_400_000).toISOString().slice(0, 10);
const digestJobs = (app: Harness['app'], conversationId: string) =>
  app.outbox
    .list({ kind: postDigestJob.kind, limit: 500, offset: 0 })
    .rows.filter((j) => j.idempotencyKey.startsWith(`digest:${conversationId}:`));

describe('digest subscribe / status', () => {
  it('takes the time zone Teams sends, and status shows the next run in local time and UTC', async () => {
    const c = personal();
    const answer = await say(h.app, c, 'digest subscribe 07:45', { localTimezone: 'America/New_York' });
    expect(answer).toContain('every day at 07:45 America/New_York');
    const sub = h.app.digests.subscriptions.get(c.conversationId);
    expect(sub).toMatchObject({ localTime: '07:45', timeZone: 'America/New_York', status: 'active' });
    const status = await askStatus(h.app, c);
    // 07:45 in New York is 11:45 or 12:45 UTC depending on daylight saving time.
    expect(status).toContain('Every day at: 07:45 America/New_York');
    expect(status).toMatch(/Next: \d{4}-\d{2}-\d{2} 07:45 America\/New_York \(\d{4}-\d{2}-\d{2} 1[12]:45 UTC\)/);
    expect(status).toContain('Last delivered: never');
    expect(status).toMatch(/As of \d{1,2} \w{3} \d{4} \d{2}:\d{2} UTC/);
  });

  it('uses the clientInfo entity zone, DIGEST_TIME by default, and refuses an unknown zone', async () => {
    const c = personal();
    const answer = await say(h.app, c, 'digest subscribe', {
      entities: [{ type: 'clientInfo', timezone: 'Asia/Kolkata', locale: 'en-US' }],
    });
    expect(answer).toContain('every day at 08:00 Asia/Kolkata');
    expect(await say(h.app, c, 'digest subscribe 09:00 Mars/Olympus')).toContain(
      '"Mars/Olympus" is not a time zone I know',
    );
    expect(await say(h.app, c, 'digest subscribe 25:00')).toContain('not a time of day');
    expect(h.app.digests.subscriptions.get(c.conversationId)).toMatchObject({
      localTime: '08:00',
      timeZone: 'Asia/Kolkata',
    });
    expect(await say(h.app, c, 'digest unsubscribe')).toContain('Unsubscribed');
    expect(h.app.digests.subscriptions.get(c.conversationId)).toBeUndefined();
    expect(await askStatus(h.app, c)).toContain('This conversation has no daily digest.');
  });
});

describe('scheduled digest', () => {
  it('is queued when the local time comes, once per day however many ticks, and delivered once to the channel', async () => {
    const c = channel();
    await say(h.app, c, 'digest subscribe 08:00 Europe/Paris');
    const day = futureDay(3);
    const at = instantOf(day, '08:00', 'Europe/Paris');
    expect(at.toISOString().slice(11, 16)).toMatch(/^0[67]:00$/); // 08:00 Paris is 06:00 or 07:00 UTC

    expect(tickFor(h.app, c, new Date(at.getTime() - 60_000))).toBe(0);
    expect(digestJobs(h.app, c.conversationId)).toHaveLength(0);
    expect(tickFor(h.app, c, at)).toBe(1); // one tenant
    expect(tickFor(h.app, c, new Date(at.getTime() + 60_000))).toBe(0);
    expect(tickFor(h.app, c, new Date(at.getTime() + 5 * 3_600_000))).toBe(0);

    await connector.waitFor(() => digestsIn(c.conversationId).length > 0, 30_000);
    const [jobs] = [digestJobs(h.app, c.conversationId)];
    expect(jobs.map((j) => j.idempotencyKey)).toEqual([`digest:${c.conversationId}:${tenantId}:${day}`]);
    await until(() => h.app.outbox.get(jobs[0].id)?.status === 'done', 'the digest job done');
    const delivered = digestsIn(c.conversationId);
    expect(delivered).toHaveLength(1);
    const text = cardText(delivered[0].activity.attachments?.[0].content);
    expect(text).toContain(`Contoso Ltd · Copilot digest, ${dayTitle(day)}`);
    expect(text).toContain('Data as of: directory');
    const status = await askStatus(h.app, c);
    expect(status).toContain(`(the ${day} digest)`);
    // The next day's digest is queued the next day only.
    expect(tickFor(h.app, c, instantOf(nextDay(day), '07:59', 'Europe/Paris'))).toBe(0);
    expect(tickFor(h.app, c, instantOf(nextDay(day), '08:00', 'Europe/Paris'))).toBe(1);
    await connector.waitFor(() => digestsIn(c.conversationId).length === 2, 30_000);
  });

  it('is retried by the outbox after Retry-After when Teams answers 429 (not inside the attempt), and delivered once', async () => {
    const c = channel();
    await say(h.app, c, 'digest subscribe 06:30 UTC');
    const day = futureDay(4);
    connector.fail({
      status: 429,
      retryAfter: '1',
      times: 2,
      match: (a) => a.conversation?.id === c.conversationId && isDigest(a),
    });
    expect(tickFor(h.app, c, instantOf(day, '06:30', 'UTC'))).toBe(1);
    await connector.waitFor(() => digestsIn(c.conversationId).length > 0, 40_000);
    const job = digestJobs(h.app, c.conversationId)[0];
    await until(() => h.app.outbox.get(job.id)?.status === 'done', 'the digest job done');
    const rejected = connector.rejected.filter((a) => a.conversationId === c.conversationId);
    expect(rejected).toHaveLength(2);
    // Each refusal ended its attempt, so the runner slot was free while the post waited out Retry-After.
    expect(h.app.outbox.get(job.id)).toMatchObject({
      status: 'done',
      attempts: 3,
      lastError: expect.stringMatching(/Teams could not take the daily digest of Contoso Ltd right now \(429/),
    });
    expect(rejected[1].at - rejected[0].at).toBeGreaterThanOrEqual(1_000);
    expect(digestsIn(c.conversationId)[0].at - rejected[1].at).toBeGreaterThanOrEqual(1_000);
    expect(digestsIn(c.conversationId)).toHaveLength(1);
  });

  it.each([403, 404])(
    'pauses the subscription on %i with the reason, dead-letters the job visibly, and subscribing again resumes',
    async (code) => {
      const c = channel();
      await say(h.app, c, 'digest subscribe 05:00 UTC');
      const day = futureDay(5);
      connector.fail({ status: code, times: 1, match: (a) => a.conversation?.id === c.conversationId && isDigest(a) });
      expect(tickFor(h.app, c, instantOf(day, '05:00', 'UTC'))).toBe(1);
      const job = digestJobs(h.app, c.conversationId)[0];
      await until(() => h.app.outbox.get(job.id)?.status === 'dead', 'the digest job dead-lettered');
      expect(h.app.outbox.get(job.id)?.lastError).toContain(
        `Teams refused the daily digest of Contoso Ltd for conversation ${c.conversationId} (${code}`,
      );
      const sub = h.app.digests.subscriptions.get(c.conversationId);
      expect(sub).toMatchObject({
        status: 'paused',
        pausedReason: expect.stringContaining('the bot was removed from that chat or team'),
      });
      expect(digestsIn(c.conversationId)).toHaveLength(0);
      // A paused subscription queues nothing.
      expect(tickFor(h.app, c, instantOf(nextDay(day), '05:00', 'UTC'))).toBe(0);

      const status = await askStatus(h.app, c);
      expect(status).toContain('Paused: no digests are posted here.');
      expect(status).toMatch(/Paused since: \d{1,2} \w{3} \d{4} \d{2}:\d{2} UTC/);
      expect(status).toContain(`(${code}`);
      expect(status).toContain('Type **digest subscribe** to resume');
      await say(h.app, c, 'digest subscribe 05:00 UTC');
      expect(h.app.digests.subscriptions.get(c.conversationId)).toMatchObject({ status: 'active', pausedReason: null });
      expect(tickFor(h.app, c, instantOf(nextDay(day), '05:00', 'UTC'))).toBe(1);
      await connector.waitFor(() => digestsIn(c.conversationId).length === 1, 30_000);
    },
  );
});

describe('digest now', () => {
  it("posts every tenant's digest here through the outbox, with its own key", async () => {
    const c = personal();
    const answer = await say(h.app, c, 'digest now');
    expect(answer).toContain('Posting the digest of the tenant here now.');
    await connector.waitFor(() => digestsIn(c.conversationId).length === 1, 30_000);
    const jobs = h.app.outbox
      .list({ kind: postDigestJob.kind, limit: 500, offset: 0 })
      .rows.filter((j) => j.idempotencyKey.startsWith(`digest-now:${c.conversationId}:${tenantId}:`));
    expect(jobs).toHaveLength(1);
    const card = digestsIn(c.conversationId)[0].activity.attachments?.[0].content ?? {};
    const verbs = JSON.stringify(card);
    expect(verbs).toContain('"verb":"inactive.page"');
    expect(verbs).toContain('"verb":"candidates.page"');
    expect(verbs).toContain('"verb":"tenant.sync"');
  });

  it('its Show all inactive and Show candidates buttons post the first page of those lists as a new message and leave the digest as it was', async () => {
    const c = personal();
    await say(h.app, c, 'digest now');
    await connector.waitFor(() => digestsIn(c.conversationId).length === 1, 30_000);
    const card = digestsIn(c.conversationId)[0].activity.attachments?.[0].content ?? {};
    const expected: Record<string, string> = {
      'Show all inactive': 'Copilot seats to take back',
      'Show candidates': 'Copilot seat candidates',
    };
    for (const [title, heading] of Object.entries(expected)) {
      const action = executeActions(card).find((a) => a.title === title);
      expect(action, title).toBeDefined();
      const cardsHere = () =>
        connector
          .messages()
          .filter((m) => m.conversationId === c.conversationId && (m.activity.attachments ?? []).length > 0);
      const before = cardsHere().length;
      const res = await post(h.app.url, cardAction(serviceUrl, c, action?.verb ?? '', action?.data));
      expect(res.status).toBe(200);
      // A message response: Teams keeps the digest; the list arrives as a message of its own.
      expect(res.body, title).toMatchObject({ statusCode: 200, type: 'application/vnd.microsoft.activity.message' });
      expect(JSON.stringify(res.body)).not.toContain('AdaptiveCard');
      await connector.waitFor(() => cardsHere().length === before + 1);
      const posted = cardsHere().at(-1);
      expect(posted?.method).toBe('POST');
      const answer = cardText(posted?.activity.attachments?.[0].content);
      expect(answer, title).toContain(heading);
      expect(answer, title).toMatch(/page 1 of \d+/);
      // No update of the digest's own message either.
      expect(connector.messages().filter((m) => m.conversationId === c.conversationId && m.method === 'PUT')).toEqual(
        [],
      );
    }
  });

  it('its Export CSV button signs a fresh link when pressed and posts it, leaving the digest as it was', async () => {
    const c = personal();
    await say(h.app, c, 'digest now');
    await connector.waitFor(() => digestsIn(c.conversationId).length === 1, 30_000);
    const card = digestsIn(c.conversationId)[0].activity.attachments?.[0].content ?? {};
    expect(JSON.stringify(card)).not.toContain('/exports/');
    const action = executeActions(card).find((a) => a.title === 'Export CSV');
    expect(action).toMatchObject({ verb: 'export.link', data: { tenantId, kind: 'underutilized' } });
    const before = connector.messages().filter((m) => m.conversationId === c.conversationId).length;
    const res = await post(h.app.url, cardAction(serviceUrl, c, action?.verb ?? '', action?.data));
    expect(res.body).toMatchObject({ statusCode: 200, type: 'application/vnd.microsoft.activity.message' });
    await connector.waitFor((all) => all.filter((m) => m.conversationId === c.conversationId).length === before + 1);
    const posted = connector
      .messages()
      .filter((m) => m.conversationId === c.conversationId)
      .at(-1)?.activity.attachments?.[0].content as { actions: Array<{ type: string; url: string }> };
    const link = posted.actions.find((a) => a.type === 'Action.OpenUrl');
    const download = await fetch(link?.url ?? '');
    expect(download.status).toBe(200);
    expect(download.headers.get('content-type')).toContain('text/csv');
  });

  it('waits for a running sync of the tenant, then posts after it', async () => {
    const c = personal();
    const sync = h.app.sync.request(tenantId, 'test');
    await say(h.app, c, 'digest now');
    const run = await sync.done;
    await connector.waitFor(() => digestsIn(c.conversationId).length === 1, 30_000);
    expect(digestsIn(c.conversationId)[0].at).toBeGreaterThanOrEqual(Date.parse(run.finishedAt ?? ''));
  });
});

describe('daily status message (after each scheduled sync)', () => {
  it('goes to the subscriptions after the scheduled sync, once per run', async () => {
    const c = channel();
    await say(h.app, c, 'digest subscribe 04:00 UTC');
    const [jobId] = enqueueTenantSyncs(
      { queue: h.app.jobs, outbox: h.app.outbox, tenants: h.app.tenants },
      { trigger: 'schedule', slot: `status-${Date.now()}` },
    );
    expect(jobId).toBeGreaterThan(0);
    await until(() => h.app.outbox.get(jobId)?.status === 'done', 'the scheduled sync', 60_000);
    await connector.waitFor(
      () => connector.messages().some((m) => m.conversationId === c.conversationId && isStatus(m.activity)),
      30_000,
    );
    const run = h.app.runs.latestFinished(tenantId);
    const status = connector.messages().filter((m) => m.conversationId === c.conversationId && isStatus(m.activity));
    expect(status).toHaveLength(1);
    const text = cardText(status[0].activity.attachments?.[0].content);
    expect(text).toContain(
      `[Copilot Analytics] Daily Refresh - ${run?.status === 'success' ? 'SUCCESS' : 'PARTIAL'} - ${run?.finishedAt?.slice(0, 10)}`,
    );
    expect(text).toContain('Records Processed');
    expect(text).toContain('Utilization Rate');
    expect(text).toContain('Dashboard Link: not configured (set DASHBOARD_URL)');
    expect(
      h.app.outbox
        .list({ kind: postDigestStatusJob.kind, limit: 500, offset: 0 })
        .rows.filter((j) => j.idempotencyKey === `sync-status:${c.conversationId}:${run?.id}`),
    ).toHaveLength(1);
  }, 90_000);
});

describe('restart', () => {
  it('catches up a digest missed while down, the same day, and never sends it twice across ticks and restarts', async () => {
    const c = channel();
    await say(h.app, c, 'digest subscribe 08:00 Europe/Berlin');
    const day = futureDay(6);
    const at = instantOf(day, '08:00', 'Europe/Berlin');
    const config = h.config;
    const demo = h.demo;
    await h.app.close();
    // Down over 08:00; back at 09:30 the same local day.
    let app = await startSeatStewardForTests(config, {
      logger: createLogger('silent'),
      demoTenant: demo,
      schedule: false,
    });
    try {
      expect(tickFor(app, c, new Date(at.getTime() + 90 * 60_000))).toBe(1);
      await connector.waitFor(() => digestsIn(c.conversationId).length === 1, 30_000);
      const [job] = digestJobs(app, c.conversationId);
      await until(() => app.outbox.get(job.id)?.status === 'done', 'the digest job done');
      expect(tickFor(app, c, new Date(at.getTime() + 91 * 60_000))).toBe(0);
      await app.close();
      app = await startSeatStewardForTests(config, {
        logger: createLogger('silent'),
        demoTenant: demo,
        schedule: false,
      });
      expect(tickFor(app, c, new Date(at.getTime() + 120 * 60_000))).toBe(0);
      // Even with the day forgotten, the idempotency key keeps the job from being queued again.
      app.db.prepare('UPDATE digest_subscriptions SET last_day = NULL WHERE conversation_id = ?').run(c.conversationId);
      expect(tickFor(app, c, new Date(at.getTime() + 121 * 60_000))).toBe(0);
      // The runner looks at the outbox and every job it took has ended: a digest queued or re-run
      // behind the ticks' backs has been posted by then.
      await watchRunnerPasses(app.outbox).idle(app.jobs);
      expect(digestsIn(c.conversationId)).toHaveLength(1);
      expect(digestJobs(app, c.conversationId)).toHaveLength(1);
    } finally {
      await app.close();
      // The shared harness' close() closes its app again; give it the last one's place.
      h = {
        ...h,
        app: await startSeatStewardForTests(config, {
          logger: createLogger('silent'),
          demoTenant: demo,
          schedule: false,
        }),
      };
    }
  }, 60_000);
});
