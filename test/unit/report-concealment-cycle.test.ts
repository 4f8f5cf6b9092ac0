import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { openDatabase } from '../../src/adapters/sqlite/database';
import { TenantStore } from '../../src/adapters/sqlite/tenants';
import { SqliteUsageReports } from '../../src/adapters/sqlite/usage-reports';
import { ReportConcealment } from '../../src/usecases/usage/report-concealment';
import type { UsageReportGraph } from '../../src/usecases/usage/ports';
import { tempDir } from '../helpers/harness';

/** A tenant's report setting as Graph keeps it; restoring it can be held in flight. */
class ReportSettingGraph implements UsageReportGraph {
  concealed = true;
  readonly patches: boolean[] = [];
  private held: (() => void) | undefined;
  holdNextRestore = false;

  readCsv(): Promise<{ requests: number }> {
    throw new Error('not used');
  }
  readJson(): Promise<{ rows: never[]; requests: number }> {
    throw new Error('not used');
  }
  async reportSettings(): Promise<{ displayConcealedNames: boolean }> {
    return { displayConcealedNames: this.concealed };
  }
  async setDisplayConcealedNames(value: boolean): Promise<void> {
    this.patches.push(value);
    if (value && this.holdNextRestore) {
      this.holdNextRestore = false;
      await new Promise<void>((resolve) => (this.held = resolve));
    }
    this.concealed = value;
  }
  restoreInFlight(): boolean {
    return this.held !== undefined;
  }
  release(): void {
    this.held?.();
    this.held = undefined;
  }
}

const until = async (condition: () => boolean): Promise<void> => {
  while (!condition()) await new Promise((r) => setTimeout(r, 1));
};

describe('report name concealment lifted for reads that overlap its restore', () => {
  it('a read arriving while concealment is being restored waits, then reads with names shown under a new marker', async () => {
    const db = openDatabase(path.join(tempDir('concealment'), 'db.sqlite'));
    const tenant = new TenantStore(db).ensure({
      entraTenantId: '11111111-2222-4333-8444-555555555555',
      tenantName: 'T',
      source: 'demo',
    });
    const markers = new SqliteUsageReports(db);
    const graph = new ReportSettingGraph();
    const concealment = new ReportConcealment(graph, markers, tenant.id, true, { warn: () => undefined });
    const seen: Array<{ reader: string; concealed: boolean; marker: boolean }> = [];
    const look = (reader: string) => seen.push({ reader, concealed: graph.concealed, marker: markers.has(tenant.id) });

    graph.holdNextRestore = true;
    const first = concealment.during(async () => look('first'));
    await until(() => graph.restoreInFlight());
    // The second report starts while the first one's restore is on its way to Graph, and is still
    // reading when that restore lands.
    let secondDone = false;
    const second = concealment
      .during(async () => {
        await first;
        look('second');
      })
      .finally(() => (secondDone = true));
    // Nothing outside this test moves the second read on: once the event loop has turned (all
    // pending promise callbacks run), it is as far as it gets before the restore lands.
    await new Promise((r) => setImmediate(r));
    expect(secondDone).toBe(false);
    graph.release();
    await first;
    await second;
    expect(secondDone).toBe(true);

    // Every read saw names shown, with the marker that makes a killed process restore them.
    expect(seen).toEqual([
      { reader: 'first', concealed: false, marker: true },
      { reader: 'second', concealed: false, marker: true },
    ]);
    expect(graph.patches).toEqual([false, true, false, true]);
    expect(graph.concealed).toBe(true);
    expect(markers.has(tenant.id)).toBe(false);
    db.close();
  });
});
