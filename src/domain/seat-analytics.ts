/**
 * Seat analytics: who uses their Microsoft 365 Copilot seat, which seats can be taken back, who
 * should get one. Pure decisions over stored facts, with `today` passed in. The rule of the
 * product: an uncertain case is never called idle, and `unknown` is never a reclaim.
 */
import { dayText } from './time-text';
import { COPILOT_APPS, type CopilotApp, M365_SERVICES, type M365Service } from './usage';

export const SEAT_STATUSES = ['active', 'inactive', 'unknown'] as const;
export type SeatStatus = (typeof SEAT_STATUSES)[number];
export const RECOMMENDATIONS = ['reclaim', 'review', 'excluded', 'keep'] as const;
export type Recommendation = (typeof RECOMMENDATIONS)[number];
export const TIERS = ['certain', 'probable'] as const;
export type ReclaimTier = (typeof TIERS)[number];
export const PRIORITIES = ['High', 'Medium', 'Low'] as const;
export type CandidatePriority = (typeof PRIORITIES)[number];

/** No Copilot evidence for this many days or more makes a reclaim certain. */
export const CERTAIN_DAYS = 90;

export interface AnalyticsSettings {
  /** Evidence within this many days (counted back from today) makes a seat active. INACTIVE_DAYS, default 30. */
  inactiveDays: number;
  /** A report refreshed more than this many days ago is stale: its silence proves nothing. REPORT_STALE_DAYS, default 7. */
  reportStaleDays: number;
  /** New seats are left alone this many days from the earliest evidence of the assignment. GRACE_DAYS, default 30. */
  graceDays: number;
}

export const DEFAULT_ANALYTICS_SETTINGS: AnalyticsSettings = { inactiveDays: 30, reportStaleDays: 7, graceDays: 30 };

/** Who is never recommended for reclaim (executives, people on leave...): EXCLUDE_USERS, EXCLUDE_GROUPS, EXCLUDE_DEPARTMENTS. */
export interface ExclusionRules {
  /** Lower-case UPNs or Entra object ids. */
  users: readonly string[];
  /** Group object ids (lower-case); membership is read at sync. */
  groups: readonly string[];
  /** Department names, compared case-insensitively. */
  departments: readonly string[];
}

export const NO_EXCLUSIONS: ExclusionRules = { users: [], groups: [], departments: [] };

/** What the Copilot usage report says about one seat holder. */
export type ReportEvidence =
  /** The report was never read (refused, failed every time, or not yet run). */
  | { state: 'missing' }
  /** The tenant conceals names, so no row can be matched to this user. */
  | { state: 'concealed'; refreshDate: string }
  /** The report was read but has no row for this user. */
  | { state: 'unmatched'; refreshDate: string }
  | { state: 'matched'; refreshDate: string; lastActivityDate: string | null; apps: Record<CopilotApp, string | null> };

/** The audit log's last Copilot interaction of one user, and how far the audit log has been read. */
export interface AuditEvidence {
  /** ISO date-time of the user's last CopilotInteraction record; null when none was seen. */
  lastAt: string | null;
  appHost: string | null;
  /** ISO date-time up to which the audit log has been read for the tenant; null when never read. */
  coveredUntil: string | null;
}

/** Who a seat holder or a candidate is, as every seat and candidate record names them. */
export interface SeatPerson {
  userId: string;
  userPrincipalName: string;
  displayName: string | null;
  mail: string | null;
  department: string | null;
  officeLocation: string | null;
}

/** One Copilot seat holder as stored after a sync: the facts the decisions read. */
export interface SeatFacts extends SeatPerson {
  accountEnabled: boolean;
  userType: string | null;
  skuId: string;
  skuPartNumber: string;
  /** True when the SKU is assigned directly (the user may also inherit it). */
  direct: boolean;
  /** Groups the SKU is inherited from. */
  groups: ReadonlyArray<{ groupId: string; displayName: string | null }>;
  /**
   * Earliest evidence that the seat existed, as an ISO day: the assignment state's
   * lastUpdatedDateTime, the first sync that saw the seat, or the first Copilot activity,
   * whichever is earliest (each is a moment the user already held the seat).
   */
  seatSince: string;
  report: ReportEvidence;
  audit: AuditEvidence;
  /** Why the user is on the exclusion list, or null. */
  excludedBy: string | null;
}

