import { createHash } from 'node:crypto';
import { keptSeatText } from '../../domain/seat-exclusion';
import { isActiveAssignment } from '../../domain/directory';
import { licenceDates } from '../../domain/identity';
import {
  type AuditEvidence,
  type CandidateFacts,
  type CandidateOrder,
  type CandidatePriority,
  type ReportEvidence,
  type SeatFacts,
  appOfHost,
  assessCandidate,
  assessSeat,
  compareCandidates,
  compareSeats,
  exclusionOf,
  recentChatOf,
} from '../../domain/seat-analytics';
import { seatHighlights } from '../../domain/seat-highlights';
import type { CopilotSeatSummary, SkuSeatCounts } from '../../domain/seat-savings';
import { COPILOT_APPS, concealmentWarning } from '../../domain/usage';
import type {
  AnalyticsInputs,
  AnalyticsOptions,
  AnalyticsOutcome,
  AnalyticsStore,
  CandidatePlacement,
  CandidateToStore,
  HolderRecord,
  PreviousAnalytics,
  RankedCandidate,
  SeatToStore,
} from './ports';

const minDay = (a: string | null, b: string | null | undefined): string | null => {
  if (!b) return a;
  const day = b.slice(0, 10);
  return a === null || day < a ? day : a;
};

const keptText = (until: string | undefined): string | null => (until ? keptSeatText(until) : null);

/**
 * A key of everything a seat's row is decided from: the day, the settings and the row's facts. Equal
 * keys give equal rows, so a row whose key did not change is copied instead of decided and written
 * again. The day is in the key because rows carry day counts ("idle 45 days"), and a new day can
 * also move a seat across a threshold (grace ends, 90 days idle). The audit log's reach counts by
 * the day only (assessSeat and the highlights read its day), so reading the log a few minutes
 * further on does not change every seat's key. Candidates are keyed inside the store, from the same
 * context and their raw inputs (AnalyticsInputs.memberChanges).
 */
function inputsKey(context: string, facts: SeatFacts): string {
  const keyed = { ...facts, audit: { ...facts.audit, coveredUntil: facts.audit.coveredUntil?.slice(0, 10) ?? null } };
  return createHash('sha1').update(context).update(JSON.stringify(keyed)).digest('base64');
}

/** Candidates decided per stageCandidates call. */
const STAGE_BATCH = 2000;

/** A candidate decided now and staged in the store: what its rank and the counts read stay in memory. */
interface StagedCandidate extends CandidateOrder {
  staged: number;
}

/**
 * Merges rows decided now (sorted) into the stored candidates' order: a kept row keeps its place
 * relative to the other kept rows (its inputs, so its rank keys, did not change), and each decided
 * row goes where compareCandidates puts it. Kept rows become runs of previous ranks to copy. Counts
 * every placed row by priority into `byPriority`.
 */
function placeCandidates(
  decided: readonly StagedCandidate[],
  stored: Iterable<RankedCandidate>,
  byPriority: Record<CandidatePriority, number>,
): CandidatePlacement[] {
  const out: CandidatePlacement[] = [];
  let next = 0;
  let run: { first: number; last: number } | null = null;
  const flush = () => {
    if (run) out.push({ copy: run });
    run = null;
  };
  const place = (row: StagedCandidate) => {
    flush();
    out.push({ staged: row.staged });
    byPriority[row.assessment.priority]++;
  };
  for (const s of stored) {
    if (!s.kept) continue;
    const order: CandidateOrder = {
      facts: { userPrincipalName: s.userPrincipalName, chat: s.chatLastAt === null ? null : { lastAt: s.chatLastAt } },
      assessment: {
        priority: s.priority,
        m365ActivityScore: s.m365ActivityScore,
        recentChat: recentChatOf(s.priority, s.m365ActivityScore),
      },
    };
    while (next < decided.length && compareCandidates(decided[next], order) < 0) place(decided[next++]);
    if (run !== null && run.last + 1 === s.rank) run.last = s.rank;
    else {
      flush();
      run = { first: s.rank, last: s.rank };
    }
    byPriority[s.priority]++;
  }
  flush();
  while (next < decided.length) place(decided[next++]);
  return out;
}

