import { describe, expect, it } from 'vitest';
import { NO_DEPARTMENT } from '../../src/domain/departments';
import { daysSinceActivity } from '../../src/domain/usage-history';
import {
  calendarDays,
  dateKey,
  dateRow,
  dayOfDateKey,
  DepartmentMembers,
  departmentKeyOf,
  factLicense,
  factRow,
  licenseKeyOf,
  NO_DEPARTMENT_KEY,
  NO_LICENSE_KEY,
  STAR_COLUMNS,
  STAR_KEYS,
  STAR_TABLES,
  usageCategory,
  type HistoryRun,
} from '../../src/domain/star-schema';

const COPILOT = '639dec6b-bb19-468b-871c-c5c441c4b0cb';
const E3 = '05e9a617-0261-4cee-bb44-138d3ef5d965';
const isCopilot = (sku: string) => sku === COPILOT;

describe('star schema rules', () => {
  it('keys: YYYYMMDD dates, stable hashed licence and department keys, 0 for the "none" members', () => {
    expect(dateKey('2026-02-23')).toBe(20260223);
    expect(dateKey('2026-02-23T10:00:00Z')).toBe(20260223);
    expect(dayOfDateKey(20260223)).toBe('2026-02-23');
    expect(licenseKeyOf(null)).toBe(NO_LICENSE_KEY);
    expect(licenseKeyOf(COPILOT)).toBe(licenseKeyOf(COPILOT.toUpperCase()));
    expect(licenseKeyOf(COPILOT)).not.toBe(licenseKeyOf(E3));
    // Pinned: a key that changed between versions would break every report's saved filters and incremental refresh.
    expect(licenseKeyOf(COPILOT)).toBe(4203616675528303);
    expect(departmentKeyOf('Sales')).toBe(1369835004304285);
    for (const k of [licenseKeyOf(COPILOT), departmentKeyOf('Sales')]) {
      expect(Number.isSafeInteger(k)).toBe(true);
      expect(k).toBeGreaterThan(0);
    }
    expect(departmentKeyOf('Sales')).toBe(departmentKeyOf('SALES'));
    expect(departmentKeyOf(null)).toBe(NO_DEPARTMENT_KEY);
    expect(departmentKeyOf('  ')).toBe(NO_DEPARTMENT_KEY);
  });

  it('UsageCategory: the seat status for seat holders, No Copilot License for everyone else', () => {
    expect(usageCategory(true, 'active')).toBe('Active');
    expect(usageCategory(true, 'inactive')).toBe('Inactive');
    expect(usageCategory(true, 'unknown')).toBe('Unknown');
    expect(usageCategory(true, null)).toBe('Unknown');
    expect(usageCategory(false, null)).toBe('No Copilot License');
  });

  it('the licence a fact counts under: the Copilot SKU for seat holders, else the first SKU id, else none', () => {
    expect(factLicense([E3, COPILOT], true, isCopilot)).toBe(COPILOT);
    expect(factLicense([COPILOT, E3], false, isCopilot)).toBe(E3 < COPILOT ? E3 : COPILOT);
    expect(factLicense([E3], true, isCopilot)).toBe(E3);
    expect(factLicense([], false, isCopilot)).toBeNull();
  });

  it('days since last activity are counted to the fact day, never below 0', () => {
    expect(daysSinceActivity('2026-02-22', '2026-03-01')).toBe(7);
    expect(daysSinceActivity('2026-03-03', '2026-03-01')).toBe(0);
    expect(daysSinceActivity(null, '2026-03-01')).toBeNull();
  });

  it('a fact row has every fact column', () => {
    const run: HistoryRun = {
      userKey: 7,
      fromDay: '2026-02-20',
      toDay: null,
      hasCopilot: true,
      copilotStatus: 'inactive',
      usageScore: 12,
      lastActivityDate: '2026-01-01',
      licenses: [COPILOT, E3],
      department: 'Sales',
    };
    const row = factRow(run, '2026-02-23', isCopilot);
    expect(Object.keys(row)).toEqual(STAR_COLUMNS.fact_user_usage.map((c) => c.name));
    expect(row).toMatchObject({
      UserKey: 7,
      DateKey: 20260223,
      LicenseKey: licenseKeyOf(COPILOT),
      DepartmentKey: departmentKeyOf('sales'),
      UsageCategory: 'Inactive',
      DaysSinceLastActivity: 53,
      LicenseCount: 2,
    });
  });

  it('dim_date rows and a contiguous calendar', () => {
    expect(calendarDays('2026-02-27', '2026-03-02')).toEqual(['2026-02-27', '2026-02-28', '2026-03-01', '2026-03-02']);
    const row = dateRow('2026-03-01', false);
    expect(Object.keys(row)).toEqual(STAR_COLUMNS.dim_date.map((c) => c.name));
    expect(row).toMatchObject({
      DateKey: 20260301,
      Year: 2026,
      Quarter: 1,
      Month: 3,
      MonthName: 'March',
      DayOfWeek: 7,
      DayName: 'Sunday',
      IsWeekend: true,
      IsCaptured: false,
    });
  });

  it('departments: one member per case-insensitive name, spelt as last seen, and the (No department) member', () => {
    const members = new DepartmentMembers();
    members.add('Sales', '2026-01-01');
    members.add('SALES', '2026-02-01');
    members.add(null, '2026-02-01');
    members.add('R&D', '2026-01-05');
    const rows = members.rows();
    expect(rows.map((r) => r.Department).sort()).toEqual([NO_DEPARTMENT, 'R&D', 'SALES'].sort());
    expect(rows.find((r) => r.Department === 'SALES')?.DepartmentKey).toBe(departmentKeyOf('Sales'));
  });

  it('every table has its key columns first', () => {
    for (const t of STAR_TABLES)
      expect(STAR_COLUMNS[t].slice(0, STAR_KEYS[t].length).map((c) => c.name)).toEqual(STAR_KEYS[t]);
  });
});
