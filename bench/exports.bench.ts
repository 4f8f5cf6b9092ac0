/**
 * npm run bench:exports — the CSV export of BENCH_SEATS (default 20,000) underutilized seats and as
 * many candidates, over real HTTP from the real app, while a prober measures how long /healthz waits:
 * the export is written a page at a time, so other requests keep being answered meanwhile.
 *
 * The rows come from an in-memory AnalyticsReads (test/helpers/analytics-fixture.ts): this measures
 * encoding and streaming, not the SQLite reads (bench:analytics measures those).
 */
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { generateDemoTenant } from '../demo-tenant/generator';
import { AnalyticsFixture, candidate, seat, summaryOf } from '../test/helpers/analytics-fixture';
import { startHarness, TEST_API_KEY } from '../test/helpers/harness';

const SEATS = Number(process.env.BENCH_SEATS ?? 20_000);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);

const pct = (values: number[], p: number) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;
};

async function main(): Promise<void> {
  const analytics = new AnalyticsFixture();
  analytics.summaryValue = summaryOf();
  analytics.seatRows = Array.from({ length: SEATS }, (_, i) =>
    seat(`user${i}@contoso.com`, {
      displayName: i % 7 === 0 ? `Zoë "Z" Ångström, ${i}` : `User ${i}`,
      department: i % 11 === 0 ? '=cmd' : 'Sales',
      recommendation: i % 5 === 0 ? 'review' : 'reclaim',
      tier: i % 5 === 0 ? null : 'certain',
    }),
  );
  analytics.candidateRows = Array.from({ length: SEATS }, (_, i) => candidate(i + 1, `cand${i}@contoso.com`));
  const h = await startHarness({ data: generateDemoTenant({ users: 20, seed: 1 }), app: { analytics } });
  const tenantId = h.app.tenants.list()[0].id;
  try {
    for (const kind of ['underutilized', 'candidates'] as const) {
      for (let round = 1; round <= ROUNDS; round++) {
        const loop = monitorEventLoopDelay({ resolution: 5 });
        loop.enable();
        const probes: number[] = [];
        let downloading = true;
        const prober = (async () => {
          while (downloading) {
            const t = performance.now();
            await (await fetch(`${h.app.url}/healthz`)).arrayBuffer();
            probes.push(performance.now() - t);
          }
        })();
        const started = performance.now();
        const res = await fetch(`${h.app.url}/api/v1/m365/tenants/${tenantId}/exports/${kind}.csv`, {
          headers: { authorization: `Bearer ${TEST_API_KEY}` },
        });
        const firstByte = performance.now() - started;
        const bytes = (await res.arrayBuffer()).byteLength;
        const total = performance.now() - started;
        downloading = false;
        await prober;
        loop.disable();
        console.log(
          `${kind}.csv round ${round}: ${SEATS.toLocaleString('en-US')} rows, ${(bytes / 1024 / 1024).toFixed(2)} MB, first byte ${firstByte.toFixed(0)} ms, ` +
            `total ${total.toFixed(0)} ms; /healthz during it: ${probes.length} answered, p99 ${pct(probes, 99).toFixed(1)} ms; ` +
            `event loop delay max ${(loop.max / 1e6).toFixed(1)} ms; RSS ${(process.memoryUsage().rss / 1024 / 1024).toFixed(0)} MB`,
        );
      }
    }
  } finally {
    await h.close();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
