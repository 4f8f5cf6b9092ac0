/**
 * The one way a day reads on every card ("21 Nov 2026"), here so that texts the domain writes
 * (renewal advice, highlights, reasons) read like the dates the cards format (src/cards/time-text.ts).
 */
export const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'] as const;

/** A day (YYYY-MM-DD, or the day of an ISO date-time) as an admin reads it, e.g. "21 Nov 2026". */
export function dayText(isoDay: string): string {
  const d = new Date(`${isoDay.slice(0, 10)}T00:00:00Z`);
  return Number.isNaN(d.getTime()) ? isoDay : `${d.getUTCDate()} ${MONTHS[d.getUTCMonth()]} ${d.getUTCFullYear()}`;
}
