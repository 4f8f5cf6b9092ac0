import { describe, expect, it } from 'vitest';
import { securityRiskEvents, type SecurityObservation } from '../../src/domain/security-events';
import { hashedEventId } from '../../src/usecases/webhooks/event-ids';

const risky = (id: string, level: string, updated = '2026-12-01T08:00:00Z') => ({
  user_id: id,
  user_principal_name: `${id}@contoso.com`,
  display_name: id,
  risk_level: level,
  risk_state: 'atRisk',
  risk_last_updated: updated,
});
const seen = (runId: number, over: Partial<SecurityObservation> = {}): SecurityObservation => ({
  runId,
  components: {
    mfa_adoption: { status: 'good', score: 24, max: 30 },
    device_compliance: { status: 'excellent', score: 15, max: 15 },
  },
  riskyUsers: [],
  ...over,
});
const events = (previous: SecurityObservation | undefined, current: SecurityObservation) =>
  securityRiskEvents('t1', previous, current, '2026-12-06T10:00:00.000Z', hashedEventId);

describe('security risk events (domain rule)', () => {
  it('none without a previous observation (baseline), nor when nothing got worse', () => {
    expect(events(undefined, seen(2, { riskyUsers: [risky('a', 'high')] }))).toEqual([]);
    expect(
      events(seen(1, { riskyUsers: [risky('a', 'high')] }), seen(2, { riskyUsers: [risky('a', 'high')] })),
    ).toEqual([]);
  });

  it('a status dropped a level is an event; risen, or unknown either side, is not', () => {
    const dropped = events(
      seen(1),
      seen(2, {
        components: {
          mfa_adoption: { status: 'fair', score: 14, max: 30 },
          device_compliance: { status: 'unknown', score: null, max: 15 },
        },
      }),
    );
    expect(dropped.map((e) => e.data)).toEqual([
      {
        kind: 'component_status_dropped',
        component: 'mfa_adoption',
        previous_status: 'good',
        status: 'fair',
        previous_score: 24,
        score: 14,
        score_max: 30,
        sync_run_id: 2,
      },
    ]);
    expect(
      events(seen(1), seen(2, { components: { mfa_adoption: { status: 'excellent', score: 30, max: 30 } } })),
    ).toEqual([]);
  });

  it('a user newly at risk or at a higher level is an event, with the same id however often seen; a lower level is not', () => {
    const first = events(seen(1), seen(2, { riskyUsers: [risky('a', 'low')] }));
    expect(first.map((e) => [e.data.user_id, e.data.risk_level, e.data.previous_risk_level])).toEqual([
      ['a', 'low', null],
    ]);
    // Seen again by a retried sync (another run, the same previous observation): the same id.
    expect(events(seen(1), seen(3, { riskyUsers: [risky('a', 'low')] }))[0].id).toBe(first[0].id);
    const raised = events(
      seen(2, { riskyUsers: [risky('a', 'low')] }),
      seen(3, { riskyUsers: [risky('a', 'high', '2026-12-02T08:00:00Z')] }),
    );
    expect(raised.map((e) => [e.data.risk_level, e.data.previous_risk_level])).toEqual([['high', 'low']]);
    expect(raised[0].id).not.toBe(first[0].id);
    expect(
      events(seen(3, { riskyUsers: [risky('a', 'high')] }), seen(4, { riskyUsers: [risky('a', 'medium')] })),
    ).toEqual([]);
  });

  it('risky users unreadable either time are not compared (no permission is not "nobody at risk")', () => {
    expect(events(seen(1, { riskyUsers: null }), seen(2, { riskyUsers: [risky('a', 'high')] }))).toEqual([]);
    expect(events(seen(1, { riskyUsers: [risky('a', 'high')] }), seen(2, { riskyUsers: null }))).toEqual([]);
  });
});

describe('risk detections (domain rule)', () => {
  const detection = (id: string) => ({
    id,
    user_id: 'a',
    user_principal_name: 'a@contoso.com',
    risk_event_type: 'leakedCredentials',
    risk_level: 'high',
    detected_at: '2026-12-01T08:00:00Z',
  });
  it('a detection still at risk and not seen before is an event, once; none when either side was unreadable', () => {
    const base = { runId: 1, components: {}, riskyUsers: null };
    const found = events(
      { ...base, riskDetections: [detection('d1')] },
      { ...base, runId: 2, riskDetections: [detection('d1'), detection('d2')] },
    );
    expect(found.map((e) => [e.data.kind, e.data.detection_id])).toEqual([['risk_detection', 'd2']]);
    expect(events({ ...base, riskDetections: null }, { ...base, runId: 2, riskDetections: [detection('d2')] })).toEqual(
      [],
    );
    // An observation saved before detections were kept: nothing to compare with yet.
    expect(events(base, { ...base, runId: 2, riskDetections: [detection('d2')] })).toEqual([]);
  });
});
