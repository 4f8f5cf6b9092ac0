import { seatMarkKey, seatReclaimMarkText, type SeatReclaimMark } from '../domain/reclaim';
import { clip } from '../domain/text';
import { totals, type CopilotSeatSummary } from '../domain/seat-savings';
import { CANDIDATE_RULE_TEXT, type ActivitySourceName } from '../domain/seat-analytics';
import { productName } from '../domain/product-names';
import type { StoredCandidate, StoredSeat } from '../domain/seat-records';
import { agoText } from './time-text';
import { dayText, utcText } from '../domain/time-text';

/** Rows per page of the `inactive` and `candidates` cards: ten rows with their reasons stay well under 28 KB. */
export const SEAT_PAGE_SIZE = 10;

/**
 * What `inactive` lists: every reclaim tier, one of them, or the seats left for a person to judge
 * (`review`: borderline or only partly known, never recommended for reclaim on their own).
 */
export const INACTIVE_FILTERS = ['all', 'certain', 'probable', 'review'] as const;
export type InactiveFilter = (typeof INACTIVE_FILTERS)[number];

/** What a page button sends back; the rows themselves are always read again on the server. */
export interface InactivePageData {
  tenantId: string;
  tier: InactiveFilter;
  page: number;
  /** 'message': post the list as a new message and leave the pressed card as it was (the digest's buttons). */
  open?: 'message';
}

export interface CandidatesPageData {
  tenantId: string;
  page: number;
  open?: 'message';
}

export interface CountView {
  label: string;
  value: string;
  color: 'Default' | 'Attention' | 'Warning' | 'Good';
}

export interface SeatRowView {
  name: string;
  /** UPN · department · SKU */
  detailText: string;
  /** "Idle 47 days", "Never used". */
  idleText: string;
  tierText: string;
  tierColor: 'Default' | 'Attention' | 'Warning';
  /** The last activity with its source and that source's as-of date. */
  lastActivityText: string;
  reasonText: string;
  /** '' for a direct assignment. */
  groupText: string;
  /** In an open reclaim request, or removed since these analytics ('' otherwise). */
  reclaimText: string;
}

export interface InactiveView {
  tenantName: string;
  titleText: string;
  /** Which rows, which page: "All reclaim tiers · page 2 of 5 · seats 11–20 of 47". */
  pageText: string;
  counts: CountView[];
  asOfText: string;
  rows: SeatRowView[];
  /** Set when the page has no rows. */
  emptyText: string;
  hasPrevious: boolean;
  previousData: InactivePageData;
  hasNext: boolean;
  nextData: InactivePageData;
  /** Seats to tick for a reclaim request (this page's reclaimable rows); none on the review list. */
  canRequest: boolean;
  pickChoices: Array<{ title: string; value: string }>;
  requestData: { tenantId: string };
  askFirstValue: 'true' | 'false';
  /** What the last button did ("Reclaim request for 2 seats posted for approval."); empty otherwise. */
  noticeText: string;
  noticeColor: 'Good' | 'Attention';
}

export interface CandidateRowView {
  name: string;
  /** UPN · department */
  detailText: string;
  scoreText: string;
  priorityText: string;
  priorityColor: 'Default' | 'Good' | 'Warning';
  /** Copilot Chat use without a seat, '' when none was seen. */
  chatText: string;
  reasonText: string;
}

export interface CandidatesView {
  tenantName: string;
  titleText: string;
  pageText: string;
  counts: CountView[];
  asOfText: string;
  rows: CandidateRowView[];
  emptyText: string;
  hasPrevious: boolean;
  previousData: CandidatesPageData;
  hasNext: boolean;
  nextData: CandidatesPageData;
}

const MAX_NAME = 80;
/** A tick-box label carries the name, the UPN and the idle time. */
const MAX_PICK_LABEL = 200;
const MAX_DETAIL = 200;
const MAX_REASON = 300;
const MAX_GROUPS_TEXT = 240;

const n = (value: number): string => value.toLocaleString('en-US');
const plural = (count: number, one: string, many = `${one}s`): string => `${n(count)} ${count === 1 ? one : many}`;

/** A stored as-of: a report day (YYYY-MM-DD) as a day, a moment with how long ago. */
function whenText(iso: string, now: Date): string {
  return /^\d{4}-\d{2}-\d{2}$/.test(iso) ? dayText(iso) : `${utcText(iso)} (${agoText(iso, now)})`;
}

const SOURCE_TEXT: Record<ActivitySourceName, string> = {
  copilot_usage_report: 'Copilot usage report',
  audit_log: 'audit log',
};

/** The analytics' own date, then each source's, so the admin can tell how fresh every figure is. */
function summaryAsOfText(summary: CopilotSeatSummary, asOf: string, now: Date): string {
  return [
    `Analytics as of ${whenText(asOf, now)}`,
    summary.reportRefreshDate
      ? `Copilot usage report as of ${dayText(summary.reportRefreshDate)}`
      : 'Copilot usage report not read',
    summary.auditCoveredUntil ? `audit log read to ${whenText(summary.auditCoveredUntil, now)}` : 'audit log not read',
  ].join(' · ');
}

