/**
 * The seats an admin should hear about by name in the digest, beyond the idle list: an account that
 * is disabled but still holds a seat, a new seat inside its grace period, a seat kept only because the
 * audit log saw use the usage report has not caught up with, and seats on the exclusion list.
 */
import { productName } from './product-names';
import { dayText } from './time-text';
import { daysBetween, type AnalyticsSettings, type SeatAssessment, type SeatFacts } from './seat-analytics';

export type HighlightKind = 'disabled' | 'grace' | 'saved_by_audit' | 'excluded_by_list';

export interface SeatHighlight {
  kind: HighlightKind;
  name: string;
  text: string;
}

/** At most this many of each kind: the digest names examples, the lists give all. */
export const HIGHLIGHTS_PER_KIND = 2;

export function seatHighlights(
  seats: ReadonlyArray<{ facts: SeatFacts; assessment: SeatAssessment }>,
  today: string,
  settings: AnalyticsSettings,
): SeatHighlight[] {
  const out: SeatHighlight[] = [];
  const count: Record<HighlightKind, number> = { disabled: 0, grace: 0, saved_by_audit: 0, excluded_by_list: 0 };
  const add = (kind: HighlightKind, facts: SeatFacts, text: string) => {
    if (count[kind] >= HIGHLIGHTS_PER_KIND) return;
    count[kind]++;
    out.push({ kind, name: facts.displayName ?? facts.userPrincipalName, text });
  };
  for (const { facts, assessment } of seats) {
    if (!facts.accountEnabled && assessment.recommendation === 'reclaim') {
      add(
        'disabled',
        facts,
        `The account is disabled but still holds a ${productName(facts.skuPartNumber)} seat: reclaim (certain).`,
      );
    } else if (facts.excludedBy && assessment.recommendation === 'excluded') {
      add('excluded_by_list', facts, `On the exclusion list (${facts.excludedBy}): never recommended for reclaim.`);
    } else if (assessment.recommendation === 'excluded') {
      add('grace', facts, assessment.reasons[0] ?? 'New seat, inside the grace period.');
    } else if (
      assessment.status === 'active' &&
      assessment.lastActivitySource === 'audit_log' &&
      facts.report.state === 'matched'
    ) {
      const reportDay = facts.report.lastActivityDate;
      const reportSaysIdle = reportDay === null || daysBetween(reportDay, today) >= settings.inactiveDays;
      if (reportSaysIdle) {
        add(
          'saved_by_audit',
          facts,
          `Kept: the audit log shows Copilot use on ${dayText(assessment.lastActivityDate ?? '')}, while the usage report of ${dayText(facts.report.refreshDate)} shows ${reportDay ? `none since ${dayText(reportDay)}` : 'none at all'}.`,
        );
      }
    }
  }
  return out;
}