export type ActivitySourceName = 'copilot_usage_report' | 'audit_log';

export interface SeatAssessment {
  status: SeatStatus;
  recommendation: Recommendation;
  /** Set only for reclaim. */
  tier: ReclaimTier | null;
  lastActivityDate: string | null;
  lastActivitySource: ActivitySourceName | null;
  /** The as-of date of the source the last activity came from (the report's refresh date, or how far the audit log was read). */
  lastActivityAsOf: string | null;
  daysSinceLastActivity: number | null;
  usageScore: number;
  /** 'group' when any group assigns it: removing the seat then means removing the user from the group. */
  assignedVia: 'direct' | 'group';
  reasons: string[];
}

const DAY_MS = 86_400_000;

/** Whole days from `fromDay` to `toDay` (ISO days or date-times; only the day counts). */
export function daysBetween(fromDay: string, toDay: string): number {
  return dayNumber(toDay) - dayNumber(fromDay);
}

/**
 * Days since the epoch of an ISO day or date-time. A sync asks this hundreds of thousands of times
 * about a few hundred distinct days, so parsed days are remembered (a pure function: same answer).
 */
const parsedDays = new Map<string, number>();
function dayNumber(dayOrDateTime: string): number {
  const day = dayOrDateTime.slice(0, 10);
  let n = parsedDays.get(day);
  if (n === undefined) {
    n = Math.round(Date.parse(`${day}T00:00:00Z`) / DAY_MS);
    if (parsedDays.size > 10_000) parsedDays.clear();
    parsedDays.set(day, n);
  }
  return n;
}

export function addDays(day: string, days: number): string {
  return new Date(Date.parse(`${day.slice(0, 10)}T00:00:00Z`) + days * DAY_MS).toISOString().slice(0, 10);
}

const APP_LABELS: Record<CopilotApp, string> = {
  teams: 'Teams',
  word: 'Word',
  excel: 'Excel',
  powerPoint: 'PowerPoint',
  outlook: 'Outlook',
  oneNote: 'OneNote',
  loop: 'Loop',
  copilotChat: 'Copilot Chat',
};

/** The audit log's AppHost values, lower-case, to the report's app names. */
const APP_HOST_APPS: Record<string, CopilotApp> = {
  teams: 'teams',
  word: 'word',
  excel: 'excel',
  powerpoint: 'powerPoint',
  outlook: 'outlook',
  onenote: 'oneNote',
  loop: 'loop',
  bizchat: 'copilotChat',
  copilotchat: 'copilotChat',
  'copilot chat': 'copilotChat',
  office: 'copilotChat',
  edge: 'copilotChat',
  bing: 'copilotChat',
};

export function appOfHost(appHost: string | null): CopilotApp | null {
  return appHost === null ? null : (APP_HOST_APPS[appHost.toLowerCase()] ?? null);
}

interface Evidence {
  day: string;
  source: ActivitySourceName;
  asOf: string | null;
}

/** The freshest Copilot evidence: the report's last activity (overall and per app) or the audit log's last interaction. */
export function freshestEvidence(report: ReportEvidence, audit: AuditEvidence): Evidence | null {
  let best: Evidence | null = null;
  if (report.state === 'matched') {
    for (const day of [report.lastActivityDate, ...COPILOT_APPS.map((a) => report.apps[a])]) {
      if (day && (!best || day.slice(0, 10) > best.day))
        best = { day: day.slice(0, 10), source: 'copilot_usage_report', asOf: report.refreshDate };
    }
  }
  // On a tie the report wins: its as-of date is the one admins know.
  if (audit.lastAt && (!best || audit.lastAt.slice(0, 10) > best.day)) {
    best = { day: audit.lastAt.slice(0, 10), source: 'audit_log', asOf: audit.coveredUntil?.slice(0, 10) ?? null };
  }
  return best;
}

