import type { SourceStatusRecord } from '../../domain/activity-sources';
import type { PostureFigures } from '../../domain/identity';
import { securityRiskEvents, type SecurityObservation } from '../../domain/security-events';
import { SCORED_COMPONENTS } from '../../domain/security-scoring';
import { hashedEventId } from '../webhooks/event-ids';
import type { WebhookEventLog } from '../webhooks/ports';
import type { IdentityReads, SecurityObservations } from './ports';
import { securityReport } from './security-report';

export interface SecurityRiskDeps {
  identity: IdentityReads;
  mfaStatus: (tenantId: string) => SourceStatusRecord | undefined;
  observations: SecurityObservations;
  events: WebhookEventLog;
}

/**
 * After a sync's sources landed: what the security report says now (the same statuses the
 * security card and GET …/security show) against what the previous sync saw, as
 * `m365.security.risk_detected` events; then this observation becomes the one to compare with.
 * The events are recorded before the observation is saved: if the save fails, the next sync finds
 * the same risks again with the same ids, which the event log keeps once. Returns how many.
 */
export function recordSecurityRisks(deps: SecurityRiskDeps, tenantId: string, runId: number, now: Date): number {
  const report = securityReport(tenantId, deps.identity, deps.mfaStatus(tenantId), now);
  const components: SecurityObservation['components'] = {};
  for (const c of SCORED_COMPONENTS)
    components[c] = { status: report[c].status ?? 'unknown', score: report[c].score, max: report[c].score_max };
  const protection = deps.identity.posture(tenantId).find((r) => r.component === 'identity_protection');
  const read =
    protection && protection.errorCode === null && protection.figures
      ? (protection.figures as PostureFigures['identity_protection'])
      : undefined;
  const riskyNow = read?.risky_users ?? null;
  const detectionsNow = read?.open_detections ?? null;
  const previous = deps.observations.last(tenantId);
  const current: SecurityObservation = { runId, components, riskyUsers: riskyNow, riskDetections: detectionsNow };
  const events = securityRiskEvents(tenantId, previous, current, now.toISOString(), hashedEventId);
  if (events.length > 0) deps.events.record(events);
  // Not readable this time: the last ones read stay the reference for the next read.
  deps.observations.save(
    tenantId,
    {
      ...current,
      riskyUsers: riskyNow ?? previous?.riskyUsers ?? null,
      riskDetections: detectionsNow ?? previous?.riskDetections ?? null,
    },
    now,
  );
  return events.length;
}
