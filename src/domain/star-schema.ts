/**
 * The Power BI star schema of seed 002 §2.1 ("Copilot License Analytics"): fact_user_usage, one row
 * per user per captured day, and its four dimensions. The CSV files, the zip and the OData feed all
 * read these rules, so a column means the same in each.
 *
 * What the seed leaves open, decided here so that the seed's DAX measures give the REST summary's
 * figures for the same day (see the README, "Power BI"):
 * - UsageCategory is the day's Copilot seat status for seat holders ("Active", "Inactive", "Unknown")
 *   and "No Copilot License" for everyone else. So `Active Users` counts seat holders with Copilot use
 *   within INACTIVE_DAYS (the summary's `active`), and `Utilization Rate` is that over seat holders
 *   (the summary's `utilization_rate`); people without a seat never count as active or inactive.
 * - LicenseKey is the licence a fact row is counted under: the user's Copilot SKU when they hold one
 *   (the lowest SKU id when several), else their first licence by SKU id (Graph gives no "primary"
 *   licence, so the choice is the stable one), else the "(No licence)" member (key 0).
 * - DepartmentKey: departments are matched case-insensitively as the departments feature does
 *   (departmentKey), with people without one in the named "(No department)" member (key 0).
 * - Surrogate keys are stable from day to day and across exports: UserKey is history_user_keys'
 *   key; LicenseKey and DepartmentKey are a 52-bit FNV-1a hash of the lower-case SKU id or department
 *   key (deterministic without a table, exact in a Power BI Int64 and in a JavaScript number).
 * - DaysSinceLastActivity is worked out per day from the stored last activity date (never stored).
 */
import { departmentKey, NO_DEPARTMENT } from './departments';
import { productName } from './product-names';
import { MONTH_NAMES, MONTHS } from './time-text';
import { daysSinceActivity } from './usage-history';

export const STAR_TABLES = ['fact_user_usage', 'dim_user', 'dim_date', 'dim_department', 'dim_license'] as const;
export type StarTable = (typeof STAR_TABLES)[number];

export function isStarTable(name: string): name is StarTable {
  return (STAR_TABLES as readonly string[]).includes(name);
}

/** Column types, named as OData's EDM types (the CSV writes them as text, the feed as JSON). */
export type StarColumnType = 'Int64' | 'Int32' | 'String' | 'Boolean' | 'Date' | 'Decimal';

export interface StarColumn {
  name: string;
  type: StarColumnType;
  nullable: boolean;
  description: string;
}

const col = (name: string, type: StarColumnType, nullable: boolean, description: string): StarColumn => ({
  name,
  type,
  nullable,
  description,
});

