import { describe, expect, it } from 'vitest';
import {
  addDays,
  assessCandidate,
  candidatePriority,
  assessSeat,
  CERTAIN_DAYS,
  compareCandidates,
  compareSeats,
  DEFAULT_ANALYTICS_SETTINGS,
  exclusionOf,
  freshestEvidence,
  m365ActivityScore,
  NO_EXCLUSIONS,
  usageScore,
  type AnalyticsSettings,
  type AuditEvidence,
  type CandidateFacts,
  type ReportEvidence,
  type SeatAssessment,
  recentChatOf,
  type SeatFacts,
} from '../../src/domain/seat-analytics';
import { COPILOT_APPS, type CopilotApp, M365_SERVICES, type M365Service } from '../../src/domain/usage';
import { seatHighlights } from '../../src/domain/seat-highlights';
import { dayText } from '../../src/domain/time-text';

/**
 * Table tests of the seat decisions. Every expected value is written out from the rules in the
 * README (exclusion list → disabled → active → grace → unknown → inactive tiers, borderline review),
 * never computed by the code under test.
 */
const TODAY = '2025-06-30';
const S = DEFAULT_ANALYTICS_SETTINGS;
const ago = (days: number): string => addDays(TODAY, -days);
/** The report refreshed 3 days ago: the normal lag. */
const REFRESH = ago(3);

const noApps = (): Record<CopilotApp, string | null> =>
  Object.fromEntries(COPILOT_APPS.map((a) => [a, null])) as Record<CopilotApp, string | null>;

function matched(
  lastDaysAgo: number | null,
  apps: Partial<Record<CopilotApp, number>> = {},
  refresh = REFRESH,
): ReportEvidence {
  const perApp = noApps();
  for (const [app, d] of Object.entries(apps) as Array<[CopilotApp, number]>) perApp[app] = ago(d);
  return {
    state: 'matched',
    refreshDate: refresh,
    lastActivityDate: lastDaysAgo === null ? null : ago(lastDaysAgo),
    apps: perApp,
  };
}

/** The audit log read up to this morning, with no Copilot interaction of the user. */
const AUDIT_READ: AuditEvidence = { lastAt: null, appHost: null, coveredUntil: `${TODAY}T06:00:00Z` };
const AUDIT_NEVER: AuditEvidence = { lastAt: null, appHost: null, coveredUntil: null };
const auditAt = (
  daysAgo: number,
  appHost = 'Word',
  coveredUntil: string | null = `${TODAY}T06:00:00Z`,
): AuditEvidence => ({
  lastAt: `${ago(daysAgo)}T10:15:00Z`,
  appHost,
  coveredUntil,
});

function seat(over: Partial<SeatFacts> = {}): SeatFacts {
  return {
    userId: '11111111-0000-0000-0000-000000000001',
    userPrincipalName: 'ann@contoso.com',
    displayName: 'Ann',
    mail: 'ann@contoso.com',
    department: 'Sales',
    officeLocation: null,
    accountEnabled: true,
    userType: 'Member',
    skuId: '639dec6b-bb19-468b-871c-c5c441c4b0cb',
    skuPartNumber: 'Microsoft_365_Copilot',
    direct: true,
    groups: [],
    seatSince: ago(400),
    report: matched(null),
    audit: AUDIT_READ,
    excludedBy: null,
    ...over,
  };
}

type Expect = Pick<SeatAssessment, 'status' | 'recommendation' | 'tier'>;
const keep: Expect = { status: 'active', recommendation: 'keep', tier: null };
const certain: Expect = { status: 'inactive', recommendation: 'reclaim', tier: 'certain' };
const probable: Expect = { status: 'inactive', recommendation: 'reclaim', tier: 'probable' };
const reviewUnknown: Expect = { status: 'unknown', recommendation: 'review', tier: null };
const reviewInactive: Expect = { status: 'inactive', recommendation: 'review', tier: null };

function decide(facts: SeatFacts, settings: AnalyticsSettings = S): SeatAssessment {
  return assessSeat(facts, TODAY, settings);
}

