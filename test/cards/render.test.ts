import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { renderCard, type CardName, type CardViews } from '../../src/cards/render';
import { validateCard } from '../support/card-validator';
import { READ_REQUIREMENTS, type CheckedReadId } from '../../src/domain/access-requirements';
import type { CheckReport, CheckStatus } from '../../src/domain/access-requirements';
import { checkView } from '../../src/cards/check-views';
import { CARD_LIST_LIMITS, TEAMS_CARD_MAX_BYTES } from '../../src/cards/view-models';
import {
  HOSTILE_NAME,
  actions,
  allObjects,
  errorView,
  facts,
  findText,
  helpView,
  statusView,
  securityView,
  syncResultView,
  syncStartedView,
  texts,
  welcomeView,
  type JsonObject,
} from './fixtures';
import { copilotAnswer, usageAnswer } from './usage-fixtures';
import { usageView } from '../../src/cards/usage-views';
import { digestScheduleView, digestStatusView, digestView } from '../../src/cards/digest-views';
import { DIGEST_RUN, DIGEST_SUBSCRIPTION, DIGEST_SUMMARY, digestInput, seat } from './digest-fixtures';
import { savingsCases } from './savings-fixtures';
import { departmentCases, departmentLine } from './department-fixtures';
import { exportLinkView } from '../../src/cards/export-views';
import { candidatesView, inactiveView } from '../../src/cards/seat-views';
import { longCandidates, longSeats, SEAT_NOW, seatSummary, storedCandidate, storedSeat } from './seat-fixtures';
import { portfolioView } from '../../src/cards/portfolio-views';
import { portfolioContent } from './portfolio-fixtures';
import { reclaimHistoryView, reclaimNudgeView, reclaimRequestView } from '../../src/cards/reclaim-views';
import { finished, nudgeViewOf, RECLAIM_NOW, reclaimItem, reclaimViewOf, trail } from './reclaim-fixtures';

function render<N extends CardName>(name: N, view: CardViews[N]): JsonObject {
  const card = renderCard(name, view);
  expect(card.type).toBe('AdaptiveCard');
  return card as JsonObject;
}

/** Renders, then holds every card to the same bar: valid for Teams, small enough, fully bound. */
function renderValid<N extends CardName>(name: N, view: CardViews[N]): JsonObject {
  const card = render(name, view);
  const { errors, bytes } = validateCard(card);
  expect(errors).toEqual([]);
  expect(bytes).toBeLessThan(TEAMS_CARD_MAX_BYTES);
  expect(card['version']).toBe('1.5');
  expect(card['$schema']).toBe('http://adaptivecards.io/schemas/adaptive-card.json');
  // Template directives must never leak into what Teams receives.
  const keys = allObjects(card).flatMap((o) => Object.keys(o));
  expect(keys).not.toContain('$data');
  expect(keys).not.toContain('$when');
  return card;
}

/** An unbound field renders as its own "${...}" expression: only hostile fixtures may contain one. */
function expectFullyBound(card: JsonObject): void {
  expect(JSON.stringify(card)).not.toContain('${');
}

const DIGEST_NOW = new Date('2026-11-23T07:00:00Z');

