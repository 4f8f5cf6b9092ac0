import { setImmediate as nextTurn } from 'node:timers/promises';
import { copilotSkuMatcher } from '../../domain/copilot-skus';
import type { SkuPrice } from '../../domain/seat-savings';
import { firstDayAtOrAfter } from '../../domain/usage-history';
import {
  calendarDays,
  dateKey,
  dateRow,
  departmentName,
  DepartmentMembers,
  factRows,
  licenseRow,
  STAR_KEYS,
  type HistoryRun,
  type StarRow,
  type StarTable,
} from '../../domain/star-schema';
import type { RunCursor, StarSchemaStore } from './ports';

/** The key values of the last row a page ended on (the fact's: UserKey, DateKey). */
export type StarCursor = readonly number[];

export interface StarReadOptions {
  /** Rows after this key (in key order). */
  after?: StarCursor | null;
  /** Only days whose DateKey passes (fact_user_usage and dim_date; an OData $filter on DateKey). */
  dateKeys?: (dateKey: number) => boolean;
  /** The captured days to read (capturedDays read once), so the tables of one zip agree with each other. */
  days?: readonly string[];
}

export interface StarSchemaDeps {
  store: StarSchemaStore;
  /** A tenant's price of each SKU (admin > SKU_PRICES > list price), from the one price service. */
  priceFor: (tenantId: string) => (skuId: string) => SkuPrice | null;
  /** History runs read per query (tests make it small to cross page edges). */
  runPage?: number;
  /**
   * The sync's rule for a Copilot SKU (the built-in list and COPILOT_SKU_IDS), the one the history's
   * has_copilot was decided by: a SKU gone from the tenant since is still known as Copilot by it.
   * Without it, the built-in list.
   */
  isCopilotSku?: (skuId: string) => boolean;
}

/** Rows of a table come in pages of about this many: a page is read and encoded in one go. */
export const STAR_PAGE_ROWS = 1000;

function compareKeys(a: StarCursor, b: StarCursor): number {
  for (let i = 0; i < a.length; i += 1) if (a[i] !== b[i]) return a[i] - b[i];
  return 0;
}

export function keyOf(table: StarTable, row: StarRow): number[] {
  return STAR_KEYS[table].map((k) => Number(row[k]));
}

/** A user as the runs read so far show them: first and last captured day, latest run. */
interface SeenUser {
  userKey: number;
  first: string;
  last: string;
  run: HistoryRun;
}

/** The captured days a run covers, oldest first. */
function* coveredDays(days: readonly string[], run: Pick<HistoryRun, 'fromDay' | 'toDay'>): Generator<string> {
  for (let i = firstDayAtOrAfter(days, run.fromDay); i < days.length; i += 1) {
    if (run.toDay !== null && days[i] > run.toDay) return;
    yield days[i];
  }
}

/**
 * The star schema of a tenant, read from the daily history a page at a time, in key order, so a
 * caller can stream a file or serve a feed page and resume after the last key it gave out. The
 * history is read a query page of runs at a time with a turn of the event loop between pages, so
 * even a dimension that needs a pass over every run (departments, licences) never holds the bot up.
 */
export class StarSchema {
  private readonly runPage: number;

  constructor(private readonly deps: StarSchemaDeps) {
    this.runPage = deps.runPage ?? 1000;
  }

  /** The tenant's captured days, oldest first: none before the first sync that records history. */
  capturedDays(tenantId: string): string[] {
    return this.deps.store.capturedDays(tenantId);
  }

  /** The table's rows after `options.after`, in key order, in pages of `pageRows` (the last one shorter). */
  async *pages(
    tenantId: string,
    table: StarTable,
    options: StarReadOptions = {},
    pageRows = STAR_PAGE_ROWS,
  ): AsyncGenerator<StarRow[]> {
    const days = [...(options.days ?? this.deps.store.capturedDays(tenantId))];
    let page: StarRow[] = [];
    for await (const rows of this.batches(tenantId, table, days, options)) {
      for (const row of rows) {
        page.push(row);
        if (page.length >= pageRows) {
          yield page;
          page = [];
        }
      }
    }
    if (page.length > 0) yield page;
  }

  /** Rows in key order, in batches of whatever size a page of runs gives. */
  private async *batches(
    tenantId: string,
    table: StarTable,
    days: string[],
    options: StarReadOptions,
  ): AsyncGenerator<StarRow[]> {
    switch (table) {
      case 'fact_user_usage':
        return yield* this.facts(tenantId, days, options);
      case 'dim_user':
        return yield* this.users(tenantId, days, options.after ?? null);
      case 'dim_date':
        return yield this.sortedAfter(table, this.dates(days, options.dateKeys), options.after);
      case 'dim_department':
        return yield this.sortedAfter(table, await this.departments(tenantId, days), options.after);
      case 'dim_license':
        return yield this.sortedAfter(table, await this.licenses(tenantId, days), options.after);
    }
  }

  private sortedAfter(table: StarTable, rows: StarRow[], after: StarCursor | null | undefined): StarRow[] {
    const keyed = rows.map((row) => ({ row, key: keyOf(table, row) })).sort((a, b) => compareKeys(a.key, b.key));
    return keyed.filter((r) => !after || compareKeys(r.key, after) > 0).map((r) => r.row);
  }

  /** Every history run from `start` on, a query page at a time, the event loop getting a turn between pages. */
  private async *runPages(tenantId: string, start: RunCursor | null): AsyncGenerator<HistoryRun[]> {
    let cursor = start;
    for (;;) {
      const page = this.deps.store.runs(tenantId, cursor, this.runPage);
      if (page.length > 0) yield page;
      if (page.length < this.runPage) return;
      const last = page[page.length - 1];
      cursor = { userKey: last.userKey, fromDay: last.fromDay };
      await nextTurn();
    }
  }