describe('assessSeat: boundary days with the default settings (active < 30, probable 30 to 89, certain 90+)', () => {
  // The audit log is read up to today, so the report's lag hides nothing and the day counts alone decide.
  it.each([
    [0, keep],
    [1, keep],
    [29, keep],
    [30, probable],
    [31, probable],
    [89, probable],
    [90, certain],
    [91, certain],
    [365, certain],
  ] as const)('last Copilot use %i days ago (report) → %o', (days, expected) => {
    const a = decide(seat({ report: matched(days) }));
    expect(a).toMatchObject({
      ...expected,
      daysSinceLastActivity: days,
      lastActivityDate: ago(days),
      lastActivitySource: 'copilot_usage_report',
      lastActivityAsOf: REFRESH,
    });
  });

  it.each([
    [29, keep],
    [30, probable],
    [31, probable],
    [89, probable],
    [90, certain],
  ] as const)('last Copilot use %i days ago (audit log only) → %o', (days, expected) => {
    const a = decide(seat({ audit: auditAt(days) }));
    expect(a).toMatchObject({
      ...expected,
      daysSinceLastActivity: days,
      lastActivitySource: 'audit_log',
      lastActivityAsOf: TODAY,
    });
  });

  it('names the days, the tier and the range in its reasons', () => {
    expect(decide(seat({ report: matched(45) })).reasons[0]).toBe(
      'Reclaim (probable): no Copilot use for 45 days (30 to 89).',
    );
    expect(decide(seat({ report: matched(120) })).reasons[0]).toBe(
      'Reclaim (certain): no Copilot use for 120 days (90 or more).',
    );
    expect(decide(seat({ report: matched(1) })).reasons[0]).toMatch(/^Last used Copilot 2025-06-29, 1 day ago/);
  });
});

describe('assessSeat: boundary days with non-default settings', () => {
  it.each([
    [{ inactiveDays: 14, reportStaleDays: 7, graceDays: 30 }, 13, keep],
    [{ inactiveDays: 14, reportStaleDays: 7, graceDays: 30 }, 14, probable],
    [{ inactiveDays: 14, reportStaleDays: 7, graceDays: 30 }, 89, probable],
    [{ inactiveDays: 14, reportStaleDays: 7, graceDays: 30 }, 90, certain],
    [{ inactiveDays: 60, reportStaleDays: 7, graceDays: 30 }, 59, keep],
    [{ inactiveDays: 60, reportStaleDays: 7, graceDays: 30 }, 60, probable],
    // INACTIVE_DAYS past CERTAIN_DAYS: active until then, and certain as soon as inactive.
    [{ inactiveDays: 120, reportStaleDays: 7, graceDays: 30 }, 119, keep],
    [{ inactiveDays: 120, reportStaleDays: 7, graceDays: 30 }, 120, certain],
  ] as const)('%o, last use %i days ago → %o', (settings, days, expected) => {
    expect(decide(seat({ report: matched(days) }), settings)).toMatchObject(expected);
  });

  it('says the configured range in a probable reason', () => {
    expect(
      decide(seat({ report: matched(20) }), { inactiveDays: 14, reportStaleDays: 7, graceDays: 30 }).reasons[0],
    ).toBe('Reclaim (probable): no Copilot use for 20 days (14 to 89).');
  });
});

describe('assessSeat: report lag and stale sources', () => {
  it.each([0, 2, 3, 4, 7])(
    'a report refreshed %i days ago is trusted: no use at all past grace is a certain reclaim',
    (lag) => {
      expect(decide(seat({ report: matched(null, {}, ago(lag)) }))).toMatchObject(certain);
    },
  );

  it.each([8, 10, 30])(
    'a report refreshed %i days ago (> REPORT_STALE_DAYS=7) is stale: unknown, review, never reclaim',
    (lag) => {
      const a = decide(seat({ report: matched(null, {}, ago(lag)) }));
      expect(a).toMatchObject(reviewUnknown);
      expect(a.reasons.join(' ')).toContain(`refreshed ${ago(lag)}, ${lag} days ago (more than REPORT_STALE_DAYS=7)`);
    },
  );

  it('a stale report with old evidence is unknown too, even past 90 days', () => {
    expect(decide(seat({ report: matched(200, {}, ago(20)) }))).toMatchObject(reviewUnknown);
  });

  it('REPORT_STALE_DAYS is configurable', () => {
    const settings = { ...S, reportStaleDays: 2 };
    expect(decide(seat({ report: matched(null, {}, ago(2)) }), settings)).toMatchObject(certain);
    expect(decide(seat({ report: matched(null, {}, ago(3)) }), settings)).toMatchObject(reviewUnknown);
  });

  it('a stale report does not hide fresh activity: recent use is still active', () => {
    expect(decide(seat({ report: matched(5, {}, ago(20)) }))).toMatchObject(keep);
    expect(decide(seat({ report: matched(null, {}, ago(20)), audit: auditAt(2) }))).toMatchObject({
      ...keep,
      lastActivitySource: 'audit_log',
    });
  });

  it('never-read report (missing): unknown, with audit evidence of recent use still active', () => {
    const silent = decide(seat({ report: { state: 'missing' } }));
    expect(silent).toMatchObject(reviewUnknown);
    expect(silent.reasons.join(' ')).toContain('has not been read yet');
    expect(decide(seat({ report: { state: 'missing' }, audit: auditAt(40) }))).toMatchObject(reviewUnknown);
    expect(decide(seat({ report: { state: 'missing' }, audit: auditAt(10) }))).toMatchObject(keep);
  });

  it('audit log never read: the fresh report alone decides', () => {
    expect(decide(seat({ report: matched(null), audit: AUDIT_NEVER }))).toMatchObject(certain);
    expect(decide(seat({ report: matched(95), audit: AUDIT_NEVER }))).toMatchObject(certain);
    expect(decide(seat({ report: matched(10), audit: AUDIT_NEVER }))).toMatchObject(keep);
  });

  it('inactive only because of the report lag, with nothing read since the report: review, not reclaim', () => {
    // Used 31 days ago per a report 3 days old: at the report's date it was 28 days, and the audit log does not cover since.
    const a = decide(seat({ report: matched(31), audit: AUDIT_NEVER }));
    expect(a).toMatchObject(reviewInactive);
    expect(a.reasons[0]).toContain('the audit log does not cover the 3 days since');
    // Old enough at the report's own date: probable.
    expect(decide(seat({ report: matched(33), audit: AUDIT_NEVER }))).toMatchObject(probable);
  });

  it('the audit log read past the report narrows the unseen window: inactive at its coverage date is a reclaim', () => {
    // Used 31 days ago; report 3 days old; audit read up to yesterday: 30 days idle at the last day anything was seen.
    expect(
      decide(
        seat({ report: matched(31), audit: { lastAt: null, appHost: null, coveredUntil: `${ago(1)}T23:00:00Z` } }),
      ),
    ).toMatchObject(probable);
    // Audit read up to 2 days ago: 29 days idle then, so still borderline.
    expect(
      decide(
        seat({ report: matched(31), audit: { lastAt: null, appHost: null, coveredUntil: `${ago(2)}T23:00:00Z` } }),
      ),
    ).toMatchObject(reviewInactive);
  });
});

