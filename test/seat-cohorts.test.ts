import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SKU } from '../demo-tenant/constants';
import { generateDemoTenant } from '../demo-tenant/generator';
import type { GraphUser } from '../demo-tenant/model';
import { databaseFile } from '../src/adapters/sqlite/database';
import { SqliteSeatCohortReads } from '../src/adapters/sqlite/seat-cohort-reads';
import { instantOf, nextDay } from '../src/domain/digest-time';
import { cohortsResponseSchema } from '../src/entry/api/cohort-routes';
import { ConnectorRecorder, cardText } from './helpers/connector-recorder';
import { startSyncedHarness, TEST_API_KEY, type Harness } from './helpers/harness';
import { ADMIN, channel, message, personal, post, type ConversationShape } from './helpers/teams-activities';
import { validateCard } from './support/card-validator';
import { readCsv } from './support/csv-reader';

/**
 * Seat cohorts through the real app: two syncs of the demo tenant in two months (the app's clock
 * set to the middle of last month, then to now), one user given a Copilot seat in between and one
 * reclaim removal on record; then GET …/copilot/cohorts, the cohorts CSV and the digest's monthly
 * section. The demo's activity is dated relative to the real today.
 */
const data = generateDemoTenant({ users: 150, seed: 29 });
const isHolder = (u: GraphUser) => u.assignedLicenses.some((l) => l.skuId === SKU.COPILOT);
const holder = data.users.find((u) =>
  u.licenseAssignmentStates.some((s) => s.skuId === SKU.COPILOT && s.assignedByGroup === null),
);
const newcomer = data.users.find((u) => !isHolder(u) && u.accountEnabled && u.assignedLicenses.length > 0);
if (!holder || !newcomer) throw new Error('the demo tenant needs a seat holder and a licensed member without a seat');

const OTHER_CLIENT = '0f0f0f0f-1111-4222-8333-444455556666';
const SCOPED_KEY = 'other-client-key-0123456789abcdef';
const realNow = new Date();
const monthOf = (d: Date) => d.toISOString().slice(0, 7);
// The first sync on the 15th of last month, the second now.
const day1 = new Date(Date.UTC(realNow.getUTCFullYear(), realNow.getUTCMonth() - 1, 15, 9));
const day2 = realNow;
const m0 = monthOf(day1);
const m1 = monthOf(day2);
// The month after, for scheduled digests whose "last month" is m1.
const m2 = monthOf(new Date(Date.UTC(realNow.getUTCFullYear(), realNow.getUTCMonth() + 1, 1)));
let now = day1;
const clock = () => now;

let h: Harness;
let tenantId: string;
let connector: ConnectorRecorder;
let serviceUrl: string;

beforeAll(async () => {
  ({ h, tenantId } = await startSyncedHarness({
    data,
    app: { clock },
    config: { ADMINS: ADMIN.aadObjectId, API_KEYS: `${TEST_API_KEY},${OTHER_CLIENT}:${SCOPED_KEY}` },
  }));
  // Next month: the newcomer gets a Copilot seat, and a reclaim removed a seat on that day.
  now = day2;
  const seat = (u: GraphUser) => ({
    assignedLicenses: [
      ...u.assignedLicenses,
      ...(holder?.assignedLicenses.filter((l) => l.skuId === SKU.COPILOT) ?? []),
    ],
    licenseAssignmentStates: [
      ...u.licenseAssignmentStates,
      ...(holder?.licenseAssignmentStates.filter((s) => s.skuId === SKU.COPILOT && s.assignedByGroup === null) ?? []),
    ],
  });
  h.demo.server.setData({ ...data, users: data.users.map((u) => (u === newcomer ? { ...u, ...seat(u) } : u)) });
  expect((await h.app.sync.request(tenantId, 'test').done).status).not.toBe('failed');
  // A removal done by the reclaim workflow (its own tests drive it through approvals); only its record matters here.
  h.app.db
    .prepare(
      `INSERT INTO reclaim_requests (id, tenant_id, mode, source, requested_at, expires_at, approvals_target)
       VALUES ('cohort-req', ?, 'on', 'test', ?, ?, '{}')`,
    )
    .run(tenantId, day2.toISOString(), day2.toISOString());
  h.app.db
    .prepare(
      `INSERT INTO reclaim_items (request_id, tenant_id, user_id, user_principal_name, sku_id, sku_name, assigned_via,
         evidence, currency, state, removed_at, updated_at)
       VALUES ('cohort-req', ?, 'u-gone', 'gone@contoso.com', ?, 'Copilot', 'direct', '{}', 'USD', 'removed', ?, ?)`,
    )
    .run(tenantId, SKU.COPILOT, day2.toISOString(), day2.toISOString());
  connector = new ConnectorRecorder();
  serviceUrl = await connector.start();
}, 120_000);
afterAll(async () => {
  await h?.close();
  await connector?.stop();
});

