import { describe, expect, it } from 'vitest';
import { renderCard } from '../../src/cards/render';
import { SAVINGS_CARD_LIMITS } from '../../src/cards/savings-views';
import { cardText, executeActions } from '../helpers/connector-recorder';
import { summaryOf } from '../helpers/analytics-fixture';
import { validateCard } from '../support/card-validator';
import { crowdedSummary, savingsCardView } from './savings-fixtures';

type Json = Record<string, unknown>;
const openUrls = (card: Json) => ((card.actions ?? []) as Json[]).filter((a) => a.type === 'Action.OpenUrl');

function rendered(view: ReturnType<typeof savingsCardView>): Json {
  const card = renderCard('savings', view) as Json;
  const { errors, bytes } = validateCard(card);
  expect(errors).toEqual([]);
  expect(bytes).toBeLessThan(28 * 1024);
  return card;
}

describe('savings card', () => {
  // summaryOf(): 40 assigned, 30 active, 5 certain + 3 probable reclaimable, 10 unassigned, High 4 + Medium 3 candidates, renewal 2027-03-01.
  it('shows savings by tier × price, utilization, the renewal plan and the as-of dates', () => {
    const text = cardText(rendered(savingsCardView()));
    // 8 reclaimable + 10 unassigned = 18 idle; 7 go to High and Medium candidates, 11 are cut at renewal (11 × $30).
    // The headline is the saving on the bill only: not 8 × $30 (freed seats are still paid), not the candidates' 7.
    expect(text).toContain('Saves $330 a month ($3,960 a year) once the subscriptions are reduced at renewal');
    expect(text).not.toContain('$240');
    expect(text).toContain('30 of 40 (75%) seat holders active');
    expect(text).toContain(
      '**Reclaiming would free**: 8 seats (5 certain, 3 probable), still paid for until the subscription is reduced',
    );
    expect(text).toContain('**Never assigned**: 10 seats purchased that nobody holds (not reclaims)');
    expect(text).toContain(
      '**Could go to candidates**: 7 seats to waiting High and Medium candidates instead of buying new ones: $210 a month not spent (not a saving on the bill)',
    );
    expect(text).toContain('**Saved at renewal**: 11 seats cut: $330 a month, once the subscriptions are reduced');
    expect(text).toContain('Microsoft 365 Copilot · $30 (list price) per user per month');
    expect(text).toContain('5 seats to free, worth $150 a month once cut');
    expect(text).toContain(
      'Microsoft 365 Copilot: give 7 idle seat(s) to waiting High and Medium candidates now (no new seats to buy; these seats stay paid for); cut 11 seat(s) at the 1 Mar 2027 renewal (saves $330 a month from then).',
    );
    expect(text).toContain('Seats as of 23 Nov 2026 06:00 UTC');
    expect(text).toContain('usage report of 20 Nov 2026');
    expect(text).toContain('Export CSV posts a fresh download link when pressed');
  });

  it('offers the CSV exports to admins as buttons that sign a link when pressed (no link to expire on the card), and none to others', () => {
    const card = rendered(savingsCardView());
    expect(openUrls(card)).toEqual([]);
    expect(JSON.stringify(card)).not.toContain('/exports/');
    expect(executeActions(card).map((a) => [a.title, a.verb, a.data])).toEqual([
      ['Export CSV (underutilized)', 'export.link', { tenantId: 't1', kind: 'underutilized' }],
      ['Export CSV (candidates)', 'export.link', { tenantId: 't1', kind: 'candidates' }],
    ]);
    const other = rendered(
      savingsCardView(
        summaryOf(),
        () => ({ skuId: 'x', amount: 30, currency: 'USD', source: 'list_price', setBy: null, setAt: null }),
        false,
      ),
    );
    expect(executeActions(other)).toEqual([]);
    expect(cardText(other)).toContain('Only Seat Steward admins get the CSV exports');
  });

  it('an unpriced SKU is not costed as zero: savings say so and name the fix', () => {
    const text = cardText(rendered(savingsCardView(summaryOf(), () => null)));
    expect(text).toContain('Savings cannot be added up');
    expect(text).toContain('5 seats, not costed');
    expect(text).toContain('Microsoft 365 Copilot has no price');
    expect(text).toContain('price Microsoft_365_Copilot ‹amount›');
    expect(text).not.toMatch(/<\w+>/);
    expect(text).not.toContain('$0');
  });

  it('caps SKUs, plan steps and warnings with "and N more", and warns about concealed names', () => {
    const view = savingsCardView(crowdedSummary());
    expect(view.skus).toHaveLength(SAVINGS_CARD_LIMITS.skus);
    expect(view.skusMoreText).toBe(`and ${12 - SAVINGS_CARD_LIMITS.skus} more Copilot SKUs`);
    expect(view.planMoreText).toBe(`and ${12 - SAVINGS_CARD_LIMITS.plan} more steps`);
    expect(view.warningsMoreText).toBe(`and ${16 - SAVINGS_CARD_LIMITS.warnings} more warnings`);
    const text = cardText(rendered(view));
    expect(text).toContain('and 7 more Copilot SKUs');
    expect(text).toContain('Usage reports hide user names');
  });
});
