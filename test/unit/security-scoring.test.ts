import { describe, expect, it } from 'vitest';
import {
  COMPONENT_MAX,
  deviceComplianceCounts,
  mfaCounts,
  ratingOf,
  scoreSecurity,
  SCORED_COMPONENTS,
  type SecurityInput,
} from '../../src/domain/security-scoring';

/** Expected points are worked out by hand from the rubric in the comments. */
const perfect: SecurityInput = {
  securityDefaults: { enabled: false },
  mfa: { totalUsers: 100, mfaEnabledUsers: 100, unknownUsers: 0, adminsWithoutMfa: [] },
  conditionalAccess: { policies_count: 4, enabled_policies: 4, report_only: 0, disabled_policies: 0 },
  identityProtection: { risk_detections: 3, high_risk_users: 0, at_risk_users: 0 },
  deviceCompliance: { compliant_devices: 50, non_compliant_devices: 0 },
  reasons: {},
};

describe('scoreSecurity: the rubric', () => {
  it('maxima add up to 100', () => {
    expect(SCORED_COMPONENTS.reduce((n, c) => n + COMPONENT_MAX[c], 0)).toBe(100);
  });

  it('a perfect tenant scores 100 with no recommendations (security defaults off, replaced by enforced CA)', () => {
    const s = scoreSecurity(perfect);
    expect(s.overallScore).toBe(100);
    expect(s.recommendations).toEqual([]);
    expect(s.components.security_defaults).toEqual({
      score: 20,
      max: 20,
      status: 'excellent',
      note: 'Off, replaced by enforced conditional access policies.',
    });
  });

  it.each([
    [20, 20, 'excellent'],
    [18, 20, 'excellent'],
    [17.9, 20, 'good'],
    [14, 20, 'good'],
    [13.9, 20, 'fair'],
    [8, 20, 'fair'],
    [7.9, 20, 'poor'],
    [0, 20, 'poor'],
  ] as const)('rating of %d / %d is %s', (score, max, rating) => {
    expect(ratingOf(score, max)).toBe(rating);
  });

  it.each([
    // MFA points: 30 × (rate − 50%) / 50%, minus 5 per admin without MFA.
    [{ totalUsers: 100, mfaEnabledUsers: 90, unknownUsers: 0, adminsWithoutMfa: [] }, 24, 'good'],
    [{ totalUsers: 100, mfaEnabledUsers: 50, unknownUsers: 0, adminsWithoutMfa: [] }, 0, 'poor'],
    [{ totalUsers: 100, mfaEnabledUsers: 20, unknownUsers: 0, adminsWithoutMfa: [] }, 0, 'poor'],
    [{ totalUsers: 110, mfaEnabledUsers: 95, unknownUsers: 10, adminsWithoutMfa: [] }, 27, 'excellent'], // 95 of 100 known
    [{ totalUsers: 100, mfaEnabledUsers: 98, unknownUsers: 0, adminsWithoutMfa: ['a@x', 'b@x'] }, 18.8, 'fair'], // 28.8 − 10; 63%
    [{ totalUsers: 0, mfaEnabledUsers: 0, unknownUsers: 0, adminsWithoutMfa: [] }, 30, 'excellent'],
  ] as const)('MFA %o → %d points, %s', (mfa, score, status) => {
    expect(scoreSecurity({ ...perfect, mfa }).components.mfa_adoption).toMatchObject({ score, status });
  });

  it.each([
    // CA points: 20 × min(enabled, 3)/3 × enabled/(enabled + report-only).
    [{ policies_count: 3, enabled_policies: 3, report_only: 0, disabled_policies: 0 }, 20],
    [{ policies_count: 6, enabled_policies: 3, report_only: 2, disabled_policies: 1 }, 12],
    [{ policies_count: 1, enabled_policies: 1, report_only: 0, disabled_policies: 0 }, 6.7],
    [{ policies_count: 2, enabled_policies: 0, report_only: 2, disabled_policies: 0 }, 0],
  ] as const)('conditional access %o → %d points', (ca, score) => {
    expect(scoreSecurity({ ...perfect, conditionalAccess: ca }).components.conditional_access.score).toBe(score);
  });

  it('security defaults on with no CA policy: defaults full, CA half (they cover MFA and legacy authentication only)', () => {
    const s = scoreSecurity({
      ...perfect,
      securityDefaults: { enabled: true },
      conditionalAccess: { policies_count: 0, enabled_policies: 0, report_only: 0, disabled_policies: 0 },
    });
    expect(s.components.security_defaults.score).toBe(20);
    expect(s.components.conditional_access).toMatchObject({ score: 10, status: 'fair' });
    expect(s.overallScore).toBe(90);
    expect(s.recommendations.map((r) => r.title)).not.toContain(
      'Turn on security defaults or enforce conditional access',
    );
  });

  it('security defaults off and nothing enforced: 0, and the first recommendation is to turn one on', () => {
    const s = scoreSecurity({
      ...perfect,
      conditionalAccess: { policies_count: 1, enabled_policies: 0, report_only: 0, disabled_policies: 1 },
    });
    expect(s.components.security_defaults).toMatchObject({ score: 0, status: 'poor' });
    // 0 + 30 + 0 + 15 + 15 = 60
    expect(s.overallScore).toBe(60);
    expect(s.recommendations[0]).toMatchObject({
      category: 'security_defaults',
      priority: 'high',
      impact: 'security',
      impact_points: 20,
    });
  });

  it('identity protection: 5 points per high-risk user, 1 per other at-risk user', () => {
    const s = scoreSecurity({
      ...perfect,
      identityProtection: { risk_detections: 9, high_risk_users: 2, at_risk_users: 5 },
    });
    expect(s.components.identity_protection).toMatchObject({ score: 2, status: 'poor' }); // 15 − 10 − 3
    const titles = s.recommendations.map((r) => [r.title, r.priority, r.impact_points]);
    expect(titles).toEqual([
      ['Investigate 2 high-risk users', 'high', 10],
      ['Review 3 other risky users', 'low', 3],
    ]);
  });

  it('device compliance on the rate; no managed devices is unknown and left out', () => {
    expect(
      scoreSecurity({ ...perfect, deviceCompliance: { compliant_devices: 90, non_compliant_devices: 10 } }).components
        .device_compliance,
    ).toMatchObject({ score: 12, status: 'good' });
    const none = scoreSecurity({ ...perfect, deviceCompliance: { compliant_devices: 0, non_compliant_devices: 0 } });
    expect(none.components.device_compliance).toMatchObject({
      score: null,
      status: 'unknown',
      note: expect.stringMatching(/No managed devices/) as unknown,
    });
    expect(none.overallScore).toBe(100);
  });
});

