import { exclusionOf, type ExclusionRules } from './seat-analytics';

/** Why a seat whose holder answered Keep is left alone: the analytics and the reclaim re-check say it alike. */
export function keptSeatText(until: string): string {
  return `the holder chose to keep the seat until ${until.slice(0, 10)} (RECLAIM_KEEP_DAYS)`;
}

/**
 * Why a seat must not be reclaimed now, or null: the holder kept it; the latest analytics excluded it
 * (they applied every EXCLUDE_* rule, group membership included); or the rules as configured now
 * cover the holder, in case they changed since those analytics (a restart with new settings).
 */
export function exclusionNow(input: {
  keptUntil: string | null;
  /** The seat in the latest analytics, when they have it. */
  seat: { recommendation: string; reasons: readonly string[]; department: string | null } | undefined;
  holder: { userId: string; userPrincipalName: string };
  exclusions: ExclusionRules;
}): string | null {
  if (input.keptUntil) return keptSeatText(input.keptUntil);
  if (input.seat?.recommendation === 'excluded') return input.seat.reasons[0] ?? 'on the exclusion list';
  // Group membership is not known here: the analytics above applied it.
  const rule = exclusionOf(
    { ...input.holder, department: input.seat?.department ?? null, groupIds: new Set() },
    input.exclusions,
  );
  return rule ? `on the exclusion list: ${rule}` : null;
}