const api = (path: string, key: string = TEST_API_KEY) =>
  fetch(`${h.app.url}/api/v1/m365/tenants/${tenantId}/${path}`, { headers: { Authorization: `Bearer ${key}` } });

/** An independent count from the recorded history: seat holders of a month, and those with activity dated in it. */
function expected(month: string): { holders: number; held: Set<number>; active: Set<number> } {
  const rows = h.app.db
    .prepare(
      `SELECT h.user_key, h.last_activity_date FROM user_history h JOIN history_days d ON d.tenant_id = h.tenant_id
        AND d.day >= h.from_day AND (h.to_day IS NULL OR d.day <= h.to_day)
        WHERE h.tenant_id = ? AND h.has_copilot = 1 AND substr(d.day, 1, 7) = ?`,
    )
    .all(tenantId, month) as Array<{ user_key: number; last_activity_date: string | null }>;
  const holders = new Set(rows.map((r) => r.user_key));
  const dated = h.app.db
    .prepare(
      `SELECT DISTINCT user_key FROM user_history WHERE tenant_id = ? AND has_copilot = 1 AND substr(last_activity_date, 1, 7) = ?`,
    )
    .pluck()
    .all(tenantId, month) as number[];
  return { holders: holders.size, held: holders, active: new Set(dated.filter((k) => holders.has(k))) };
}