function pageText(label: string, page: number, total: number, noun: string): { text: string; pages: number } {
  const pages = Math.max(1, Math.ceil(total / SEAT_PAGE_SIZE));
  if (total === 0) return { text: `${label} · none`, pages };
  const first = (page - 1) * SEAT_PAGE_SIZE + 1;
  const last = Math.min(total, page * SEAT_PAGE_SIZE);
  return { text: `${label} · page ${n(page)} of ${n(pages)} · ${noun} ${n(first)}–${n(last)} of ${n(total)}`, pages };
}

const FILTER_LABEL: Record<InactiveFilter, string> = {
  all: 'All reclaim tiers',
  certain: 'Tier: certain',
  probable: 'Tier: probable',
  review: 'Needs review',
};

function idleText(seat: StoredSeat): string {
  if (seat.daysSinceLastActivity !== null)
    return seat.daysSinceLastActivity === 0 ? 'Used today' : `Idle ${plural(seat.daysSinceLastActivity, 'day')}`;
  // No evidence at all: "never used" only when the data could have shown use; otherwise it is unknown.
  return seat.status === 'inactive' ? 'Never used' : 'Activity unknown';
}

function tierOf(seat: StoredSeat): Pick<SeatRowView, 'tierText' | 'tierColor'> {
  if (seat.recommendation === 'reclaim')
    return seat.tier === 'certain'
      ? { tierText: 'Certain', tierColor: 'Attention' }
      : { tierText: 'Probable', tierColor: 'Warning' };
  if (seat.recommendation === 'review') return { tierText: 'Review', tierColor: 'Default' };
  return { tierText: seat.recommendation === 'keep' ? 'Keep' : 'Excluded', tierColor: 'Default' };
}

function lastActivityText(seat: StoredSeat): string {
  if (!seat.lastActivityDate || !seat.lastActivitySource)
    return 'No Copilot activity in the usage report or the audit log';
  const asOf = seat.lastActivityAsOf ? ` as of ${dayText(seat.lastActivityAsOf.slice(0, 10))}` : '';
  return `Last Copilot activity ${dayText(seat.lastActivityDate.slice(0, 10))} · ${SOURCE_TEXT[seat.lastActivitySource]}${asOf}`;
}

function groupText(seat: StoredSeat): string {
  if (seat.assignedVia !== 'group' || seat.groups.length === 0) return '';
  const names = seat.groups.map((g) => g.displayName ?? g.groupId).join(', ');
  const also = seat.direct ? ' (also assigned directly)' : '';
  return clip(`Via group ${names}${also}: taking the seat back means removing them from that group.`, MAX_GROUPS_TEXT);
}

function seatRow(seat: StoredSeat, marks: ReadonlyMap<string, SeatReclaimMark>): SeatRowView {
  const mark = marks.get(seatMarkKey(seat));
  return {
    name: clip(seat.displayName ?? seat.userPrincipalName, MAX_NAME),
    detailText: clip(
      [seat.userPrincipalName, seat.department ?? 'No department', productName(seat.skuPartNumber)].join(' · '),
      MAX_DETAIL,
    ),
    idleText: idleText(seat),
    ...tierOf(seat),
    lastActivityText: lastActivityText(seat),
    reasonText: clip(seat.reasons[0] ?? '', MAX_REASON),
    groupText: groupText(seat),
    reclaimText: mark ? seatReclaimMarkText(mark) : '',
  };
}

export interface InactiveInput {
  tenantId: string;
  tenantName: string;
  filter: InactiveFilter;
  page: number;
  summary: CopilotSeatSummary;
  seats: { asOf: string; total: number; rows: StoredSeat[] };
  now: Date;
  /** What the last press did (a request made), or what went wrong (`error`), shown at the top of the page. */
  notice?: { text: string; error: boolean };
  /** RECLAIM_NUDGE: the "ask each holder first" toggle starts on. */
  askHoldersFirst?: boolean;
  /** Seats a reclaim is walking (key "userId|skuId"): marked, and not offered for another request. */
  marks?: ReadonlyMap<string, SeatReclaimMark>;
}