  private copilotMatcher(tenantId: string): (skuId: string) => boolean {
    const flagged = new Set(
      this.deps.store
        .skus(tenantId)
        .filter((s) => s.isCopilot)
        .map((s) => s.skuId.toLowerCase()),
    );
    const configured = this.deps.isCopilotSku ?? copilotSkuMatcher();
    return (skuId) => flagged.has(skuId.toLowerCase()) || configured(skuId);
  }

  private async *facts(tenantId: string, allDays: string[], options: StarReadOptions): AsyncGenerator<StarRow[]> {
    const filter = options.dateKeys;
    const days = filter ? allDays.filter((d) => filter(dateKey(d))) : allDays;
    if (days.length === 0) return;
    const isCopilot = this.copilotMatcher(tenantId);
    const after = options.after ?? null;
    for await (const runs of this.runPages(tenantId, after ? { userKey: after[0], fromDay: '' } : null)) {
      // A page of runs unchanged for 400 days is 400 times as many rows: handed on a page at a time.
      let rows: StarRow[] = [];
      for (const run of runs) {
        const rowOn = factRows(run, isCopilot);
        for (const day of coveredDays(days, run)) {
          if (after && run.userKey === after[0] && dateKey(day) <= after[1]) continue;
          rows.push(rowOn(day));
          if (rows.length >= STAR_PAGE_ROWS) {
            yield rows;
            rows = [];
          }
        }
      }
      if (rows.length > 0) yield rows;
    }
  }

  private async *users(tenantId: string, days: string[], after: StarCursor | null): AsyncGenerator<StarRow[]> {
    let current: SeenUser | undefined;
    const start = after ? { userKey: after[0] + 1, fromDay: '' } : null;
    for await (const runs of this.runPages(tenantId, start)) {
      const done: SeenUser[] = [];
      for (const run of runs) {
        let first: string | undefined;
        let last: string | undefined;
        for (const day of coveredDays(days, run)) {
          first ??= day;
          last = day;
        }
        if (current && current.userKey !== run.userKey) {
          done.push(current);
          current = undefined;
        }
        if (first === undefined || last === undefined) continue;
        if (!current) current = { userKey: run.userKey, first, last, run };
        else {
          current.last = last;
          current.run = run;
        }
      }
      // The user of the page's last run may go on in the next page: named once complete.
      yield this.named(tenantId, done);
    }
    if (current) yield this.named(tenantId, [current]);
  }

  /** dim_user rows: the user's latest captured run, named from the current directory snapshot. */
  private named(tenantId: string, seen: readonly SeenUser[]): StarRow[] {
    if (seen.length === 0) return [];
    const people = this.deps.store.people(
      tenantId,
      seen.map((p) => p.userKey),
    );
    const rows: StarRow[] = [];
    for (const p of seen) {
      const person = people.get(p.userKey);
      // A run without its key row cannot be named (the recorder writes both in one transaction).
      if (!person) continue;
      rows.push({
        UserKey: p.userKey,
        UserId: person.userId,
        UserPrincipalName: person.userPrincipalName,
        DisplayName: person.displayName,
        Mail: person.mail,
        JobTitle: person.jobTitle,
        OfficeLocation: person.officeLocation,
        AccountEnabled: person.accountEnabled,
        Department: departmentName(p.run.department),
        HasCopilotLicense: p.run.hasCopilot,
        CopilotStatus: p.run.hasCopilot ? (p.run.copilotStatus ?? 'unknown') : null,
        FirstDateKey: dateKey(p.first),
        LastDateKey: dateKey(p.last),
        InDirectory: person.inDirectory,
      });
    }
    return rows;
  }

  private dates(days: string[], filter: ((dateKey: number) => boolean) | undefined): StarRow[] {
    if (days.length === 0) return [];
    const captured = new Set(days);
    return calendarDays(days[0], days[days.length - 1])
      .filter((d) => !filter || filter(dateKey(d)))
      .map((d) => dateRow(d, captured.has(d)));
  }

  private async departments(tenantId: string, days: string[]): Promise<StarRow[]> {
    const members = new DepartmentMembers();
    for await (const runs of this.runPages(tenantId, null))
      for (const run of runs) {
        let last: string | undefined;
        for (const day of coveredDays(days, run)) last = day;
        if (last !== undefined) members.add(run.department, last);
      }
    return members.rows();
  }

  private async licenses(tenantId: string, days: string[]): Promise<StarRow[]> {
    const known = new Map(this.deps.store.skus(tenantId).map((s) => [s.skuId.toLowerCase(), s]));
    const held = new Set<string>(known.keys());
    for await (const runs of this.runPages(tenantId, null))
      for (const run of runs)
        if (!coveredDays(days, run).next().done) for (const sku of run.licenses) held.add(sku.toLowerCase());
    const price = this.deps.priceFor(tenantId);
    const isCopilot = this.copilotMatcher(tenantId);
    const rows: StarRow[] = [licenseRow(null, { skuPartNumber: null, isCopilot: false }, null)];
    for (const skuId of held) {
      const sku = known.get(skuId);
      rows.push(
        licenseRow(
          skuId,
          {
            skuPartNumber: sku?.skuPartNumber ?? null,
            isCopilot: sku?.isCopilot ?? isCopilot(skuId),
          },
          price(skuId),
        ),
      );
    }
    return rows;
  }
}