describe('scoreSecurity: unreadable components are unknown and left out, never 0', () => {
  it('overall is over the readable components only', () => {
    // Identity protection unreadable: 20 + 24 + 20 + 15 = 79 of 85 → 92.9 → 93.
    const s = scoreSecurity({
      ...perfect,
      mfa: { ...perfect.mfa!, mfaEnabledUsers: 90 },
      identityProtection: null,
      reasons: { identity_protection: 'The tenant lacks Microsoft Entra ID P2.' },
    });
    expect(s.components.identity_protection).toEqual({
      score: null,
      max: 15,
      status: 'unknown',
      note: 'The tenant lacks Microsoft Entra ID P2.',
    });
    expect(s.overallScore).toBe(93);
    // The MFA fix gains 6 component points = 100 × 6 / 85 = 7.1 overall points.
    expect(s.recommendations[0]).toMatchObject({
      category: 'mfa',
      title: 'Enable MFA for the remaining 10 users',
      priority: 'medium',
      impact_points: 7.1,
    });
    expect(s.recommendations.at(-1)).toMatchObject({
      category: 'visibility',
      impact: 'visibility',
      impact_points: 0,
      priority: 'low',
      title: 'Let Seat Steward read identity protection',
    });
  });

  it('nothing readable: overall null, every component unknown', () => {
    const s = scoreSecurity({
      securityDefaults: null,
      mfa: null,
      conditionalAccess: null,
      identityProtection: null,
      deviceCompliance: null,
      reasons: {},
    });
    expect(s.overallScore).toBeNull();
    for (const c of SCORED_COMPONENTS) expect(s.components[c]).toMatchObject({ score: null, status: 'unknown' });
  });

  it('security defaults off with conditional access unreadable: half marks, no wrong advice', () => {
    const s = scoreSecurity({
      ...perfect,
      conditionalAccess: null,
      reasons: { conditional_access: 'Lacks Entra ID P1.' },
    });
    expect(s.components.security_defaults).toMatchObject({ score: 10, status: 'fair' });
    expect(s.recommendations.filter((r) => r.category === 'security_defaults')).toEqual([]);
  });
});