describe('assessSeat: audit activity newer than the report', () => {
  it('audit-only use inside INACTIVE_DAYS saves an idle-looking seat: active, source audit_log', () => {
    const a = decide(seat({ report: matched(120), audit: auditAt(1, 'Teams') }));
    expect(a).toMatchObject({
      ...keep,
      lastActivitySource: 'audit_log',
      lastActivityDate: ago(1),
      lastActivityAsOf: TODAY,
      daysSinceLastActivity: 1,
    });
    expect(a.reasons).toContain(`The audit log shows use newer than the usage report (refreshed ${REFRESH}).`);
  });

  it('the same day in both: the report wins as the source', () => {
    expect(decide(seat({ report: matched(5), audit: auditAt(5) }))).toMatchObject({
      lastActivitySource: 'copilot_usage_report',
    });
  });

  it('per-app report dates count as evidence beyond the overall last activity date', () => {
    expect(decide(seat({ report: matched(100, { excel: 4 }) }))).toMatchObject({ ...keep, lastActivityDate: ago(4) });
    expect(freshestEvidence(matched(null, { loop: 8, teams: 12 }), AUDIT_READ)).toEqual({
      day: ago(8),
      source: 'copilot_usage_report',
      asOf: REFRESH,
    });
  });
});

describe('assessSeat: concealed and unmatched users', () => {
  const concealed: ReportEvidence = { state: 'concealed', refreshDate: REFRESH };
  const unmatched: ReportEvidence = { state: 'unmatched', refreshDate: REFRESH };

  it.each([
    ['concealed', concealed],
    ['unmatched', unmatched],
  ] as const)('%s, no audit evidence: unknown, review, never reclaim', (_, report) => {
    const a = decide(seat({ report }));
    expect(a).toMatchObject(reviewUnknown);
    expect(a.usageScore).toBe(0);
  });

  it('concealed: the reason says how to turn concealment off', () => {
    expect(decide(seat({ report: concealed })).reasons.join(' ')).toContain('Org settings → Reports');
  });

  it.each([
    ['concealed', concealed],
    ['unmatched', unmatched],
  ] as const)('%s with old audit evidence (200 days): still unknown, never reclaim', (_, report) => {
    expect(decide(seat({ report, audit: auditAt(200) }))).toMatchObject(reviewUnknown);
  });

  it.each([
    ['concealed', concealed],
    ['unmatched', unmatched],
  ] as const)('%s with recent audit evidence: active', (_, report) => {
    expect(decide(seat({ report, audit: auditAt(3) }))).toMatchObject({ ...keep, lastActivitySource: 'audit_log' });
  });
});

