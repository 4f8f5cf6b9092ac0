import { describe, expect, it } from 'vitest';
import type { SyncHealth } from '../../src/domain/sync-schedule';
import type { TenantRecord } from '../../src/domain/tenant';
import { PORTFOLIO_ROW_TTL_MS, PortfolioQuery } from '../../src/usecases/portfolio/portfolio-query';
import { DIGEST_SUMMARY } from '../cards/digest-fixtures';

const HEALTHY: SyncHealth = {
  state: 'healthy',
  lastSuccess: '2026-12-06T06:00:00.000Z',
  consecutiveFailures: 0,
  reason: null,
  nextSync: null,
  schedule: { kind: 'cron' },
};

function tenant(id: string, snapshot: number): TenantRecord {
  return {
    id,
    entraTenantId: `${id}-entra`,
    mspClientId: null,
    tenantName: id,
    domainName: null,
    displayName: null,
    tenantType: 'business',
    source: 'entra',
    syncEnabled: true,
    syncIntervalHours: null,
    currentSnapshotId: snapshot,
    createdAt: '2026-12-01T00:00:00.000Z',
    updatedAt: '2026-12-01T00:00:00.000Z',
  };
}

describe('portfolio rows between requests', () => {
  it('are kept for a while, and worked out again after a new snapshot or once old', () => {
    let reads = 0;
    let list = [tenant('a', 1), tenant('b', 1)];
    const query = new PortfolioQuery({
      tenants: { list: () => list, find: (id) => list.find((t) => t.id === id) },
      analytics: {
        summary: (tenantId) => {
          reads++;
          return { snapshotId: list.find((t) => t.id === tenantId)!.currentSnapshotId!, summary: DIGEST_SUMMARY };
        },
      },
      priceFor: () => () => null,
      health: () => HEALTHY,
    });
    const t0 = new Date('2026-12-06T12:00:00Z');
    expect(query.content({}, t0).rows).toHaveLength(2);
    expect(reads).toBe(2);
    query.content({}, new Date(t0.getTime() + 1_000));
    expect(reads).toBe(2);
    // A sync published b's new snapshot: only b is read again.
    list = [tenant('a', 1), tenant('b', 2)];
    query.content({}, new Date(t0.getTime() + 2_000));
    expect(reads).toBe(3);
    // Old rows are worked out again (a price set, a failed sync).
    query.content({}, new Date(t0.getTime() + PORTFOLIO_ROW_TTL_MS + 1));
    expect(reads).toBe(4);
    query.content({}, new Date(t0.getTime() + 2_000 + PORTFOLIO_ROW_TTL_MS));
    expect(reads).toBe(5);
  });

  it('share one ranking between readers of the same tenants until a row changes', () => {
    let list = [tenant('a', 1), tenant('b', 1), tenant('c', 1)];
    const query = new PortfolioQuery({
      tenants: { list: () => list, find: (id) => list.find((t) => t.id === id) },
      analytics: { summary: () => ({ snapshotId: 1, summary: DIGEST_SUMMARY }) },
      priceFor: () => () => null,
      health: () => HEALTHY,
    });
    const t0 = new Date('2026-12-06T12:00:00Z');
    const first = query.content({}, t0);
    expect(query.content({}, new Date(t0.getTime() + 500))).toBe(first);
    // A reader who sees fewer tenants gets their own portfolio, which does not replace the first.
    const fewer = query.content({ tenants: list.slice(0, 2) }, new Date(t0.getTime() + 600));
    expect(fewer).not.toBe(first);
    expect(fewer.rows).toHaveLength(2);
    expect(query.content({}, new Date(t0.getTime() + 700))).toBe(first);
    // A published snapshot changes the ranking at once.
    list = [tenant('a', 1), tenant('b', 2), tenant('c', 1)];
    const after = query.content({}, new Date(t0.getTime() + 800));
    expect(after).not.toBe(first);
    expect(after.generatedAt).toBe(new Date(t0.getTime() + 800).toISOString());
    // And no ranking outlives the oldest of its rows.
    expect(query.content({}, new Date(t0.getTime() + PORTFOLIO_ROW_TTL_MS))).not.toBe(after);
  });
});