const cases: { [N in CardName]: Array<[string, CardViews[N]]> } = {
  welcome: [
    ['team channel', welcomeView()],
    ['personal chat without a mention hint', welcomeView({ installedIn: 'personal chat', mentionHint: '' })],
    ['no commands', welcomeView({ commands: [] })],
  ],
  help: [
    ['personal chat', helpView()],
    ['group chat', helpView({ mentionHint: 'Mention @Seat Steward, then type a command.' })],
  ],
  status: [
    ['healthy tenant', statusView()],
    [
      'no Copilot',
      statusView({ hasCopilot: false, copilotPurchased: 0, copilotAssigned: 0, copilotAvailable: 0, copilotSkus: [] }),
    ],
    ['sync running', statusView({ syncRunning: true, lastSyncOutcomeText: 'Running', lastSyncOutcomeColor: 'Accent' })],
    [
      'activity sources, one stale and one refused, with long reasons',
      statusView({
        sources: [
          { label: 'Copilot usage report (per user)', text: 'as of 21 Nov 2026 (2 days ago)', color: 'Default' },
          {
            label: 'Sign-in activity',
            text: `Not available. ${'The tenant lacks Microsoft Entra ID P1. '.repeat(40)}`,
            color: 'Attention',
          },
          ...Array.from({ length: 14 }, (_, i) => ({
            label: `Source ${i}`,
            text: `Stale, last good data as of 1 Nov 2026. ${'Graph is throttling. '.repeat(30)}`,
            color: 'Warning' as const,
          })),
        ],
      }),
    ],
    [
      'seats freed by reclaims',
      statusView({
        reclaimText:
          '12 Copilot seats freed by reclaims to date; still paid for until the subscription is reduced, then $360 a month less.',
      }),
    ],
    [
      'dead-lettered work',
      statusView({
        failedWorkText:
          '2 background tasks (such as a result post) could not be delivered and were set aside. See GET /api/v1/m365/jobs?status=dead for why, and retry there.',
      }),
    ],
    [
      'failed sync with a long error',
      statusView({
        lastSyncOutcomeText: 'Failed',
        lastSyncOutcomeColor: 'Attention',
        lastSyncErrorText: 'Microsoft Graph answered 403 Forbidden. '.repeat(80),
      }),
    ],
    [
      'never synced',
      statusView({
        synced: false,
        totalUsers: 0,
        licensedUsers: 0,
        userBreakdownText: '',
        hasCopilot: false,
        copilotPurchased: 0,
        copilotAssigned: 0,
        copilotAvailable: 0,
        copilotSkus: [],
        otherSkus: [],
        otherSkusMoreText: '',
        domainName: '',
        lastSyncText: 'No sync has run yet',
        lastSyncOutcomeText: '',
        lastSyncOutcomeColor: 'Default',
      }),
    ],
  ],
  'sync-started': [
    ['new sync', syncStartedView()],
    ['joined a running sync', syncStartedView({ joinedRunning: true })],
  ],
  'sync-result': [
    ['succeeded', syncResultView()],
    [
      'partly succeeded',
      syncResultView({
        titleText: 'Sync partly succeeded',
        outcomeColor: 'Warning',
        warnings: [
          'Group members of "Sales" could not be read (429 Too Many Requests).',
          'SKU 6470687e… has no product name.',
        ],
      }),
    ],
    [
      'failed',
      syncResultView({
        titleText: 'Sync failed',
        outcomeColor: 'Attention',
        succeeded: false,
        usersSynced: 0,
        licensedUsers: 0,
        skusSynced: 0,
        groupsSynced: 0,
        errorText:
          'Microsoft Graph answered 401: the client secret has expired. Create a new secret and update SECRET_BOT_PASSWORD.',
      }),
    ],
  ],
  error: [['forbidden', errorView()]],
  check: [
    ['every read works', checkView(checkReport(() => 'ok'))],
    [
      'mixed outcomes',
      checkView(
        checkReport(
          (id, i) => (['ok', 'missing_permission', 'missing_licence', 'unreachable', 'error'] as const)[i % 5],
        ),
      ),
    ],
    [
      'every read refused with long messages',
      checkView(checkReport(() => 'missing_permission', 'Graph said no. '.repeat(200))),
    ],
    [
      'sign-in failed',
      checkView({
        ...checkReport(() => 'not_checked'),
        signIn: {
          ok: false,
          code: 'invalid_client_secret',
          message: 'Invalid client secret (AADSTS7000215). '.repeat(60),
        },
      }),
    ],
  ],
  usage: [
    ['figures', usageView('Contoso Ltd', '30d', usageAnswer())],
    [
      'never read',
      usageView(
        'Contoso Ltd',
        '30d',
        usageAnswer({ status: 'never_read', asOf: null, readAt: null, ageDays: null }, null),
      ),
    ],
    [
      'refused',
      usageView(
        'Fabrikam',
        '7d',
        usageAnswer(
          { status: 'refused', problem: 'Microsoft Graph denied reading the report: add Reports.Read.All.' },
          null,
        ),
      ),
    ],
    ['with Copilot adoption', usageView('Contoso Ltd', '30d', usageAnswer(), copilotAnswer())],
    [
      'Copilot trend stale',
      usageView(
        'Contoso Ltd',
        '30d',
        usageAnswer(),
        copilotAnswer({ status: 'failed', stale: true, problem: 'The report download was cut short.' }),
      ),
    ],
    [
      'Copilot trend refused',
      usageView(
        'Contoso Ltd',
        '30d',
        usageAnswer(),
        copilotAnswer(
          { status: 'refused', problem: 'Microsoft Graph denied reading the report: add Reports.Read.All.' },
          false,
        ),
      ),
    ],
    [
      'stale',
      usageView(
        'Contoso Ltd',
        '90d',
        usageAnswer({ status: 'failed', stale: true, problem: 'The report download was cut short.' }),
      ),
    ],
  ],
  security: [
    ['read, stale and unknown components', securityView()],
    [
      'nothing read yet',
      securityView({
        components: securityView().components.map((c) => ({
          ...c,
          valueText: 'Unknown',
          detailText: '',
          asOfText: '',
          unknown: true,
          color: 'Warning' as const,
          reasonText: 'Not read: Not read yet: run a sync.',
        })),
      }),
    ],
  ],
  'audit-subscriptions': [
    [
      'listed after a start',
      {
        tenantName: 'Contoso Ltd',
        asOfText: 'as of 2026-03-02 14:05 UTC',
        notice: 'Audit.General started.',
        subscriptions: [
          { contentType: 'Audit.General', statusText: 'enabled', note: 'Copilot interactions' },
          { contentType: 'Audit.Exchange', statusText: 'not started', note: '' },
          { contentType: 'DLP.All', statusText: 'disabled', note: '' },
        ],
      },
    ],
    [
      'no notice',
      {
        tenantName: 'Contoso Ltd',
        asOfText: 'as of 2026-03-02 14:05 UTC',
        notice: '',
        subscriptions: [{ contentType: 'Audit.General', statusText: 'not started', note: '' }],
      },
    ],
  ],
  'audit-stop-confirm': [
    [
      'stop Audit.General',
      {
        tenantName: 'Contoso Ltd',
        contentType: 'Audit.General',
        requesterName: 'Alex Admin',
        warning: 'Content available between stopping and restarting will be lost.',
        confirmData: {
          tenantId: 't1',
          contentType: 'Audit.General',
          requesterAadObjectId: 'c1a7',
          requesterName: 'Alex Admin',
          issuedAt: '2026-03-02T14:05:00.000Z',
          signature: 'abc',
        },
      },
    ],
  ],
  'export-link': [
    [
      'a freshly signed CSV link',
      exportLinkView('Contoso Ltd', 'underutilized', {
        url: 'https://steward.contoso.com/exports/abc.def',
        expiresAt: '2026-11-23T07:10:00.000Z',
      }),
    ],
  ],
  portfolio: [
    ['40 tenants, some failing, unpriced and never synced', portfolioView(portfolioContent(40), DIGEST_NOW)],
    ['no tenant', portfolioView(portfolioContent(0), DIGEST_NOW)],
  ],
  digest: [
    ['full digest with charts', digestView(digestInput(), DIGEST_NOW)],
    [
      'before the first analytics, no trend, no export link',
      digestView(
        digestInput({
          analytics: undefined,
          savings: undefined,
          inactive: undefined,
          candidates: undefined,
          trend: undefined,
          exportsWired: false,
        }),
        DIGEST_NOW,
      ),
    ],
    ['stale data', digestView(digestInput(), new Date('2026-11-26T08:00:00Z'))],
    [
      "first of the month: last month's seat cohorts beside everything else",
      digestView(
        digestInput({
          day: '2026-12-01',
          cohorts: {
            month: '2026-11',
            capturedDays: 30,
            partial: false,
            seatHolders: 12_345,
            active: 9_876,
            retained: 9_001,
            reactivated: 875,
            lapsed: 1_234,
            reclaimed: 321,
            newlyAssigned: 456,
            firstUse: { used: 400, medianDays: 3.5 },
          },
        }),
        DIGEST_NOW,
      ),
    ],
    [
      'departments with very long names, not costed',
      digestView(
        digestInput({
          departments: {
            top: [1, 2, 3].map((i) =>
              departmentLine(`${'Department of very long names '.repeat(20)}${i}`, 400, 10, 300, [], null),
            ),
            withIdle: 400,
            idleMonthlyCost: null,
            currency: null,
          },
        }),
        DIGEST_NOW,
      ),
    ],
  ],
  'digest-status': [
    [
      'success with a dashboard',
      digestStatusView(
        {
          tenantName: 'Contoso Ltd',
          run: { ...DIGEST_RUN, status: 'success' },
          summary: DIGEST_SUMMARY,
          dashboardUrl: 'https://app.powerbi.com/x',
        },
        DIGEST_NOW,
      ),
    ],
    [
      'failed without analytics',
      digestStatusView(
        {
          tenantName: 'Contoso Ltd',
          run: { ...DIGEST_RUN, status: 'failed', counts: null, errorText: 'Graph refused', warnings: ['a', 'b', 'c'] },
          summary: undefined,
          dashboardUrl: undefined,
        },
        DIGEST_NOW,
      ),
    ],
  ],
  savings: savingsCases,
  departments: departmentCases,
  inactive: [
    [
      'first page of several',
      inactiveView({
        tenantId: 't1',
        tenantName: 'Contoso Ltd',
        filter: 'all',
        page: 1,
        summary: seatSummary(),
        seats: {
          asOf: '2026-11-23T06:00:00.000Z',
          total: 47,
          rows: Array.from({ length: 10 }, (_, i) => storedSeat(i)),
        },
        now: SEAT_NOW,
      }),
    ],
    [
      'long names, middle page',
      inactiveView({
        tenantId: 't1',
        tenantName: 'Contoso Ltd',
        filter: 'certain',
        page: 2,
        summary: seatSummary(),
        seats: { asOf: '2026-11-23T06:00:00.000Z', total: 47, rows: longSeats() },
        now: SEAT_NOW,
      }),
    ],
    [
      'nothing to take back',
      inactiveView({
        tenantId: 't1',
        tenantName: 'Contoso Ltd',
        filter: 'all',
        page: 1,
        summary: seatSummary({ reportRefreshDate: null, auditCoveredUntil: null }),
        seats: { asOf: '2026-11-23T06:00:00.000Z', total: 0, rows: [] },
        now: SEAT_NOW,
      }),
    ],
  ],
  candidates: [
    [
      'first page',
      candidatesView({
        tenantId: 't1',
        tenantName: 'Contoso Ltd',
        page: 1,
        summary: seatSummary(),
        candidates: {
          asOf: '2026-11-23T06:00:00.000Z',
          total: 83,
          rows: Array.from({ length: 10 }, (_, i) => storedCandidate(i + 1)),
        },
        now: SEAT_NOW,
      }),
    ],
    [
      'long names, last page',
      candidatesView({
        tenantId: 't1',
        tenantName: 'Contoso Ltd',
        page: 9,
        summary: seatSummary(),
        candidates: { asOf: '2026-11-23T06:00:00.000Z', total: 90, rows: longCandidates() },
        now: SEAT_NOW,
      }),
    ],
    [
      'none',
      candidatesView({
        tenantId: 't1',
        tenantName: 'Contoso Ltd',
        page: 1,
        summary: seatSummary({ candidates: { High: 0, Medium: 0, Low: 0 } }),
        candidates: { asOf: '2026-11-23T06:00:00.000Z', total: 0, rows: [] },
        now: SEAT_NOW,
      }),
    ],
  ],
  'digest-schedule': [
    ['active, delivered yesterday', digestScheduleView(DIGEST_SUBSCRIPTION, DIGEST_NOW)],
    [
      'paused by a 403',
      digestScheduleView(
        {
          ...DIGEST_SUBSCRIPTION,
          status: 'paused',
          pausedAt: '2026-11-23T07:00:02.000Z',
          pausedReason: `Teams refused the daily digest of Contoso Ltd (403 ${'x'.repeat(900)})`,
        },
        DIGEST_NOW,
      ),
    ],
    ['no subscription', digestScheduleView(undefined, DIGEST_NOW)],
  ],
  'reclaim-request': [
    [
      'posted, waiting for approval',
      reclaimRequestView(reclaimViewOf([1, 2, 3].map((i) => reclaimItem(i))), RECLAIM_NOW, 'everyone'),
    ],
    [
      'approver view with a group seat, 40 seats',
      reclaimRequestView(
        reclaimViewOf(
          Array.from({ length: 40 }, (_, i) =>
            reclaimItem(i + 1, {
              displayName: `${'Very long name '.repeat(8)}${i}`,
              reassignTo: {
                userId: `c${i}`,
                displayName: `${'Candidate with a long name '.repeat(4)}${i}`,
                userPrincipalName: `candidate.${'long'.repeat(10)}${i}@contoso.com`,
              },
            }),
          ),
          {
            rights: {
              canDecide: true,
              why: null,
              canUndo: false,
              canSeeSeats: true,
              canCancel: false,
              approveBlocked: null,
            },
          },
        ),
        RECLAIM_NOW,
        'viewer',
      ),
    ],
    [
      'non-approver view',
      reclaimRequestView(
        reclaimViewOf([reclaimItem(1)], {
          rights: {
            canDecide: false,
            why: 'Only the people in RECLAIM_APPROVERS may approve or reject reclaims.',
            canUndo: false,
            canSeeSeats: true,
            canCancel: false,
            approveBlocked: null,
          },
        }),
        RECLAIM_NOW,
        'viewer',
      ),
    ],
    [
      'done: removed with undo, skipped with reason, dry run',
      reclaimRequestView(
        reclaimViewOf(
          [
            finished(1, 'removed', 'Licence removed.', {
              removedAt: '2026-11-23T09:40:00.000Z',
              undoUntil: '2026-11-30T09:40:00.000Z',
            }),
            finished(
              2,
              'skipped',
              'Copilot was used on 2026-11-22 (the audit log), after the evidence the request was approved on.',
              { skipCode: 'became_active' },
            ),
            finished(3, 'failed', 'Graph refused the removal (403 Authorization_RequestDenied).'),
            finished(4, 'removed', 'Licence removed.', {
              reassignTo: { userId: 'c4', displayName: 'Nestor Wilke', userPrincipalName: 'nestor@contoso.com' },
              reassignState: 'assigned',
              reassignReason: 'Given to Nestor Wilke.',
            }),
          ],
          {
            phase: 'done',
            rights: {
              canDecide: false,
              why: null,
              canUndo: true,
              canSeeSeats: true,
              canCancel: false,
              approveBlocked: null,
            },
          },
          {
            decision: 'approved',
            decidedAt: '2026-11-23T09:30:00.000Z',
            decidedBy: { aadObjectId: 'a2', name: 'Adele Vance' },
          },
        ),
        RECLAIM_NOW,
        'viewer',
      ),
    ],
  ],
  'reclaim-nudge': [
    [
      'the question',
      reclaimNudgeView(nudgeViewOf(reclaimItem(1, { state: 'nudged', nudgeOutcome: 'pending' }), true), RECLAIM_NOW),
    ],
    [
      'kept',
      reclaimNudgeView(nudgeViewOf(reclaimItem(2, { state: 'kept', nudgeOutcome: 'kept' }), false), RECLAIM_NOW),
    ],
    [
      'released, with a long notice',
      reclaimNudgeView(
        nudgeViewOf(reclaimItem(3, { state: 'nudged', nudgeOutcome: 'released' }), false),
        RECLAIM_NOW,
        'x'.repeat(3000),
      ),
    ],
    [
      'removed',
      reclaimNudgeView(
        nudgeViewOf(finished(5, 'removed', 'Licence removed.', { removedAt: '2026-11-26T09:40:00.000Z' }), false),
        RECLAIM_NOW,
      ),
    ],
  ],
  'reclaim-history': [
    [
      'two seats',
      reclaimHistoryView({
        tenantName: 'Contoso Ltd',
        user: undefined,
        total: 12,
        items: [trail(reclaimItem(1)), trail(finished(2, 'removed', 'Licence removed.'))],
      }),
    ],
    ['none', reclaimHistoryView({ tenantName: 'Contoso Ltd', user: 'user9@contoso.com', total: 0, items: [] })],
  ],
};

