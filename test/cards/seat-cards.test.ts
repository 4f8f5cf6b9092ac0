import { describe, expect, it } from 'vitest';
import { renderCard } from '../../src/cards/render';
import { candidatesView, inactiveView, SEAT_PAGE_SIZE } from '../../src/cards/seat-views';
import { TEAMS_CARD_MAX_BYTES } from '../../src/cards/view-models';
import { cardText, executeActions } from '../helpers/connector-recorder';
import { validateCard } from '../support/card-validator';
import { HOSTILE_NAME } from './fixtures';
import {
  LONG_NAME,
  longCandidates,
  longSeats,
  SEAT_NOW,
  seatSummary,
  storedCandidate,
  storedSeat,
} from './seat-fixtures';

const ASOF = '2026-11-23T06:00:00.000Z';

function valid(card: Record<string, unknown>): Record<string, unknown> {
  const { errors, bytes } = validateCard(card);
  expect(errors).toEqual([]);
  expect(bytes).toBeLessThan(TEAMS_CARD_MAX_BYTES);
  return card;
}

describe('inactive card', () => {
  it('shows each seat with UPN, department, SKU, days idle, tier, last activity with source and as-of, first reason and group', () => {
    const seats = [
      storedSeat(1),
      storedSeat(2, {
        displayName: HOSTILE_NAME,
        tier: 'certain',
        lastActivityDate: null,
        lastActivitySource: null,
        lastActivityAsOf: null,
        daysSinceLastActivity: null,
        reasons: ['Never used, and the seat is older than the 30-day grace period.'],
      }),
      storedSeat(3, {
        assignedVia: 'group',
        direct: false,
        groups: [{ groupId: 'g1', displayName: 'Copilot Pilot' }],
        lastActivitySource: 'audit_log',
        lastActivityDate: '2026-09-20',
        lastActivityAsOf: '2026-11-23T05:45:00.000Z',
        daysSinceLastActivity: 64,
      }),
    ];
    const card = valid(
      renderCard(
        'inactive',
        inactiveView({
          tenantId: 't1',
          tenantName: 'Contoso Ltd',
          filter: 'all',
          page: 1,
          summary: seatSummary(),
          seats: { asOf: ASOF, total: 3, rows: seats },
          now: SEAT_NOW,
        }),
      ),
    );
    const text = cardText(card);
    expect(text).toContain('Contoso Ltd · Copilot seats to take back');
    expect(text).toContain('All reclaim tiers · page 1 of 1 · seats 1–3 of 3');
    // Counts by tier from the summary, not from the page.
    expect(text).toMatch(/25\nCertain/);
    expect(text).toMatch(/22\nProbable/);
    expect(text).toMatch(/18\nReview/);
    expect(text).toMatch(/9\nExcluded/);
    expect(text).toContain(
      'Analytics as of 23 Nov 2026 06:00 UTC (4 h ago) · Copilot usage report as of 21 Nov 2026 · audit log read to 23 Nov 2026 05:45 UTC',
    );
    expect(text).toContain(
      'User 1\nIdle 53 days\nProbable\nuser1@contoso.onmicrosoft.com · Sales · Microsoft 365 Copilot',
    ); // the product's name, as status shows it
    expect(text).toContain('Last Copilot activity 1 Oct 2026 · Copilot usage report as of 21 Nov 2026');
    expect(text).toContain('No Copilot activity for 53 days (30 to 89 days: probably idle).');
    expect(text).toContain(`${HOSTILE_NAME}\nNever used\nCertain`);
    expect(text).toContain('No Copilot activity in the usage report or the audit log');
    expect(text).toContain('Last Copilot activity 20 Sep 2026 · audit log as of 23 Nov 2026');
    expect(text).toContain('Via group Copilot Pilot: taking the seat back means removing them from that group.');
    // One page only: no paging buttons; the reclaim picker lists this page's reclaimable seats by object id.
    expect(executeActions(card)).toEqual([
      { title: 'Request reclaim', verb: 'reclaim.request', data: { tenantId: 't1' } },
    ]);
    const picker = JSON.stringify(card).match(/"id":"users"/g);
    expect(picker).toHaveLength(1);
  });

  it('pages with Previous and Next buttons that carry the tenant, the filter and the page number only', () => {
    const card = valid(
      renderCard(
        'inactive',
        inactiveView({
          tenantId: 't1',
          tenantName: 'Contoso Ltd',
          filter: 'probable',
          page: 2,
          summary: seatSummary(),
          seats: { asOf: ASOF, total: 47, rows: Array.from({ length: SEAT_PAGE_SIZE }, (_, i) => storedSeat(10 + i)) },
          now: SEAT_NOW,
        }),
      ),
    );
    expect(cardText(card)).toContain('Tier: probable · page 2 of 5 · seats 11–20 of 47');
    expect(executeActions(card).filter((a) => a.verb === 'inactive.page')).toEqual([
      { title: 'Previous page', verb: 'inactive.page', data: { tenantId: 't1', tier: 'probable', page: 1 } },
      { title: 'Next page', verb: 'inactive.page', data: { tenantId: 't1', tier: 'probable', page: 3 } },
    ]);
  });

  it('stays under 28 KB and valid with a full page of the longest names, reasons and groups, clipping them', () => {
    const card = valid(
      renderCard(
        'inactive',
        inactiveView({
          tenantId: 't1',
          tenantName: LONG_NAME,
          filter: 'all',
          page: 3,
          summary: seatSummary(),
          seats: { asOf: ASOF, total: 10_000, rows: longSeats() },
          now: SEAT_NOW,
        }),
      ),
    );
    const text = cardText(card);
    expect(text).toContain('…');
    expect(text).not.toContain('second reason');
    expect(text.match(/Via group /g)).toHaveLength(10);
    expect(text).toContain('page 3 of 1,000 · seats 21–30 of 10,000');
  });

  it('says so when there is nothing to take back, and which sources were not read', () => {
    const card = valid(
      renderCard(
        'inactive',
        inactiveView({
          tenantId: 't1',
          tenantName: 'Contoso Ltd',
          filter: 'certain',
          page: 1,
          summary: seatSummary({ reportRefreshDate: null, auditCoveredUntil: null }),
          seats: { asOf: ASOF, total: 0, rows: [] },
          now: SEAT_NOW,
        }),
      ),
    );
    const text = cardText(card);
    expect(text).toContain('No seat to take back in the certain tier');
    expect(text).toContain('Copilot usage report not read · audit log not read');
    expect(executeActions(card)).toEqual([]);
  });

  it('titles the review list as seats to review', () => {
    const card = valid(
      renderCard(
        'inactive',
        inactiveView({
          tenantId: 't1',
          tenantName: 'Contoso Ltd',
          filter: 'review',
          page: 1,
          summary: seatSummary(),
          seats: {
            asOf: ASOF,
            total: 1,
            rows: [
              storedSeat(1, {
                status: 'unknown',
                recommendation: 'review',
                tier: null,
                lastActivityDate: null,
                lastActivitySource: null,
                lastActivityAsOf: null,
                daysSinceLastActivity: null,
                reasons: ['The seat is newer than the report covers.'],
              }),
            ],
          },
          now: SEAT_NOW,
        }),
      ),
    );
    const text = cardText(card);
    expect(text).toContain('Contoso Ltd · Copilot seats to review');
    expect(text).toContain('User 1\nActivity unknown\nReview');
  });
});

