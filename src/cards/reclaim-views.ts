import {
  assignmentText,
  freshnessText,
  holderPhase,
  SEATS_PER_REQUEST,
  UNDECIDED_STATES,
  undoable,
  type ReclaimState,
} from '../domain/reclaim';
import { productName } from '../domain/product-names';
import { formatMoney, stillPaidText } from '../domain/seat-savings';
import type { NudgeView, ReclaimItem, ReclaimTransition, ReclaimView } from '../domain/reclaim-request';
import { dayText, utcText } from '../domain/time-text';

/**
 * Seats on one page of a request card: a request carries at most SEATS_PER_REQUEST, so its card
 * lists them all; requests made before the split are paged (Approve only where every waiting seat is shown).
 */
export const RECLAIM_CARD_ROWS = SEATS_PER_REQUEST;

export type Color = 'Default' | 'Good' | 'Warning' | 'Attention' | 'Accent';

/**
 * Yellow and green are hard to read on Teams' light and dark themes: they stay on short bold
 * labels only ("Removed", "Done · 1 removed"); a longer text in those colours is written in the default colour.
 */
const SHORT_LABEL = 40;
export function readable(color: Color, text: string, bold: boolean): Color {
  return (color === 'Good' || color === 'Warning') && (!bold || text.length > SHORT_LABEL) ? 'Default' : color;
}

export interface ReclaimRowView {
  name: string;
  seatText: string;
  evidenceText: string;
  reasonText: string;
  stateText: string;
  stateColor: Color;
  outcomeText: string;
  /** The outcome's colour: the state's, unless that is yellow or green (the outcome is a sentence). */
  outcomeColor: Color;
  groupToggle: boolean;
  groupToggleId: string;
  groupToggleText: string;
  /** The next best candidate, offered before the decision; what became of it after. */
  reassignText: string;
  giveToggle: boolean;
  giveToggleId: string;
  giveToggleText: string;
  /** "Leave this seat out": the approver approves the rest. */
  dropToggle: boolean;
  dropToggleId: string;
  dropToggleText: string;
  /** Every removed seat in its undo window has its own Undo, on its own row. */
  undoable: boolean;
  undoTitle: string;
  undoData: { itemId: number; page: number };
}

export interface ReclaimRequestView {
  title: string;
  statusText: string;
  statusColor: Color;
  dryRun: boolean;
  byText: string;
  totalsText: string;
  noticeText: string;
  noticeColor: Color;
  rows: ReclaimRowView[];
  moreText: string;
  viewerNote: string;
  canDecide: boolean;
  canApprove: boolean;
  approveTitle: string;
  /** `seats`: the ids of the waiting seats this card lists; Approve acts on those only (checked on the server). */
  decisionData: { requestId: string; seats: string };
  canCancel: boolean;
  hasPrevious: boolean;
  previousData: { requestId: string; page: number };
  hasNext: boolean;
  nextData: { requestId: string; page: number };
  showReview: boolean;
  hasRefresh: boolean;
  refreshUserIds: string[];
  reviewData: { requestId: string };
}

const STATE_TEXT: Record<ReclaimState, [string, Color]> = {
  requested: ['Waiting for approval', 'Accent'],
  nudged: ['Waiting for the holder', 'Accent'],
  kept: ['Kept by the holder', 'Good'],
  approved: ['Approved', 'Accent'],
  rejected: ['Rejected', 'Default'],
  expired: ['Expired', 'Default'],
  rechecking: ['Re-checking', 'Accent'],
  removing: ['Removing', 'Accent'],
  removed: ['Removed', 'Good'],
  skipped: ['Skipped', 'Warning'],
  failed: ['Failed', 'Attention'],
  undone: ['Given back (undone)', 'Default'],
};

const SOURCE: Record<string, string> = { copilot_usage_report: 'Copilot usage report', audit_log: 'audit log' };

function evidenceText(item: ReclaimItem): string {
  const e = item.evidence;
  const last = e.lastActivityDate
    ? `Last Copilot use ${dayText(e.lastActivityDate)} (${e.daysSinceLastActivity ?? '?'} days)`
    : 'No Copilot use seen';
  const source = e.lastActivitySource ? `, ${SOURCE[e.lastActivitySource] ?? e.lastActivitySource}` : '';
  const asOf = e.lastActivityAsOf ? ` as of ${dayText(e.lastActivityAsOf)}` : '';
  const tier = e.tier ? ` · ${e.tier}` : '';
  return `${last}${source}${asOf}${tier}${e.accountEnabled ? '' : ' · account disabled'}`;
}