/** Every table's columns in file order; the first `STAR_KEYS[table]` columns are its key. */
export const STAR_COLUMNS: Record<StarTable, readonly StarColumn[]> = {
  fact_user_usage: [
    col('UserKey', 'Int64', false, 'dim_user.UserKey'),
    col('DateKey', 'Int64', false, 'dim_date.DateKey: the captured UTC day as YYYYMMDD'),
    col('DepartmentKey', 'Int64', false, "dim_department.DepartmentKey: the user's department that day"),
    col(
      'LicenseKey',
      'Int64',
      false,
      'dim_license.LicenseKey: the Copilot SKU for seat holders, else the first licence',
    ),
    col('UsageCategory', 'String', false, 'Active, Inactive, Unknown (seat holders) or No Copilot License'),
    col('UsageScore', 'Int32', true, "0-100, the seat's usage score that day; blank without a seat"),
    col(
      'DaysSinceLastActivity',
      'Int32',
      true,
      'Days from the last Copilot activity to that day; blank when none known',
    ),
    col('LastActivityDate', 'Date', true, 'The last Copilot activity known that day'),
    col('HasCopilotLicense', 'Boolean', false, 'Held a Copilot seat that day'),
    col('LicenseCount', 'Int32', false, 'How many licences (SKUs) the user held that day'),
  ],
  dim_user: [
    col('UserKey', 'Int64', false, 'Surrogate key, stable for the user across days and exports'),
    col('UserId', 'String', false, 'Entra object id'),
    col('UserPrincipalName', 'String', true, 'From the current directory snapshot; blank once the user is gone'),
    col('DisplayName', 'String', true, 'From the current directory snapshot'),
    col('Mail', 'String', true, 'From the current directory snapshot'),
    col('JobTitle', 'String', true, 'From the current directory snapshot'),
    col('OfficeLocation', 'String', true, 'From the current directory snapshot'),
    col('AccountEnabled', 'Boolean', true, 'From the current directory snapshot'),
    col('Department', 'String', false, "The department on the user's latest captured day, or (No department)"),
    col('HasCopilotLicense', 'Boolean', false, "Holds a Copilot seat on the user's latest captured day"),
    col(
      'CopilotStatus',
      'String',
      true,
      "active, inactive or unknown on the user's latest captured day; blank without a seat",
    ),
    col('FirstDateKey', 'Int64', false, 'First captured day the user is in (YYYYMMDD)'),
    col('LastDateKey', 'Int64', false, 'Last captured day the user is in (YYYYMMDD)'),
    col('InDirectory', 'Boolean', false, 'In the current directory snapshot'),
  ],
  dim_date: [
    col('DateKey', 'Int64', false, 'YYYYMMDD'),
    col('Date', 'Date', false, 'The UTC day'),
    col('Year', 'Int32', false, ''),
    col('Quarter', 'Int32', false, '1-4'),
    col('QuarterName', 'String', false, 'Q1-Q4'),
    col('Month', 'Int32', false, '1-12'),
    col('MonthName', 'String', false, 'January-December'),
    col('MonthShortName', 'String', false, 'Jan-Dec'),
    col('YearMonth', 'String', false, 'YYYY-MM'),
    col('Day', 'Int32', false, 'Day of the month'),
    col('DayOfWeek', 'Int32', false, 'ISO: 1 = Monday … 7 = Sunday'),
    col('DayName', 'String', false, 'Monday-Sunday'),
    col('IsWeekend', 'Boolean', false, 'Saturday or Sunday'),
    col('IsCaptured', 'Boolean', false, 'A sync captured the day (it has facts)'),
  ],
  dim_department: [
    col('DepartmentKey', 'Int64', false, 'Surrogate key: 0 for (No department), else a hash of the lower-case name'),
    col('Department', 'String', false, 'As the directory spells it (its latest spelling), or (No department)'),
    col('IsNoDepartment', 'Boolean', false, 'The member for people without a department'),
  ],
  dim_license: [
    col('LicenseKey', 'Int64', false, 'Surrogate key: 0 for (No licence), else a hash of the SKU id'),
    col('SkuId', 'String', true, 'Blank for (No licence)'),
    col('SkuPartNumber', 'String', true, 'From the current snapshot; blank for a SKU the tenant no longer has'),
    col('ProductName', 'String', false, 'The commercial name'),
    col('IsCopilot', 'Boolean', false, 'A Microsoft 365 Copilot SKU'),
    col(
      'MonthlyPrice',
      'Decimal',
      true,
      'Per user per month (admin price, SKU_PRICES, else the Copilot list price); blank when unpriced',
    ),
    col('Currency', 'String', true, ''),
    col('PriceSource', 'String', true, 'admin, config or list_price'),
  ],
};

/** How many leading columns make each table's key (the fact's is UserKey + DateKey). */
export const STAR_KEYS: Record<StarTable, readonly string[]> = {
  fact_user_usage: ['UserKey', 'DateKey'],
  dim_user: ['UserKey'],
  dim_date: ['DateKey'],
  dim_department: ['DepartmentKey'],
  dim_license: ['LicenseKey'],
};

/** The four relationships of seed 002 §2.1: many fact rows to one dimension row, on the same column name. */
export const STAR_RELATIONSHIPS: ReadonlyArray<{ dimension: StarTable; column: string }> = [
  { dimension: 'dim_user', column: 'UserKey' },
  { dimension: 'dim_date', column: 'DateKey' },
  { dimension: 'dim_department', column: 'DepartmentKey' },
  { dimension: 'dim_license', column: 'LicenseKey' },
];

export type StarValue = string | number | boolean | null;
export type StarRow = Record<string, StarValue>;

