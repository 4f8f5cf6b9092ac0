import { describe, expect, it } from 'vitest';
import { DisposalStack } from '../../src/app/disposal';
import { healthReport } from '../../src/domain/health';
import { exclusionNow, keptSeatText } from '../../src/domain/seat-exclusion';
import { syncInProgress } from '../../src/usecases/sync/sync-in-progress';

const noRules = { users: [], groups: [], departments: [] };
const holder = { userId: 'U1', userPrincipalName: 'ada@contoso.com' };

describe('exclusionNow (the reclaim re-check)', () => {
  it("a kept seat says so in the analytics' words", () => {
    expect(exclusionNow({ keptUntil: '2026-12-31T00:00:00.000Z', seat: undefined, holder, exclusions: noRules })).toBe(
      keptSeatText('2026-12-31'),
    );
    expect(keptSeatText('2026-12-31T10:00:00Z')).toBe(
      'the holder chose to keep the seat until 2026-12-31 (RECLAIM_KEEP_DAYS)',
    );
  });

  it("takes the analytics' exclusion reason, else the rules as configured now, else null", () => {
    expect(
      exclusionNow({
        keptUntil: null,
        seat: { recommendation: 'excluded', reasons: ['member of group g1'], department: null },
        holder,
        exclusions: noRules,
      }),
    ).toBe('member of group g1');
    expect(
      exclusionNow({
        keptUntil: null,
        seat: { recommendation: 'excluded', reasons: [], department: null },
        holder,
        exclusions: noRules,
      }),
    ).toBe('on the exclusion list');
    expect(
      exclusionNow({
        keptUntil: null,
        seat: { recommendation: 'reclaim', reasons: [], department: 'Legal' },
        holder,
        exclusions: { ...noRules, departments: ['legal'] },
      }),
    ).toBe('on the exclusion list: department Legal');
    expect(
      exclusionNow({
        keptUntil: null,
        seat: undefined,
        holder,
        exclusions: { ...noRules, users: ['ada@contoso.com'] },
      }),
    ).toBe('on the exclusion list: user ada@contoso.com');
    expect(exclusionNow({ keptUntil: null, seat: undefined, holder, exclusions: noRules })).toBeNull();
  });
});

describe('healthReport (/healthz)', () => {
  it('is degraded on a full disk and names no tenant', () => {
    const full = healthReport({
      storage: { status: 'full', since: 'x', message: 'm' },
      tenants: [{ lastSync: 'success', syncing: false }],
      jobs: { dead: 0 },
    });
    expect(full).toEqual({
      status: 'degraded',
      storage: { status: 'full', since: 'x', message: 'm' },
      tenants: [{ lastSync: 'success', syncing: false }],
      jobs: { dead: 0 },
    });
    expect(healthReport({ storage: { status: 'ok' }, tenants: [], jobs: {} })).not.toHaveProperty('status');
  });
});

describe('syncInProgress', () => {
  const base = { isRunning: () => false, latestRun: () => undefined, whenDone: () => undefined, queuedSyncs: () => 0 };
  it('running (until its run is done), queued, or neither', async () => {
    const done = Promise.resolve('done');
    const running = syncInProgress(
      {
        ...base,
        isRunning: () => true,
        latestRun: () => ({ id: 7 }) as never,
        whenDone: (id) => (id === 7 ? done : undefined),
      },
      't',
    );
    expect(await running?.until).toBe('done');
    expect(syncInProgress({ ...base, queuedSyncs: () => 1 }, 't')).toEqual({});
    expect(syncInProgress(base, 't')).toBeUndefined();
  });
});

describe('DisposalStack', () => {
  it('disposes in reverse order, each once, and goes on past a failure', async () => {
    const order: string[] = [];
    const stack = new DisposalStack();
    stack.add('a', () => order.push('a'));
    stack.add('b', () => {
      throw new Error('b broke');
    });
    stack.add('c', async () => order.push('c'));
    const failures = await stack.disposeAll();
    expect(order).toEqual(['c', 'a']);
    expect(failures.map((f) => f.what)).toEqual(['b']);
    expect(await stack.disposeAll()).toEqual([]);
    expect(order).toEqual(['c', 'a']);
  });
});