/** The candidate offer of a seat: who it can go to before the decision, what happened after. */
function reassignText(item: ReclaimItem): string {
  const to = item.reassignTo;
  if (!to) return '';
  const name = to.displayName ?? to.userPrincipalName;
  if (item.state === 'requested' || item.state === 'nudged')
    return `Can go to ${name}, next in line for a seat (the candidates list).`;
  switch (item.reassignState) {
    case 'pending':
    case 'assigning':
      return `Giving the seat to ${name}…`;
    case 'assigned':
    case 'skipped':
    case 'failed':
      return item.reassignReason ?? '';
    default:
      return '';
  }
}

/** Before the decision, a seat whose holder was asked shows their answer. */
const NUDGE_TEXT: Record<string, [string, Color]> = {
  pending: ['Asking the holder', 'Accent'],
  released: ['Released by the holder', 'Accent'],
  no_answer: ['No answer from the holder', 'Accent'],
  unreachable: ['Holder not reachable', 'Warning'],
  dry_run: ['Holder not asked (dry run)', 'Accent'],
};

function stateOf(item: ReclaimItem): [string, Color] {
  if ((item.state === 'requested' || item.state === 'nudged') && item.nudgeOutcome && NUDGE_TEXT[item.nudgeOutcome])
    return NUDGE_TEXT[item.nudgeOutcome] as [string, Color];
  return STATE_TEXT[item.state];
}

function outcomeText(item: ReclaimItem, now: Date): string {
  if (item.state === 'removed') {
    const undo = undoable(item, now) && item.undoUntil ? ` Undo until ${utcText(item.undoUntil)}.` : '';
    return `${item.stateReason ?? 'Removed.'}${undo}${item.undoError ? ` Undo failed: ${item.undoError}` : ''}`;
  }
  if (['skipped', 'failed', 'expired', 'undone', 'kept', 'rejected'].includes(item.state))
    return item.stateReason ?? '';
  // Before the decision: why the holder's answer is what it is (unreachable, no answer).
  if ((item.state === 'requested' || item.state === 'nudged') && item.nudgeOutcome && item.nudgeOutcome !== 'pending')
    return item.stateReason ?? '';
  return '';
}

/** The requester withdrew it (their own "rejection", recorded as such in the trail). */
function cancelled(view: ReclaimView): boolean {
  const { decidedBy, requestedBy } = view.request;
  return decidedBy?.aadObjectId != null && decidedBy.aadObjectId === requestedBy.aadObjectId;
}

function statusOf(view: ReclaimView): [string, Color] {
  const { request, items } = view;
  const count = (s: ReclaimState) => items.filter((i) => i.state === s).length;
  const given = items.filter((i) => i.state === 'removed' && i.reassignState === 'assigned').length;
  if (view.phase === 'awaiting_holders')
    return [`Asking the holders first · answers due ${utcText(request.nudgeUntil ?? request.expiresAt)}`, 'Accent'];
  if (view.phase === 'awaiting_approval')
    return [`Waiting for an approver · expires ${utcText(request.expiresAt)}`, 'Accent'];
  if (view.phase === 'executing') {
    const { recheck } = request;
    const doing =
      recheck.waitingFor && recheck.waitUntil
        ? `re-checking: waiting for the audit log until ${utcText(recheck.waitUntil)}`
        : recheck.freshness
          ? `removing (${freshnessText(recheck.freshness)})`
          : 're-checking and removing';
    return [`Approved by ${request.decidedBy?.name ?? 'an approver'} · ${doing}`, 'Accent'];
  }
  if (request.decision === 'rejected' && cancelled(view))
    return [
      `Cancelled by ${request.decidedBy?.name ?? 'the requester'}, who asked for it · nothing was changed`,
      'Default',
    ];
  if (request.decision === 'rejected')
    return [`Rejected by ${request.decidedBy?.name ?? 'an approver'} · nothing was changed`, 'Default'];
  if (request.decision === null && count('expired') === 0 && count('kept') > 0)
    return [`Done · ${count('kept')} kept by ${count('kept') === 1 ? 'its holder' : 'their holders'}`, 'Good'];
  if (request.decision === null) return ['Expired · nobody decided, nothing was changed', 'Default'];
  const parts = [
    count('removed') ? `${count('removed')} removed${given > 0 ? ` (${given} given to a candidate)` : ''}` : '',
    count('skipped') ? `${count('skipped')} skipped` : '',
    count('failed') ? `${count('failed')} failed` : '',
    count('undone') ? `${count('undone')} given back` : '',
    count('kept') ? `${count('kept')} kept by the holder` : '',
  ].filter(Boolean);
  const checked = request.recheck.freshness ? ` · ${freshnessText(request.recheck.freshness)}` : '';
  return [
    `Done · ${parts.join(', ') || 'nothing to do'}${checked}`,
    count('failed') > 0 ? 'Attention' : count('removed') > 0 ? 'Good' : 'Warning',
  ];
}