/** Copilot apps with activity within `withinDays` of today, from the report and the audit log's last app. */
export function copilotAppsUsed(
  report: ReportEvidence,
  audit: AuditEvidence,
  today: string,
  withinDays: number,
): CopilotApp[] {
  const used = new Set<CopilotApp>();
  if (report.state === 'matched') {
    for (const app of COPILOT_APPS) {
      const day = report.apps[app];
      if (day && daysBetween(day, today) < withinDays) used.add(app);
    }
  }
  const auditApp = appOfHost(audit.appHost);
  if (auditApp && audit.lastAt && daysBetween(audit.lastAt, today) < withinDays) used.add(auditApp);
  return COPILOT_APPS.filter((a) => used.has(a));
}

/**
 * usage_score, 0 to 100 = recency (0 to 60) + breadth (0 to 40).
 * Recency: 60 when the last Copilot evidence is 0 to 7 days old, falling linearly to 0 at 90 days; 0 with no evidence.
 * Breadth: 8 points per Copilot app used in the last `inactiveDays` days, at most 5 apps.
 */
export function usageScore(daysSince: number | null, appsUsed: number): number {
  const recency =
    daysSince === null
      ? 0
      : daysSince <= 7
        ? 60
        : daysSince >= CERTAIN_DAYS
          ? 0
          : (60 * (CERTAIN_DAYS - daysSince)) / (CERTAIN_DAYS - 7);
  const breadth = 8 * Math.min(5, Math.max(0, appsUsed));
  return Math.round(recency + breadth);
}

/**
 * m365_activity_score, 0 to 100 = recency (0 to 50) + breadth (0 to 50).
 * Recency: 50 when the latest Microsoft 365 activity is 0 to 3 days old, falling linearly to 0 at 30 days.
 * Breadth: 10 points per service (Exchange, OneDrive, SharePoint, Teams, Viva Engage) used in the last 30 days.
 */
export function m365ActivityScore(services: Record<M365Service, string | null>, today: string): number {
  let latest: number | null = null;
  let breadth = 0;
  for (const service of M365_SERVICES) {
    const day = services[service];
    if (!day) continue;
    const ago = Math.max(0, daysBetween(day, today));
    if (latest === null || ago < latest) latest = ago;
    if (ago < 30) breadth += 10;
  }
  const recency = latest === null ? 0 : latest <= 3 ? 50 : latest >= 30 ? 0 : (50 * (30 - latest)) / 27;
  return Math.round(recency + breadth);
}

