import { dayText, utcText } from '../domain/time-text';
import type { UsagePeriod } from '../domain/usage';
import { utilizationText, type Utilization } from '../domain/seat-savings';
import type { CopilotTrendAnswer, UsageAnswer } from '../domain/usage';

export interface UsageFact {
  title: string;
  value: string;
}

/** The `usage` card: the REST API's /usage figures of one tenant and period, with their "as of" date. */
export interface UsageView {
  tenantName: string;
  periodText: string;
  /** False when no figures were ever stored: the card says why instead of showing zeros. */
  available: boolean;
  unavailableText: string;
  asOfText: string;
  /** Set when the last read failed and older figures are shown. */
  staleText: string;
  summary: UsageFact[];
  services: Array<{ title: string; facts: UsageFact[] }>;
  trendTitle: string;
  trend: UsageFact[];
  /** Copilot adoption in one line ('' when not asked for), and its own report date or why it is missing. */
  copilotText: string;
  copilotAsOfText: string;
}

const n = (value: number): string => value.toLocaleString('en-US');
const gb = (value: number): string => `${value.toLocaleString('en-US', { maximumFractionDigits: 1 })} GB`;
const PERIOD_TEXT: Record<UsagePeriod, string> = {
  '7d': 'last 7 days',
  '30d': 'last 30 days',
  '90d': 'last 90 days',
  '180d': 'last 180 days',
};
const TREND_DAYS = 7;

export function usageView(
  tenantName: string,
  period: UsagePeriod,
  answer: UsageAnswer,
  copilot?: CopilotTrendAnswer,
  seats?: CopilotSeatsInput,
): UsageView {
  const { figures, provenance } = answer;
  const base = {
    tenantName,
    periodText: `Usage, ${PERIOD_TEXT[period]}`,
    summary: [],
    services: [],
    trendTitle: '',
    trend: [],
    ...copilotLine(copilot, seats),
  };
  if (!figures) {
    const why =
      provenance.problem ??
      (provenance.status === 'never_read'
        ? 'No sync has read the Microsoft 365 usage reports yet. Run **sync**, then ask again.'
        : 'The usage reports have not been stored yet.');
    return {
      ...base,
      available: false,
      unavailableText: `Usage figures are not available: ${why}`,
      asOfText: '',
      staleText: '',
    };
  }
  const s = figures.services;
  const services: UsageView['services'] = [];
  if (s.exchange)
    services.push({
      title: 'Exchange',
      facts: [
        { title: 'Active users', value: n(s.exchange.active_users) },
        { title: 'Emails sent', value: n(s.exchange.emails_sent) },
        { title: 'Emails received', value: n(s.exchange.emails_received) },
        { title: 'Mailbox storage', value: gb(s.exchange.mailbox_usage_gb) },
      ],
    });
  if (s.sharepoint)
    services.push({
      title: 'SharePoint',
      facts: [
        { title: 'Active users', value: n(s.sharepoint.active_users) },
        { title: 'Files shared', value: n(s.sharepoint.files_shared) },
        { title: 'Storage used', value: gb(s.sharepoint.storage_used_gb) },
      ],
    });
  if (s.teams)
    services.push({
      title: 'Teams',
      facts: [
        { title: 'Active users', value: n(s.teams.active_users) },
        { title: 'Meetings', value: n(s.teams.meetings_held) },
        { title: 'Messages', value: n(s.teams.messages_sent) },
        { title: 'Calls', value: n(s.teams.calls_made) },
      ],
    });
  if (s.onedrive)
    services.push({
      title: 'OneDrive',
      facts: [
        { title: 'Active users', value: n(s.onedrive.active_users) },
        { title: 'Files synced', value: n(s.onedrive.files_synced) },
        { title: 'Storage used', value: gb(s.onedrive.storage_used_gb) },
      ],
    });
  const days = figures.trends.daily_active_users.slice(-TREND_DAYS);
  return {
    ...base,
    available: true,
    unavailableText: '',
    asOfText: `As of ${dayText(figures.reportRefreshDate)} (Microsoft's report date; reports lag up to 3 days)${provenance.readAt ? ` · read ${utcText(provenance.readAt)}` : ''}`,
    staleText: provenance.stale
      ? `Stale: the last read failed, so these are the figures read ${provenance.readAt ? utcText(provenance.readAt) : 'earlier'}. ${provenance.problem ?? ''}`.trim()
      : '',
    summary: [
      { title: 'Active users', value: n(figures.summary.total_active_users) },
      { title: 'Inactive users', value: n(figures.summary.total_inactive_users) },
      { title: 'Activity rate', value: `${figures.summary.activity_rate}%` },
    ],
    services,
    trendTitle: days.length > 0 ? `Daily active users (last ${days.length} report days)` : '',
    trend: days.map((d) => ({ title: dayText(d.date), value: n(d.count) })),
  };
}

/** The seat analytics behind the Copilot line: the same utilization the savings card and the digest show. */
export interface CopilotSeatsInput {
  utilization: Utilization;
  /** When the seat analytics were computed. */
  computedAt: string;
  /** INACTIVE_DAYS: a seat holder with Copilot use within this many days is active. */
  inactiveDays: number;
}

/**
 * Copilot seat utilization (one definition, domain/seat-savings), whose window is INACTIVE_DAYS
 * whatever period the card shows, so the line names its own window; then the user count report's
 * latest daily figure, which is a different, daily figure and says so.
 */
function copilotLine(
  copilot: CopilotTrendAnswer | undefined,
  seats: CopilotSeatsInput | undefined,
): Pick<UsageView, 'copilotText' | 'copilotAsOfText'> {
  if (!copilot && !seats) return { copilotText: '', copilotAsOfText: '' };
  const seatText = seats
    ? seats.utilization.percent === null
      ? '**Copilot seat utilization**: no Copilot seats are assigned.'
      : `**Copilot seat utilization**: ${utilizationText(seats.utilization)} seat holders used Copilot in the ${seats.inactiveDays} days before ${utcText(seats.computedAt)} (INACTIVE_DAYS; this window does not follow the period above)`
    : '**Copilot seat utilization** is not available yet: the next sync works it out.';
  const trend = copilot?.trend;
  const latest = trend?.days.at(-1);
  const daily = latest?.counts.any?.active;
  const dailyText =
    latest && daily !== null && daily !== undefined
      ? ` · ${n(daily)} Copilot users active on ${dayText(latest.reportDate)} (one day)`
      : '';
  let asOf = '';
  if (copilot) {
    const { provenance } = copilot;
    if (!trend || dailyText === '') {
      const why =
        provenance.problem ??
        (provenance.status === 'never_read'
          ? 'no sync has read the Copilot user count reports yet.'
          : 'the Copilot user count reports have not been stored yet.');
      asOf = `The daily Copilot user count is not available: ${why}`;
    } else {
      const stale = provenance.stale
        ? ` · stale: the last read failed${provenance.problem ? ` (${provenance.problem})` : ''}`
        : '';
      asOf = `Daily count as of ${provenance.asOf ? dayText(provenance.asOf) : 'an unknown date'} (Copilot user count reports)${stale}`;
    }
  }
  return { copilotText: `${seatText}${dailyText}`, copilotAsOfText: asOf };
}