/**
 * The request card's view. The posted card (`everyone`) carries the state and the totals only: the
 * seats (names, UPNs, evidence, candidates) are in the views of approvers, admins and the requester.
 */
export function reclaimRequestView(
  view: ReclaimView,
  now: Date,
  audience: 'everyone' | 'viewer',
  page = 1,
): ReclaimRequestView {
  const { request, items, rights } = view;
  const [statusText, statusColor] = statusOf(view);
  const saving = items.reduce((sum, i) => sum + (i.monthlySaving ?? 0), 0);
  const unpriced = items.filter((i) => i.monthlySaving === null).length;
  const currency = items.find((i) => i.monthlySaving !== null)?.currency ?? 'USD';
  const seesSeats = audience === 'viewer' && rights.canSeeSeats;
  const pages = Math.max(1, Math.ceil(items.length / RECLAIM_CARD_ROWS));
  const at = Math.min(Math.max(1, page), pages);
  const shown = seesSeats ? items.slice((at - 1) * RECLAIM_CARD_ROWS, at * RECLAIM_CARD_ROWS) : [];
  const undecided = (item: ReclaimItem) => UNDECIDED_STATES.includes(item.state);
  const waiting = items.filter(undecided);
  const rows = shown.map((item): ReclaimRowView => {
    const [stateText, stateColor] = stateOf(item);
    const outcome = outcomeText(item, now);
    const via = assignmentText(item.assignment);
    const money =
      item.monthlySaving === null ? 'no price set' : `${formatMoney(item.monthlySaving, item.currency)}/month`;
    const name = item.displayName ?? item.userPrincipalName;
    return {
      name,
      seatText: `${item.userPrincipalName} · ${productName(item.skuName)} · ${via} · ${money}`,
      evidenceText: evidenceText(item),
      reasonText: item.evidence.reasons.slice(0, 2).join(' · '),
      stateText,
      stateColor: readable(stateColor, stateText, true),
      outcomeText: outcome,
      outcomeColor: readable(stateColor, outcome, false),
      groupToggle: rights.canDecide && item.assignment.via === 'group' && undecided(item),
      groupToggleId: `group:${item.id}`,
      groupToggleText:
        item.assignment.via === 'group'
          ? item.assignment.alsoDirect
            ? `Remove ${name} from the group ${item.assignment.groupName ?? item.assignment.groupId} and remove the direct assignment (both are needed to free the seat; leaving the group also removes everything else it gives)`
            : `Remove ${name} from the group ${item.assignment.groupName ?? item.assignment.groupId} (this also removes everything else the group gives)`
          : '',
      reassignText: reassignText(item),
      giveToggle: rights.canDecide && item.reassignTo !== null && undecided(item),
      giveToggleId: `give:${item.id}`,
      giveToggleText: item.reassignTo
        ? `Reclaim and give to ${item.reassignTo.displayName ?? item.reassignTo.userPrincipalName} (${item.reassignTo.userPrincipalName})`
        : '',
      // Leaving out the only seat is a rejection: Reject says it.
      dropToggle: rights.canDecide && undecided(item) && waiting.length > 1,
      dropToggleId: `drop:${item.id}`,
      dropToggleText: `Leave ${name}'s seat out (it stays; the rest are approved)`,
      undoable: rights.canUndo && request.mode === 'on' && undoable(item, now),
      undoTitle: `Undo (give ${name} the seat back)`,
      undoData: { itemId: item.id, page: at },
    };
  });
  const waitingShown = shown.filter(undecided);
  const allWaitingShown = waiting.length > 0 && waitingShown.length === waiting.length;
  const canDecide = audience === 'viewer' && rights.canDecide && seesSeats;
  const viewerNote =
    audience === 'everyone'
      ? view.phase === 'awaiting_holders'
        ? 'Each holder is asked in Teams whether to keep the seat. Approvers get Approve and Reject once all have answered or the time is up.'
        : view.phase === 'awaiting_approval'
          ? 'Approvers, admins and the requester see the seats here (or press Review). Everyone else sees the status.'
          : 'This card follows the request as it moves. Admins type **reclaim history** for the whole trail.'
      : !seesSeats
        ? `${rights.why ? `${rights.why} ` : ''}The seats on this request are shown to its approvers, the admins and the requester only.`
        : rights.approveBlocked
          ? rights.approveBlocked
          : rights.canDecide
            ? allWaitingShown
              ? `You may decide. Approving acts on the ${waiting.length === 1 ? 'seat' : `${waiting.length} seats`} listed here (less any you leave out), re-checks each just before removal and skips any seat that changed.${request.mode === 'dry-run' ? ' Dry run: nothing will change.' : ''}`
              : 'This request has more seats than one card shows, so it cannot be approved from a card: reject it and ask again (new requests are split into cards of at most 10 seats).'
            : (rights.why ??
              (view.phase === 'awaiting_approval' ? '' : 'This request is decided; the card follows it as it moves.'));
  return {
    title: `Reclaim request · ${items.length} Copilot seat${items.length === 1 ? '' : 's'}${request.mode === 'dry-run' ? ' · dry run' : ''}`,
    statusText,
    statusColor: readable(statusColor, statusText, true),
    dryRun: request.mode === 'dry-run',
    byText: `Requested by ${request.requestedBy.name ?? 'an admin'} on ${utcText(request.requestedAt)}${request.decidedAt ? ` · ${cancelled(view) ? 'cancelled' : request.decision} by ${request.decidedBy?.name ?? 'an approver'} on ${utcText(request.decidedAt)}` : ''}`,
    totalsText:
      view.phase === 'done' && request.decision === 'approved' && request.mode === 'on'
        ? freedText(
            items.filter((i) => i.state === 'removed'),
            currency,
          )
        : `Saving if all are removed: ${formatMoney(saving, currency)} a month${unpriced > 0 ? ` (${unpriced} seat${unpriced === 1 ? '' : 's'} without a price)` : ''}.`,
    noticeText: '',
    noticeColor: 'Default',
    rows,
    moreText:
      pages > 1 && seesSeats
        ? `Seats ${(at - 1) * RECLAIM_CARD_ROWS + 1}–${(at - 1) * RECLAIM_CARD_ROWS + shown.length} of ${items.length} (page ${at} of ${pages}).`
        : '',
    viewerNote,
    canDecide,
    canApprove: canDecide && allWaitingShown && rights.approveBlocked === null,
    approveTitle: request.mode === 'dry-run' ? 'Approve (dry run)' : 'Approve and remove',
    decisionData: { requestId: request.id, seats: waitingShown.map((i) => i.id).join(',') },
    canCancel: audience === 'viewer' && rights.canCancel,
    hasPrevious: seesSeats && at > 1,
    previousData: { requestId: request.id, page: at - 1 },
    hasNext: seesSeats && at < pages,
    nextData: { requestId: request.id, page: at + 1 },
    // Viewers who cannot act yet get Review to see the state move (no automatic refresh on their card).
    showReview: audience === 'everyone' || (!rights.canDecide && view.phase !== 'done'),
    // Only the posted card refreshes: a viewer's own card carrying a refresh would make teams-ai
    // replace the shared message with it (REPLACE_FOR_ALL), showing one person's buttons to all.
    hasRefresh: audience === 'everyone' && view.refreshUserIds.length > 0,
    refreshUserIds: view.refreshUserIds,
    reviewData: { requestId: request.id },
  };
}

