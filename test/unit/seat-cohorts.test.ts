import { describe, expect, it } from 'vitest';
import {
  activeIn,
  cohortMonths,
  monthBounds,
  previousMonth,
  seatCohorts,
  type SeatInterval,
} from '../../src/domain/seat-cohorts';
import { daysSinceActivity, historyFirstDay } from '../../src/domain/usage-history';

/** Every day from `from` to `to` (ISO days). */
function daysFrom(from: string, to: string): string[] {
  const out: string[] = [];
  for (let t = Date.parse(`${from}T00:00:00Z`); t <= Date.parse(`${to}T00:00:00Z`); t += 86_400_000)
    out.push(new Date(t).toISOString().slice(0, 10));
  return out;
}
const seat = (
  userKey: number,
  fromDay: string,
  toDay: string | null,
  lastActivityDate: string | null,
): SeatInterval => ({
  userKey,
  fromDay,
  toDay,
  lastActivityDate,
});

describe('seat cohorts (pure rules)', () => {
  const capturedDays = daysFrom('2026-01-01', '2026-03-15');
  const intervals: SeatInterval[] = [
    // 1: used in January and February, idle in March.
    seat(1, '2026-01-01', '2026-01-09', null),
    seat(1, '2026-01-10', '2026-02-04', '2026-01-10'),
    seat(1, '2026-02-05', null, '2026-02-05'),
    // 2: held since before the history, last used in December; back in February.
    seat(2, '2026-01-01', '2026-02-09', '2025-12-20'),
    seat(2, '2026-02-10', null, '2026-02-10'),
    // 3: assigned 3 February, first used 5 days later.
    seat(3, '2026-02-03', '2026-02-07', null),
    seat(3, '2026-02-08', null, '2026-02-08'),
    // 4: assigned 2 March, not used yet.
    seat(4, '2026-03-02', null, null),
    // 5: held in January only (its seat went on 20 January).
    seat(5, '2026-01-01', '2026-01-20', null),
    // 6: used Copilot Chat in December without a seat; assigned 5 January, first used 2 days later, used in February.
    seat(6, '2026-01-05', '2026-01-06', '2025-12-01'),
    seat(6, '2026-01-07', '2026-02-01', '2026-01-07'),
    seat(6, '2026-02-02', null, '2026-02-02'),
    // 7: a seat until 10 January, then a new assignment on 20 January, never used.
    seat(7, '2026-01-01', '2026-01-10', null),
    seat(7, '2026-01-20', null, null),
  ];
  const now = new Date('2026-03-15T12:00:00Z');
  const months = cohortMonths(now, 3);
  const report = seatCohorts(
    {
      capturedDays,
      firstCapturedDay: '2026-01-01',
      seatIntervals: intervals,
      reclaimedByMonth: new Map([['2026-01', 1]]),
    },
    months,
    now,
  );
  const month = (m: string) => report.find((r) => r.month === m);

  it('lists months newest first, the current one partial', () => {
    expect(months).toEqual(['2026-03', '2026-02', '2026-01']);
    expect(report.map((r) => [r.month, r.capturedDays, r.partial])).toEqual([
      ['2026-03', 15, true],
      ['2026-02', 28, false],
      ['2026-01', 31, false],
    ]);
  });

  it('counts holders, active, retained, reactivated and lapsed by the active rule', () => {
    expect(month('2026-01')).toMatchObject({ seatHolders: 5, active: 2, reclaimed: 1 });
    // December has no captured day: nothing to compare January with.
    expect(month('2026-01')).toMatchObject({ retained: null, reactivated: null, lapsed: null });
    expect(month('2026-02')).toMatchObject({
      seatHolders: 5,
      active: 4,
      retained: 2,
      reactivated: 1,
      lapsed: 0,
      reclaimed: 0,
    });
    expect(month('2026-03')).toMatchObject({ seatHolders: 6, active: 0, retained: 0, reactivated: 0, lapsed: 4 });
  });

  it('counts new assignments (not those held on the first day of the history) and the days to first use', () => {
    expect(month('2026-01')).toMatchObject({ newlyAssigned: 2, firstUse: { used: 1, medianDays: 2 } });
    expect(month('2026-02')).toMatchObject({ newlyAssigned: 1, firstUse: { used: 1, medianDays: 5 } });
    expect(month('2026-03')).toMatchObject({ newlyAssigned: 1, firstUse: { used: 0, medianDays: null } });
  });

  it('a month without captured days has no holders even inside a seat interval', () => {
    // Captured in January and March only: an interval spanning February holds no February day.
    const sparse = seatCohorts(
      {
        capturedDays: ['2026-01-30', '2026-03-02'],
        firstCapturedDay: '2026-01-30',
        seatIntervals: [seat(1, '2026-01-30', null, '2026-02-14')],
        reclaimedByMonth: new Map(),
      },
      ['2026-03', '2026-02'],
      now,
    );
    expect(sparse.map((m) => [m.month, m.seatHolders, m.active, m.retained])).toEqual([
      ['2026-03', 1, 0, null],
      ['2026-02', 0, 0, null],
    ]);
  });

  it('active needs a seat held in the month and activity dated in it', () => {
    expect(activeIn({ held: new Set(['2026-02']), activity: new Set(['2026-02']) }, '2026-02')).toBe(true);
    expect(activeIn({ held: new Set(['2026-02']), activity: new Set(['2026-01']) }, '2026-02')).toBe(false);
    expect(activeIn({ held: new Set(['2026-01']), activity: new Set(['2026-02']) }, '2026-02')).toBe(false);
  });

  it('month helpers and the history rules', () => {
    expect(previousMonth('2026-01')).toBe('2025-12');
    expect(monthBounds('2028-02')).toEqual({ first: '2028-02-01', last: '2028-02-29' });
    expect(cohortMonths(new Date('2026-01-31T23:59:59Z'), 2)).toEqual(['2026-01', '2025-12']);
    expect(daysSinceActivity('2026-03-01', '2026-03-15')).toBe(14);
    expect(daysSinceActivity('2026-03-16', '2026-03-15')).toBe(0);
    expect(daysSinceActivity(null, '2026-03-15')).toBeNull();
    expect(historyFirstDay('2026-03-15', 400)).toBe('2025-02-09');
    expect(historyFirstDay('2026-03-15', 1)).toBe('2026-03-15');
  });
});