/** Why the Copilot usage report cannot be trusted to show this user's activity, or null when it can. */
function reportDoubt(report: ReportEvidence, today: string, settings: AnalyticsSettings): string | null {
  switch (report.state) {
    case 'missing':
      return 'The Copilot usage report has not been read yet, so silence proves nothing (see the status card for why).';
    case 'concealed':
      return 'The tenant conceals user names in usage reports, so this user cannot be found in them. Turn concealment off (Microsoft 365 admin center → Settings → Org settings → Reports) or set REPORTS_UNCONCEAL=true.';
    case 'unmatched':
      return `Not found in the Copilot usage report of ${report.refreshDate}: the user cannot be matched, so silence proves nothing.`;
    case 'matched': {
      const age = daysBetween(report.refreshDate, today);
      return age > settings.reportStaleDays
        ? `The Copilot usage report is stale: refreshed ${report.refreshDate}, ${age} days ago (more than REPORT_STALE_DAYS=${settings.reportStaleDays}).`
        : null;
    }
  }
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

/**
 * The decision for one seat. Order matters and is documented in the README:
 * exclusion list → disabled account → active → grace period → unknown → inactive tiers.
 */
export function assessSeat(facts: SeatFacts, today: string, settings: AnalyticsSettings): SeatAssessment {
  const reasons: string[] = [];
  const evidence = freshestEvidence(facts.report, facts.audit);
  const daysSince = evidence ? Math.max(0, daysBetween(evidence.day, today)) : null;
  const appsUsed = copilotAppsUsed(facts.report, facts.audit, today, settings.inactiveDays);
  const seatAge = Math.max(0, daysBetween(facts.seatSince, today));
  const graceEnds = addDays(facts.seatSince, settings.graceDays);
  const assignedVia = facts.groups.length > 0 ? 'group' : 'direct';
  const doubt = reportDoubt(facts.report, today, settings);

  if (evidence) {
    const from = evidence.source === 'audit_log' ? 'the audit log' : `the Copilot usage report of ${evidence.asOf}`;
    const apps = appsUsed.length > 0 ? ` (${appsUsed.map((a) => APP_LABELS[a]).join(', ')})` : '';
    reasons.push(`Last used Copilot ${evidence.day}, ${plural(daysSince ?? 0, 'day')} ago, per ${from}${apps}.`);
    if (
      evidence.source === 'audit_log' &&
      facts.report.state === 'matched' &&
      (!facts.report.lastActivityDate || facts.report.lastActivityDate < evidence.day)
    ) {
      reasons.push(`The audit log shows use newer than the usage report (refreshed ${facts.report.refreshDate}).`);
    }
  } else if (!doubt) {
    reasons.push('No Copilot use in the usage report or the audit log.');
  }

  let status: SeatStatus;
  if (!facts.accountEnabled) {
    status = 'inactive';
    reasons.unshift('The account is disabled: it cannot use Copilot.');
  } else if (daysSince !== null && daysSince < settings.inactiveDays) {
    status = 'active';
  } else if (doubt) {
    status = 'unknown';
    reasons.push(doubt);
  } else if (
    facts.report.state === 'matched' &&
    daysBetween(facts.seatSince, facts.report.refreshDate) < settings.inactiveDays
  ) {
    status = 'unknown';
    const held = Math.max(0, daysBetween(facts.seatSince, facts.report.refreshDate));
    reasons.push(
      `The seat was held ${plural(held, 'day')} by the report's date (${facts.report.refreshDate}), fewer than INACTIVE_DAYS=${settings.inactiveDays}: too young for the report to show inactivity.`,
    );
  } else {
    status = 'inactive';
  }

  if (facts.userType === 'Guest') reasons.push('Guest account.');
  if (facts.groups.length > 0) {
    const names = facts.groups.map((g) => g.displayName ?? g.groupId).join(', ');
    reasons.push(
      facts.direct
        ? `Assigned directly and through group ${names}: removing it means removing the direct assignment and the user from that group.`
        : `Assigned through group ${names}: removing it means removing the user from that group.`,
    );
  }

  const score = usageScore(daysSince, appsUsed.length);
  const base = {
    status,
    lastActivityDate: evidence?.day ?? null,
    lastActivitySource: evidence?.source ?? null,
    lastActivityAsOf: evidence?.asOf ?? null,
    daysSinceLastActivity: daysSince,
    usageScore: score,
    assignedVia,
  } as const;
  const decide = (recommendation: Recommendation, tier: ReclaimTier | null, why?: string): SeatAssessment => ({
    ...base,
    recommendation,
    tier,
    reasons: why ? [why, ...reasons] : reasons,
  });

  if (facts.excludedBy) return decide('excluded', null, `On the exclusion list: ${facts.excludedBy}.`);
  if (!facts.accountEnabled) return decide('reclaim', 'certain', 'Reclaim (certain): the account is disabled.');
  if (status === 'active') return decide('keep', null);
  if (seatAge < settings.graceDays) {
    return decide(
      'excluded',
      null,
      `New seat: held since ${facts.seatSince}, inside the ${settings.graceDays}-day grace period until ${graceEnds}.`,
    );
  }
  if (status === 'unknown') return decide('review', null, 'Review: the data cannot show whether this seat is used.');

  // Inactive and past grace.
  if (daysSince === null) {
    return decide(
      'reclaim',
      'certain',
      `Reclaim (certain): never used in the ${plural(seatAge, 'day')} since ${facts.seatSince}.`,
    );
  }
  if (daysSince >= CERTAIN_DAYS)
    return decide(
      'reclaim',
      'certain',
      `Reclaim (certain): no Copilot use for ${plural(daysSince, 'day')} (${CERTAIN_DAYS} or more).`,
    );
  // Inactive only because of the days nobody has read yet (after the report's date and after how far
  // the audit log was read, whichever is later): borderline, since use in those days would be unseen.
  if (facts.report.state === 'matched' && evidence) {
    const auditDay = facts.audit.coveredUntil?.slice(0, 10) ?? null;
    const seenUntil = auditDay !== null && auditDay > facts.report.refreshDate ? auditDay : facts.report.refreshDate;
    const unseen = Math.max(0, daysBetween(seenUntil, today));
    if (unseen > 0 && daysSince - unseen < settings.inactiveDays) {
      const lag = Math.max(0, daysBetween(facts.report.refreshDate, today));
      const audit =
        seenUntil === facts.report.refreshDate
          ? `the audit log does not cover the ${plural(lag, 'day')} since`
          : `the audit log is read only up to ${seenUntil}`;
      return decide(
        'review',
        null,
        `Review: idle ${plural(daysSince, 'day')} counted from today, but the report ends ${facts.report.refreshDate} and ${audit}, so recent use may be missing.`,
      );
    }
  }
  return decide(
    'reclaim',
    'probable',
    `Reclaim (probable): no Copilot use for ${plural(daysSince, 'day')} (${settings.inactiveDays} to ${CERTAIN_DAYS - 1}).`,
  );
}

/** Which exclusion rule, if any, covers a user (users by UPN or object id, groups by id, departments by name). */
export function exclusionOf(
  user: { userId: string; userPrincipalName: string; department: string | null; groupIds: ReadonlySet<string> },
  rules: ExclusionRules,
): string | null {
  // Rules may come from elsewhere than config (which lower-cases them), so both sides are normalised here.
  const norm = (v: string) => v.trim().toLowerCase();
  const upn = norm(user.userPrincipalName);
  const id = norm(user.userId);
  for (const entry of rules.users.map(norm)) if (entry === upn || entry === id) return `user ${entry}`;
  const groupIds = new Set([...user.groupIds].map(norm));
  for (const group of rules.groups.map(norm)) if (groupIds.has(group)) return `member of group ${group}`;
  if (user.department) {
    const dept = norm(user.department);
    for (const d of rules.departments) if (dept !== '' && norm(d) === dept) return `department ${user.department}`;
  }
  return null;
}

/** An enabled member without a Copilot seat, as stored after a sync. */
export interface CandidateFacts extends SeatPerson {
  /** Per-service last activity from the Microsoft 365 active user report; null when the user is not in it. */
  services: Record<M365Service, string | null> | null;
  /** Copilot Chat use without a seat, from the audit log. */
  chat: { lastAt: string; interactions: number } | null;
}

export interface CandidateAssessment {
  m365ActivityScore: number;
  priority: CandidatePriority;
  /** Copilot Chat used without a seat in the last 30 days. */
  recentChat: boolean;
  reasons: string[];
}

/** The candidates rule as the cards state it. */
export const CANDIDATE_RULE_TEXT =
  'Ranked by priority, then Microsoft 365 activity score (0–100). High: Copilot Chat used without a seat in the last 30 days and a score of 70+; Medium: one of the two; Low: other activity.';

/** m365_activity_score from which a user counts as highly active. */
export const HIGH_ACTIVITY_SCORE = 70;

/**
 * The candidates rule, stated once (README "Candidates"): High needs two clear signals at once,
 * Copilot Chat used without a seat in the last 30 days AND m365_activity_score 70+, so it stays
 * a short list; Medium has one of the two; Low is any other activity (score 1 to 69). A score of 0
 * with no recent chat is not a candidate.
 */
export function candidatePriority(score: number, recentChat: boolean): CandidatePriority | null {
  const active = score >= HIGH_ACTIVITY_SCORE;
  if (recentChat && active) return 'High';
  if (recentChat || active) return 'Medium';
  return score >= 1 ? 'Low' : null;
}

/**
 * Whether a candidate's priority came with recent Copilot Chat use, read back from the priority and
 * the score candidatePriority gave it: High needs both signals, Medium one (chat unless the score is 70+).
 */
export function recentChatOf(priority: CandidatePriority, score: number): boolean {
  return priority === 'High' || (priority === 'Medium' && score < HIGH_ACTIVITY_SCORE);
}

/** Whether and how strongly a user should get a seat: candidatePriority over the score and recent Copilot Chat use. */
export function assessCandidate(facts: CandidateFacts, today: string): CandidateAssessment | null {
  const score = facts.services ? m365ActivityScore(facts.services, today) : 0;
  const chatDays = facts.chat ? Math.max(0, daysBetween(facts.chat.lastAt, today)) : null;
  const reasons: string[] = [];
  if (facts.chat && chatDays !== null && chatDays < 30) {
    reasons.push(
      `Uses Copilot Chat without a seat: ${plural(facts.chat.interactions, 'interaction')}, last ${dayText(facts.chat.lastAt)}.`,
    );
  }
  if (facts.services) {
    const used = M365_SERVICES.filter((s) => {
      const day = facts.services?.[s];
      return day !== null && day !== undefined && daysBetween(day, today) < 30;
    });
    if (used.length > 0)
      reasons.push(`Active in ${used.length} of ${M365_SERVICES.length} Microsoft 365 services in the last 30 days.`);
  }
  const chatRecent = chatDays !== null && chatDays < 30;
  const priority = candidatePriority(score, chatRecent);
  if (priority === null) return null;
  return { m365ActivityScore: score, priority, recentChat: chatRecent, reasons };
}

const PRIORITY_RANK: Record<CandidatePriority, number> = { High: 0, Medium: 1, Low: 2 };

/** What the candidates' order reads of a candidate: a stored row carries it without its other facts. */
export interface CandidateOrder {
  facts: { userPrincipalName: string; chat: { lastAt: string } | null };
  assessment: Pick<CandidateAssessment, 'priority' | 'm365ActivityScore' | 'recentChat'>;
}

/**
 * Candidates ranked by one rule: priority (High, Medium, Low), then m365_activity_score (highest
 * first), then the latest recent Copilot Chat use, then UPN. A rank never puts a lower priority
 * above a higher one, nor a lower score above a higher one within a priority.
 */
export function compareCandidates(a: CandidateOrder, b: CandidateOrder): number {
  const byPriority = PRIORITY_RANK[a.assessment.priority] - PRIORITY_RANK[b.assessment.priority];
  if (byPriority !== 0) return byPriority;
  if (a.assessment.m365ActivityScore !== b.assessment.m365ActivityScore)
    return b.assessment.m365ActivityScore - a.assessment.m365ActivityScore;
  const aChat = a.assessment.recentChat && a.facts.chat ? a.facts.chat.lastAt : '';
  const bChat = b.assessment.recentChat && b.facts.chat ? b.facts.chat.lastAt : '';
  if (aChat !== bChat) return aChat < bChat ? 1 : -1;
  return a.facts.userPrincipalName.localeCompare(b.facts.userPrincipalName);
}

const RECOMMENDATION_RANK: Record<Recommendation, number> = { reclaim: 0, review: 1, excluded: 2, keep: 3 };

/** The stored order of seats: reclaim (certain, then probable) first, the longest idle first, then review, excluded, keep. */
export function compareSeats(
  a: { facts: SeatFacts; assessment: SeatAssessment },
  b: { facts: SeatFacts; assessment: SeatAssessment },
): number {
  const ra = RECOMMENDATION_RANK[a.assessment.recommendation];
  const rb = RECOMMENDATION_RANK[b.assessment.recommendation];
  if (ra !== rb) return ra - rb;
  const ta = a.assessment.tier === 'certain' ? 0 : 1;
  const tb = b.assessment.tier === 'certain' ? 0 : 1;
  if (ta !== tb) return ta - tb;
  // No evidence at all counts as the longest idle.
  const da = a.assessment.daysSinceLastActivity ?? Number.MAX_SAFE_INTEGER;
  const db = b.assessment.daysSinceLastActivity ?? Number.MAX_SAFE_INTEGER;
  if (da !== db) return db - da;
  return (
    a.facts.userPrincipalName.localeCompare(b.facts.userPrincipalName) || a.facts.skuId.localeCompare(b.facts.skuId)
  );
}