describe('candidates card', () => {
  it('shows rank, name, department, score, priority, Copilot Chat use without a seat and the first reason', () => {
    const rows = [
      storedCandidate(1, { copilotChat: { lastAt: '2026-11-22T16:10:00.000Z', interactions: 14 } }),
      storedCandidate(2, { priority: 'Medium', m365ActivityScore: 55, department: null }),
    ];
    const card = valid(
      renderCard(
        'candidates',
        candidatesView({
          tenantId: 't1',
          tenantName: 'Contoso Ltd',
          page: 1,
          summary: seatSummary(),
          candidates: { asOf: ASOF, total: 2, rows },
          now: SEAT_NOW,
        }),
      ),
    );
    const text = cardText(card);
    expect(text).toContain('Contoso Ltd · Copilot seat candidates');
    // The card states the one rule the order and the priority follow.
    expect(text).toContain(
      'Ranked by priority, then Microsoft 365 activity score (0–100). High: Copilot Chat used without a seat in the last 30 days and a score of 70+; Medium: one of the two; Low: other activity.',
    );
    expect(text).not.toMatch(/Ranked by Microsoft 365 activity score/);
    expect(text).toMatch(/12\nHigh priority\n30\nMedium priority\n41\nLow priority/);
    expect(text).toContain('#1 · Candidate 1\n89/100\nHigh\ncandidate1@contoso.onmicrosoft.com · Engineering');
    expect(text).toContain('Uses Copilot Chat without a seat: 14 interactions, last 22 Nov 2026 (audit log)');
    expect(text).toContain('#2 · Candidate 2\n55/100\nMedium\ncandidate2@contoso.onmicrosoft.com · No department');
    expect(text).toContain('Active in Teams, Outlook, Word and Excel within the last week.');
    expect(text).toContain('Analytics as of 23 Nov 2026 06:00 UTC');
    expect(executeActions(card)).toEqual([]);
  });

  it('does not repeat the Copilot Chat line as the reason: it shows the next reason instead', () => {
    const row = storedCandidate(1, {
      copilotChat: { lastAt: '2026-11-20T08:00:00.000Z', interactions: 8 },
      reasons: [
        'Uses Copilot Chat without a seat: 8 interactions, last 2026-11-20.',
        'Active in 4 of 5 Microsoft 365 services in the last 30 days.',
      ],
    });
    const text = cardText(
      valid(
        renderCard(
          'candidates',
          candidatesView({
            tenantId: 't1',
            tenantName: 'Contoso Ltd',
            page: 1,
            summary: seatSummary(),
            candidates: { asOf: ASOF, total: 1, rows: [row] },
            now: SEAT_NOW,
          }),
        ),
      ),
    );
    // Once in the header's rule, once on the row: the reason does not repeat it.
    expect(text.match(/Copilot Chat/g)).toHaveLength(2);
    expect(text.match(/Uses Copilot Chat/g)).toHaveLength(1);
    expect(text).toContain('Active in 4 of 5 Microsoft 365 services in the last 30 days.');
  });

  it('pages with the candidates.page verb, and stays under 28 KB with the longest names', () => {
    const card = valid(
      renderCard(
        'candidates',
        candidatesView({
          tenantId: 't9',
          tenantName: LONG_NAME,
          page: 4,
          summary: seatSummary(),
          candidates: { asOf: ASOF, total: 95, rows: longCandidates() },
          now: SEAT_NOW,
        }),
      ),
    );
    expect(cardText(card)).toContain('page 4 of 10 · candidates 31–40 of 95');
    expect(executeActions(card)).toEqual([
      { title: 'Previous page', verb: 'candidates.page', data: { tenantId: 't9', page: 3 } },
      { title: 'Next page', verb: 'candidates.page', data: { tenantId: 't9', page: 5 } },
    ]);
  });
});