describe('GET …/copilot/cohorts', () => {
  it('answers the months newest first, as the zod schema says, with the figures of the recorded history', async () => {
    const res = await api('copilot/cohorts?months=2');
    expect(res.status).toBe(200);
    const body = cohortsResponseSchema.parse(await res.json());
    expect(body.months.map((m) => m.month)).toEqual([m1, m0]);
    const [next, first] = body.months;
    const e0 = expected(m0);
    const e1 = expected(m1);
    expect(e0.holders).toBeGreaterThan(0);
    expect(first).toMatchObject({
      captured_days: 1,
      partial: false,
      seat_holders: e0.holders,
      active: e0.active.size,
      // The month before the first has no history: nothing to compare with.
      retained: null,
      reactivated: null,
      lapsed: null,
      // Seats held on the first captured day began before the history.
      newly_assigned: 0,
      reclaimed: 0,
    });
    const count = (keys: Set<number>, keep: (k: number) => boolean) => [...keys].filter(keep).length;
    expect(e1.active.size).toBeGreaterThan(0);
    expect(next).toMatchObject({
      captured_days: 1,
      partial: true,
      seat_holders: e0.holders + 1,
      active: e1.active.size,
      retained: count(e1.active, (k) => e0.active.has(k)),
      reactivated: count(e1.active, (k) => e0.held.has(k) && !e0.active.has(k)),
      lapsed: count(e0.active, (k) => e1.held.has(k) && !e1.active.has(k)),
      newly_assigned: 1,
      reclaimed: 1,
    });
    // The newcomer's seat began today: used since only if the report says so by now.
    expect(next.first_use.used).toBeLessThanOrEqual(1);
    expect(body.history_from).toBe(day1.toISOString().slice(0, 10));
    // Worked out after the second sync (the reclaim recorded since is counted at the read).
    expect(body.as_of).toBe(day2.toISOString());
    const stored = h.app.db
      .prepare('SELECT month FROM copilot_cohort_months WHERE tenant_id = ? ORDER BY month')
      .pluck()
      .all(tenantId);
    expect(stored).toEqual([m0, m1]);
  });

  it('defaults to 12 months, refuses a bad ?months=, and a key of another client sees no such tenant', async () => {
    const body = cohortsResponseSchema.parse(await (await api('copilot/cohorts')).json());
    expect(body.months).toHaveLength(12);
    expect(body.months.slice(2).every((m) => m.captured_days === 0 && m.seat_holders === 0)).toBe(true);
    const bad = await api('copilot/cohorts?months=25');
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: { code: string } }).error.code).toBe('invalid_parameter');
    expect((await api('copilot/cohorts', SCOPED_KEY)).status).toBe(404);
    expect((await api('exports/cohorts.csv', SCOPED_KEY)).status).toBe(404);
  });

  it('reads the seat intervals through the partial index, in user order, with no sort', () => {
    const statements: string[] = [];
    const db = new Database(databaseFile(h.config.dataDir), {
      readonly: true,
      verbose: (sql) => statements.push(String(sql)),
    });
    try {
      const inputs = new SqliteSeatCohortReads(db).inputs(tenantId, `${m0}-01`, `${m1}-28`);
      expect([...(inputs?.seatIntervals ?? [])].length).toBeGreaterThan(0);
      const plans = statements.map((sql) =>
        (db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all() as Array<{ detail: string }>).map((r) => r.detail),
      );
      const lines = plans.flat();
      expect(lines).toContainEqual(
        expect.stringMatching(/^SEARCH user_history USING COVERING INDEX user_history_seat_intervals \(tenant_id=\?\)/),
      );
      expect(lines.filter((l) => /USE TEMP B-TREE|^SCAN /.test(l))).toEqual([]);
    } finally {
      db.close();
    }
  });
});

describe('cohorts CSV', () => {
  it('has a row per month with the JSON figures', async () => {
    const res = await api('exports/cohorts.csv?months=2');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/csv; charset=utf-8');
    expect(res.headers.get('content-disposition')).toContain(`-cohorts-${m1}.csv`);
    // ignoreBOM keeps the byte order mark in the text (a plain decode drops it silently).
    const text = new TextDecoder('utf-8', { ignoreBOM: true }).decode(await res.arrayBuffer());
    expect(text.charCodeAt(0)).toBe(0xfeff);
    const [header, ...rows] = readCsv(text.slice(1));
    expect(header).toEqual([
      'Month',
      'CapturedDays',
      'Partial',
      'SeatHolders',
      'Active',
      'Retained',
      'Reactivated',
      'Lapsed',
      'Reclaimed',
      'NewlyAssigned',
      'FirstUseCount',
      'FirstUseMedianDays',
    ]);
    const json = cohortsResponseSchema.parse(await (await api('copilot/cohorts?months=2')).json());
    expect(rows).toEqual(
      json.months.map((m) =>
        [
          m.month,
          m.captured_days,
          m.partial,
          m.seat_holders,
          m.active,
          m.retained ?? '',
          m.reactivated ?? '',
          m.lapsed ?? '',
          m.reclaimed,
          m.newly_assigned,
          m.first_use.used,
          m.first_use.median_days ?? '',
        ].map(String),
      ),
    );
  });
});

