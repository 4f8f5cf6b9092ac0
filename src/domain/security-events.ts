import type { RiskDetectionFigure, RiskyUserFigure } from './identity';
import type { ComponentRating, ScoredComponent } from './security-scoring';
import type { EventIdOf } from './snapshot-changes';
import type { WebhookEventInput } from './webhook-events';

/**
 * The rules behind `m365.security.risk_detected`: what a sync saw of the tenant's security, and
 * what counts as a new risk against what the previous sync saw.
 */

/** What one sync saw: each scored component's status (the security report's) and the users at risk. */
export interface SecurityObservation {
  /** The sync run that saw it. */
  runId: number;
  components: Partial<Record<ScoredComponent, { status: ComponentRating; score: number | null; max: number | null }>>;
  /** Null when Identity Protection could not be read this time (no permission or licence): nothing is concluded. */
  riskyUsers: RiskyUserFigure[] | null;
  /** The detections still at risk; null when not readable (absent in observations saved before they were kept). */
  riskDetections?: RiskDetectionFigure[] | null;
}

const RATING_RANK: Record<Exclude<ComponentRating, 'unknown'>, number> = { poor: 0, fair: 1, good: 2, excellent: 3 };
const RISK_RANK: Record<string, number> = { low: 1, medium: 2, high: 3 };

/**
 * The risks a sync found: a component whose status dropped a level or more (excellent → good, good
 * → poor...; a component unknown either time is not compared: an unreadable read is not a risk), a
 * user newly at risk, a user whose risk level rose, or a risk detection (still at risk) not seen before. With no previous observation (the first
 * sync that observes the tenant) there is nothing to compare: a baseline, no event. Ids: a status
 * drop from the observation it is measured against; a risky user from the user, level and
 * Identity Protection's own time of the risk, so the same risk is one event however often read.
 */
export function securityRiskEvents(
  tenantId: string,
  previous: SecurityObservation | undefined,
  current: SecurityObservation,
  occurredAt: string,
  idOf: EventIdOf,
): WebhookEventInput[] {
  if (!previous) return [];
  const events: WebhookEventInput[] = [];
  for (const [component, now] of Object.entries(current.components) as Array<
    [ScoredComponent, NonNullable<SecurityObservation['components'][ScoredComponent]>]
  >) {
    const was = previous.components[component];
    if (!was || was.status === 'unknown' || now.status === 'unknown') continue;
    if (RATING_RANK[now.status] >= RATING_RANK[was.status]) continue;
    events.push({
      id: idOf([tenantId, previous.runId, 'security.component', component, was.status, now.status]),
      type: 'm365.security.risk_detected',
      tenantId,
      occurredAt,
      data: {
        kind: 'component_status_dropped',
        component,
        previous_status: was.status,
        status: now.status,
        previous_score: was.score,
        score: now.score,
        score_max: now.max,
        sync_run_id: current.runId,
      },
    });
  }
  if (previous.riskyUsers !== null && current.riskyUsers !== null) {
    const before = new Map(previous.riskyUsers.map((u) => [u.user_id, u]));
    for (const user of [...current.riskyUsers].sort((a, b) => (a.user_id < b.user_id ? -1 : 1))) {
      const was = before.get(user.user_id);
      const raised = was !== undefined && (RISK_RANK[user.risk_level] ?? 0) > (RISK_RANK[was.risk_level] ?? 0);
      if (was !== undefined && !raised) continue;
      events.push({
        id: idOf([tenantId, 'security.risky_user', user.user_id, user.risk_level, user.risk_last_updated ?? '']),
        type: 'm365.security.risk_detected',
        tenantId,
        occurredAt,
        data: {
          kind: 'risky_user',
          user_id: user.user_id,
          user_principal_name: user.user_principal_name,
          display_name: user.display_name,
          risk_level: user.risk_level,
          previous_risk_level: was?.risk_level ?? null,
          risk_state: user.risk_state,
          risk_last_updated: user.risk_last_updated,
          sync_run_id: current.runId,
        },
      });
    }
  }
  const detectionsBefore = previous.riskDetections ?? null;
  if (detectionsBefore !== null && current.riskDetections) {
    const known = new Set(detectionsBefore.map((d) => d.id));
    for (const d of [...current.riskDetections].sort((a, b) => (a.id < b.id ? -1 : 1))) {
      if (known.has(d.id)) continue;
      events.push({
        id: idOf([tenantId, 'security.risk_detection', d.id]),
        type: 'm365.security.risk_detected',
        tenantId,
        occurredAt,
        data: {
          kind: 'risk_detection',
          detection_id: d.id,
          user_id: d.user_id,
          user_principal_name: d.user_principal_name,
          risk_event_type: d.risk_event_type,
          risk_level: d.risk_level,
          detected_at: d.detected_at,
          sync_run_id: current.runId,
        },
      });
    }
  }
  return events;
}
