import { dayText, MONTH_NAMES, utcText } from '../domain/time-text';
import { clip } from '../domain/text';
import type { CopilotTrendDay } from '../domain/usage';
import { formatMoney, freedByReclaimsText, totals, utilizationText, type Savings } from '../domain/seat-savings';
import {
  DIGEST_LIST_ROWS,
  type DigestContent,
  type DigestStatusContent,
  type DigestSubscription,
} from '../domain/digest';
import { nextRunOf, wallTimeText } from '../domain/digest-time';
import type { SeatHighlight } from '../domain/seat-highlights';
import type { CohortMonth } from '../domain/seat-cohorts';

/** What the digest card binds to: the use case's content (src/domain/digest.ts). */
export type DigestInput = DigestContent;

export interface DigestFact {
  title: string;
  value: string;
}

/** The daily digest card of one tenant: seats, savings, candidates and security, every figure dated. */
export interface DigestView {
  tenantName: string;
  titleText: string;
  asOfText: string;
  /** Set when the latest finished sync is older than 24 h (the digest still goes out, saying so). */
  staleText: string;
  /** False before the first analytics: the card says why instead of showing zeros. */
  hasSeats: boolean;
  noSeatsText: string;
  utilizationText: string;
  /** Chart.Gauge: utilization in % (0 when unknown, with the text saying so). */
  gaugeValue: number;
  /** Chart.Donut: seat holders by status; each legend carries its value ("Active 12"), since the chart shows none. */
  statusChart: Array<{ legend: string; value: number; color: string }>;
  hasTrend: boolean;
  trendText: string;
  /** Chart.Line: Copilot active and enabled users per report day, x labels short ("21 Nov") so none is cut. */
  trendChart: Array<{ legend: string; values: Array<{ x: string; y: number }> }>;
  inactiveText: string;
  /** The top idle seats, one line each ("**Name** · certain · never used"): no narrow columns to break words. */
  inactiveLines: Array<{ text: string }>;
  inactiveMoreText: string;
  /** Seats worth knowing (disabled, grace, kept by the audit log, excluded), not already named above. */
  highlightLines: Array<{ text: string }>;
  savingsText: string;
  /** Seats freed by executed reclaims, still paid for until the subscription is reduced; empty before any. */
  reclaimText: string;
  /** The departments whose idle seats cost most, one line each; empty without idle seats. */
  departmentsText: string;
  departmentLines: Array<{ text: string }>;
  /** The first digest of a month: last month's seat cohorts (empty otherwise). */
  cohortsText: string;
  cohortLines: Array<{ text: string }>;
  candidatesText: string;
  candidateLines: Array<{ text: string }>;
  securityText: string;
  securityLines: Array<{ text: string }>;
  /** Each source's as-of date in one small line. */
  freshnessText: string;
  actions: {
    /** open 'message': the list goes out as a new message, the digest stays as it was. */
    inactive: { tenantId: string; tier: 'all'; page: 1; open: 'message' };
    candidates: { tenantId: string; page: 1; open: 'message' };
    sync: { tenantId: string };
    /** "Reclaim N certain seats": a reclaim request for every certain-idle seat (admins only, re-checked on the server). */
    reclaim: { tenantId: string; tier: 'certain'; open: 'message' };
    reclaimTitle: string;
    canReclaim: boolean;
    /** Export CSV (Action.Execute export.link): the link is signed when pressed, so it works whenever the digest is read. */
    canExport: boolean;
    export: { tenantId: string; kind: 'underutilized' };
  };
}

/**
 * Short enough to read on a phone: headline figures and the top few items; the full lists, the
 * renewal plan and the security card are one button or command away.
 */
export const DIGEST_LIMITS = { ...DIGEST_LIST_ROWS, security: 2, highlights: 3, trendDays: 14 } as const;
const STALE_MS = 24 * 3_600_000;

const n = (value: number): string => value.toLocaleString('en-US');
const plural = (count: number, one: string, many = `${one}s`) => `${n(count)} ${count === 1 ? one : many}`;