describe('digest card', () => {
  it('shows utilization as a gauge and a donut, the 30-day trend as a line, and the seat, savings, candidate and security figures', () => {
    const card = renderCard('digest', digestView(digestInput(), DIGEST_NOW)) as JsonObject;
    expect(validateCard(card).errors).toEqual([]);
    const objects = allObjects(card);
    const gauge = objects.find((o) => o['type'] === 'Chart.Gauge');
    expect(gauge?.['value']).toBe(36); // 12 active of 33 assigned, whole percent like every card
    // The donut draws no numbers: its legends carry them.
    const donut = objects.find((o) => o['type'] === 'Chart.Donut');
    expect(donut?.['data']).toEqual([
      { legend: 'Active 12', value: 12, color: 'good' },
      { legend: 'Inactive 18', value: 18, color: 'attention' },
      { legend: 'Unknown 3', value: 3, color: 'warning' },
      { legend: 'Unassigned 7', value: 7, color: 'neutral' },
    ]);
    // Two weeks labelled by the day of the month ("9"): the Playground cut "21 Nov" to "2.." in a card; the title says which days.
    const line = objects.find((o) => o['type'] === 'Chart.Line') as {
      data: Array<{ legend: string; values: Array<{ x: string }> }>;
    };
    expect(line.data.map((s) => [s.legend, s.values.length])).toEqual([
      ['Active users', 14],
      ['Enabled users', 14],
    ]);
    for (const v of line.data[0].values) expect(v.x).toMatch(/^\d{1,2}$/);
    expect(texts(card).join('\n')).toMatch(
      /last 14 report days: \d{1,2} [A-Z][a-z]{2} \d{4} to \d{1,2} [A-Z][a-z]{2} \d{4}/,
    );
    const text = texts(card).join('\n');
    expect(text).toContain('Idle seats to reclaim: 15 (9 certain, 6 probable); 4 to review, 2 excluded.');
    expect(text).toContain('and 12 more');
    expect(text).toContain('· certain · idle 118 days · account disabled');
    // Savings: the bill figure only; the renewal plan is one command away, not repeated here.
    expect(text).toContain(
      'Saves $360 a month once 12 seats are cut at renewal. 10 idle seats can go to waiting candidates instead ($300 a month not spent on new seats).',
    );
    expect(text).not.toContain('$450');
    expect(text).not.toContain('give 10 idle seat(s)');
    expect(text).toContain('The renewal plan and prices: type **savings**.');
    // No narrow side-by-side text columns or fact sets, whose words break mid-word on a phone.
    expect(objects.filter((o) => o['type'] === 'FactSet')).toEqual([]);
    for (const set of objects.filter((o) => o['type'] === 'ColumnSet')) {
      const inner = allObjects(set).filter((o) => o['type'] === 'TextBlock');
      expect(inner, 'text in a column set').toEqual([]);
    }
    // Long texts are never yellow or green (hard to read on white and dark themes).
    for (const block of objects.filter((o) => o['type'] === 'TextBlock'))
      expect(['Good', 'Warning']).not.toContain(block['color']);
    expect(text).toContain('Candidate 1');
    expect(text).toContain('uses Copilot Chat without a seat');
    expect(text).toContain('Investigate the 2 high-risk users');
    expect(text).not.toContain('Bring the 5 non-compliant devices');
    const acts = actions(card);
    expect(acts.map((a) => a['title'])).toEqual([
      'Show all inactive',
      'Reclaim 9 certain seats',
      'Show candidates',
      'Sync now',
      'Export CSV',
    ]);
    expect(acts[0]).toMatchObject({ verb: 'inactive.page', data: { tenantId: 't1', tier: 'all', page: 1 } });
    expect(acts[1]).toMatchObject({ verb: 'reclaim.request', data: { tenantId: 't1', tier: 'certain' } });
    expect(acts[2]).toMatchObject({ verb: 'candidates.page', data: { tenantId: 't1', page: 1 } });
    expect(acts[3]).toMatchObject({ verb: 'tenant.sync', data: { tenantId: 't1' } });
    // The digest lives a day; a link signed at posting would be dead in ten minutes: it is signed when pressed.
    expect(acts[4]).toMatchObject({
      type: 'Action.Execute',
      verb: 'export.link',
      data: { tenantId: 't1', kind: 'underutilized' },
    });
    expect(JSON.stringify(card)).not.toContain('/exports/');
    // Buttons that open another view ask for a new message, so the digest stays as it was.
    expect(acts[0]).toMatchObject({ data: { open: 'message' } });
    expect(acts[2]).toMatchObject({ data: { open: 'message' } });
  });

  it('shows hostile names as text, never as template expressions', () => {
    const card = renderValid(
      'digest',
      digestView(
        digestInput({
          tenantName: HOSTILE_NAME,
          inactive: { total: 1, rows: [seat(1, { displayName: HOSTILE_NAME })] },
        }),
        DIGEST_NOW,
      ),
    );
    expect(texts(card)).toContain(`${HOSTILE_NAME} · Copilot digest, 23 Nov 2026`);
    expect(texts(card).some((t) => t.startsWith(`**${HOSTILE_NAME}** · `))).toBe(true);
  });

  it('counts the seats freed by reclaims to date next to the savings, as freed (still paid), never as money saved', () => {
    const card = renderValid(
      'digest',
      digestView(digestInput({ freed: { seats: 12, monthly: 360, currency: 'USD' } }), DIGEST_NOW),
    );
    expect(texts(card)).toContain(
      '12 Copilot seats freed by reclaims to date; still paid for until the subscription is reduced, then $360 a month less.',
    );
    expect(texts(card).join('\n')).not.toMatch(/a month saved|Saved \$/);
    expect(
      texts(
        renderValid('digest', digestView(digestInput({ freed: { seats: 0, monthly: 0, currency: null } }), DIGEST_NOW)),
      ).join('\n'),
    ).not.toContain('freed by reclaims');
  });

  it('says how old the data is when the latest sync is over 24 hours old', () => {
    const card = renderCard('digest', digestView(digestInput(), new Date('2026-11-26T08:00:00Z'))) as JsonObject;
    expect(texts(card).join('\n')).toContain(
      'These figures are 3 days old: the latest finished sync was on 23 Nov 2026 06:10 UTC.',
    );
  });
});

