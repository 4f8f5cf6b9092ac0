/**
 * bench:reclaim — 1,000 approved Copilot seats re-checked and removed against the demo tenant.
 * Prints the Graph round-trips (HTTP requests to Graph: each $batch is one; target ≤ 55 including
 * the batched re-checks), the re-check's fresh activity read apart (audit log and Management API requests), the wall time, and that time against the demo tenant's directory write
 * budget (the floor its rate limit sets). A second run with a tight budget shows the per-item 429
 * retries at work.
 */
import { SKU } from '../demo-tenant/constants';
import { generateDemoTenant } from '../demo-tenant/generator';
import type { DemoTenantData, GraphUser } from '../demo-tenant/model';
import { DEFAULT_WRITES_PER_TEN_SECONDS } from '../demo-tenant/graph/licence-writes';
import { createLogger } from '../src/adapters/logging/logger';
import { startSeatStewardForTests } from '../src/app/test-hooks';
import { startTestDemoTenant, testConfig } from '../test/helpers/harness';

const SEATS = Number(process.env.RECLAIM_BENCH_SEATS ?? 1000);
const APPROVER = { aadObjectId: '2b3c4d5e-6f70-4182-93a4-b5c6d7e8f901', name: 'Bench Approver' };
const REQUESTER = { aadObjectId: 'c1a7e2b4-0f1d-4a3e-9b5c-6d7e8f9a0b1c', name: 'Bench Requester' };

/** A tenant where SEATS enabled users hold a direct Copilot seat they never used. */
function benchTenant(writesPerTenSeconds: number | false): DemoTenantData {
  const data = generateDemoTenant({ users: Math.max(3_000, SEATS * 2), seed: 42 });
  const copilot = data.subscribedSkus.find((s) => s.skuId === SKU.COPILOT);
  if (!copilot) throw new Error('no Copilot SKU in the demo tenant');
  const story = data.activity;
  let given = 0;
  data.users.forEach((u: GraphUser, i) => {
    if (
      given >= SEATS ||
      !u.accountEnabled ||
      u.userType !== 'Member' ||
      u.licenseAssignmentStates.some((s) => s.skuId === SKU.COPILOT)
    )
      return;
    u.licenseAssignmentStates.push({
      skuId: SKU.COPILOT,
      assignedByGroup: null,
      state: 'Active',
      error: 'None',
      disabledPlans: [],
      lastUpdatedDateTime: '2025-01-01T00:00:00Z',
    });
    u.assignedLicenses.push({ skuId: SKU.COPILOT, disabledPlans: [] });
    if (story) story.users[i] = { ...story.users[i], copilot: 'never' };
    given++;
  });
  copilot.prepaidUnits.enabled += given;
  copilot.consumedUnits += given;
  data.writeRate = writesPerTenSeconds === false ? false : { perTenSeconds: writesPerTenSeconds };
  return data;
}

async function run(label: string, writesPerTenSeconds: number | false): Promise<void> {
  const demo = await startTestDemoTenant(benchTenant(writesPerTenSeconds));
  const app = await startSeatStewardForTests(
    testConfig({ RECLAIM_MODE: 'on', ADMINS: `${APPROVER.aadObjectId},${REQUESTER.aadObjectId}` }),
    {
      logger: createLogger('silent'),
      demoTenant: demo,
      schedule: false,
      outbox: { pollIntervalMs: 20 },
    },
  );
  try {
    const tenantId = app.tenants.list()[0].id;
    await app.sync.request(tenantId, 'benchmark').done;
    const target = { serviceUrl: 'http://127.0.0.1:9/', conversation: { id: '19:bench' } };
    const request = await app.reclaims.request(
      { tenantId, caller: REQUESTER, pick: { tier: 'all' }, source: 'command', replyTarget: target },
      new Date(),
    );
    if (request.kind !== 'created') throw new Error(`no request: ${JSON.stringify(request)}`);
    const items = request.items.length;
    const graph = app.licenceGraphFor(tenantId);
    const tripsBefore = graph.roundTrips();
    const started = Date.now();
    // A pick is split into requests of at most SEATS_PER_REQUEST seats (each card shows every seat it approves): approve each.
    for (const r of request.requests) {
      const shown = request.items.filter((i) => i.requestId === r.id).map((i) => i.id);
      const decided = app.reclaims.approve(
        { requestId: r.id, caller: APPROVER, shown, drop: [], removeFromGroup: [], reassign: [] },
        new Date(),
      );
      if (decided.kind !== 'done') throw new Error(`not approved: ${JSON.stringify(decided)}`);
    }
    const open = () =>
      app.reclaims
        .history({ tenantId, offset: 0, limit: 5_000 })
        .items.filter((i) => ['approved', 'rechecking', 'removing'].includes(i.state)).length;
    while (open() > 0) await new Promise((r) => setTimeout(r, 20));
    const wallMs = Date.now() - started;
    const all = app.reclaims.history({ tenantId, offset: 0, limit: 5_000 }).items;
    const removed = all.filter((i) => i.state === 'removed').length;
    const trips = graph.roundTrips() - tripsBefore;
    const skipped = new Map<string, number>();
    for (const i of all)
      if (i.state !== 'removed') skipped.set(i.skipCode ?? i.state, (skipped.get(i.skipCode ?? i.state) ?? 0) + 1);
    const stillHolding = demo.server.data.users.filter(
      (u) =>
        all.some((i) => i.userId === u.id.toLowerCase() && i.state === 'removed') &&
        u.assignedLicenses.some((l) => l.skuId === SKU.COPILOT),
    ).length;
    const floorS =
      writesPerTenSeconds === false ? 0 : Math.max(0, (removed - writesPerTenSeconds) / (writesPerTenSeconds / 10));
    console.log(`\n${label}`);
    console.log(
      `  seats approved:                 ${items} (removed ${removed}; not removed: ${[...skipped].map(([k, n]) => `${n} ${k}`).join(', ') || 'none'}; still holding after removal: ${stillHolding})`,
    );
    console.log(
      `  Graph round-trips:              ${trips} (target ≤ 2 per request of at most 10 seats, ${Math.ceil(items / 10) * 2} here: one re-check read and one $batch of removals each, plus retry rounds)`,
    );
    // Each request reads fresh activity for its own seats before removing them.
    const rechecks = request.requests.map((r) => app.reclaims.view(r.id, APPROVER, new Date())?.request.recheck);
    const freshRequests = rechecks.reduce((n, r) => n + (r?.requests ?? 0), 0);
    const sources = [...new Set(rechecks.map((r) => r?.freshness?.source).filter(Boolean))].join(', ');
    console.log(
      `  fresh activity read (apart):    ${freshRequests} requests for ${request.requests.length} requests (each: a scoped audit log query, its polls and pages; Management API listings and new blobs), from ${sources || 'nothing'}`,
    );
    console.log(`  wall time, approve → all done:  ${(wallMs / 1000).toFixed(2)} s`);
    console.log(
      `  rate-limit floor:               ${floorS.toFixed(2)} s (${writesPerTenSeconds === false ? 'no write budget' : `${writesPerTenSeconds} writes per 10 s`})`,
    );
  } finally {
    await app.close();
    await demo.close();
  }
}

async function main(): Promise<void> {
  await run(`bench:reclaim, ${SEATS} seats, the demo tenant's default write budget`, DEFAULT_WRITES_PER_TEN_SECONDS);
  await run(`bench:reclaim, ${SEATS} seats, a tight write budget (500 writes per 10 s)`, 500);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