export function digestView(input: DigestInput, now: Date): DigestView {
  const { summary } = input.analytics ?? {};
  const t = summary ? totals(summary) : undefined;
  const certainCount = t?.certain ?? 0;
  const finished = input.lastSync?.finishedAt ?? null;
  const ageMs = finished ? now.getTime() - Date.parse(finished) : null;
  const staleText =
    ageMs !== null && ageMs > STALE_MS
      ? `These figures are ${Math.floor(ageMs / 86_400_000) >= 1 ? `${plural(Math.floor(ageMs / 86_400_000), 'day')}` : `${Math.round(ageMs / 3_600_000)} h`} old: the latest finished sync was on ${utcText(finished ?? '')}. Check why the daily sync did not run (type **status**), or press Sync now.`
      : finished === null
        ? 'No sync has finished for this tenant yet, so there is nothing to report. Press Sync now.'
        : '';

  const rate = t?.utilizationRate ?? null;
  const trendDays = (input.trend?.days ?? []).slice(-DIGEST_LIMITS.trendDays);
  const series = (legend: string, pick: (d: CopilotTrendDay) => number | null | undefined) => ({
    legend,
    values: trendDays.flatMap((d) => {
      const y = pick(d);
      return typeof y === 'number' ? [{ x: shortDay(d.reportDate), y }] : [];
    }),
  });
  const trendChart = [
    series('Active users', (d) => d.counts.any?.active),
    series('Enabled users', (d) => d.counts.any?.enabled),
  ].filter((s) => s.values.length > 0);
  const lastTrend = trendDays.at(-1);

  const inactive = input.inactive;
  const inactiveShown = (inactive?.rows ?? []).slice(0, DIGEST_LIMITS.inactive);
  const shownNames = new Set(inactiveShown.map((s) => s.displayName ?? s.userPrincipalName));
  const candidates = input.candidates;
  const savings = input.savings;
  return {
    tenantName: input.tenantName,
    titleText: `${input.tenantName} · Copilot digest, ${dayText(input.day)}`,
    asOfText: input.analytics ? `Seats as of ${utcText(input.analytics.asOf)}` : '',
    staleText,
    hasSeats: t !== undefined,
    noSeatsText:
      t === undefined
        ? 'Seat analytics are not available yet: they are computed by the next sync. Press Sync now, then type **digest now**.'
        : '',
    utilizationText: t
      ? rate === null
        ? 'No Copilot seats are assigned.'
        : `Utilization ${utilizationText(t.utilization)}: active seat holders of assigned seats (${n(t.purchased)} purchased, ${n(t.available)} unassigned; ${n(t.unknown)} unknown).`
      : '',
    gaugeValue: rate ?? 0,
    statusChart: t
      ? [
          { legend: `Active ${n(t.active)}`, value: t.active, color: 'good' },
          { legend: `Inactive ${n(t.inactive)}`, value: t.inactive, color: 'attention' },
          { legend: `Unknown ${n(t.unknown)}`, value: t.unknown, color: 'warning' },
          { legend: `Unassigned ${n(t.available)}`, value: t.available, color: 'neutral' },
        ]
      : [],
    hasTrend: trendChart.length > 0,
    trendText: lastTrend
      ? `Copilot active users, last ${plural(trendDays.length, 'report day')}: ${dayText(trendDays[0]?.reportDate ?? lastTrend.reportDate)} to ${dayText(lastTrend.reportDate)} (report of ${dayText(lastTrend.reportRefreshDate)})`
      : 'The Copilot usage trend is not available yet: the next sync reads it.',
    trendChart,
    inactiveText: t
      ? `Idle seats to reclaim: ${n(t.reclaimable)} (${n(t.certain)} certain, ${n(t.probable)} probable); ${n(t.review)} to review, ${n(t.excluded)} excluded.`
      : '',
    inactiveLines: inactiveShown.map((s) => ({
      text: `**${s.displayName ?? s.userPrincipalName}** · ${s.tier ?? s.recommendation} · ${s.daysSinceLastActivity === null ? 'never used' : `idle ${plural(s.daysSinceLastActivity, 'day')}`}${s.accountEnabled ? '' : ' · account disabled'}${s.assignedVia === 'group' ? ` · via group ${s.groups[0]?.displayName ?? ''}`.trimEnd() : ''}`,
    })),
    inactiveMoreText:
      inactive && inactive.total > DIGEST_LIMITS.inactive
        ? `and ${n(inactive.total - DIGEST_LIMITS.inactive)} more`
        : '',
    highlightLines: pickHighlights(summary?.highlights ?? [], shownNames).map((h) => ({
      text: `**${h.name}**: ${h.text}`,
    })),
    savingsText: savings ? digestSavingsText(savings) : '',
    reclaimText: input.freed && input.freed.seats > 0 ? freedByReclaimsText(input.freed) : '',
    ...departmentSection(input.departments),
    ...cohortSection(input.cohorts),
    candidatesText: summary
      ? `Candidates for a seat: ${n(summary.candidates.High)} high, ${n(summary.candidates.Medium)} medium, ${n(summary.candidates.Low)} low priority.`
      : '',
    candidateLines: (candidates?.rows ?? []).slice(0, DIGEST_LIMITS.candidates).map((c) => ({
      text: `**${c.displayName ?? c.userPrincipalName}** · ${c.priority} · activity ${c.m365ActivityScore}/100${c.copilotChat ? ' · uses Copilot Chat without a seat' : ''}`,
    })),
    securityText: `${input.security.scoreText}${input.security.asOf ? ` (as of ${utcText(input.security.asOf)})` : ''}`,
    securityLines: input.security.recommendations.slice(0, DIGEST_LIMITS.security).map((text) => ({ text })),
    freshnessText: `Data as of: ${freshnessFacts(input)
      .map((f) => `${f.title} ${f.value}`)
      .join(' · ')}`,
    actions: {
      inactive: { tenantId: input.tenantId, tier: 'all', page: 1, open: 'message' },
      candidates: { tenantId: input.tenantId, page: 1, open: 'message' },
      sync: { tenantId: input.tenantId },
      reclaim: { tenantId: input.tenantId, tier: 'certain', open: 'message' },
      reclaimTitle: `Reclaim ${plural(certainCount, 'certain seat')}`,
      canReclaim: certainCount > 0,
      canExport: input.exportsWired,
      export: { tenantId: input.tenantId, kind: 'underutilized' },
    },
  };
}

