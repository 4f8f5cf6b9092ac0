import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateDemoTenant } from '../demo-tenant/generator';
import { riskDetections, type GraphRiskDetection } from '../demo-tenant/identity';
import type { GraphUser } from '../demo-tenant/model';
import { startHarness, TEST_API_KEY, type Harness } from './helpers/harness';
import { Receiver, subscribeEverything } from './helpers/webhook-receiver';
import { expectRealLogHolds, RecordingEventLog } from './helpers/recording-event-log';

/**
 * m365.security.risk_detected through the real app and the demo tenant's Identity Protection
 * (riskyUsers over HTTPS): a user newly at risk, a risk level raised, a component whose status
 * dropped; the first sync is a baseline and an unchanged sync records nothing.
 */
describe('security risk webhook events', () => {
  let h: Harness;
  let tenantId: string;
  const log = new RecordingEventLog();
  const receiver = new Receiver();
  const data = generateDemoTenant({ users: 120, seed: 17 });
  const detection = (
    user: GraphUser,
    level: GraphRiskDetection['riskLevel'],
    state: GraphRiskDetection['riskState'],
    day: string,
  ) => ({
    id: `${user.id.slice(0, 8)}-0000-4000-8000-${level
      .padEnd(12, '0')
      .slice(0, 12)
      .replace(/[^0-9a-f]/g, '0')}`,
    userId: user.id,
    userPrincipalName: user.userPrincipalName,
    riskEventType: 'leakedCredentials',
    riskLevel: level,
    riskState: state,
    detectedDateTime: `${day}T08:00:00Z`,
    activityDateTime: `${day}T08:00:00Z`,
  });
  // Nobody at risk at first (the generated detections remediated), so identity protection rates excellent.
  const calm = riskDetections(data).map((d) => ({ ...d, riskState: 'remediated' as const }));
  const target = data.users.find(
    (u) => u.accountEnabled && u.userType === 'Member' && !calm.some((d) => d.userId === u.id),
  ) as GraphUser;

  beforeAll(async () => {
    data.extraRiskDetections = calm;
    h = await startHarness({ data, app: { webhookEventLog: log.wrap } });
    tenantId = h.app.tenants.list()[0].id;
    // The real log keeps only what some webhook wants.
    await receiver.start();
    await subscribeEverything(h.app.url, TEST_API_KEY, receiver);
  });
  afterAll(async () => {
    await h?.close();
    await receiver.stop();
  });

  const syncRisks = async () => {
    const mark = log.events.length;
    const run = await h.app.sync.request(tenantId, 'test').done;
    expect(run.status, run.warnings.join(' | ')).not.toBe('failed');
    return log.since(mark).filter((e) => e.type === 'm365.security.risk_detected');
  };
  const putAtRisk = (level: GraphRiskDetection['riskLevel'], day: string) => {
    const d = h.demo.server.data;
    d.extraRiskDetections = [...calm, detection(target, level, 'atRisk', day)];
    h.demo.server.setData(d);
  };

  it('the first sync is a baseline; a user newly at risk, then raised to high (a component dropping with it), each once', async () => {
    expect(await syncRisks()).toEqual([]);

    putAtRisk('medium', '2026-12-01');
    const medium = await syncRisks();
    expect(medium.map((e) => e.data.kind)).toEqual(['risky_user', 'risk_detection']);
    expect(medium.find((e) => e.data.kind === 'risk_detection')?.data).toMatchObject({
      user_id: target.id,
      user_principal_name: target.userPrincipalName,
      risk_event_type: 'leakedCredentials',
      risk_level: 'medium',
      detected_at: '2026-12-01T08:00:00Z',
    });
    expect(medium.filter((e) => e.data.kind === 'risky_user').map((e) => e.data)).toEqual([
      expect.objectContaining({
        kind: 'risky_user',
        user_id: target.id,
        user_principal_name: target.userPrincipalName,
        display_name: target.displayName,
        risk_level: 'medium',
        previous_risk_level: null,
        risk_state: 'atRisk',
        risk_last_updated: '2026-12-01T08:00:00Z',
      }),
    ]);
    expect(medium[0].tenantId).toBe(tenantId);

    expect(await syncRisks()).toEqual([]);

    putAtRisk('high', '2026-12-03');
    const high = await syncRisks();
    expect(high.map((e) => e.data.kind).sort()).toEqual(['component_status_dropped', 'risk_detection', 'risky_user']);
    expect(high.find((e) => e.data.kind === 'risky_user')?.data).toMatchObject({
      risk_level: 'high',
      previous_risk_level: 'medium',
    });
    expect(high.find((e) => e.data.kind === 'component_status_dropped')?.data).toMatchObject({
      component: 'identity_protection',
      previous_status: 'excellent',
      status: 'fair',
      previous_score: 14,
      score: 10,
      score_max: 15,
    });

    expect(await syncRisks()).toEqual([]);

    // The real log (SQLite) holds these five risk events and the syncs' outcomes, nothing more.
    expect(log.ofType('m365.security.risk_detected')).toHaveLength(5);
    expectRealLogHolds(h.app.db, log.events, h.app.tenants.list());
  });
});
