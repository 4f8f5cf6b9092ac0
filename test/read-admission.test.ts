import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { generateDemoTenant } from '../demo-tenant/generator';
import { ReadAdmission } from '../src/adapters/sqlite/read-admission';
import { startHarness, TEST_API_KEY, type Harness } from './helpers/harness';

/** A read that takes `ms` and records how many reads ran at once. */
function reads(admission: ReadAdmission) {
  let running = 0;
  let most = 0;
  const order: number[] = [];
  const read = (n: number, ms: number) =>
    admission.run(async () => {
      running++;
      most = Math.max(most, running);
      await new Promise((r) => setTimeout(r, ms));
      running--;
      order.push(n);
      return n;
    });
  return { read, most: () => most, order };
}

describe('read admission', () => {
  it('lets every read run at once while no sync runs', async () => {
    const r = reads(new ReadAdmission(() => false));
    expect(await Promise.all(Array.from({ length: 10 }, (_, i) => r.read(i, 20)))).toEqual([
      0, 1, 2, 3, 4, 5, 6, 7, 8, 9,
    ]);
    expect(r.most()).toBe(10);
  });

  it('while a sync runs, reads go one at a time, in arrival order, spaced out', async () => {
    const r = reads(new ReadAdmission(() => true, 10));
    const started = performance.now();
    expect(await Promise.all(Array.from({ length: 8 }, (_, i) => r.read(i, 1)))).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
    expect(r.order).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
    expect(r.most()).toBe(1);
    expect(performance.now() - started).toBeGreaterThanOrEqual(7 * 10 - 1);
  });

  it('releases everyone waiting when the sync ends', async () => {
    // A controlled clock: the admission spaces reads with setTimeout and performance.now().
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'performance'] });
    // Well past the admission's start, as on a real clock (it spaces reads from its last start, 0).
    vi.advanceTimersByTime(1_000);
    try {
      let syncing = true;
      const r = reads(new ReadAdmission(() => syncing, 50));
      const all = Promise.all(Array.from({ length: 6 }, (_, i) => r.read(i, 30)));
      // 60 ms in: the first read ran alone (0-30 ms) and the second went alone at 50 ms.
      await vi.advanceTimersByTimeAsync(60);
      expect(r.order).toEqual([0]);
      expect(r.most()).toBe(1);
      syncing = false;
      // When the second ends (80 ms), the four still waiting go together.
      await vi.advanceTimersByTimeAsync(60);
      expect(r.order).toEqual([0, 1, 2, 3, 4, 5]);
      expect(await all).toEqual([0, 1, 2, 3, 4, 5]);
      expect(r.most()).toBe(4);
    } finally {
      vi.useRealTimers();
    }
  });
});

describe('API pages during a sync', () => {
  let h: Harness;
  let tenantId: string;
  beforeAll(async () => {
    h = await startHarness({ data: generateDemoTenant({ users: 3000, seed: 31 }) });
    tenantId = h.app.tenants.list()[0].id;
    expect((await h.app.sync.request(tenantId, 'test').done).status).toBe('success');
  });
  afterAll(async () => h?.close());

  it('are read one at a time while the sync runs, and all are answered', async () => {
    // Slow Graph pages stretch the sync so the callers overlap it.
    h.demo.server.faults.add({ path: /^\/v1\.0\/users\?.*skiptoken/i, delayMs: 300, times: Infinity });
    const sync = h.app.sync.request(tenantId, 'test');
    h.app.readWorkers.peakInFlight = 0;
    // Read as the sync ends: callers still waiting then all go at once, as they should.
    const peakDuringSync = sync.done.then(() => h.app.readWorkers.peakInFlight);
    let answered = 0;
    const caller = async (n: number) => {
      while (h.app.sync.isRunning(tenantId)) {
        const res = await fetch(
          `${h.app.url}/api/v1/m365/tenants/${tenantId}/users?limit=100&offset=${(n * 100) % 3000}`,
          {
            headers: { authorization: `Bearer ${TEST_API_KEY}` },
          },
        );
        expect(res.status).toBe(200);
        expect(((await res.json()) as { data: unknown[] }).data).toHaveLength(100);
        answered++;
      }
    };
    await Promise.all(Array.from({ length: 20 }, (_, n) => caller(n)));
    expect((await sync.done).status).toBe('success');
    expect(answered).toBeGreaterThan(20);
    expect(await peakDuringSync).toBe(1);
  });
});
