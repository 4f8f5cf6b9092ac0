import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { postDigestJob } from '../src/usecases/digest/digest-service';
import { ConnectorRecorder, cardText, type RecordedActivity } from './helpers/connector-recorder';
import { startHarness, type Harness } from './helpers/harness';
import { ADMIN, channel, message, personal, post, type ConversationShape } from './helpers/teams-activities';

/**
 * ADMINS names someone else: a member of the chat who is not listed is refused every digest change
 * and `digest now` (which shows per-user data) with a card saying why, and nothing is stored or queued.
 */
const MEMBER = { id: '29:member-user', name: 'Morgan Member', aadObjectId: '5b0d4c1e-2f3a-4b5c-8d9e-0f1a2b3c4d5e' };

let h: Harness;
let connector: ConnectorRecorder;
let serviceUrl: string;

beforeAll(async () => {
  h = await startHarness({ config: { ADMINS: ADMIN.aadObjectId } });
  connector = new ConnectorRecorder();
  serviceUrl = await connector.start();
}, 60_000);
afterAll(async () => {
  await h?.close();
  await connector?.stop();
});

/** Sends a command as `from` and returns its answer (text, or the card's text). */
async function say(
  c: ConversationShape,
  text: string,
  from: typeof ADMIN,
): Promise<{ text?: string; card?: Record<string, unknown> }> {
  const answers = (all: RecordedActivity[]) =>
    all.filter(
      (m) =>
        m.conversationId === c.conversationId &&
        (typeof m.activity.text === 'string' || (m.activity.attachments ?? []).length > 0),
    );
  const before = answers(connector.messages()).length;
  const res = await post(h.app.url, { ...message(serviceUrl, c, text), from });
  expect(res.status).toBe(200);
  await connector.waitFor((all) => answers(all).length > before);
  const last = answers(connector.messages()).at(-1)?.activity;
  return { text: last?.text, card: last?.attachments?.[0]?.content };
}

const digestJobsIn = (conversationId: string) =>
  h.app.outbox
    .list({ kind: postDigestJob.kind, limit: 500, offset: 0 })
    .rows.filter((j) => j.idempotencyKey.includes(`:${conversationId}:`));

function expectRefused(answer: { text?: string; card?: Record<string, unknown> }): void {
  expect(answer.card).toBeDefined();
  const text = cardText(answer.card);
  expect(text).toContain('Only admins can do this');
  expect(text).toContain('Only Seat Steward admins can do this (they are listed in ADMINS)');
}

describe('digest commands from someone who is not in ADMINS', () => {
  it('refuses subscribe, unsubscribe and now with a card saying why, and stores or queues nothing', async () => {
    const c = channel();
    expectRefused(await say(c, 'digest subscribe 07:00 Europe/Paris', MEMBER));
    expect(h.app.digests.subscriptions.get(c.conversationId)).toBeUndefined();

    expectRefused(await say(c, 'digest now', MEMBER));
    expect(digestJobsIn(c.conversationId)).toHaveLength(0);

    // An admin's subscription stays as the admin set it, whatever the member tries.
    expect((await say(c, 'digest subscribe 09:15 UTC', ADMIN)).text).toContain('Subscribed.');
    const subscribed = h.app.digests.subscriptions.get(c.conversationId);
    expect(subscribed).toMatchObject({
      localTime: '09:15',
      timeZone: 'UTC',
      createdBy: ADMIN.aadObjectId,
      status: 'active',
    });
    expectRefused(await say(c, 'digest unsubscribe', MEMBER));
    expectRefused(await say(c, 'digest subscribe 23:00 Asia/Tokyo', MEMBER));
    expect(h.app.digests.subscriptions.get(c.conversationId)).toEqual(subscribed);
    expect(digestJobsIn(c.conversationId)).toHaveLength(0);

    // Reading the schedule is not an admin thing.
    const status = await say(c, 'digest status', MEMBER);
    expect(cardText(status.card)).toContain('09:15 UTC');
    expect(cardText(status.card)).not.toContain('Only admins');
  });

  it('refuses a member with no Entra id (outside Teams) too', async () => {
    const c = personal();
    const anonymous = { id: '29:guest', name: 'Guest', aadObjectId: '' };
    expectRefused(await say(c, 'digest subscribe', anonymous));
    expectRefused(await say(c, 'digest now', anonymous));
    expect(h.app.digests.subscriptions.get(c.conversationId)).toBeUndefined();
    expect(digestJobsIn(c.conversationId)).toHaveLength(0);
  });
});