describe('departments card', () => {
  it('shows a row per department up to 10 with a trend column, counts the rest, and draws the idle trend as a line', () => {
    const [, few] = departmentCases[0];
    const card = renderValid('departments', few);
    const table = allObjects(card).find((o) => o['type'] === 'Table') as { rows: Array<{ cells: unknown[] }> };
    expect(table.rows).toHaveLength(4);
    const text = texts(card).join('\n');
    expect(text).toContain('Idle seats cost $420 a month');
    expect(text).toContain('(No department)');
    expect(text).toContain('+3');
    expect(text).toContain('−2');
    expect(text).toContain('new');
    const line = allObjects(card).find((o) => o['type'] === 'Chart.Line') as {
      data: Array<{ legend: string; values: Array<{ x: string; y: number }> }>;
    };
    expect(line.data).toEqual([
      { legend: 'Idle seats', values: [9, 8, 8, 7, 6].map((y, i) => ({ x: String(i + 1), y })) },
      { legend: 'Active seats', values: [11, 12, 12, 13, 14].map((y, i) => ({ x: String(i + 1), y })) },
    ]);
    expect(text).toContain('20 seats, 8 active · $600 a month');

    const [, many] = departmentCases[2];
    const big = renderValid('departments', many);
    const bigTable = allObjects(big).find((o) => o['type'] === 'Table') as { rows: unknown[] };
    expect(bigTable.rows).toHaveLength(11);
    expect(texts(big).join('\n')).toContain('and 390 more departments');
    expect(many.rows[0].name.length).toBeLessThanOrEqual(80);
  });
});

