import type { AuditIngestStore } from './ports';

export interface AuditWindowOptions {
  /** Each window starts this much before the last one ended: records indexed late are still caught, and deduplicated by id. */
  overlapMs: number;
  /** How far back the first window reaches. */
  lookbackMs: number;
}

/** Where the next audit window starts: the end of the last covered one less the overlap, or the lookback on a first run. */
export function auditWindowStart(coveredUntil: string | null, now: number, options: AuditWindowOptions): number {
  return coveredUntil ? Date.parse(coveredUntil) - options.overlapMs : now - options.lookbackMs;
}

/**
 * After a run's records are committed: forgets interactions older than anything a window can
 * still reach, recomputes the Copilot Chat users without a seat, and says what was skipped.
 */
export function finishAuditIngest(
  store: AuditIngestStore,
  tenantId: string,
  pruneBefore: number,
  skipped: number,
  what: string,
): string[] {
  store.prune(tenantId, new Date(pruneBefore).toISOString());
  store.refreshUnlicensedChat(tenantId);
  return skipped > 0 ? [`${skipped} ${what} record(s) without a user, an id or a valid time were skipped.`] : [];
}
