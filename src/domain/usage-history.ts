import { addDays, daysBetween } from './seat-analytics';

/**
 * Daily history per user (tables of migration 25): what a day's values mean and how long they are
 * kept. The recording, the star schema exports and the seat cohorts all read these rules, so a
 * figure derived from the history has one definition.
 */

/** HISTORY_DAYS when unset: a little over a year, so a month compares with the same month a year before. */
export const DEFAULT_HISTORY_DAYS = 400;

/** The UTC day a sync's analytics stand for (the last sync of a day stands for the day). */
export function historyDayOf(at: Date): string {
  return at.toISOString().slice(0, 10);
}

/** The first day kept on `today`: `historyDays` days, today included. */
export function historyFirstDay(today: string, historyDays: number): string {
  return addDays(today, -(Math.max(1, historyDays) - 1));
}

/**
 * Days since the user's last Copilot activity on a captured `day`: whole UTC days from
 * last_activity_date to that day, never negative (a report dated after the day counts as 0); null
 * without any activity. The same count the seat analytics show on the day they were computed.
 */
export function daysSinceActivity(lastActivityDate: string | null, day: string): number | null {
  if (!lastActivityDate) return null;
  return Math.max(0, daysBetween(lastActivityDate, day));
}

/** One user's values on a captured day, as user_history stores them. */
export interface UserDayValues {
  hasCopilot: boolean;
  /** The Copilot seat's status that day; null without a seat. */
  copilotStatus: 'active' | 'inactive' | 'unknown' | null;
  /** The seat's usage score (0-100); null without a seat. */
  usageScore: number | null;
  /** The last day of Copilot activity known that day (ISO day), or null. */
  lastActivityDate: string | null;
  /** Sorted SKU ids the user holds in effect. */
  licenses: string[];
  department: string | null;
}

/** The index of the first of the sorted captured `days` on or after `day` (days.length when none is). */
export function firstDayAtOrAfter(days: readonly string[], day: string): number {
  let lo = 0;
  let hi = days.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if ((days[mid] as string) < day) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
