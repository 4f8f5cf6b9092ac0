import {
  formatMoney,
  utilizationText,
  type CopilotSeatSummary,
  type Savings,
  type totals,
} from '../domain/seat-savings';
import { dayText, utcText } from '../domain/time-text';
import { productName } from '../domain/product-names';
import type { ExportButtonData } from './export-views';
import { keepPlaceholders } from './placeholders';
import { NO_ANALYTICS_YET } from './view-models';

export interface SavingsFact {
  title: string;
  value: string;
}

/** View model of cards/savings.json: totals only, no per-user data, every figure dated. */
export interface SavingsView {
  tenantName: string;
  /** False before the first analytics: the card says why instead of showing zeros. */
  available: boolean;
  unavailableText: string;
  asOfText: string;
  /** Money saved once subscriptions are reduced at renewal (never seats given to candidates), or why it cannot be costed. */
  headline: string;
  /** Attention only when the saving cannot be costed; long text is never yellow or green (hard to read). */
  headlineColor: 'Default' | 'Attention';
  facts: SavingsFact[];
  /** Per Copilot SKU: reclaimable seats by tier, what they are worth once cut, and the price's source. */
  skus: Array<{ title: string; facts: SavingsFact[] }>;
  skusMoreText: string;
  planTitle: string;
  plan: Array<{ text: string }>;
  planMoreText: string;
  warnings: Array<{ text: string }>;
  warningsMoreText: string;
  /** Export CSV buttons (Action.Execute export.link): each signs a fresh link when pressed; empty for non-admins. */
  exports: Array<{ title: string; data: ExportButtonData }>;
  /** How the buttons work, or why there are none. */
  exportNote: string;
}

export const SAVINGS_CARD_LIMITS = { skus: 5, plan: 5, warnings: 6 } as const;

const SOURCE_TEXT = { admin: 'set by an admin', config: 'SKU_PRICES', list_price: 'list price' } as const;
const n = (value: number): string => value.toLocaleString('en-US');
const seats = (value: number): string => `${n(value)} ${value === 1 ? 'seat' : 'seats'}`;

export interface SavingsInput {
  tenantName: string;
  summary: CopilotSeatSummary;
  totals: ReturnType<typeof totals>;
  savings: Savings;
  /** Export buttons (admins), or a note saying why there are none. */
  exports: { buttons: Array<{ title: string; data: ExportButtonData }>; note: string };
  now: Date;
}

export function savingsUnavailableView(tenantName: string): SavingsView {
  return {
    ...empty(tenantName),
    available: false,
    unavailableText: NO_ANALYTICS_YET,
  };
}

function empty(tenantName: string): SavingsView {
  return {
    tenantName,
    available: true,
    unavailableText: '',
    asOfText: '',
    headline: '',
    headlineColor: 'Default',
    facts: [],
    skus: [],
    skusMoreText: '',
    planTitle: '',
    plan: [],
    planMoreText: '',
    warnings: [],
    warningsMoreText: '',
    exports: [],
    exportNote: '',
  };
}