export const USAGE_CATEGORIES = ['Active', 'Inactive', 'Unknown', 'No Copilot License'] as const;
export type UsageCategory = (typeof USAGE_CATEGORIES)[number];

export type CopilotDayStatus = 'active' | 'inactive' | 'unknown';

/** A seat holder's category is the seat's status that day; without a seat, "No Copilot License". */
export function usageCategory(hasCopilot: boolean, status: CopilotDayStatus | null): UsageCategory {
  if (!hasCopilot) return 'No Copilot License';
  if (status === 'active') return 'Active';
  if (status === 'inactive') return 'Inactive';
  return 'Unknown';
}

export const NO_LICENSE_KEY = 0;
export const NO_LICENSE_NAME = '(No licence)';
export const NO_DEPARTMENT_KEY = 0;

/** YYYYMMDD of an ISO day. */
export function dateKey(day: string): number {
  return Number(day.slice(0, 10).replace(/-/g, ''));
}

export function dayOfDateKey(key: number): string {
  const s = String(key).padStart(8, '0');
  return `${s.slice(0, 4)}-${s.slice(4, 6)}-${s.slice(6, 8)}`;
}

const FNV_PRIME = 0x100000001b3n;
const FNV_OFFSET = 0xcbf29ce484222325n;
const MASK_64 = (1n << 64n) - 1n;
const MASK_52 = (1n << 52n) - 1n;

/**
 * FNV-1a 64 over the UTF-16 code units, cut to 52 bits, never 0 (0 is each dimension's "none" member).
 * A fact table asks this for every row about a few hundred distinct SKUs and departments, so keys
 * are remembered (a pure function: same answer).
 */
const keys = new Map<string, number>();
function stableKey(text: string): number {
  let key = keys.get(text);
  if (key === undefined) {
    key = fnv52(text);
    if (keys.size > 10_000) keys.clear();
    keys.set(text, key);
  }
  return key;
}

function fnv52(text: string): number {
  let h = FNV_OFFSET;
  for (let i = 0; i < text.length; i += 1) {
    h ^= BigInt(text.charCodeAt(i));
    h = (h * FNV_PRIME) & MASK_64;
  }
  const key = Number(h & MASK_52);
  return key === 0 ? 1 : key;
}

export function licenseKeyOf(skuId: string | null): number {
  return skuId === null ? NO_LICENSE_KEY : stableKey(`sku:${skuId.toLowerCase()}`);
}

export function departmentKeyOf(department: string | null): number {
  const key = departmentKey(department);
  return key === '' ? NO_DEPARTMENT_KEY : stableKey(`department:${key}`);
}

/** A department as dim_user shows it: as the directory spells it, or the (No department) member's name. */
export function departmentName(department: string | null): string {
  return department === null || departmentKey(department) === '' ? NO_DEPARTMENT : department;
}

/** The licence a fact row is counted under: the Copilot SKU for seat holders, else the first SKU held, else none. */
export function factLicense(
  licenses: readonly string[],
  hasCopilot: boolean,
  isCopilot: (skuId: string) => boolean,
): string | null {
  const sorted = [...licenses].map((l) => l.toLowerCase()).sort();
  if (hasCopilot) {
    const copilot = sorted.find(isCopilot);
    if (copilot) return copilot;
  }
  return sorted[0] ?? null;
}

/**
 * A run of days with the same values for one user (user_history): it covers every captured day
 * from fromDay to toDay, both included (toDay null: still current).
 */
export interface HistoryRun {
  userKey: number;
  fromDay: string;
  toDay: string | null;
  hasCopilot: boolean;
  copilotStatus: CopilotDayStatus | null;
  usageScore: number | null;
  lastActivityDate: string | null;
  /** Sorted SKU ids held. */
  licenses: string[];
  department: string | null;
}

/** The fact row of a run on one captured day it covers. */
export function factRow(run: HistoryRun, day: string, isCopilot: (skuId: string) => boolean): StarRow {
  return factRows(run, isCopilot)(day);
}