describe('digest card: departments', () => {
  it('names the three departments whose idle seats cost most, one line each, and points to the command', () => {
    const text = texts(renderValid('digest', digestView(digestInput(), DIGEST_NOW))).join('\n');
    expect(text).toContain('Idle seats by department ($540 a month in all): the 3 costing most of 5.');
    expect(text).toContain('**Sales** · 9 of 20 seats idle · $270 a month');
    expect(text).toContain('**(No department)** · 2 of 2 seats idle · $60 a month');
    expect(text).toContain('Every department and its trend: type **departments**.');
    const long = digestView(
      digestInput({ departments: { ...digestInput().departments!, top: [departmentLine('x'.repeat(500), 3, 0, 3)] } }),
      DIGEST_NOW,
    );
    expect(long.departmentLines[0].text.length).toBeLessThan(120);
    const none = digestView(
      digestInput({ departments: { top: [], withIdle: 0, idleMonthlyCost: 0, currency: 'USD' } }),
      DIGEST_NOW,
    );
    expect(none.departmentsText).toBe('');
  });
});

describe('digest schedule card', () => {
  const scheduleText = (card: JsonObject) =>
    [
      ...texts(card),
      ...allObjects(card).flatMap((o) =>
        typeof o['title'] === 'string' && typeof o['value'] === 'string' ? [`${o['title']}: ${o['value']}`] : [],
      ),
    ].join('\n');

  it('shows the local time, the next run in its zone and in UTC, and the last delivery, as of now', () => {
    // 07:00 UTC on 23 Nov is 08:00 in Paris (CET): today's digest is due now, not yet queued.
    const card = renderValid('digest-schedule', digestScheduleView(DIGEST_SUBSCRIPTION, DIGEST_NOW));
    const text = scheduleText(card);
    expect(text).toContain('Active');
    expect(text).toContain('Every day at: 08:00 Europe/Paris');
    expect(text).toContain('Next: 2026-11-23 08:00 Europe/Paris (2026-11-23 07:00 UTC)');
    expect(text).toContain('Last delivered: 2026-11-22 07:00 UTC (the 2026-11-22 digest)');
    expect(text).toContain('As of 23 Nov 2026 07:00 UTC');
  });

  it('shows a pause with its reason and how to resume', () => {
    const card = renderValid(
      'digest-schedule',
      digestScheduleView(
        {
          ...DIGEST_SUBSCRIPTION,
          status: 'paused',
          pausedAt: '2026-11-23T07:00:02.000Z',
          pausedReason: 'Teams refused the daily digest (403 Forbidden): the bot was removed.',
        },
        DIGEST_NOW,
      ),
    );
    const text = scheduleText(card);
    expect(text).toContain('Paused: no digests are posted here.');
    expect(text).toContain('Paused since: 23 Nov 2026 07:00 UTC');
    expect(text).toContain('Why: Teams refused the daily digest (403 Forbidden): the bot was removed.');
    expect(text).toContain('Type **digest subscribe** to resume');
    expect(text).not.toContain('Next:');
  });
});