/** Seats removed are freed, not yet saved: they are paid for until the subscription is reduced. */
function freedText(removed: ReclaimItem[], currency: string): string {
  const worth = removed.reduce((sum, i) => sum + (i.monthlySaving ?? 0), 0);
  const unpriced = removed.filter((i) => i.monthlySaving === null).length;
  if (removed.length === 0) return 'No seat was removed: nothing freed.';
  const paid = stillPaidText(unpriced === removed.length ? null : worth, currency);
  return `Freed: ${removed.length} seat${removed.length === 1 ? '' : 's'}, ${paid}${unpriced > 0 && unpriced < removed.length ? ` (${unpriced} without a price)` : ''}.`;
}

export interface ReclaimHistoryView {
  title: string;
  pageText: string;
  emptyText: string;
  rows: Array<{ name: string; stateText: string; stateColor: Color; seatText: string; trailText: string }>;
}

export function reclaimHistoryView(input: {
  tenantName: string;
  user: string | undefined;
  total: number;
  items: Array<ReclaimItem & { transitions: ReclaimTransition[] }>;
  /** To say which removed seats can still be given back; absent: not said. */
  now?: Date;
}): ReclaimHistoryView {
  return {
    title: `${input.tenantName} · reclaim history${input.user ? ` of ${input.user}` : ''}`,
    pageText:
      input.total === 0
        ? ''
        : `Latest ${input.items.length} of ${input.total} seat${input.total === 1 ? '' : 's'} (newest first). The REST API has all of them.`,
    emptyText: input.total === 0 ? 'No reclaims yet.' : '',
    rows: input.items.map((item) => {
      const [stateText, stateColor] = STATE_TEXT[item.state];
      return {
        name: item.displayName ?? item.userPrincipalName,
        stateText,
        stateColor,
        // Written with the real UPN: a placeholder like <upn> would vanish when the card renders.
        seatText: `${item.userPrincipalName} · ${productName(item.skuName)}${input.now && item.undoUntil && undoable(item, input.now) ? ` · can be given back until ${utcText(item.undoUntil)}: type **reclaim undo ${item.userPrincipalName}**` : ''}`,
        trailText: item.transitions
          .slice(-6)
          .map(
            (t) =>
              `${utcText(t.at)}: ${t.from ?? 'new'} → ${t.to} by ${t.actor.name ?? 'Seat Steward'}${t.reason ? ` (${t.reason})` : ''}`,
          )
          .join('\n\n'),
      };
    }),
  };
}