/**
 * Computes and stores a snapshot's seat analytics (run on the snapshot writer thread before the
 * flip). Reads the snapshot's directory and the tenant's activity data, decides with the pure
 * domain rules, and stores seats, candidates and the summary beside the snapshot, so publish makes
 * them visible with it. `incremental` (the default) copies every row whose inputs did not change
 * since the tenant's current snapshot instead of deciding and writing it again; false decides
 * every row (the benchmark's baseline; both store the same rows).
 */
export function computeSeatAnalytics(
  inputs: AnalyticsInputs,
  store: AnalyticsStore,
  request: { tenantId: string; snapshotId: number; now: Date; options: AnalyticsOptions; incremental?: boolean },
): AnalyticsOutcome {
  const { tenantId, snapshotId, now, options } = request;
  const started = Date.now();
  const today = now.toISOString().slice(0, 10);
  const nowIso = now.toISOString();

  // A retry of the same snapshot (never in practice) must not collide with its own rows.
  store.clear(tenantId, snapshotId);
  const previous: PreviousAnalytics | null =
    request.incremental === false ? null : store.previous(tenantId, snapshotId);
  const context = JSON.stringify([today, options.settings]);

  const states = inputs.reportStates(tenantId);
  const copilot = states.copilot;
  const reportRefreshDate = copilot
    ? ((copilot.refreshDate ?? copilot.statusAsOf ?? copilot.lastSuccessAt ?? null)?.slice(0, 10) ?? null)
    : null;
  const { concealedRows, auditCoveredUntil } = states;

  // One seat per user and SKU, whatever the number of ways it is held.
  const holders = new Map<
    string,
    {
      row: HolderRecord;
      direct: boolean;
      groups: Array<{ groupId: string; displayName: string | null }>;
      assignedAt: string | null;
    }
  >();
  for (const r of inputs.holders(tenantId, snapshotId, copilot?.generation ?? null)) {
    if (!isActiveAssignment(r.state)) continue;
    const key = `${r.userSeq}\u0000${r.skuId}`;
    let h = holders.get(key);
    if (!h) {
      h = { row: r, direct: false, groups: [], assignedAt: null };
      holders.set(key, h);
    }
    if (r.assignedByGroupId === '') h.direct = true;
    else h.groups.push({ groupId: r.assignedByGroupId, displayName: r.groupName });
    h.assignedAt = minDay(h.assignedAt, r.assignedAt);
  }
  const holderList = [...holders.values()];

  // The bot's own evidence of a seat's age: the first sync that saw it.
  const firstSeen = inputs.firstSeen(tenantId);
  const unseen = holderList
    .filter((h) => !firstSeen.has(`${h.row.userId}\u0000${h.row.skuId}`))
    .map((h) => ({ userId: h.row.userId, skuId: h.row.skuId }));
  if (unseen.length > 0) {
    inputs.recordFirstSeen(tenantId, unseen, nowIso);
    for (const s of unseen)
      if (!firstSeen.has(`${s.userId}\u0000${s.skuId}`)) firstSeen.set(`${s.userId}\u0000${s.skuId}`, nowIso);
  }

  const reportOf = (row: HolderRecord): { evidence: ReportEvidence; earliestApp: string | null } => {
    if (!copilot || reportRefreshDate === null) return { evidence: { state: 'missing' }, earliestApp: null };
    if (!row.report) {
      // With any concealed row, this user may be one of them: their silence proves nothing.
      return {
        evidence:
          concealedRows > 0
            ? { state: 'concealed', refreshDate: reportRefreshDate }
            : { state: 'unmatched', refreshDate: reportRefreshDate },
        earliestApp: null,
      };
    }
    let earliestApp: string | null = null;
    // Copilot Chat needs no seat, so its use says nothing about when the seat began.
    for (const app of COPILOT_APPS) if (app !== 'copilotChat') earliestApp = minDay(earliestApp, row.report.apps[app]);
    return {
      evidence: {
        state: 'matched',
        refreshDate: reportRefreshDate,
        lastActivityDate: row.report.lastActivityDate,
        apps: row.report.apps,
      },
      earliestApp,
    };
  };

  const excludedGroups =
    options.exclusions.groups.length > 0 ? inputs.exclusionGroupMembers(tenantId) : new Map<string, Set<string>>();
  const noGroups: ReadonlySet<string> = new Set();
  // A holder who pressed Keep on a reclaim question is left out of the idle lists until the keep ends.
  const keptUntil = inputs.keptUntil(tenantId, nowIso);

  const seats: SeatToStore[] = [];
  for (const h of holderList) {
    const r = h.row;
    const { evidence: report, earliestApp } = reportOf(r);
    const audit: AuditEvidence = {
      lastAt: r.lastInteraction.at,
      appHost: r.lastInteraction.appHost,
      coveredUntil: auditCoveredUntil,
    };
    // Copilot Chat needs no seat, so its use says nothing about when the seat began.
    const auditSeatEvidence =
      r.lastInteraction.at !== null && appOfHost(r.lastInteraction.appHost) !== 'copilotChat'
        ? r.lastInteraction.at
        : null;
    const assignedDate = minDay(h.assignedAt, firstSeen.get(`${r.userId}\u0000${r.skuId}`)) ?? today;
    const seatSince = minDay(minDay(assignedDate, earliestApp), auditSeatEvidence) ?? today;
    const facts: SeatFacts = {
      userId: r.userId,
      userPrincipalName: r.userPrincipalName,
      displayName: r.displayName,
      mail: r.mail,
      department: r.department,
      officeLocation: r.officeLocation,
      accountEnabled: r.accountEnabled,
      userType: r.userType,
      skuId: r.skuId,
      skuPartNumber: r.skuPartNumber,
      direct: h.direct,
      groups: h.groups,
      seatSince,
      report,
      audit,
      excludedBy:
        exclusionOf(
          {
            userId: r.userId,
            userPrincipalName: r.userPrincipalName,
            department: r.department,
            groupIds: excludedGroups.get(r.userId.toLowerCase()) ?? noGroups,
          },
          options.exclusions,
        ) ?? keptText(keptUntil.get(`${r.userId.toLowerCase()}\u0000${r.skuId.toLowerCase()}`)),
    };
    const key = inputsKey(context, facts);
    const before = previous?.seats.get(`${r.userId}\u0000${r.skuId}`);
    // Same inputs: the stored decision stands (the row, seatSince included, is copied as it was).
    if (before && before.inputsKey === key)
      seats.push({ facts, assessment: before.seat, inputsKey: key, reuse: before.seq });
    else seats.push({ facts, assessment: assessSeat(facts, today, options.settings), inputsKey: key, reuse: null });
  }
  seats.sort(compareSeats);

  // Candidates: enabled members holding a licence in effect but no Copilot seat. Only members whose
  // inputs changed since the current snapshot are read and decided; the rest keep their stored rows,
  // and the decided rows are merged into the stored order.
  const m365Gen = states.m365Generation;
  const members = inputs.memberChanges({
    tenantId,
    snapshotId,
    m365Generation: m365Gen,
    previousSnapshotId: previous?.snapshotId ?? null,
    context,
  });
  // Decided rows are staged in the store in batches; only what ranking reads stays in memory.
  const decidedCandidates: StagedCandidate[] = [];
  let toStage: CandidateToStore[] = [];
  const stage = () => {
    if (toStage.length === 0) return;
    const first = store.stageCandidates(toStage);
    toStage.forEach(({ facts, assessment }, i) =>
      decidedCandidates.push({
        staged: first + i,
        facts: { userPrincipalName: facts.userPrincipalName, chat: facts.chat && { lastAt: facts.chat.lastAt } },
        assessment: {
          priority: assessment.priority,
          m365ActivityScore: assessment.m365ActivityScore,
          recentChat: assessment.recentChat,
        },
      }),
    );
    toStage = [];
  };
  for (const u of members.changed) {
    const facts: CandidateFacts = {
      userId: u.userId,
      userPrincipalName: u.userPrincipalName,
      displayName: u.displayName,
      mail: u.mail,
      department: u.department,
      officeLocation: u.officeLocation,
      services: u.services,
      // No seat in this snapshot, so any Copilot Chat use the audit log saw was without one.
      chat: u.chat,
    };
    const assessment = assessCandidate(facts, today);
    if (assessment) toStage.push({ facts, assessment, inputsKey: u.inputsKey });
    if (toStage.length >= STAGE_BATCH) stage();
  }
  stage();
  decidedCandidates.sort(compareCandidates);
  const byPriority: Record<CandidatePriority, number> = { High: 0, Medium: 0, Low: 0 };
  const placements = placeCandidates(decidedCandidates, members.previous, byPriority);
  const candidateCount = byPriority.High + byPriority.Medium + byPriority.Low;

  // Per Copilot SKU of the snapshot, even one nobody holds.
  const subscriptions = inputs.subscriptions(tenantId);
  const skus: SkuSeatCounts[] = inputs.copilotSkus(tenantId, snapshotId).map((s) => ({
    skuId: s.skuId,
    skuPartNumber: s.skuPartNumber,
    purchased: s.enabledUnits,
    assigned: 0,
    available: Math.max(0, s.enabledUnits - s.consumedUnits),
    byStatus: { active: 0, inactive: 0, unknown: 0 },
    reclaimable: { certain: 0, probable: 0 },
    review: 0,
    excluded: 0,
    renewalDate: licenceDates(subscriptions, s.skuId, now).renewalDate,
  }));
  const bySku = new Map(skus.map((s) => [s.skuId, s]));
  for (const { facts, assessment } of seats) {
    const s = bySku.get(facts.skuId);
    if (!s) continue;
    s.assigned++;
    s.byStatus[assessment.status]++;
    if (assessment.recommendation === 'reclaim' && assessment.tier) s.reclaimable[assessment.tier]++;
    if (assessment.recommendation === 'review') s.review++;
    if (assessment.recommendation === 'excluded') s.excluded++;
  }

  const warnings: string[] = [];
  if (seats.length > 0 && !copilot) {
    warnings.push(
      'The Copilot usage report has never been read, so seats without audit log evidence are "unknown" and none is called idle. See the status card for why the report could not be read (Reports.Read.All).',
    );
  }
  if (seats.length > 0 && concealedRows > 0)
    warnings.push(concealmentWarning('Copilot usage report', concealedRows, true));
  if (m365Gen === null) {
    warnings.push(
      'The Microsoft 365 active user report has never been read, so candidates are ranked on Copilot Chat use alone (m365_activity_score 0). See the status card for why (Reports.Read.All).',
    );
  }
  const summary: CopilotSeatSummary = {
    computedAt: nowIso,
    skus,
    candidates: byPriority,
    reportRefreshDate,
    auditCoveredUntil,
    reportNamesConcealed: concealedRows > 0,
    warnings,
    highlights: seatHighlights(seats, today, options.settings),
  };

  store.writeSeats(tenantId, snapshotId, previous?.snapshotId ?? null, seats);
  store.writeCandidates(tenantId, snapshotId, previous?.snapshotId ?? null, placements);
  store.writeSummary(tenantId, snapshotId, summary);

  // The summary's warnings restate what the report sources already told the run (refused, concealed),
  // so the sync does not repeat them; they are served with the figures they qualify.
  return {
    seats: seats.length,
    candidates: candidateCount,
    ms: Date.now() - started,
    warnings: [],
    decided: seats.filter((s) => s.reuse === null).length + decidedCandidates.length,
  };
}