/** A report over every read the sync makes, each with the status `pick` gives it. */
function checkReport(
  pick: (id: CheckedReadId, index: number) => CheckStatus,
  message = 'Add it, then grant admin consent.',
): CheckReport {
  const ids = Object.keys(READ_REQUIREMENTS) as CheckedReadId[];
  return {
    tenantId: 't1',
    tenantName: 'Contoso Ltd',
    checkedAt: '2026-11-23T18:00:00.000Z',
    signIn: { ok: true },
    items: ids.map((id, i) => {
      const r = READ_REQUIREMENTS[id];
      const status = pick(id, i);
      return {
        id,
        label: r.label,
        status,
        permission: r.permission,
        api: r.api,
        licence: r.licence,
        unlocks: r.unlocks,
        message: status === 'ok' ? null : message,
        errorCode: status === 'ok' ? null : 'x',
      };
    }),
  };
}

describe('every card template', () => {
  for (const name of Object.keys(cases) as CardName[]) {
    for (const [label, view] of cases[name] as Array<[string, CardViews[CardName]]>) {
      it(`${name} (${label}) is valid, small and fully bound`, () => {
        const card = renderValid(name, view as never);
        expectFullyBound(card);
      });
    }
  }

  // Yellow and green text is hard to read on Teams' light and dark themes: only short bold labels may use them.
  const READABLE: CardName[] = [
    'digest',
    'savings',
    'status',
    'usage',
    'security',
    'candidates',
    'inactive',
    'digest-status',
    'export-link',
    'reclaim-request',
    'reclaim-nudge',
    'portfolio',
  ];
  for (const name of READABLE) {
    for (const [label, view] of cases[name] as Array<[string, CardViews[CardName]]>) {
      it(`${name} (${label}) uses yellow or green only on short bold labels`, () => {
        const card = renderValid(name, view as never);
        for (const block of allObjects(card).filter(
          (o) => o['type'] === 'TextBlock' && (o['color'] === 'Good' || o['color'] === 'Warning'),
        )) {
          expect(block['weight'], String(block['text'])).toBe('Bolder');
          expect(String(block['text']).length, String(block['text'])).toBeLessThanOrEqual(40);
        }
      });
    }
  }

  it('has a view model for each template file and a template file for each card name', () => {
    const dir = path.join(__dirname, '../../cards');
    const files = fs
      .readdirSync(dir)
      .filter((f) => f.endsWith('.json'))
      .map((f) => f.replace(/\.json$/, ''));
    expect(files.sort()).toEqual(Object.keys(cases).sort());
  });
});

describe('placeholders survive the card renderer', () => {
  it('help writes <upn>-style placeholders as ‹upn›, which Markdown keeps (an HTML-like tag is dropped)', () => {
    const view = helpView({
      commands: [
        { command: 'reclaim [ask|now] <upn>[, <upn>…]', description: 'Sets a price: price <sku> <amount> [tenant].' },
      ],
    });
    const text = JSON.stringify(renderValid('help', view));
    expect(text).toContain('reclaim [ask|now] ‹upn›[, ‹upn›…]');
    expect(text).toContain('price ‹sku› ‹amount› [tenant]');
    expect(text).not.toMatch(/<\w+>/);
    expect(JSON.stringify(renderValid('welcome', welcomeView({ commands: view.commands })))).not.toMatch(/<\w+>/);
  });
});

describe('no text breaks mid-word', () => {
  it('audit subscriptions name each content type in a full-width line (a fact set title column broke "AzureActiveDirectory"), and keep ‹content type›', () => {
    const [, view] = cases['audit-subscriptions'][0];
    const card = renderValid('audit-subscriptions', view);
    expect(allObjects(card).filter((o) => o['type'] === 'FactSet' || o['type'] === 'ColumnSet')).toEqual([]);
    const text = texts(card).join('\n');
    expect(text).toContain('audit start ‹content type›');
    expect(text).not.toMatch(/<content type>/);
    expect(text).toMatch(/\*\*Audit\.\w+\*\*: /);
  });
});