describe('the monthly section of the digest', () => {
  const digestCards = (c: ConversationShape) =>
    connector
      .messages()
      .filter((m) => m.conversationId === c.conversationId)
      .flatMap((m) => m.activity.attachments ?? [])
      .filter((a) => cardText(a.content).includes('Copilot digest'))
      .map((a) => a.content as Record<string, unknown>);
  const monthName = (month: string) =>
    new Date(`${month}-01T00:00:00Z`).toLocaleString('en-US', { month: 'long', timeZone: 'UTC' });

  it('is in the first digest of a month only, naming last month, and the card stays valid and under 28 KB', async () => {
    const c = channel();
    expect(
      (await post(h.app.url, { ...message(serviceUrl, c, 'digest subscribe 06:00 UTC'), from: ADMIN })).status,
    ).toBe(200);
    const first = `${m2}-03`;
    h.app.digests.tick(instantOf(first, '06:00', 'UTC'));
    await connector.waitFor(() => digestCards(c).length === 1, 30_000);
    const e1 = expected(m1);
    const card = digestCards(c)[0];
    const { errors, bytes } = validateCard(card);
    expect(errors).toEqual([]);
    expect(bytes).toBeLessThan(28 * 1024);
    const text = cardText(card);
    expect(text).toContain(
      `${monthName(m1)} ${m1.slice(0, 4)} in review: ${e1.active.size} of ${e1.holders} Copilot seat holder${e1.holders === 1 ? '' : 's'} active`,
    );
    const json = cohortsResponseSchema.parse(await (await api('copilot/cohorts?months=1')).json()).months[0];
    expect(text).toContain(`Retained ${json.retained} · reactivated ${json.reactivated} · lapsed ${json.lapsed}`);
    expect(text).toContain('Newly assigned 1');
    expect(text).toContain('reclaimed 1.');

    // The next day's digest, the same month: no monthly section.
    await expect
      .poll(() => h.app.digests.subscriptions.get(c.conversationId)?.lastDeliveredDay, { timeout: 10_000 })
      .toBe(first);
    h.app.digests.tick(instantOf(nextDay(first), '06:00', 'UTC'));
    await connector.waitFor(() => digestCards(c).length === 2, 30_000);
    expect(cardText(digestCards(c)[1])).not.toContain('in review:');
  });

  it('digest now in a chat without a subscription carries it too (last month: the first of the history)', async () => {
    const c = personal();
    expect((await post(h.app.url, { ...message(serviceUrl, c, 'digest now'), from: ADMIN })).status).toBe(200);
    await connector.waitFor(() => digestCards(c).length === 1, 30_000);
    const text = cardText(digestCards(c)[0]);
    expect(text).toContain(`${monthName(m0)} ${m0.slice(0, 4)} in review:`);
    expect(text).toContain('Retained, reactivated and lapsed need the month before it too');
  });
});

describe('cohorts after a later sync the same day', () => {
  it('this month is worked out again at each recorded sync', async () => {
    const before = cohortsResponseSchema.parse(await (await api('copilot/cohorts?months=1')).json());
    const second = data.users.find(
      (u) => u !== newcomer && !isHolder(u) && u.accountEnabled && u.assignedLicenses.length > 0,
    );
    if (!second || !holder) throw new Error('no second member without a seat');
    const copilot = {
      assignedLicenses: holder.assignedLicenses.filter((l) => l.skuId === SKU.COPILOT),
      licenseAssignmentStates: holder.licenseAssignmentStates.filter(
        (st) => st.skuId === SKU.COPILOT && st.assignedByGroup === null,
      ),
    };
    const give = (u: GraphUser) => ({
      ...u,
      assignedLicenses: [...u.assignedLicenses, ...copilot.assignedLicenses],
      licenseAssignmentStates: [...u.licenseAssignmentStates, ...copilot.licenseAssignmentStates],
    });
    h.demo.server.setData({
      ...data,
      users: data.users.map((u) => (u === newcomer || u === second ? give(u) : u)),
    });
    now = new Date(day2.getTime() + 60_000);
    expect((await h.app.sync.request(tenantId, 'test').done).status).not.toBe('failed');
    const after = cohortsResponseSchema.parse(await (await api('copilot/cohorts?months=1')).json());
    expect(after.as_of).toBe(now.toISOString());
    expect(after.months[0]).toMatchObject({
      month: m1,
      newly_assigned: before.months[0].newly_assigned + 1,
      seat_holders: before.months[0].seat_holders + 1,
    });
  });
});