describe('assessSeat: new seats and grace', () => {
  it.each([
    [0, 'excluded'],
    [29, 'excluded'],
  ] as const)('never used, held %i days (< GRACE_DAYS=30): excluded as a new seat', (held, recommendation) => {
    const a = decide(seat({ seatSince: ago(held) }));
    expect(a).toMatchObject({ recommendation, tier: null });
    expect(a.reasons[0]).toBe(
      `New seat: held since ${ago(held)}, inside the 30-day grace period until ${addDays(ago(held), 30)}.`,
    );
  });

  it('held 30 days but only 27 by the report date (fewer than INACTIVE_DAYS): unknown, review', () => {
    const a = decide(seat({ seatSince: ago(30) }));
    expect(a).toMatchObject(reviewUnknown);
    expect(a.reasons.join(' ')).toContain('too young for the report to show inactivity');
  });

  it('held 33 days, 30 by the report date: never used past grace → certain', () => {
    const a = decide(seat({ seatSince: ago(33) }));
    expect(a).toMatchObject(certain);
    expect(a.reasons[0]).toBe(`Reclaim (certain): never used in the 33 days since ${ago(33)}.`);
  });

  it('a new seat already in use is kept (active beats grace)', () => {
    expect(decide(seat({ seatSince: ago(5), audit: auditAt(1) }))).toMatchObject(keep);
  });

  it('GRACE_DAYS is configurable', () => {
    expect(decide(seat({ seatSince: ago(50) }), { ...S, graceDays: 60 })).toMatchObject({ recommendation: 'excluded' });
    expect(decide(seat({ seatSince: ago(61) }), { ...S, graceDays: 60 })).toMatchObject(certain);
    // Short grace: past it but younger than the report's coverage is unknown, never reclaim.
    expect(decide(seat({ seatSince: ago(10) }), { ...S, graceDays: 7 })).toMatchObject(reviewUnknown);
  });
});

describe('assessSeat: exclusions and disabled accounts', () => {
  it('the exclusion list wins over everything, with the rule named first', () => {
    for (const facts of [
      seat(),
      seat({ report: matched(2) }),
      seat({ accountEnabled: false }),
      seat({ report: { state: 'concealed', refreshDate: REFRESH } }),
    ]) {
      const a = decide({ ...facts, excludedBy: 'department Executive' });
      expect(a).toMatchObject({ recommendation: 'excluded', tier: null });
      expect(a.reasons[0]).toBe('On the exclusion list: department Executive.');
    }
  });

  it.each([
    ['used yesterday', { audit: auditAt(1) }],
    ['never used', {}],
    ['in grace', { seatSince: ago(3) }],
    ['concealed names', { report: { state: 'concealed', refreshDate: REFRESH } as ReportEvidence }],
    ['stale report', { report: matched(null, {}, ago(30)) }],
  ] as const)('disabled account (%s): inactive, certain reclaim', (_, over) => {
    const a = decide(seat({ ...over, accountEnabled: false }));
    expect(a).toMatchObject(certain);
    expect(a.reasons[0]).toBe('Reclaim (certain): the account is disabled.');
    expect(a.reasons).toContain('The account is disabled: it cannot use Copilot.');
  });
});

describe('assessSeat: group-inherited seats and guests', () => {
  it('a group-inherited seat names the group and what removing it means', () => {
    const a = decide(seat({ direct: false, groups: [{ groupId: 'g1', displayName: 'Copilot Pilot' }] }));
    expect(a).toMatchObject({ ...certain, assignedVia: 'group' });
    expect(a.reasons).toContain(
      'Assigned through group Copilot Pilot: removing it means removing the user from that group.',
    );
  });

  it('direct and group: both are named', () => {
    const a = decide(seat({ direct: true, groups: [{ groupId: 'g1', displayName: null }] }));
    expect(a.assignedVia).toBe('group');
    expect(a.reasons).toContain(
      'Assigned directly and through group g1: removing it means removing the direct assignment and the user from that group.',
    );
  });

  it('direct only', () => {
    expect(decide(seat()).assignedVia).toBe('direct');
  });

  it('a guest is decided like anyone else, with a reason saying it is a guest', () => {
    const a = decide(seat({ userType: 'Guest', report: matched(45) }));
    expect(a).toMatchObject(probable);
    expect(a.reasons).toContain('Guest account.');
    expect(decide(seat({ userType: 'Guest', report: matched(2) }))).toMatchObject(keep);
  });
});