describe('status card', () => {
  it('shows available Copilot seats as the large number with purchased and assigned beside it', () => {
    const card = renderValid('status', statusView());
    expect(findText(card, 'Contoso Ltd · Licenses')).toMatchObject({ size: 'Large', weight: 'Bolder', wrap: true });
    expect(findText(card, '42')).toMatchObject({ size: 'ExtraLarge', weight: 'Bolder' });
    expect(texts(card)).toContain('seats available');
    expect(texts(card)).toContain('of 1,300 purchased · 1,258 assigned');
    expect(texts(card)).not.toContain('No Microsoft 365 Copilot subscription');
  });

  it('lists each Copilot subscription with purchased, assigned and available', () => {
    const card = renderValid('status', statusView());
    const rows = allObjects(card).filter(
      (o) => o['type'] === 'ColumnSet' && JSON.stringify(o).includes('Microsoft 365 Copilot (Education Faculty)'),
    );
    expect(rows).toHaveLength(1);
    const cells = texts(rows[0]);
    expect(cells).toEqual([
      'Microsoft 365 Copilot (Education Faculty)',
      'Microsoft_365_Copilot_EDU',
      '300',
      '278',
      '22',
    ]);
    expect(texts(card)).toEqual(expect.arrayContaining(['Purchased', 'Assigned', 'Available']));
  });

  it('lists users as facts and other SKUs with their usage', () => {
    const card = renderValid('status', statusView());
    expect(facts(card)).toEqual([
      { title: 'Total users', value: '262' },
      { title: 'Licensed users', value: '231' },
      { title: 'Breakdown', value: '231 enabled · 19 disabled · 12 guests' },
    ]);
    expect(texts(card)).toEqual(
      expect.arrayContaining(['Microsoft 365 E5', '142 / 150 assigned', 'and 4 more SKUs (37 seats assigned)']),
    );
  });

  it('offers Sync now with the tenant id when no sync is running', () => {
    const card = renderValid('status', statusView());
    expect(actions(card)).toEqual([
      { type: 'Action.Execute', title: 'Sync now', verb: 'tenant.sync', data: { tenantId: 'tnt_7f3c2a' } },
    ]);
    expect(texts(card)).not.toContain('Sync running…');
    expect(findText(card, 'Succeeded')).toMatchObject({ color: 'Good' });
  });

  it('hides Sync now and says so while a sync is running', () => {
    const card = renderValid('status', statusView({ syncRunning: true }));
    expect(actions(card)).toEqual([]);
    expect(texts(card)).toContain('Sync running…');
  });

  it('says there is no Copilot subscription instead of showing zeros', () => {
    const card = renderValid(
      'status',
      statusView({ hasCopilot: false, copilotPurchased: 0, copilotAssigned: 0, copilotAvailable: 0, copilotSkus: [] }),
    );
    expect(texts(card)).toContain('No Microsoft 365 Copilot subscription');
    expect(texts(card)).not.toContain('seats available');
    expect(texts(card)).not.toContain('Purchased');
    expect(allObjects(card).some((o) => o['size'] === 'ExtraLarge')).toBe(false);
  });

  it('reads naturally for exactly one seat', () => {
    const card = renderValid('status', statusView({ copilotAvailable: 1 }));
    expect(texts(card)).toContain('seat available');
  });

  it('shows the last sync error in Attention colour with the outcome coloured', () => {
    const error = 'Microsoft Graph answered 403 Forbidden. Grant admin consent, then sync again.';
    const card = renderValid(
      'status',
      statusView({ lastSyncOutcomeText: 'Failed', lastSyncOutcomeColor: 'Attention', lastSyncErrorText: error }),
    );
    expect(findText(card, error)).toMatchObject({ color: 'Attention', wrap: true });
    expect(findText(card, 'Failed')).toMatchObject({ color: 'Attention' });
  });

  it('clips a runaway error so the card stays readable and under the limit', () => {
    const card = renderValid('status', statusView({ lastSyncErrorText: 'x'.repeat(50_000) }));
    const clipped = texts(card).find((t) => t.startsWith('xxx'));
    expect(clipped).toBeDefined();
    expect(clipped!.length).toBeLessThanOrEqual(1500);
    expect(clipped!.endsWith('…')).toBe(true);
  });

  it('renders a tenant with no users and no licenses', () => {
    const card = renderValid(
      'status',
      statusView({
        totalUsers: 0,
        licensedUsers: 0,
        userBreakdownText: '',
        otherSkus: [],
        otherSkusMoreText: '',
        domainName: '',
      }),
    );
    expect(facts(card)).toEqual([
      { title: 'Total users', value: '0' },
      { title: 'Licensed users', value: '0' },
    ]);
    expect(texts(card)).not.toContain('Other licenses');
  });

  it('renders hostile names literally: templating never evaluates data', () => {
    const card = renderValid(
      'status',
      statusView({
        tenantName: HOSTILE_NAME,
        domainName: '${domainName}',
        otherSkus: [{ productName: '${tenantId} "E5" 🎟️', usageText: '1 / 2 assigned' }],
        copilotSkus: [
          {
            productName: 'Copilot ${copilotAvailable}',
            skuPartNumber: '${1+1}',
            purchased: 3,
            assigned: 1,
            available: 2,
          },
        ],
      }),
    );
    expect(texts(card)).toContain(`${HOSTILE_NAME} · Licenses`);
    expect(texts(card)).toContain('Contoso "Eng" ${tenantId} `x` ${1+1} 🚀 {"a":1} \\ end · Licenses');
    expect(texts(card)).toEqual(
      expect.arrayContaining(['${domainName}', '${tenantId} "E5" 🎟️', 'Copilot ${copilotAvailable}', '${1+1}']),
    );
    expect(actions(card)[0]).toMatchObject({ data: { tenantId: 'tnt_7f3c2a' } });
  });

  it('cuts lists beyond the contract and says how many more', () => {
    const many = Array.from({ length: 8 }, (_, i) => ({
      productName: `Copilot plan ${i + 1}`,
      skuPartNumber: `COPILOT_${i + 1}`,
      purchased: 10,
      assigned: 5,
      available: 5,
    }));
    const others = Array.from({ length: 9 }, (_, i) => ({
      productName: `SKU ${i + 1}`,
      usageText: `${i} / 10 assigned`,
    }));
    const card = renderValid('status', statusView({ copilotSkus: many, otherSkus: others }));
    const shownPlans = texts(card).filter((t) => t.startsWith('Copilot plan'));
    expect(shownPlans).toHaveLength(CARD_LIST_LIMITS.copilotSkus);
    expect(texts(card)).toContain('+3 more Copilot subscriptions');
    expect(texts(card).filter((t) => /^SKU \d$/.test(t))).toHaveLength(CARD_LIST_LIMITS.otherSkus);
    expect(texts(card)).toContain('+4 more · and 4 more SKUs (37 seats assigned)');
  });

  it('throws a clear error instead of sending a card Teams would reject', () => {
    const huge = Array.from({ length: 5 }, (_, i) => ({
      productName: `${i} ${'Very long product name '.repeat(400)}`,
      skuPartNumber: 'X',
      purchased: 1,
      assigned: 1,
      available: 0,
    }));
    expect(() => renderCard('status', statusView({ copilotSkus: huge }))).toThrow(
      /"status" card is \d+ bytes after binding; Teams only accepts cards smaller than 28672 bytes/,
    );
  });
});