/** The departments with most idle cost: "**Sales** · 9 of 20 seats idle · $270 a month". */
function departmentSection(
  departments: DigestInput['departments'],
): Pick<DigestView, 'departmentsText' | 'departmentLines'> {
  if (!departments || departments.top.length === 0) return { departmentsText: '', departmentLines: [] };
  const money = (amount: number | null) => (amount === null ? null : formatMoney(amount, departments.currency));
  const total = money(departments.idleMonthlyCost);
  return {
    departmentsText: `Idle seats by department${total === null ? '' : ` (${total} a month in all)`}: ${departments.top.length < departments.withIdle ? `the ${departments.top.length} costing most of ${n(departments.withIdle)}` : 'every department with idle seats'}.`,
    departmentLines: departments.top.map((d) => {
      const cost = money(d.idleMonthlyCost);
      return {
        text: `**${clip(d.name, 60)}** · ${n(d.idle)} of ${plural(d.seats, 'seat')} idle${cost === null ? '' : ` · ${cost} a month`}`,
      };
    }),
  };
}

/** "March 2026" for "2026-03". */
function monthText(month: string): string {
  return `${MONTH_NAMES[Number(month.slice(5, 7)) - 1] ?? month} ${month.slice(0, 4)}`;
}

/** Last month's seat cohorts, in the first digest of a month (definitions: src/domain/seat-cohorts.ts). */
function cohortSection(month: CohortMonth | undefined): Pick<DigestView, 'cohortsText' | 'cohortLines'> {
  if (!month) return { cohortsText: '', cohortLines: [] };
  const moves =
    month.retained === null
      ? 'Retained, reactivated and lapsed need the month before it too, which has no history.'
      : `Retained ${n(month.retained)} · reactivated ${n(month.reactivated ?? 0)} · lapsed ${n(month.lapsed ?? 0)} (active the month before, idle in ${monthText(month.month)}).`;
  const firstUse =
    month.newlyAssigned === 0
      ? ''
      : month.firstUse.medianDays === null
        ? ' · none used yet'
        : ` · first used after a median ${plural(month.firstUse.medianDays, 'day')} (${n(month.firstUse.used)} of ${n(month.newlyAssigned)} used)`;
  return {
    cohortsText: `${monthText(month.month)} in review: ${n(month.active)} of ${plural(month.seatHolders, 'Copilot seat holder')} active (Copilot used that month).`,
    cohortLines: [
      { text: moves },
      { text: `Newly assigned ${n(month.newlyAssigned)}${firstUse} · reclaimed ${n(month.reclaimed)}.` },
    ],
  };
}

