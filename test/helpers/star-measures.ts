import { readCsv } from '../support/csv-reader';

/**
 * The DAX measures of seed 002 §2.1 (and powerbi/'s License Cost Per Month), computed over the star
 * schema's CSV files the way Power BI evaluates them, so a test can hold them against the REST
 * summary:
 *   Utilization Rate    = DIVIDE(rows with UsageCategory "Active", rows whose dim_user has HasCopilotLicense, 0)
 *   Est Monthly Savings = rows "Inactive" whose dim_user has HasCopilotLicense × [License Cost Per Month]
 *   Active Users        = rows "Active"
 *   Avg Usage Score     = AVERAGE(UsageScore), blanks left out
 *   License Cost Per Month = the average dim_license MonthlyPrice over the rows with a Copilot seat that
 *                            day (AVERAGEX skips blank prices); blank when none
 */
export type CsvTable = Array<Record<string, string>>;

/** A star-schema CSV (with its BOM) as records keyed by the header. */
export function csvRecords(text: string): CsvTable {
  const [header, ...rows] = readCsv(text.replace(/^\uFEFF/, ''));
  return rows.map((r) => Object.fromEntries(header.map((h, i) => [h, r[i]])));
}

export interface StarCsvTables {
  fact_user_usage: CsvTable;
  dim_user: CsvTable;
  dim_date: CsvTable;
  dim_department: CsvTable;
  dim_license: CsvTable;
}

export interface StarMeasures {
  utilizationRate: number;
  estMonthlySavings: number | null;
  activeUsers: number;
  avgUsageScore: number | null;
  licenseCostPerMonth: number | null;
}

/**
 * The measures with the fact rows filtered (e.g. one DateKey, as a slicer on dim_date would).
 * `seatHolder`: whose HasCopilotLicense makes a row a seat holder's in Utilization Rate and Est
 * Monthly Savings: dim_user's (the seed's DAX, the user's latest status) or the fact row's own (that
 * day's status, the variant that follows seat moves on past days).
 */
export function starMeasures(
  tables: StarCsvTables,
  factFilter: (row: Record<string, string>) => boolean = () => true,
  seatHolder: 'dim_user' | 'fact' = 'dim_user',
): StarMeasures {
  const users = new Map(tables.dim_user.map((u) => [u.UserKey, u]));
  const licences = new Map(tables.dim_license.map((l) => [l.LicenseKey, l]));
  const facts = tables.fact_user_usage.filter(factFilter);
  const holder = (f: Record<string, string>) =>
    (seatHolder === 'fact' ? f : users.get(f.UserKey))?.HasCopilotLicense === 'true';
  const active = facts.filter((f) => f.UsageCategory === 'Active').length;
  const holders = facts.filter(holder).length;
  const inactiveHolders = facts.filter((f) => f.UsageCategory === 'Inactive' && holder(f)).length;
  const prices = facts
    .filter((f) => f.HasCopilotLicense === 'true')
    .map((f) => licences.get(f.LicenseKey)?.MonthlyPrice ?? '')
    .filter((p) => p !== '')
    .map(Number);
  const licenseCostPerMonth = prices.length === 0 ? null : prices.reduce((a, b) => a + b, 0) / prices.length;
  const scores = facts
    .map((f) => f.UsageScore)
    .filter((s) => s !== '')
    .map(Number);
  return {
    utilizationRate: holders === 0 ? 0 : active / holders,
    estMonthlySavings: licenseCostPerMonth === null ? null : inactiveHolders * licenseCostPerMonth,
    activeUsers: active,
    avgUsageScore: scores.length === 0 ? null : scores.reduce((a, b) => a + b, 0) / scores.length,
    licenseCostPerMonth,
  };
}