describe('sync cards', () => {
  it('sync-started has no buttons and says whether it joined a running sync', () => {
    const started = renderValid('sync-started', syncStartedView());
    expect(actions(started)).toEqual([]);
    expect(texts(started)).toContain('Sync started');
    expect(texts(started)).toContain('Contoso Ltd · Started 15:02 UTC');

    const joined = renderValid('sync-started', syncStartedView({ joinedRunning: true }));
    expect(texts(joined)).toContain('Sync already running');
    expect(texts(joined)).not.toContain('Sync started');
  });

  it('sync-result offers Sync again and Show status for the same tenant', () => {
    const card = renderValid('sync-result', syncResultView());
    expect(actions(card)).toEqual([
      { type: 'Action.Execute', title: 'Sync again', verb: 'tenant.sync', data: { tenantId: 'tnt_7f3c2a' } },
      { type: 'Action.Execute', title: 'Show status', verb: 'tenant.status', data: { tenantId: 'tnt_7f3c2a' } },
    ]);
    expect(findText(card, 'Sync succeeded')).toMatchObject({ color: 'Good', size: 'Large' });
    expect(facts(card)).toEqual([
      { title: 'Users synced', value: '262' },
      { title: 'Licensed users', value: '231' },
      { title: 'License SKUs', value: '9' },
      { title: 'Groups', value: '48' },
    ]);
    expect(texts(card)).not.toContain('Warnings');
  });

  it('sync-result shows a failure in Attention colour', () => {
    const errorText = 'Microsoft Graph answered 401: the client secret has expired.';
    const card = renderValid(
      'sync-result',
      syncResultView({ titleText: 'Sync failed', outcomeColor: 'Attention', succeeded: false, errorText }),
    );
    expect(findText(card, 'Sync failed')).toMatchObject({ color: 'Attention' });
    expect(findText(card, errorText)).toMatchObject({ color: 'Attention', wrap: true });
  });

  it('sync-result lists at most 10 warnings and counts the rest', () => {
    const warnings = Array.from({ length: 13 }, (_, i) => `Warning ${i + 1}: group ${i} skipped`);
    const card = renderValid(
      'sync-result',
      syncResultView({ titleText: 'Sync partly succeeded', outcomeColor: 'Warning', warnings }),
    );
    expect(texts(card).filter((t) => t.startsWith('• Warning'))).toHaveLength(CARD_LIST_LIMITS.warnings);
    expect(texts(card)).toContain('+3 more warnings');
  });

  it('sync-result keeps the tenant id exact even when the tenant name looks like an expression', () => {
    const card = renderValid('sync-result', syncResultView({ tenantName: HOSTILE_NAME, warnings: ['${warnings}'] }));
    expect(texts(card)).toContain(`${HOSTILE_NAME} · 22 Nov 2026 15:02 UTC · took 4.2 s`);
    expect(texts(card)).toContain('• ${warnings}');
    for (const action of actions(card)) expect(action['data']).toEqual({ tenantId: 'tnt_7f3c2a' });
  });
});

describe('welcome, help and error cards', () => {
  it('welcome lists the commands and the mention hint', () => {
    const card = renderValid('welcome', welcomeView());
    expect(texts(card)).toContain('Welcome to Seat Steward');
    expect(texts(card)).toContain('Mention @Seat Steward, then type a command.');
    expect(facts(card).map((f) => f.title)).toEqual(['status', 'sync', 'help']);
  });

  it('welcome in personal chat drops the empty mention hint', () => {
    const card = renderValid('welcome', welcomeView({ installedIn: 'personal chat', mentionHint: '' }));
    expect(texts(card)).toContain('Added to this personal chat.');
    expect(texts(card)).not.toContain('');
  });

  it('help lists every command with its description', () => {
    const card = renderValid('help', helpView());
    expect(texts(card)).toContain('Seat Steward · Commands');
    expect(facts(card)).toContainEqual({ title: 'sync', value: 'Read users and licenses from Microsoft Graph now' });
  });

  it('error shows its title in Attention colour', () => {
    const card = renderValid('error', errorView({ title: 'Not allowed ${title}' }));
    expect(findText(card, 'Not allowed ${title}')).toMatchObject({ color: 'Attention', weight: 'Bolder' });
  });
});

describe('usage card', () => {
  it('shows every figure with the report date, never zeros for a source that was not read', () => {
    const card = renderValid('usage', usageView('Contoso Ltd', '30d', usageAnswer()));
    const all = JSON.stringify(card);
    expect(all).toContain('As of 21 Nov 2026');
    for (const figure of ['15,420', '28,730', '2,450.5 GB', '340', '8,920', '5,600', '95.1%'])
      expect(all).toContain(figure);
    const missing = renderValid(
      'usage',
      usageView('Contoso Ltd', '30d', usageAnswer({ status: 'refused', problem: 'add Reports.Read.All' }, null)),
    );
    expect(JSON.stringify(missing)).toContain('Reports.Read.All');
    expect(JSON.stringify(missing)).not.toContain('FactSet');
  });
});

describe('reclaim request card after removals', () => {
  const done = reclaimRequestView(
    reclaimViewOf(
      [
        finished(1, 'removed', 'Licence removed.', {
          removedAt: '2026-11-23T09:40:00.000Z',
          undoUntil: '2026-11-30T09:40:00.000Z',
        }),
        finished(2, 'removed', 'Licence removed.', { removedAt: '2026-11-23T09:40:00.000Z' }),
      ],
      {
        phase: 'done',
        rights: {
          canDecide: false,
          why: null,
          canUndo: true,
          canSeeSeats: true,
          canCancel: false,
          approveBlocked: null,
        },
      },
      {
        decision: 'approved',
        decidedAt: '2026-11-23T09:30:00.000Z',
        decidedBy: { aadObjectId: 'a2', name: 'Adele Vance' },
        mode: 'on',
      },
    ),
    RECLAIM_NOW,
    'viewer',
  );

  it('says the seats are freed and still paid for until the subscription is reduced, not "saved"', () => {
    expect(done.totalsText).toMatch(
      /^Freed: 2 seats, still paid for until the subscription is reduced, then \$[\d.,]+ a month less\.$/,
    );
    expect(done.totalsText).not.toMatch(/Saved/);
  });

  it('names the product, not its part number', () => {
    expect(done.rows[0]?.seatText).toContain('Microsoft 365 Copilot');
    expect(done.rows[0]?.seatText).not.toContain('Microsoft_365_Copilot');
  });
});

describe('renderCard: template expressions', () => {
  it('parses each template string once: a second render of a card parses no expression, and binds the same card', async () => {
    const { Expression } = await import('adaptive-expressions');
    const view = errorView({ title: 'A title', message: 'A ${text} with the marker of an expression in the data.' });
    const first = renderCard('error', view);
    const parse = vi.spyOn(Expression, 'parse');
    try {
      const second = renderCard('error', view);
      expect(parse).not.toHaveBeenCalled();
      expect(second).toEqual(first);
      expect(
        JSON.stringify(renderCard('error', errorView({ title: 'Another title', message: 'Another text.' }))),
      ).toContain('Another title');
    } finally {
      parse.mockRestore();
    }
  });
});