/** The `inactive` card: one page of the seats to take back (or to review), with counts by tier and every source's date. */
export function inactiveView(input: InactiveInput): InactiveView {
  const { filter, page, summary, seats, now } = input;
  const marks = input.marks ?? new Map<string, SeatReclaimMark>();
  const t = totals(summary);
  const paging = pageText(FILTER_LABEL[filter], page, seats.total, 'seats');
  const emptyText =
    seats.rows.length > 0
      ? ''
      : filter === 'review'
        ? 'No seat needs a review: every seat is either clearly in use, excluded, or clearly idle.'
        : `No seat to take back${filter === 'all' ? '' : ` in the ${filter} tier`}: every Copilot seat holder is active, excluded, or needs a review first.`;
  return {
    tenantName: clip(input.tenantName, MAX_NAME),
    titleText: filter === 'review' ? 'Copilot seats to review' : 'Copilot seats to take back',
    pageText: paging.text,
    counts: [
      { label: 'Certain', value: n(t.certain), color: t.certain > 0 ? 'Attention' : 'Default' },
      { label: 'Probable', value: n(t.probable), color: t.probable > 0 ? 'Warning' : 'Default' },
      { label: 'Review', value: n(t.review), color: 'Default' },
      { label: 'Excluded', value: n(t.excluded), color: 'Default' },
    ],
    asOfText: summaryAsOfText(summary, seats.asOf, now),
    rows: seats.rows.map((s) => seatRow(s, marks)),
    emptyText,
    hasPrevious: page > 1,
    previousData: { tenantId: input.tenantId, tier: filter, page: Math.max(1, page - 1) },
    hasNext: page < paging.pages,
    nextData: { tenantId: input.tenantId, tier: filter, page: page + 1 },
    canRequest:
      filter !== 'review' && seats.rows.some((s) => s.recommendation === 'reclaim' && !marks.has(seatMarkKey(s))),
    pickChoices: seats.rows
      .filter((s) => s.recommendation === 'reclaim' && !marks.has(seatMarkKey(s)))
      // The UPN tells two people of the same name apart (the name alone repeated on the page).
      .map((s) => ({
        title: clip(
          `${s.displayName ? `${s.displayName} (${s.userPrincipalName})` : s.userPrincipalName} · ${idleText(s)}`,
          MAX_PICK_LABEL,
        ),
        value: s.userId,
      })),
    requestData: { tenantId: input.tenantId },
    askFirstValue: input.askHoldersFirst ? 'true' : 'false',
    noticeText: input.notice?.text ?? '',
    noticeColor: input.notice?.error ? 'Attention' : 'Good',
  };
}

function chatText(candidate: StoredCandidate): string {
  const chat = candidate.copilotChat;
  if (!chat) return '';
  return `Uses Copilot Chat without a seat: ${plural(chat.interactions, 'interaction')}, last ${dayText(chat.lastAt.slice(0, 10))} (audit log)`;
}

/** The first reason, unless it only repeats the Copilot Chat line the row already shows. */
function firstReason(candidate: StoredCandidate): string {
  const [first = '', second = ''] = candidate.reasons;
  return candidate.copilotChat && /copilot chat/i.test(first) ? second : first;
}

const PRIORITY_COLOR: Record<StoredCandidate['priority'], CandidateRowView['priorityColor']> = {
  High: 'Good',
  Medium: 'Warning',
  Low: 'Default',
};

function candidateRow(candidate: StoredCandidate): CandidateRowView {
  return {
    // Not "11. Name": card Markdown turns that into a numbered list and drops the rank.
    name: clip(`#${n(candidate.rank)} · ${candidate.displayName ?? candidate.userPrincipalName}`, MAX_NAME),
    detailText: clip([candidate.userPrincipalName, candidate.department ?? 'No department'].join(' · '), MAX_DETAIL),
    // Short, so the name keeps the row's width; the header says what the score is.
    scoreText: `${candidate.m365ActivityScore}/100`,
    priorityText: candidate.priority,
    priorityColor: PRIORITY_COLOR[candidate.priority],
    chatText: chatText(candidate),
    reasonText: clip(firstReason(candidate), MAX_REASON),
  };
}

export interface CandidatesInput {
  tenantId: string;
  tenantName: string;
  page: number;
  summary: CopilotSeatSummary;
  candidates: { asOf: string; total: number; rows: StoredCandidate[] };
  now: Date;
}

/** The `candidates` card: one page of who should get a Copilot seat next, best first, with counts by priority. */
export function candidatesView(input: CandidatesInput): CandidatesView {
  const { page, summary, candidates, now } = input;
  const paging = pageText(CANDIDATE_RULE_TEXT, page, candidates.total, 'candidates');
  const c = summary.candidates;
  return {
    tenantName: clip(input.tenantName, MAX_NAME),
    titleText: 'Copilot seat candidates',
    pageText: paging.text,
    counts: [
      { label: 'High', value: n(c.High), color: c.High > 0 ? 'Good' : 'Default' },
      { label: 'Medium', value: n(c.Medium), color: 'Default' },
      { label: 'Low', value: n(c.Low), color: 'Default' },
    ],
    asOfText: summaryAsOfText(summary, candidates.asOf, now),
    rows: candidates.rows.map(candidateRow),
    emptyText:
      candidates.rows.length > 0
        ? ''
        : 'No candidates: every enabled member either holds a Copilot seat or shows no Microsoft 365 activity.',
    hasPrevious: page > 1,
    previousData: { tenantId: input.tenantId, page: Math.max(1, page - 1) },
    hasNext: page < paging.pages,
    nextData: { tenantId: input.tenantId, page: page + 1 },
  };
}