describe('assessSeat: properties over a grid of facts', () => {
  const reports: ReportEvidence[] = [
    { state: 'missing' },
    { state: 'concealed', refreshDate: REFRESH },
    { state: 'unmatched', refreshDate: REFRESH },
    matched(null),
    matched(null, {}, ago(12)),
    ...[0, 15, 29, 30, 31, 60, 89, 90, 91, 200].flatMap((d) => [
      matched(d),
      matched(d, { word: d, teams: d }),
      matched(d, {}, ago(10)),
    ]),
  ];
  const audits: AuditEvidence[] = [
    AUDIT_READ,
    AUDIT_NEVER,
    ...[1, 29, 30, 45, 95].map((d) => auditAt(d)),
    auditAt(35, 'Excel', null),
  ];
  const settingsList: AnalyticsSettings[] = [
    S,
    { inactiveDays: 14, reportStaleDays: 3, graceDays: 7 },
    { inactiveDays: 60, reportStaleDays: 10, graceDays: 45 },
  ];
  const grid: Array<{ facts: SeatFacts; settings: AnalyticsSettings; a: SeatAssessment }> = [];
  for (const settings of settingsList)
    for (const report of reports)
      for (const audit of audits)
        for (const seatSince of [ago(2), ago(31), ago(400)])
          for (const accountEnabled of [true, false])
            for (const excludedBy of [null, 'user ann@contoso.com']) {
              const facts = seat({ report, audit, seatSince, accountEnabled, excludedBy });
              grid.push({ facts, settings, a: decide(facts, settings) });
            }

  it('covers a large grid', () => {
    expect(grid.length).toBeGreaterThan(5000);
  });

  it('unknown is never reclaim', () => {
    const bad = grid.filter((g) => g.a.status === 'unknown' && g.a.recommendation === 'reclaim');
    expect(bad).toEqual([]);
    expect(grid.some((g) => g.a.status === 'unknown')).toBe(true);
  });

  it('active is always keep unless excluded or disabled', () => {
    const bad = grid.filter(
      (g) =>
        g.a.status === 'active' &&
        g.a.recommendation !== 'keep' &&
        g.facts.excludedBy === null &&
        g.facts.accountEnabled,
    );
    expect(bad).toEqual([]);
    // Disabled accounts are never active.
    expect(grid.filter((g) => !g.facts.accountEnabled && g.a.status === 'active')).toEqual([]);
  });

  it('a tier is set exactly for reclaim, and every row has a reason', () => {
    for (const { a } of grid) {
      expect(a.tier !== null).toBe(a.recommendation === 'reclaim');
      expect(a.reasons.length).toBeGreaterThan(0);
    }
  });

  it('usage scores stay within 0..100 and are 0 with no evidence', () => {
    for (const { a } of grid) {
      expect(a.usageScore).toBeGreaterThanOrEqual(0);
      expect(a.usageScore).toBeLessThanOrEqual(100);
      if (a.daysSinceLastActivity === null) expect(a.usageScore).toBe(0);
    }
  });

  it('reclaim only past grace or for a disabled account', () => {
    for (const { facts, settings, a } of grid) {
      if (a.recommendation !== 'reclaim' || !facts.accountEnabled) continue;
      expect(facts.seatSince <= addDays(TODAY, -settings.graceDays)).toBe(true);
    }
  });

  it('a certain reclaim of an enabled account is never used or 90+ days idle', () => {
    for (const { facts, a } of grid) {
      if (a.tier !== 'certain' || !facts.accountEnabled) continue;
      expect(a.daysSinceLastActivity === null || a.daysSinceLastActivity >= CERTAIN_DAYS).toBe(true);
    }
  });
});

describe('usageScore: recency 0..60 + breadth 0..40', () => {
  it.each([
    [null, 0, 0],
    [0, 0, 60],
    [7, 0, 60],
    [8, 0, 59], // 60 × 82/83 = 59.28
    [48, 0, 30], // 60 × 42/83 = 30.36
    [89, 0, 1], // 60 × 1/83 = 0.72
    [90, 0, 0],
    [400, 0, 0],
    [0, 1, 68],
    [0, 5, 100],
    [0, 8, 100],
    [30, 2, 16 + 43], // 60 × 60/83 = 43.37
    [null, 3, 24],
  ] as const)('%s days, %i apps → %i', (days, apps, expected) => {
    expect(usageScore(days, apps)).toBe(expected);
  });

  it('is monotonic: more recent or broader never scores lower', () => {
    for (let apps = 0; apps <= 8; apps++) {
      for (let d = 0; d < 120; d++) expect(usageScore(d, apps)).toBeGreaterThanOrEqual(usageScore(d + 1, apps));
      expect(usageScore(0, apps)).toBeGreaterThanOrEqual(usageScore(null, apps));
    }
    for (let d = 0; d < 120; d++)
      for (let apps = 0; apps < 8; apps++) expect(usageScore(d, apps + 1)).toBeGreaterThanOrEqual(usageScore(d, apps));
  });

  it('counts apps used within INACTIVE_DAYS, from the report and the audit log', () => {
    // Word and Teams 5 days ago, Excel 40 days ago (outside 30), Loop from the audit log 2 days ago.
    const a = decide(seat({ report: matched(5, { word: 5, teams: 5, excel: 40 }), audit: auditAt(2, 'Loop') }));
    expect(a.usageScore).toBe(60 + 3 * 8);
    expect(a.reasons[0]).toContain('(Teams, Word, Loop)');
  });
});

