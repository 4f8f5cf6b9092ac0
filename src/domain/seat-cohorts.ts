import { daysBetween } from './seat-analytics';
import { firstDayAtOrAfter } from './usage-history';

/**
 * Seat cohorts: per calendar month (UTC), what became of a tenant's Copilot seats, from the daily
 * history (migration 25). Every figure's definition is here, used by the REST route, the CSV and the
 * digest alike.
 *
 * - A user **holds a seat in a month** when a captured day of that month has them with a Copilot seat.
 * - A user is **active in a month** when they hold a seat in it and a Copilot activity date recorded
 *   while they held a seat (last_activity_date, the day of their freshest Copilot evidence) falls in
 *   that month. The date is used rather than the seat's status, which says "used within
 *   INACTIVE_DAYS" and so would carry a use in early January into February; a use reported a few
 *   days late (the usage report lags) still counts for the month it happened in.
 * - **Retained**: active this month and last month. **Reactivated**: active this month, held a seat
 *   last month without being active. **Lapsed**: active last month, holds a seat this month and is
 *   not active. (Retained, reactivated and lapsed need both months captured; null otherwise.)
 * - **Newly assigned**: seat assignments that began in the month: a run of captured days with a seat
 *   whose first day falls in the month, the captured day before it having none. Seats held on the
 *   first day of the kept history began before it and are not counted.
 * - **Time to first use**: for the month's new assignments, the days from the first day with the
 *   seat to the first activity date on or after it (the median, and how many have been used so far).
 * - **Reclaimed**: seats removed through Seat Steward's reclaim workflow in the month (removal time,
 *   UTC), not undone.
 */

/** A run of captured days on which a user held a Copilot seat with the same values (user_history, has_copilot = 1). */
export interface SeatInterval {
  userKey: number;
  fromDay: string;
  /** Null: still current. */
  toDay: string | null;
  lastActivityDate: string | null;
}

export interface CohortInputs {
  /** The tenant's captured days (history_days), ascending: all of them, or at least from the day before the first interval. */
  capturedDays: readonly string[];
  /** The first captured day of the kept history: seats held on it began before it. */
  firstCapturedDay: string | null;
  /** Seat intervals by user, then from_day. */
  seatIntervals: Iterable<SeatInterval>;
  /** Seats removed through the reclaim workflow and not undone, per month (YYYY-MM). */
  reclaimedByMonth: ReadonlyMap<string, number>;
}

export interface CohortMonth {
  /** YYYY-MM. */
  month: string;
  /** Captured days in the month (0: no history; every figure but reclaimed is then 0). */
  capturedDays: number;
  /** The month is still running (the current month). */
  partial: boolean;
  seatHolders: number;
  active: number;
  retained: number | null;
  reactivated: number | null;
  lapsed: number | null;
  reclaimed: number;
  newlyAssigned: number;
  /** Of the month's new assignments: how many were used so far, and the median days to that first use. */
  firstUse: { used: number; medianDays: number | null };
}

/** YYYY-MM of an ISO day or date-time. */
export function monthOf(dayOrDateTime: string): string {
  return dayOrDateTime.slice(0, 7);
}

/** The month before a YYYY-MM month. */
export function previousMonth(month: string): string {
  const [y, m] = month.split('-').map(Number);
  return m === 1 ? `${y - 1}-12` : `${y}-${String(m - 1).padStart(2, '0')}`;
}

/** `count` months ending with the month of `now` (UTC), newest first. */
export function cohortMonths(now: Date, count: number): string[] {
  const out = [monthOf(now.toISOString())];
  while (out.length < count) out.push(previousMonth(out[out.length - 1]));
  return out;
}

/** The first and last day of a YYYY-MM month. */
export function monthBounds(month: string): { first: string; last: string } {
  const [y, m] = month.split('-').map(Number);
  const last = new Date(Date.UTC(y, m, 0)).toISOString().slice(0, 10);
  return { first: `${month}-01`, last };
}

/** Months a user is counted in, and their assignments. */
interface UserMonths {
  held: Set<string>;
  activity: Set<string>;
  starts: Array<{ day: string; firstUse: string | null }>;
}