/** The saving on the bill (seats cut at renewal), apart from seats freed and seats given to candidates. */
function digestSavingsText(savings: Savings): string {
  const money = (amount: number) => formatMoney(amount, savings.currency);
  const saved =
    savings.seatsCut === 0
      ? 'No seats to cut at renewal.'
      : savings.monthly === null
        ? `Savings cannot be costed: ${savings.warnings[0] ?? 'a SKU has no price.'}`
        : `Saves ${money(savings.monthly)} a month once ${plural(savings.seatsCut, 'seat is', 'seats are')} cut at renewal.`;
  const given =
    savings.seatsReassigned > 0
      ? ` ${plural(savings.seatsReassigned, 'idle seat')} can go to waiting candidates instead${savings.costAvoidedMonthly === null ? '' : ` (${money(savings.costAvoidedMonthly)} a month not spent on new seats)`}.`
      : '';
  return `${saved}${given}`;
}

/** One seat of each kind first (the story in a few lines), none already named in the idle list. */
function pickHighlights(all: readonly SeatHighlight[], shownNames: ReadonlySet<string>): SeatHighlight[] {
  const fresh = all.filter((h) => !shownNames.has(h.name));
  const firsts = fresh.filter((h, i) => fresh.findIndex((o) => o.kind === h.kind) === i);
  return [...firsts, ...fresh.filter((h) => !firsts.includes(h))].slice(0, DIGEST_LIMITS.highlights);
}

/**
 * The trend's x labels: the day of the month alone. A chart gives each of the 14 points about 25 px
 * in a card, and renderers cut longer labels ("21 Nov" showed as "2.."); the title says which days.
 */
function shortDay(isoDay: string): string {
  return String(Number(isoDay.slice(8, 10)));
}

function freshnessFacts(input: DigestInput): DigestFact[] {
  const summary = input.analytics?.summary;
  const last = input.trend?.days.at(-1);
  const sync = input.lastSync;
  const facts: DigestFact[] = [
    {
      title: 'directory',
      value: sync?.finishedAt ? `${utcText(sync.finishedAt)} (sync ${sync.status})` : 'never synced',
    },
    { title: 'usage report', value: summary?.reportRefreshDate ? dayText(summary.reportRefreshDate) : 'not read' },
    { title: 'audit log', value: summary?.auditCoveredUntil ? utcText(summary.auditCoveredUntil) : 'not read' },
    { title: 'trend', value: last ? dayText(last.reportRefreshDate) : 'not read' },
    { title: 'security', value: input.security.asOf ? utcText(input.security.asOf) : 'not read' },
  ];
  return facts;
}

/** The daily status message contract's daily refresh notification, as a small card after the scheduled sync. */
export interface DigestStatusView {
  titleText: string;
  statusText: string;
  statusColor: 'Good' | 'Warning' | 'Attention';
  facts: DigestFact[];
  errorLines: Array<{ text: string }>;
  dashboardUrl: string;
}

const STATUS_OF = { success: 'SUCCESS', partial: 'PARTIAL', failed: 'FAILED' } as const;
const MAX_ERROR_LINES = 3;