const services = (days: Partial<Record<M365Service, number>>): Record<M365Service, string | null> =>
  Object.fromEntries(M365_SERVICES.map((s) => [s, days[s] === undefined ? null : ago(days[s])])) as Record<
    M365Service,
    string | null
  >;

describe('m365ActivityScore: recency 0..50 + breadth 0..50', () => {
  it.each([
    [{}, 0],
    [{ exchange: 0 }, 60],
    [{ exchange: 3 }, 60],
    [{ exchange: 4 }, 58], // 50 × 26/27 = 48.1 → 48 + 10
    [{ exchange: 29 }, 12], // 50 × 1/27 = 1.85 → 2 + 10
    [{ exchange: 30 }, 0],
    [{ exchange: 0, oneDrive: 0, sharePoint: 0, teams: 0, yammer: 0 }, 100],
    [{ exchange: 1, teams: 40 }, 60],
    [{ exchange: 10, teams: 20 }, 37 + 20], // 50 × 20/27 = 37.04
  ] as const)('%o → %i', (days, expected) => {
    expect(m365ActivityScore(services(days), TODAY)).toBe(expected);
  });

  it('is monotonic in recency and breadth, within 0..100', () => {
    for (let d = 0; d < 40; d++) {
      const one = m365ActivityScore(services({ exchange: d }), TODAY);
      expect(one).toBeGreaterThanOrEqual(m365ActivityScore(services({ exchange: d + 1 }), TODAY));
      let prev = -1;
      for (let n = 0; n <= M365_SERVICES.length; n++) {
        const s = m365ActivityScore(services(Object.fromEntries(M365_SERVICES.slice(0, n).map((x) => [x, d]))), TODAY);
        expect(s).toBeGreaterThanOrEqual(prev);
        expect(s).toBeLessThanOrEqual(100);
        prev = s;
      }
    }
  });
});

function candidate(over: Partial<CandidateFacts> = {}): CandidateFacts {
  return {
    userId: 'u',
    userPrincipalName: 'bob@contoso.com',
    displayName: 'Bob',
    mail: null,
    department: null,
    officeLocation: null,
    services: services({}),
    chat: null,
    ...over,
  };
}

describe('assessCandidate: priorities', () => {
  // Exchange only at a chosen age gives a chosen score: 10 + 50 × (30 − d)/27.
  it.each([
    // Without Copilot Chat use, high activity alone is Medium: High needs both signals.
    [{ exchange: 0, oneDrive: 0, sharePoint: 0, teams: 0, yammer: 0 }, 100, 'Medium'],
    [{ exchange: 0, oneDrive: 0 }, 70, 'Medium'],
    [{ exchange: 1, oneDrive: 40 }, 60, 'Low'],
    [{ exchange: 12, oneDrive: 12 }, 53, 'Low'], // 50 × 18/27 = 33.3 → 33 + 20
    [{ exchange: 19 }, 30, 'Low'], // 50 × 11/27 = 20.4 → 20 + 10
    [{ exchange: 29 }, 12, 'Low'],
    [{ exchange: 30 }, 0, null],
    [{}, 0, null],
  ] as const)('%o → score %i, %s', (days, score, priority) => {
    const c = assessCandidate(candidate({ services: services(days) }), TODAY);
    if (priority === null) expect(c).toBeNull();
    else expect(c).toMatchObject({ m365ActivityScore: score, priority });
  });

  // n services all last used d days ago score round(50 × (30 − d)/27) + 10n (50 + 10n when d ≤ 3).
  it.each([
    [2, 20, 39, 'Low'], // 18.5 → 19 + 20
    [3, 9, 69, 'Low'], // 38.9 → 39 + 30
    [2, 0, 70, 'Medium'],
  ] as const)('threshold: %i services used %i days ago → %i, %s', (n, d, score, priority) => {
    const sv = services(Object.fromEntries(M365_SERVICES.slice(0, n).map((x) => [x, d])));
    expect(assessCandidate(candidate({ services: sv }), TODAY)).toMatchObject({ m365ActivityScore: score, priority });
  });

  it('High needs both clear signals: recent Copilot Chat use without a seat AND an activity score of 70+', () => {
    const chat = { lastAt: `${ago(3)}T09:00:00Z`, interactions: 12 };
    expect(assessCandidate(candidate({ services: services({ exchange: 0, oneDrive: 0 }), chat }), TODAY)).toMatchObject(
      { m365ActivityScore: 70, priority: 'High', recentChat: true },
    );
    // Chat alone (even with a score of 0) is Medium, never High.
    const c = assessCandidate(candidate({ services: null, chat }), TODAY);
    expect(c).toEqual({
      m365ActivityScore: 0,
      priority: 'Medium',
      recentChat: true,
      reasons: [`Uses Copilot Chat without a seat: 12 interactions, last ${dayText(ago(3))}.`],
    });
    expect(
      assessCandidate(
        candidate({ services: services({ exchange: 29 }), chat: { lastAt: `${ago(29)}T09:00:00Z`, interactions: 1 } }),
        TODAY,
      )?.priority,
    ).toBe('Medium');
  });

  it('the rule in one table', () => {
    expect([
      candidatePriority(100, true),
      candidatePriority(70, true),
      candidatePriority(69, true),
      candidatePriority(0, true),
      candidatePriority(70, false),
      candidatePriority(69, false),
      candidatePriority(1, false),
      candidatePriority(0, false),
    ]).toEqual(['High', 'High', 'Medium', 'Medium', 'Medium', 'Low', 'Low', null]);
  });

  it('Copilot Chat use 30 days ago or more counts only through the score', () => {
    expect(
      assessCandidate(
        candidate({ services: services({ exchange: 19 }), chat: { lastAt: `${ago(30)}T09:00:00Z`, interactions: 4 } }),
        TODAY,
      ),
    ).toMatchObject({ priority: 'Low', recentChat: false });
    expect(
      assessCandidate(candidate({ services: null, chat: { lastAt: `${ago(45)}T09:00:00Z`, interactions: 4 } }), TODAY),
    ).toBeNull();
  });

  it('users not in the activity report score 0 and are not candidates', () => {
    expect(assessCandidate(candidate({ services: null }), TODAY)).toBeNull();
  });
});