export function savingsView(input: SavingsInput): SavingsView {
  const { summary, totals: t, savings } = input;
  const asOf = [
    `Seats as of ${utcText(summary.computedAt)}`,
    summary.reportRefreshDate ? `usage report of ${dayText(summary.reportRefreshDate)}` : 'no usage report',
    summary.auditCoveredUntil ? `audit log read to ${utcText(summary.auditCoveredUntil)}` : '',
  ].filter((part) => part !== '');

  const money = (amount: number | null) => (amount === null ? null : formatMoney(amount, savings.currency));
  const monthly = money(savings.monthly);
  const headline =
    savings.seatsCut === 0
      ? 'No seats to cut at renewal right now.'
      : monthly === null
        ? 'Savings cannot be added up: see the warnings below.'
        : `Saves ${monthly} a month (${money(savings.annual ?? 0)} a year) once the subscriptions are reduced at renewal`;

  // Three figures kept apart: seats reclaiming frees (still paid), cost avoided by reassigning, money saved after the cut.
  // The idle seats are not freed yet: the labels say what reclaiming them would do.
  const avoided = money(savings.costAvoidedMonthly);
  const facts: SavingsFact[] = [
    {
      title: 'Utilization',
      value:
        t.utilizationRate === null
          ? 'No Copilot seats assigned'
          : `${utilizationText(t.utilization)} seat holders active`,
    },
    {
      title: 'Reclaiming would free',
      value: `${seats(savings.seatsFreed)} (${n(t.certain)} certain, ${n(t.probable)} probable), still paid for until the subscription is reduced`,
    },
    { title: 'Never assigned', value: `${seats(savings.seatsUnassigned)} purchased that nobody holds (not reclaims)` },
    {
      title: 'Could go to candidates',
      value:
        savings.seatsReassigned === 0
          ? 'none: no High or Medium candidate is waiting'
          : `${seats(savings.seatsReassigned)} to waiting High and Medium candidates instead of buying new ones${avoided === null ? '' : `: ${avoided} a month not spent`} (not a saving on the bill)`,
    },
    {
      title: 'Saved at renewal',
      value:
        savings.seatsCut === 0
          ? 'nothing to cut'
          : `${seats(savings.seatsCut)} cut${monthly === null ? ', not costed' : `: ${monthly} a month`}, once the subscriptions are reduced`,
    },
    { title: 'To review', value: `${seats(t.review)} (borderline, not counted)` },
    { title: 'Excluded', value: `${seats(t.excluded)} (grace period or exclusion list)` },
    { title: 'Seats', value: `${n(t.purchased)} purchased · ${n(t.assigned)} assigned · ${n(t.available)} unassigned` },
  ];
  if (t.unknown > 0)
    facts.push({ title: 'Unknown', value: `${n(t.unknown)} seat holders could not be assessed (never called idle)` });

  const skuLines = summary.skus.map((s, i) => {
    const p = savings.prices[i];
    const priced = p.amount !== null && p.source !== null;
    const priceText = priced
      ? `${formatMoney(p.amount ?? 0, p.currency)} (${SOURCE_TEXT[p.source ?? 'list_price']})`
      : 'no price';
    const tier = (label: string, count: number) => ({
      title: label,
      value: priced
        ? `${seats(count)} to free, worth ${formatMoney(count * (p.amount ?? 0), p.currency)} a month once cut`
        : `${seats(count)}, not costed`,
    });
    return {
      title: `${productName(s.skuPartNumber)} · ${priceText} per user per month`,
      facts: [tier('Certain', s.reclaimable.certain), tier('Probable', s.reclaimable.probable)],
    };
  });
  const skus = cap(skuLines, SAVINGS_CARD_LIMITS.skus);

  const planLines = savings.renewalPlan.map((step) => ({ text: step.advice }));
  const plan = cap(planLines, SAVINGS_CARD_LIMITS.plan);

  // Concealed names first: it is the one warning that changes every figure above, and the list is capped.
  const warningTexts = [
    ...new Set([
      ...(summary.reportNamesConcealed ? [CONCEALED_WARNING] : []),
      ...savings.warnings,
      ...summary.warnings,
    ]),
  ];
  const warnings = cap(
    warningTexts.map((text) => ({ text: keepPlaceholders(text) })),
    SAVINGS_CARD_LIMITS.warnings,
  );

  return {
    ...empty(input.tenantName),
    asOfText: asOf.join(' · '),
    headline,
    headlineColor: savings.seatsCut > 0 && savings.monthly === null ? 'Attention' : 'Default',
    facts,
    skus: skus.shown,
    skusMoreText: skus.hidden > 0 ? `and ${skus.hidden} more Copilot SKUs` : '',
    planTitle: 'Renewal plan',
    plan: plan.shown,
    planMoreText: plan.hidden > 0 ? `and ${plan.hidden} more steps` : '',
    warnings: warnings.shown,
    warningsMoreText: warnings.hidden > 0 ? `and ${warnings.hidden} more warnings` : '',
    exports: input.exports.buttons,
    exportNote:
      input.exports.buttons.length > 0
        ? 'Export CSV posts a fresh download link when pressed (it lists people, so it works for a few minutes only).'
        : input.exports.note,
  };
}

export const CONCEALED_WARNING =
  'Usage reports hide user names, so seat holders cannot be matched and are counted as unknown, never idle. Microsoft 365 admin center > Settings > Org settings > Reports: clear "Display concealed user, group, and site names in all reports".';

function cap<T>(items: readonly T[], max: number): { shown: T[]; hidden: number } {
  return { shown: items.slice(0, max), hidden: Math.max(0, items.length - max) };
}