export function digestStatusView(input: DigestStatusContent, now: Date): DigestStatusView {
  const { run } = input;
  const status = STATUS_OF[run.status];
  const c = run.counts;
  const records = c ? c.users + c.groups + c.licenseAssignments + c.skus : null;
  const t = input.summary ? totals(input.summary) : undefined;
  const errors = [...(run.errorText ? [run.errorText] : []), ...run.warnings];
  const day = (run.finishedAt ?? now.toISOString()).slice(0, 10);
  return {
    titleText: `[Copilot Analytics] Daily Refresh - ${status} - ${day} · ${input.tenantName}`,
    statusText: `Pipeline Status: ${status}`,
    statusColor: run.status === 'success' ? 'Good' : run.status === 'partial' ? 'Warning' : 'Attention',
    facts: [
      { title: 'Records Processed', value: records === null ? 'none (the sync stored nothing)' : n(records) },
      { title: 'Active Users', value: t ? n(t.active) : 'not computed' },
      {
        title: 'Utilization Rate',
        value: t?.utilizationRate != null ? utilizationText(t.utilization) : 'not computed',
      },
      { title: 'Errors', value: n(errors.length) },
      { title: 'Finished', value: run.finishedAt ? utcText(run.finishedAt) : 'not finished' },
    ],
    errorLines: errors
      .slice(0, MAX_ERROR_LINES)
      .map((text) => ({ text: text.length > 300 ? `${text.slice(0, 299)}…` : text }))
      .concat(errors.length > MAX_ERROR_LINES ? [{ text: `and ${errors.length - MAX_ERROR_LINES} more` }] : []),
    dashboardUrl: input.dashboardUrl ?? '',
  };
}

/** `digest status`: this conversation's schedule, next run in its zone and UTC, last delivery, a pause and how to resume. */
export interface DigestScheduleView {
  titleText: string;
  stateText: string;
  stateColor: 'Good' | 'Attention' | 'Default';
  facts: DigestFact[];
  hintText: string;
  asOfText: string;
}

export function digestScheduleView(sub: DigestSubscription | undefined, now: Date): DigestScheduleView {
  const asOfText = `As of ${utcText(now.toISOString())}`;
  if (!sub) {
    return {
      titleText: 'Daily digest',
      stateText: 'This conversation has no daily digest.',
      stateColor: 'Default',
      facts: [],
      hintText:
        'An admin can start one with **digest subscribe [HH:MM] [time zone]**, e.g. digest subscribe 08:30 Europe/Paris.',
      asOfText,
    };
  }
  const delivered = sub.lastDeliveredAt
    ? `${wallTimeText(new Date(sub.lastDeliveredAt), 'UTC')} UTC${sub.lastDeliveredDay ? ` (the ${sub.lastDeliveredDay} digest)` : ''}`
    : 'never';
  const facts: DigestFact[] = [
    { title: 'Every day at', value: `${sub.localTime} ${sub.timeZone}` },
    {
      title: 'Posts',
      value: sub.layout === 'portfolio' ? 'one portfolio card ranking every tenant' : 'a digest card per tenant',
    },
  ];
  if (sub.status === 'paused') {
    facts.push(
      { title: 'Paused since', value: sub.pausedAt ? utcText(sub.pausedAt) : 'an unknown time' },
      { title: 'Why', value: clip(sub.pausedReason ?? 'no reason recorded', MAX_REASON_CHARS) },
    );
  } else {
    const next = nextRunOf(sub, now);
    facts.push({
      title: 'Next',
      value: `${wallTimeText(next.at, sub.timeZone)} ${sub.timeZone} (${wallTimeText(next.at, 'UTC')} UTC)`,
    });
  }
  facts.push({ title: 'Last delivered', value: delivered });
  return {
    titleText: 'Daily digest',
    stateText: sub.status === 'paused' ? 'Paused: no digests are posted here.' : 'Active',
    stateColor: sub.status === 'paused' ? 'Attention' : 'Good',
    facts,
    hintText:
      sub.status === 'paused'
        ? 'Type **digest subscribe** to resume (after adding Seat Steward back if it was removed).'
        : '**digest subscribe [HH:MM] [time zone]** changes the time, **digest unsubscribe** stops it, **digest now** posts one now.',
    asOfText,
  };
}

/** A paused subscription's reason comes from Teams' error: long ones are cut. */
const MAX_REASON_CHARS = 600;
