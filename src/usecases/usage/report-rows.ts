import { TenantAccessError } from '../../domain/tenant-access-error';
import { isConcealedId, isIsoDay } from '../../domain/usage';
import { normaliseColumn } from '../../domain/usage';
import type { ReportRow } from './ports';

/**
 * Turns a report's rows into stored rows, checking its columns once and each row's dates. A row
 * with a malformed date is left out (its user is then unknown, never inactive) and counted for
 * the warning; a report without its key columns is refused whole.
 */
export class ReportRowChecker {
  private readonly known: Set<string>;
  private checked = false;
  private readonly unknown: string[] = [];
  private readonly missing: string[] = [];
  malformed = 0;
  private example: string | null = null;
  rows = 0;
  concealed = 0;
  reportRefreshDate: string | null = null;

  constructor(
    private readonly what: string,
    private readonly required: readonly string[],
    optional: readonly string[],
    /** Graph columns Seat Steward reads nothing from but knows are there. */
    ignored: readonly string[],
  ) {
    this.known = new Set([...required, ...optional, ...ignored].map(normaliseColumn));
    this.optional = optional.map(normaliseColumn);
  }

  private readonly optional: string[];
  /** The last row counted as malformed: a row with several bad values is one row left out. */
  private lastBad: ReportRow | null = null;

  /** Counts a row left out (once, however many of its values are bad). */
  leftOut(row: ReportRow, example: string): void {
    this.example ??= example;
    if (this.lastBad === row) return;
    this.lastBad = row;
    this.malformed++;
  }

  columns(columns: readonly string[]): void {
    if (this.checked) return;
    this.checked = true;
    const present = new Set(columns);
    const absent = this.required.map(normaliseColumn).filter((c) => !present.has(c));
    if (absent.length > 0) {
      throw new TenantAccessError(
        'report_format_changed',
        `${this.what} no longer has the column(s) ${absent.join(', ')} Seat Steward needs (its columns: ${columns.join(', ')}). Nothing was stored; the previous report is kept. Seat Steward needs an update for this report format.`,
      );
    }
    for (const c of columns) if (!this.known.has(c) && c !== '__malformed') this.unknown.push(c);
    for (const c of this.optional) if (!present.has(c)) this.missing.push(c);
  }

  /** A date column's value, or undefined when it is malformed (the row is then skipped). */
  date(row: ReportRow, column: string): string | null | undefined {
    const v = row[column] ?? null;
    if (v === null) return null;
    const day = v.length > 10 && /^\d{4}-\d{2}-\d{2}T/.test(v) ? v.slice(0, 10) : v;
    if (isIsoDay(day)) return day;
    this.leftOut(row, `${column}="${v.slice(0, 40)}"`);
    return undefined;
  }

  /** The row's user key and whether the report concealed it; undefined when it has none. */
  user(row: ReportRow): { upn: string; concealed: boolean } | undefined {
    const raw = row.userprincipalname?.trim();
    if (!raw) {
      this.leftOut(row, 'an empty User Principal Name');
      return undefined;
    }
    const concealed = isConcealedId(raw);
    if (concealed) this.concealed++;
    return { upn: concealed ? raw.toUpperCase() : raw.toLowerCase(), concealed };
  }

  refreshDate(row: ReportRow): string | undefined {
    const d = this.date(row, 'reportrefreshdate');
    if (d === undefined || d === null) {
      if (d === null) this.leftOut(row, 'an empty Report Refresh Date');
      return undefined;
    }
    if (this.reportRefreshDate === null || d > this.reportRefreshDate) this.reportRefreshDate = d;
    return d;
  }

  warnings(): string[] {
    const out: string[] = [];
    if (this.rows === 0 && this.malformed === 0)
      out.push(`${this.what} was empty (no rows): nothing to store, so every user's activity from it is unknown.`);
    if (this.malformed > 0) {
      if (this.rows === 0) {
        throw new TenantAccessError(
          'report_format_changed',
          `${this.what}: none of its ${this.malformed} row(s) could be read (e.g. ${this.example}). Nothing was stored; the previous report is kept.`,
        );
      }
      out.push(
        `${this.what}: ${this.malformed} row(s) with a malformed value were left out (e.g. ${this.example}); those users' activity from this report is unknown, not inactive.`,
      );
    }
    if (this.unknown.length > 0)
      out.push(`${this.what} has column(s) Seat Steward does not know, ignored: ${this.unknown.join(', ')}.`);
    if (this.missing.length > 0)
      out.push(`${this.what} lacks the column(s) ${this.missing.join(', ')}: those dates are stored as unknown.`);
    return out;
  }
}

/** A per-user report row that read cleanly: its user, refresh date and each asked-for date column. */
export interface DatedUserRow<K extends string> {
  row: ReportRow;
  user: { upn: string; concealed: boolean };
  refreshDate: string;
  dates: Record<K, string | null>;
}

/**
 * The rows of a per-user report whose user, refresh date and every date in `columns` read cleanly,
 * counted as stored; the others are left out (counted as malformed by the checker).
 */
export function datedUserRows<K extends string>(
  rows: ReportRow[],
  checker: ReportRowChecker,
  columns: Record<K, string>,
): Array<DatedUserRow<K>> {
  const out: Array<DatedUserRow<K>> = [];
  for (const row of rows) {
    if (row.__malformed) {
      checker.malformed++;
      continue;
    }
    const user = checker.user(row);
    const refreshDate = checker.refreshDate(row);
    if (!user || refreshDate === undefined) continue;
    const dates = {} as Record<K, string | null>;
    let ok = true;
    for (const key of Object.keys(columns) as K[]) {
      const d = checker.date(row, columns[key]);
      if (d === undefined) ok = false;
      dates[key] = d ?? null;
    }
    if (!ok) continue;
    checker.rows++;
    out.push({ row, user, refreshDate, dates });
  }
  return out;
}