describe('compareCandidates: priority, then score, then latest Copilot Chat, then UPN', () => {
  const ranked = (list: CandidateFacts[]) =>
    list
      .map((facts) => ({ facts, assessment: assessCandidate(facts, TODAY) }))
      .filter(
        (c): c is { facts: CandidateFacts; assessment: NonNullable<typeof c.assessment> } => c.assessment !== null,
      )
      .sort(compareCandidates);

  it('orders by priority, then score, then the latest chat, then UPN; no lower score ranks above a higher one within a priority', () => {
    const busy = services({ exchange: 0, oneDrive: 0, teams: 0 });
    const list = [
      candidate({ userPrincipalName: 'low@x', services: services({ exchange: 25 }) }),
      candidate({ userPrincipalName: 'top@x', services: busy }),
      candidate({
        userPrincipalName: 'chat-zero@x',
        services: null,
        chat: { lastAt: `${ago(1)}T09:00:00Z`, interactions: 2 },
      }),
      candidate({
        userPrincipalName: 'chat-busy-old@x',
        services: busy,
        chat: { lastAt: `${ago(10)}T09:00:00Z`, interactions: 2 },
      }),
      candidate({
        userPrincipalName: 'chat-busy-new@x',
        services: busy,
        chat: { lastAt: `${ago(1)}T09:00:00Z`, interactions: 2 },
      }),
      candidate({ userPrincipalName: 'b-tie@x', services: services({ exchange: 0 }) }),
      candidate({ userPrincipalName: 'a-tie@x', services: services({ exchange: 0 }) }),
    ];
    const order = ranked(list);
    expect(order.map((c) => c.facts.userPrincipalName)).toEqual([
      'chat-busy-new@x',
      'chat-busy-old@x',
      'top@x',
      'chat-zero@x',
      'a-tie@x',
      'b-tie@x',
      'low@x',
    ]);
    expect(order.map((c) => c.assessment.priority)).toEqual(['High', 'High', 'Medium', 'Medium', 'Low', 'Low', 'Low']);
    // A score of 0 is never High, and never above a higher score of the same priority.
    for (const [i, c] of order.entries()) {
      if (c.assessment.m365ActivityScore === 0) expect(c.assessment.priority).not.toBe('High');
      const next = order[i + 1];
      if (next && next.assessment.priority === c.assessment.priority)
        expect(next.assessment.m365ActivityScore).toBeLessThanOrEqual(c.assessment.m365ActivityScore);
    }
  });

  it('Copilot Chat use 30+ days ago does not lift a candidate', () => {
    const list = [
      candidate({
        userPrincipalName: 'stale-chat@x',
        services: services({ exchange: 25 }),
        chat: { lastAt: `${ago(60)}T09:00:00Z`, interactions: 1 },
      }),
      candidate({ userPrincipalName: 'busy@x', services: services({ exchange: 0, oneDrive: 0, teams: 0 }) }),
    ];
    expect(ranked(list).map((c) => c.facts.userPrincipalName)).toEqual(['busy@x', 'stale-chat@x']);
  });
});