function median(values: number[]): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/** One user's seat intervals (in from_day order) reduced to the months they count in and their assignments. */
function userMonths(
  intervals: readonly SeatInterval[],
  days: readonly string[],
  capturedMonths: ReadonlySet<string>,
  first: string | null,
): UserMonths {
  const out: UserMonths = { held: new Set(), activity: new Set(), starts: [] };
  let previousEnd = -1;
  let run: { day: string; firstUse: string | null } | null = null;
  for (const interval of intervals) {
    // The captured days the interval covers: days[from..to].
    const from = firstDayAtOrAfter(days, interval.fromDay);
    const to = interval.toDay === null ? days.length - 1 : firstDayAtOrAfter(days, interval.toDay + '\u0000') - 1;
    if (from > to) continue;
    const fromMonth = monthOf(days[from]);
    const toMonth = monthOf(days[to]);
    out.held.add(fromMonth).add(toMonth);
    // A month between the two holds the seat when any day of it was captured (all lie inside the interval).
    for (let m = previousMonth(toMonth); m > fromMonth; m = previousMonth(m))
      if (capturedMonths.has(m)) out.held.add(m);
    if (interval.lastActivityDate) out.activity.add(monthOf(interval.lastActivityDate));
    // A new run of seat days unless this interval follows the last one on the next captured day.
    if (run === null || from !== previousEnd + 1) {
      run = { day: days[from], firstUse: null };
      // Held on the first day of the kept history: it began before the history, so it is no new assignment.
      if (first === null || days[from] > first) out.starts.push(run);
    }
    if (run.firstUse === null && interval.lastActivityDate && interval.lastActivityDate >= run.day)
      run.firstUse = interval.lastActivityDate;
    previousEnd = to;
  }
  return out;
}

/** The active rule: a seat held in the month and Copilot activity recorded in it. */
export function activeIn(user: Pick<UserMonths, 'held' | 'activity'>, month: string): boolean {
  return user.held.has(month) && user.activity.has(month);
}

/** The cohort figures of each of `months` (any order; returned in the same order). */
export function seatCohorts(inputs: CohortInputs, months: readonly string[], now: Date): CohortMonth[] {
  const days = inputs.capturedDays;
  const currentMonth = monthOf(now.toISOString());
  const daysPerMonth = new Map<string, number>();
  for (const d of days) daysPerMonth.set(monthOf(d), (daysPerMonth.get(monthOf(d)) ?? 0) + 1);
  const capturedMonths: ReadonlySet<string> = new Set(daysPerMonth.keys());
  const figures = new Map(
    months.map((month) => [
      month,
      {
        seatHolders: 0,
        active: 0,
        retained: 0,
        reactivated: 0,
        lapsed: 0,
        newlyAssigned: 0,
        firstUseDays: [] as number[],
      },
    ]),
  );
  const count = (user: UserMonths) => {
    for (const [month, f] of figures) {
      const last = previousMonth(month);
      const held = user.held.has(month);
      const active = activeIn(user, month);
      const activeBefore = activeIn(user, last);
      if (held) f.seatHolders++;
      if (active) f.active++;
      if (active && activeBefore) f.retained++;
      if (active && user.held.has(last) && !activeBefore) f.reactivated++;
      if (activeBefore && held && !active) f.lapsed++;
    }
    for (const start of user.starts) {
      const f = figures.get(monthOf(start.day));
      if (!f) continue;
      f.newlyAssigned++;
      if (start.firstUse !== null) f.firstUseDays.push(daysBetween(start.day, start.firstUse));
    }
  };
  let userKey: number | null = null;
  let intervals: SeatInterval[] = [];
  for (const interval of inputs.seatIntervals) {
    if (interval.userKey !== userKey) {
      if (intervals.length > 0) count(userMonths(intervals, days, capturedMonths, inputs.firstCapturedDay));
      userKey = interval.userKey;
      intervals = [];
    }
    intervals.push(interval);
  }
  if (intervals.length > 0) count(userMonths(intervals, days, capturedMonths, inputs.firstCapturedDay));

  return months.map((month) => {
    const f = figures.get(month);
    if (!f) throw new Error(`no figures for ${month}`);
    const capturedDays = daysPerMonth.get(month) ?? 0;
    const comparable = capturedDays > 0 && (daysPerMonth.get(previousMonth(month)) ?? 0) > 0;
    return {
      month,
      capturedDays,
      partial: month === currentMonth,
      seatHolders: f.seatHolders,
      active: f.active,
      retained: comparable ? f.retained : null,
      reactivated: comparable ? f.reactivated : null,
      lapsed: comparable ? f.lapsed : null,
      reclaimed: inputs.reclaimedByMonth.get(month) ?? 0,
      newlyAssigned: f.newlyAssigned,
      firstUse: { used: f.firstUseDays.length, medianDays: median(f.firstUseDays) },
    };
  });
}
