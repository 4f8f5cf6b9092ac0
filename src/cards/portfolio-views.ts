import { clip } from '../domain/text';
import { dayText, utcText } from '../domain/time-text';
import { healthFailing, PORTFOLIO_RENEWAL_DAYS, type PortfolioContent, type PortfolioRow } from '../domain/portfolio';
import type { SyncHealthState } from '../domain/sync-schedule';
import { formatMoney, utilizationText } from '../domain/seat-savings';
import { agoText } from './time-text';

/** The card names the tenants worth acting on first; the REST route has them all. */
export const PORTFOLIO_CARD_ROWS = 15;

export interface PortfolioFact {
  title: string;
  value: string;
}

export interface PortfolioLine {
  titleText: string;
  figuresText: string;
  healthText: string;
  /** Attention while failing; never yellow (long text in yellow is hard to read). */
  healthColor: 'Default' | 'Attention';
  /** Action.Execute portfolio.open: that tenant's digest, posted as a new message. */
  open: { tenantId: string };
}

/** View model of cards/portfolio.json: aggregates only, never a person. */
export interface PortfolioView {
  titleText: string;
  subtitleText: string;
  facts: PortfolioFact[];
  emptyText: string;
  rows: PortfolioLine[];
  moreText: string;
}

const n = (v: number): string => v.toLocaleString('en-US');
const plural = (v: number, word: string): string => `${n(v)} ${word}${v === 1 ? '' : 's'}`;

export function portfolioView(content: PortfolioContent, now: Date): PortfolioView {
  const t = content.totals;
  const money =
    t.idleMonthly.length === 0
      ? t.idleSeats === 0
        ? 'nothing'
        : 'not priced'
      : t.idleMonthly.map((m) => `${formatMoney(m.amount, m.currency)}`).join(' + ');
  const facts: PortfolioFact[] = [
    {
      title: 'Idle Copilot seats',
      value: `${n(t.idleSeats)}, costing ${money} a month${t.unpricedTenants > 0 ? ` (${plural(t.unpricedTenants, 'tenant')} not priced)` : ''}`,
    },
    { title: 'Utilization', value: utilizationText(t.utilization) },
    { title: 'Candidates waiting', value: n(t.candidatesWaiting) },
    { title: `Renewals in ${PORTFOLIO_RENEWAL_DAYS} days`, value: n(t.renewalsSoon) },
    {
      title: 'Sync health',
      value:
        t.failing === 0
          ? `all ${plural(t.tenants, 'tenant')} syncing`
          : `${plural(t.failing, 'tenant')} failing to sync`,
    },
  ];
  const shown = content.rows.slice(0, PORTFOLIO_CARD_ROWS);
  const more = content.rows.length - shown.length;
  return {
    titleText: `Copilot portfolio · ${plural(t.tenants, 'tenant')}`,
    subtitleText: `${content.clientId ? `Client ${content.clientId} · ` : ''}Most money to recover first. Generated ${utcText(content.generatedAt)}; each tenant's figures are from its last sync.`,
    facts: t.tenants === 0 ? [] : facts,
    emptyText:
      t.tenants === 0
        ? content.clientId
          ? `No tenant you may see belongs to client ${content.clientId}.`
          : 'No tenant you may see is connected yet.'
        : '',
    rows: shown.map((row, i) => lineOf(row, i + 1, now)),
    moreText:
      more > 0
        ? `${plural(more, 'more tenant')} with less to recover: GET /api/v1/m365/portfolio lists them all, or type **portfolio** followed by a client id.`
        : '',
  };
}

const HEALTH_TITLE: Record<SyncHealthState, string> = {
  healthy: 'Synced',
  never_synced: 'Not synced yet',
  disabled: 'Syncing is off',
  consent_required: 'Needs consent',
  sign_in_failed: 'Cannot sign in',
  failing: 'Sync failing',
};

function lineOf(row: PortfolioRow, rank: number, now: Date): PortfolioLine {
  const title = `**${rank}. ${clip(row.tenantName, 60)}**${row.domainName ? ` · ${clip(row.domainName, 60)}` : ''}`;
  const figures: string[] = [];
  if (row.idle && row.utilization) {
    const cost =
      row.idle.monthly === null || row.idle.currency === null
        ? row.idle.idleSeats === 0
          ? ''
          : ' (not priced)'
        : ` · ${formatMoney(row.idle.monthly, row.idle.currency)} a month`;
    figures.push(`${plural(row.idle.idleSeats, 'idle seat')}${cost}`);
    figures.push(`utilization ${utilizationText(row.utilization)}`);
    figures.push(`${plural(row.candidatesWaiting ?? 0, 'candidate')} waiting`);
    const renewal = row.renewals[0];
    if (renewal) figures.push(`renews ${dayText(renewal.date)} (${renewal.skuPartNumber})`);
  } else {
    figures.push('No seat analytics yet: they are worked out by its first sync.');
  }
  const h = row.health;
  const failing = healthFailing(h);
  const lastGood = h.lastSuccess ? ` Last success ${agoText(h.lastSuccess, now)}.` : '';
  const healthText = failing
    ? `${HEALTH_TITLE[h.state]}${h.consecutiveFailures > 1 ? ` (${n(h.consecutiveFailures)} times in a row)` : ''}: ${clip(h.reason?.message ?? 'no reason recorded', 200)}${lastGood}`
    : h.state === 'healthy'
      ? `Synced ${h.lastSuccess ? agoText(h.lastSuccess, now) : ''}`.trim() + '.'
      : `${HEALTH_TITLE[h.state]}.`;
  return {
    titleText: title,
    figuresText: figures.join(' · '),
    healthText,
    healthColor: failing ? 'Attention' : 'Default',
    open: { tenantId: row.tenantId },
  };
}