/** The fact rows of a run, by day: what is the same every day of the run is worked out once. */
export function factRows(run: HistoryRun, isCopilot: (skuId: string) => boolean): (day: string) => StarRow {
  const departmentKey = departmentKeyOf(run.department);
  const licenseKey = licenseKeyOf(factLicense(run.licenses, run.hasCopilot, isCopilot));
  const category = usageCategory(run.hasCopilot, run.copilotStatus);
  const lastActivity = run.lastActivityDate ? run.lastActivityDate.slice(0, 10) : null;
  return (day) => ({
    UserKey: run.userKey,
    DateKey: dateKey(day),
    DepartmentKey: departmentKey,
    LicenseKey: licenseKey,
    UsageCategory: category,
    UsageScore: run.usageScore,
    DaysSinceLastActivity: daysSinceActivity(run.lastActivityDate, day),
    LastActivityDate: lastActivity,
    HasCopilotLicense: run.hasCopilot,
    LicenseCount: run.licenses.length,
  });
}

const DAY_NAMES = ['Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday', 'Sunday'] as const;

/** One dim_date row; `captured` says whether a sync captured the day. */
export function dateRow(day: string, captured: boolean): StarRow {
  const date = new Date(`${day}T00:00:00Z`);
  const month = date.getUTCMonth() + 1;
  const isoWeekday = ((date.getUTCDay() + 6) % 7) + 1;
  const quarter = Math.ceil(month / 3);
  return {
    DateKey: dateKey(day),
    Date: day,
    Year: date.getUTCFullYear(),
    Quarter: quarter,
    QuarterName: `Q${quarter}`,
    Month: month,
    MonthName: MONTH_NAMES[month - 1],
    MonthShortName: MONTHS[month - 1],
    YearMonth: day.slice(0, 7),
    Day: date.getUTCDate(),
    DayOfWeek: isoWeekday,
    DayName: DAY_NAMES[isoWeekday - 1],
    IsWeekend: isoWeekday >= 6,
    IsCaptured: captured,
  };
}

/**
 * The departments seen in history, one member per case-insensitive key, spelt as on the latest day
 * it was seen (ties: the spelling first in code-unit order), plus the (No department) member.
 */
export class DepartmentMembers {
  private readonly byKey = new Map<string, { name: string; day: string }>();

  add(department: string | null, day: string): void {
    const key = departmentKey(department);
    if (key === '' || department === null) return;
    const seen = this.byKey.get(key);
    if (!seen || day > seen.day || (day === seen.day && department < seen.name))
      this.byKey.set(key, { name: department, day });
  }

  rows(): StarRow[] {
    const rows: StarRow[] = [{ DepartmentKey: NO_DEPARTMENT_KEY, Department: NO_DEPARTMENT, IsNoDepartment: true }];
    for (const [, v] of this.byKey)
      rows.push({ DepartmentKey: departmentKeyOf(v.name), Department: v.name, IsNoDepartment: false });
    return rows.sort((a, b) => Number(a.DepartmentKey) - Number(b.DepartmentKey));
  }
}

/** A dim_license row; `sku` is null for the (No licence) member. */
export function licenseRow(
  skuId: string | null,
  sku: { skuPartNumber: string | null; isCopilot: boolean },
  price: { amount: number; currency: string; source: string } | null,
): StarRow {
  return {
    LicenseKey: licenseKeyOf(skuId),
    SkuId: skuId,
    SkuPartNumber: sku.skuPartNumber,
    // The commercial name from the one table of them; a SKU gone from the tenant has no part number left to name it by.
    ProductName:
      skuId === null
        ? NO_LICENSE_NAME
        : sku.skuPartNumber
          ? productName(sku.skuPartNumber)
          : `Unknown licence ${skuId}`,
    IsCopilot: sku.isCopilot,
    MonthlyPrice: price?.amount ?? null,
    Currency: price?.currency ?? null,
    PriceSource: price?.source ?? null,
  };
}

/** Every day from `first` to `last`, both included: dim_date is contiguous, as a Power BI date table must be. */
export function calendarDays(first: string, last: string): string[] {
  const days: string[] = [];
  for (let d = new Date(`${first}T00:00:00Z`); ; d = new Date(d.getTime() + 86_400_000)) {
    const day = d.toISOString().slice(0, 10);
    if (day > last) break;
    days.push(day);
  }
  return days;
}