describe('scoreSecurity: recommendations', () => {
  const messy: SecurityInput = {
    securityDefaults: { enabled: false },
    mfa: {
      totalUsers: 200,
      mfaEnabledUsers: 170,
      unknownUsers: 0,
      adminsWithoutMfa: ['g@x', 'a@x', 'b@x', 'c@x', 'd@x', 'e@x', 'f@x'].slice(0, 2),
    },
    conditionalAccess: { policies_count: 6, enabled_policies: 3, report_only: 2, disabled_policies: 1 },
    identityProtection: { risk_detections: 4, high_risk_users: 1, at_risk_users: 1 },
    deviceCompliance: { compliant_devices: 80, non_compliant_devices: 20 },
    reasons: {},
  };

  it('admins without MFA come first among MFA fixes, high priority; their names ride apart from the text (admins-only on cards)', () => {
    const s = scoreSecurity(messy);
    const mfa = s.recommendations.filter((r) => r.category === 'mfa');
    expect(mfa.map((r) => r.title)).toEqual([
      'Require MFA for 2 admins without it',
      'Enable MFA for the other 28 users',
    ]);
    expect(mfa[0]).toMatchObject({
      priority: 'high',
      accounts: ['g@x', 'a@x'],
      description: expect.stringMatching(/^2 accounts hold admin roles/) as unknown,
    });
    expect(mfa[0]?.description).not.toContain('g@x');
  });

  it('MFA counts add up: registered + without = listed, admins counted within "without", never split off', () => {
    // 196 of 226 registered, 1 admin among the 30 without.
    const input = { totalUsers: 226, mfaEnabledUsers: 196, unknownUsers: 0, adminsWithoutMfa: ['admin@x'] };
    expect(mfaCounts(input)).toEqual({
      listed: 226,
      registered: 196,
      without: 30,
      adminsWithout: 1,
      unlisted: 0,
      rate: 86.7,
    });
    const others = scoreSecurity({ ...messy, mfa: input }).recommendations.find((r) =>
      r.title.startsWith('Enable MFA'),
    );
    expect(others?.description).toMatch(
      /^30 of 226 enabled member accounts have no MFA method registered \(1 admin among them, see above\)/,
    );
    // Users the MFA report does not list are out of the denominator, as they are out of the rate.
    expect(mfaCounts({ totalUsers: 110, mfaEnabledUsers: 95, unknownUsers: 10, adminsWithoutMfa: [] })).toMatchObject({
      listed: 100,
      registered: 95,
      without: 5,
      rate: 95,
    });
  });

  it('device compliance: the denominator is the devices with a compliance state, the one the rate is over', () => {
    expect(deviceComplianceCounts({ compliant_devices: 203, non_compliant_devices: 18 })).toEqual({
      rated: 221,
      compliant: 203,
      nonCompliant: 18,
      rate: 91.9,
    });
    const fix = scoreSecurity({
      ...messy,
      deviceCompliance: { compliant_devices: 203, non_compliant_devices: 18 },
    }).recommendations.find((r) => r.category === 'device_compliance');
    expect(fix?.description).toMatch(/^18 of 221 managed devices with a compliance state fail/);
  });

  it('are ordered by impact points, largest first; every one has the REST API fields', () => {
    const s = scoreSecurity(messy);
    // MFA 85% → 21 − 10 = 11; CA 20 × 1 × 3/5 = 12; IP 15 − 5 = 10; DC 80% → 9.
    expect(s.components.mfa_adoption.score).toBe(11);
    expect(s.components.conditional_access.score).toBe(12);
    expect(s.components.identity_protection.score).toBe(10);
    expect(s.components.device_compliance.score).toBe(9);
    expect(s.overallScore).toBe(62); // 20 + 11 + 12 + 10 + 9
    const points = s.recommendations.map((r) => r.impact_points);
    expect(points).toEqual([...points].sort((a, b) => b - a));
    expect(s.recommendations.map((r) => [r.title, r.impact_points])).toEqual([
      ['Require MFA for 2 admins without it', 10],
      ['Enable MFA for the other 28 users', 9],
      ['Turn on 2 report-only conditional access policies', 8],
      ['Fix 20 non-compliant devices', 6],
      ['Investigate 1 high-risk user', 5],
    ]);
    for (const r of s.recommendations) {
      expect(
        Object.keys(r)
          .filter((k) => k !== 'accounts')
          .sort(),
      ).toEqual(['category', 'description', 'impact', 'impact_points', 'priority', 'title']);
      expect(['high', 'medium', 'low']).toContain(r.priority);
    }
    // Fixing everything gains exactly what is missing from 100.
    expect(points.reduce((a, b) => a + b, 0)).toBe(100 - 62);
  });

  it('fewer than three enforced policies: add the baseline', () => {
    const s = scoreSecurity({
      ...perfect,
      conditionalAccess: { policies_count: 1, enabled_policies: 1, report_only: 0, disabled_policies: 0 },
    });
    expect(s.recommendations).toEqual([
      expect.objectContaining({
        category: 'conditional_access',
        title: 'Add the baseline conditional access policies',
        impact_points: 13.3,
        priority: 'high',
      }),
    ]);
  });

  it('scores stay within 0..max and overall within 0..100 over a grid', () => {
    for (const enabled of [0, 1, 3, 5])
      for (const reportOnly of [0, 2])
        for (const registered of [0, 60, 100])
          for (const high of [0, 1, 5])
            for (const sd of [true, false]) {
              const s = scoreSecurity({
                securityDefaults: { enabled: sd },
                mfa: {
                  totalUsers: 100,
                  mfaEnabledUsers: registered,
                  unknownUsers: 0,
                  adminsWithoutMfa: high > 1 ? ['x'] : [],
                },
                conditionalAccess: {
                  policies_count: enabled + reportOnly,
                  enabled_policies: enabled,
                  report_only: reportOnly,
                  disabled_policies: 0,
                },
                identityProtection: { risk_detections: high, high_risk_users: high, at_risk_users: high * 2 },
                deviceCompliance: { compliant_devices: registered, non_compliant_devices: 100 - registered },
                reasons: {},
              });
              expect(s.overallScore).toBeGreaterThanOrEqual(0);
              expect(s.overallScore).toBeLessThanOrEqual(100);
              for (const c of SCORED_COMPONENTS) {
                const sc = s.components[c].score;
                if (sc === null) continue;
                expect(sc).toBeGreaterThanOrEqual(0);
                expect(sc).toBeLessThanOrEqual(COMPONENT_MAX[c]);
              }
            }
  });
});
