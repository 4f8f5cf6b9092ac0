import { departmentsUnavailableView, departmentsView, type DepartmentsView } from '../../src/cards/department-views';
import {
  departmentTotals,
  NO_DEPARTMENT,
  type DepartmentLine,
  type DepartmentReport,
  type DepartmentTrendPoint,
} from '../../src/domain/departments';
import { utilizationOf } from '../../src/domain/seat-savings';

/** A department line: `seats` of which `active` and `idle`, at $30 a seat unless `price` is null (not costed). */
export function departmentLine(
  name: string,
  seats: number,
  active: number,
  idle: number,
  trend: DepartmentTrendPoint[] = [],
  price: number | null = 30,
): DepartmentLine {
  return {
    key: name === NO_DEPARTMENT ? '' : name.toLowerCase(),
    name,
    seats,
    active,
    idle,
    utilization: utilizationOf(active, seats),
    monthlyCost: price === null ? null : seats * price,
    idleMonthlyCost: price === null ? null : idle * price,
    trend,
  };
}

export function trendOf(idle: readonly number[], seats = 20): DepartmentTrendPoint[] {
  return idle.map((value, i) => ({
    date: `2026-11-${String(i + 1).padStart(2, '0')}`,
    seats,
    active: seats - value,
    idle: value,
    utilization: Math.round((100 * (seats - value)) / seats),
    idleMonthlyCost: value * 30,
  }));
}

export function departmentReport(
  departments: DepartmentLine[],
  extra: Partial<DepartmentReport> = {},
): DepartmentReport {
  return {
    asOf: '2026-11-23T06:00:00.000Z',
    currency: 'USD',
    departments,
    totals: departmentTotals(departments),
    totalsTrend: trendOf([9, 8, 8, 7, 6]),
    trendFrom: '2026-08-26',
    trendDays: 90,
    warnings: [],
    ...extra,
  };
}

const noExports = { buttons: [], note: '' };

export const departmentCases: Array<[string, DepartmentsView]> = [
  [
    'a few departments with a trend',
    departmentsView({
      tenantName: 'Contoso Ltd',
      report: departmentReport([
        departmentLine('Sales', 20, 8, 9, trendOf([6, 7, 9])),
        departmentLine('Engineering', 30, 25, 3, trendOf([5, 4, 3])),
        departmentLine(NO_DEPARTMENT, 2, 0, 2),
      ]),
      exports: {
        buttons: [{ title: 'Export CSV (departments)', data: { tenantId: 't1', kind: 'departments' } }],
        note: '',
      },
    }),
  ],
  ['no analytics yet', departmentsUnavailableView('Contoso Ltd')],
  [
    '400 departments with long names, prices in several currencies',
    departmentsView({
      tenantName: 'Contoso Ltd',
      report: departmentReport(
        Array.from({ length: 400 }, (_, i) =>
          departmentLine(
            `Department ${i} of the ${'very '.repeat(20)}long name`,
            50,
            10,
            40,
            trendOf(Array(90).fill(40)),
            null,
          ),
        ),
        {
          currency: null,
          totalsTrend: trendOf(
            Array.from({ length: 90 }, (_, i) => 100 + i),
            400,
          ),
          warnings: ['Prices are in several currencies (USD, EUR), so department costs are not added up.'],
        },
      ),
      exports: { buttons: [], note: 'Only Seat Steward admins get the CSV export, like every export.' },
    }),
  ],
  [
    'no seats',
    departmentsView({
      tenantName: 'Contoso Ltd',
      report: departmentReport([], { totalsTrend: [] }),
      exports: noExports,
    }),
  ],
];