export interface ReclaimNudgeView {
  title: string;
  questionText: string;
  seatText: string;
  whyText: string;
  statusText: string;
  statusColor: Color;
  noticeText: string;
  footText: string;
  canAnswer: boolean;
  keepData: { itemId: number; answer: 'keep' };
  releaseData: { itemId: number; answer: 'release' };
}

/** What the holder is told about their seat now (the answer they gave, or what the approvers did). */
function holderStatus(view: NudgeView): [string, Color] {
  const { item, request } = view;
  if (view.canAnswer) return ['', 'Default'];
  switch (holderPhase(item.state, item.nudgeOutcome)) {
    case 'kept':
      return [
        `You kept your seat. Seat Steward will not ask again before ${dayText(view.keepUntil.slice(0, 10))}.`,
        'Good',
      ];
    case 'removed':
      return [
        `Your seat was removed on ${dayText((item.removedAt ?? item.updatedAt).slice(0, 10))}. If you need Copilot again, ask your IT admins.`,
        'Default',
      ];
    case 'undone':
      return ['Your seat was given back.', 'Good'];
    case 'stays':
      return ['Your seat stays as it is.', 'Good'];
    case 'approved':
      return ['Your admins approved taking the seat back.', 'Default'];
    case 'released':
      return ['You released your seat. Thank you: your IT admins confirm it next.', 'Good'];
    case 'no_answer':
      return [
        `No answer by ${dayText((request.nudgeUntil ?? item.updatedAt).slice(0, 10))}: your IT admins decide now.`,
        'Default',
      ];
    default:
      return ['This question is closed.', 'Default'];
  }
}

export function reclaimNudgeView(view: NudgeView, now: Date, notice = ''): ReclaimNudgeView {
  const { item, request } = view;
  const e = item.evidence;
  const since = e.lastActivityDate
    ? `You haven't used Copilot since ${dayText(e.lastActivityDate)}.`
    : "You haven't used Copilot in the time Seat Steward can see.";
  const [statusText, statusColor] = holderStatus(view);
  const price =
    item.monthlySaving === null ? '' : ` It costs ${formatMoney(item.monthlySaving, item.currency)} a month.`;
  return {
    title: 'Keep your Microsoft 365 Copilot seat?',
    questionText: `${since} Keep your seat?`,
    seatText: `${productName(item.skuName)} · ${item.userPrincipalName}`,
    whyText: view.canAnswer
      ? `Your IT admins want to give unused seats to colleagues who need them.${price} Keep it if you use Copilot, or release it if you don't.`
      : '',
    statusText,
    statusColor: readable(statusColor, statusText, true),
    noticeText: notice,
    footText: view.canAnswer
      ? `Answer by ${utcText(request.nudgeUntil ?? now.toISOString())}. Without an answer, your IT admins decide. Keep leaves your seat alone until ${dayText(view.keepUntil.slice(0, 10))}.`
      : `Asked by ${request.requestedBy.name ?? 'your IT admins'} through Seat Steward on ${utcText(request.requestedAt)}.`,
    canAnswer: view.canAnswer,
    keepData: { itemId: item.id, answer: 'keep' },
    releaseData: { itemId: item.id, answer: 'release' },
  };
}
