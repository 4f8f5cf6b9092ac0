import { idleChangeText, NO_DEPARTMENT, type DepartmentFigures, type DepartmentReport } from '../domain/departments';
import { formatMoney, utilizationText } from '../domain/seat-savings';
import { clip } from '../domain/text';
import { dayText, utcText } from '../domain/time-text';
import type { ExportButtonData } from './export-views';
import { keepPlaceholders } from './placeholders';
import { NO_ANALYTICS_YET } from './view-models';

/** One row of the departments table: every cell already text. */
export interface DepartmentRowView {
  name: string;
  /** Under the name, small: "10 seats, 3 active · $300 a month" (the table keeps few columns: a narrow card breaks words). */
  detail: string;
  idle: string;
  utilization: string;
  idleMonthlyCost: string;
  /** How idle seats moved over the trend ("+2", "−1", "±0"), or "new" with one day only. */
  trend: string;
}

/** View model of cards/departments.json: aggregates only (no names), so anyone may read it. */
export interface DepartmentsView {
  tenantName: string;
  /** False before the first analytics: the card says why instead of showing zeros. */
  available: boolean;
  unavailableText: string;
  asOfText: string;
  headline: string;
  totalsText: string;
  hasRows: boolean;
  rows: DepartmentRowView[];
  moreText: string;
  hasTrend: boolean;
  trendTitle: string;
  /** Chart.Line: the active and idle seats of all departments per day with a sync (x: day of the month, as the digest's). */
  trendChart: Array<{ legend: string; values: Array<{ x: string; y: number }> }>;
  noteText: string;
  warnings: Array<{ text: string }>;
  /** Export CSV (Action.Execute export.link, signed when pressed); empty for non-admins. */
  exports: Array<{ title: string; data: ExportButtonData }>;
  exportNote: string;
}

/** Rows shown; the rest are counted ("and N more") and are in the CSV and the REST route. */
export const DEPARTMENT_CARD_ROWS = 10;

const n = (value: number): string => value.toLocaleString('en-US');

export interface DepartmentsInput {
  tenantName: string;
  report: DepartmentReport;
  exports: { buttons: Array<{ title: string; data: ExportButtonData }>; note: string };
}

export function departmentsUnavailableView(tenantName: string): DepartmentsView {
  return {
    ...empty(tenantName),
    available: false,
    unavailableText: NO_ANALYTICS_YET,
  };
}

function empty(tenantName: string): DepartmentsView {
  return {
    tenantName,
    available: true,
    unavailableText: '',
    asOfText: '',
    headline: '',
    totalsText: '',
    hasRows: false,
    rows: [],
    moreText: '',
    hasTrend: false,
    trendTitle: '',
    trendChart: [],
    noteText: '',
    warnings: [],
    exports: [],
    exportNote: '',
  };
}

export function departmentsView(input: DepartmentsInput): DepartmentsView {
  const { report } = input;
  const money = (amount: number | null) => (amount === null ? '–' : formatMoney(amount, report.currency));
  const t = report.totals;
  const shown = report.departments.slice(0, DEPARTMENT_CARD_ROWS);
  const hidden = report.departments.length - shown.length;
  const trend = report.totalsTrend;
  const headline =
    t.seats === 0
      ? 'No Copilot seats are assigned.'
      : t.idle === 0
        ? 'No idle Copilot seats: every department uses its seats or has them under review.'
        : t.idleMonthlyCost === null
          ? `${n(t.idle)} idle seats; their cost cannot be added up (see below).`
          : `Idle seats cost ${money(t.idleMonthlyCost)} a month`;
  return {
    ...empty(input.tenantName),
    asOfText: `Seats as of ${utcText(report.asOf)} · costed at today's prices`,
    headline,
    totalsText: totalsText(t, money, report.departments.length),
    hasRows: shown.length > 0,
    rows: shown.map((d) => ({
      // Entra allows 64 characters; a longer one (another source) must not push the card over its limit.
      name: clip(d.name, 80),
      detail: `${n(d.seats)} seat${d.seats === 1 ? '' : 's'}, ${n(d.active)} active · ${money(d.monthlyCost)} a month`,
      idle: n(d.idle),
      utilization: d.utilization.percent === null ? '–' : `${d.utilization.percent}%`,
      idleMonthlyCost: money(d.idleMonthlyCost),
      trend: d.trend.length < 2 ? 'new' : idleChangeText(d.trend),
    })),
    moreText:
      hidden > 0
        ? `and ${n(hidden)} more department${hidden === 1 ? '' : 's'} with less idle cost (all of them: Export CSV, or GET …/copilot/departments)`
        : '',
    hasTrend: trend.length >= 2,
    trendTitle:
      trend.length >= 2
        ? `Idle and active seats, all departments: ${dayText(trend[0].date)} to ${dayText(trend[trend.length - 1].date)} (the last sync of each day)`
        : '',
    trendChart:
      trend.length >= 2
        ? [
            { legend: 'Idle seats', values: trend.map((p) => ({ x: dayOfMonth(p.date), y: p.idle })) },
            { legend: 'Active seats', values: trend.map((p) => ({ x: dayOfMonth(p.date), y: p.active })) },
          ]
        : [],
    noteText: `Idle = seats to reclaim (certain and probable), as in **inactive** and the digest. Use = active of the department's seats. Trend = change in idle seats over the last ${report.trendDays} days ("new": one day so far).${report.departments.some((d) => d.key === '') ? ` ${NO_DEPARTMENT} = seat holders whose directory entry has none.` : ''}`,
    warnings: report.warnings.map((text) => ({ text: keepPlaceholders(text) })),
    exports: input.exports.buttons,
    exportNote:
      input.exports.buttons.length > 0
        ? 'Export CSV posts a fresh download link of every department when pressed.'
        : input.exports.note,
  };
}

/** "21": the Playground cuts longer x labels ("21 Nov" became "2…"); the chart's title gives the dates. */
function dayOfMonth(isoDay: string): string {
  return String(Number(isoDay.slice(8, 10)));
}

function totalsText(t: DepartmentFigures, money: (amount: number | null) => string, departments: number): string {
  if (t.seats === 0) return '';
  return `**${n(departments)} department${departments === 1 ? '' : 's'}**: ${n(t.seats)} seats, ${n(t.idle)} idle · utilization ${utilizationText(t.utilization)} · ${money(t.monthlyCost)} a month in all, ${money(t.idleMonthlyCost)} of it idle`;
}