describe('compareSeats: stored list order', () => {
  it('reclaim certain (never used first, then longest idle), probable, review, excluded, keep', () => {
    const rows = [
      seat({ userPrincipalName: 'keep@x', report: matched(1) }),
      seat({ userPrincipalName: 'probable40@x', report: matched(40) }),
      seat({ userPrincipalName: 'certain100@x', report: matched(100) }),
      seat({ userPrincipalName: 'never@x' }),
      seat({ userPrincipalName: 'grace@x', seatSince: ago(3) }),
      seat({ userPrincipalName: 'review@x', report: { state: 'concealed', refreshDate: REFRESH } }),
      seat({ userPrincipalName: 'probable60@x', report: matched(60) }),
      seat({ userPrincipalName: 'certain200@x', report: matched(200) }),
    ];
    const order = rows
      .map((facts) => ({ facts, assessment: decide(facts) }))
      .sort(compareSeats)
      .map((r) => r.facts.userPrincipalName);
    expect(order).toEqual([
      'never@x',
      'certain200@x',
      'certain100@x',
      'probable60@x',
      'probable40@x',
      'review@x',
      'grace@x',
      'keep@x',
    ]);
  });
});

describe('exclusionOf', () => {
  const user = {
    userId: '11111111-AAAA-0000-0000-000000000001',
    userPrincipalName: 'Ann.Lee@Contoso.com',
    department: 'Executive Office',
    groupIds: new Set(['22222222-0000-0000-0000-00000000000b']),
  };

  it.each([
    ['no rules', NO_EXCLUSIONS, null],
    ['user by UPN', { ...NO_EXCLUSIONS, users: ['ann.lee@contoso.com'] }, 'user ann.lee@contoso.com'],
    [
      'user by UPN, rule not lower-cased',
      { ...NO_EXCLUSIONS, users: ['ANN.LEE@contoso.com'] },
      'user ann.lee@contoso.com',
    ],
    [
      'user by object id',
      { ...NO_EXCLUSIONS, users: ['11111111-aaaa-0000-0000-000000000001'] },
      'user 11111111-aaaa-0000-0000-000000000001',
    ],
    ['another user', { ...NO_EXCLUSIONS, users: ['bob@contoso.com'] }, null],
    [
      'group',
      { ...NO_EXCLUSIONS, groups: ['22222222-0000-0000-0000-00000000000b'] },
      'member of group 22222222-0000-0000-0000-00000000000b',
    ],
    [
      'group, rule in upper case',
      { ...NO_EXCLUSIONS, groups: ['22222222-0000-0000-0000-00000000000B'] },
      'member of group 22222222-0000-0000-0000-00000000000b',
    ],
    ['another group', { ...NO_EXCLUSIONS, groups: ['33333333-0000-0000-0000-000000000000'] }, null],
    [
      'department, case-insensitive',
      { ...NO_EXCLUSIONS, departments: ['executive office'] },
      'department Executive Office',
    ],
    [
      'department with spaces around',
      { ...NO_EXCLUSIONS, departments: [' EXECUTIVE OFFICE '] },
      'department Executive Office',
    ],
    ['another department', { ...NO_EXCLUSIONS, departments: ['Executive'] }, null],
  ] as const)('%s', (_, rules, expected) => {
    expect(exclusionOf(user, rules)).toBe(expected);
  });

  it('a user without a department matches no department rule', () => {
    expect(exclusionOf({ ...user, department: null }, { ...NO_EXCLUSIONS, departments: [''] })).toBeNull();
  });
});

describe('seatHighlights: cards name products, not part numbers', () => {
  it('a disabled holder is told by the product name', () => {
    const facts = seat({ accountEnabled: false, displayName: 'Omar Patel' });
    const [h] = seatHighlights([{ facts, assessment: assessSeat(facts, TODAY, S) }], TODAY, S);
    expect(h?.text).toBe('The account is disabled but still holds a Microsoft 365 Copilot seat: reclaim (certain).');
  });
});

describe('dates in the texts cards show read one way ("21 Nov 2026"), like the cards\' own dates', () => {
  it('candidate reasons and renewal advice use the card date format, never ISO days', () => {
    const c = assessCandidate(
      candidate({ services: null, chat: { lastAt: '2025-06-28T09:00:00Z', interactions: 2 } }),
      TODAY,
    );
    expect(c?.reasons[0]).toBe('Uses Copilot Chat without a seat: 2 interactions, last 28 Jun 2025.');
    expect(dayText('2027-03-01')).toBe('1 Mar 2027');
  });
});

describe('recentChatOf: recent Copilot Chat read back from a stored priority and score', () => {
  it('gives back the recent-chat signal candidatePriority was given, for every score and both signals', () => {
    for (let score = 0; score <= 100; score++) {
      for (const recentChat of [true, false]) {
        const priority = candidatePriority(score, recentChat);
        if (priority !== null) expect(recentChatOf(priority, score)).toBe(recentChat);
      }
    }
  });
});
