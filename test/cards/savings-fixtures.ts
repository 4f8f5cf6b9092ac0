import { savingsOf, totals, type CopilotSeatSummary, type SkuPrice } from '../../src/domain/seat-savings';
import { savingsUnavailableView, savingsView, type SavingsView } from '../../src/cards/savings-views';
import { summaryOf } from '../helpers/analytics-fixture';

const NOW = new Date('2026-11-23T09:00:00Z');
const listPrice = (skuId: string): SkuPrice | null => ({
  skuId,
  amount: 30,
  currency: 'USD',
  source: 'list_price',
  setBy: null,
  setAt: null,
});

export function savingsCardView(
  summary: CopilotSeatSummary = summaryOf(),
  price: (skuId: string) => SkuPrice | null = listPrice,
  admin = true,
): SavingsView {
  return savingsView({
    tenantName: 'Contoso Ltd',
    summary,
    totals: totals(summary),
    savings: savingsOf(summary, price),
    exports: admin
      ? {
          buttons: [
            { title: 'Export CSV (underutilized)', data: { tenantId: 't1', kind: 'underutilized' } },
            { title: 'Export CSV (candidates)', data: { tenantId: 't1', kind: 'candidates' } },
          ],
          note: '',
        }
      : { buttons: [], note: 'Only Seat Steward admins get the CSV exports, since they list people.' },
    now: NOW,
  });
}

/** Many SKUs and warnings with long texts: the card must cap them and stay under 28 KB. */
export function crowdedSummary(): CopilotSeatSummary {
  const base = summaryOf();
  const sku = base.skus[0];
  return {
    ...base,
    skus: Array.from({ length: 12 }, (_, i) => ({
      ...sku,
      skuId: `sku-${i}`,
      skuPartNumber: `COPILOT_REGIONAL_OFFER_WITH_A_LONG_NAME_${i}`,
      renewalDate: i % 3 === 0 ? null : `2027-0${(i % 9) + 1}-01`,
    })),
    reportNamesConcealed: true,
    warnings: Array.from(
      { length: 15 },
      (_, i) => `Warning ${i}: ${'the audit log could not be read for part of the day. '.repeat(20)}`,
    ),
  };
}

export const savingsCases: Array<[string, SavingsView]> = [
  ['savings with renewal plan and export buttons', savingsCardView()],
  ['non-admin: no export buttons', savingsCardView(summaryOf(), listPrice, false)],
  ['unpriced SKU', savingsCardView(summaryOf(), () => null)],
  [
    'crowded: 12 SKUs, 15 long warnings, concealed names',
    savingsCardView(crowdedSummary(), (id) => (id.endsWith('3') ? null : listPrice(id))),
  ],
  ['no analytics yet', savingsUnavailableView('Contoso Ltd')],
];
