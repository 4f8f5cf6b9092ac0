import { describe, expect, it } from 'vitest';
import {
  approverDecision,
  freshEvidenceStep,
  canMove,
  holderPhase,
  nudgeAnswerDecision,
  OPEN_STATES,
  undoable,
  waitingForHolders,
  type NudgeAnswerInput,
  RECLAIM_STATES,
  RECLAIM_TRANSITIONS,
  recheckVerdict,
  modeRefusal,
  approvalCovers,
  type HolderNow,
  type RecheckInput,
  type ReclaimEvidence,
} from '../../src/domain/reclaim';

const evidence = (over: Partial<ReclaimEvidence> = {}): ReclaimEvidence => ({
  lastActivityDate: '2026-07-01',
  lastActivitySource: 'copilot_usage_report',
  lastActivityAsOf: '2026-11-20',
  daysSinceLastActivity: 145,
  tier: 'certain',
  reasons: [],
  accountEnabled: true,
  snapshotId: 1,
  ...over,
});
const found = (
  assignments: Array<{ groupId: string | null; disabledPlans?: string[] }>,
  over: Partial<Extract<HolderNow, { kind: 'found' }>> = {},
): HolderNow => ({
  kind: 'found',
  accountEnabled: true,
  userPrincipalName: 'a@contoso.com',
  assignments: assignments.map((a) => ({ groupId: a.groupId, disabledPlans: a.disabledPlans ?? [] })),
  lastSignInAt: null,
  ...over,
});
const input = (over: Partial<RecheckInput>): RecheckInput => ({
  evidence: evidence(),
  assignment: { via: 'direct' },
  removeFromGroup: false,
  requestedAt: '2026-11-23T09:00:00.000Z',
  now: found([{ groupId: null, disabledPlans: ['p1'] }]),
  newerActivity: null,
  excludedNow: null,
  ...over,
});
const G = { via: 'group' as const, groupId: 'G1', groupName: 'Copilot Pilot' };

describe('recheckVerdict: never remove on stale evidence', () => {
  it.each([
    ['user deleted', input({ now: { kind: 'not_found' } }), 'user_gone'],
    ['licence already gone', input({ now: found([]) }), 'licence_gone'],
    ['excluded since', input({ excludedNow: 'on EXCLUDE_USERS' }), 'excluded'],
    ['disabled account enabled again', input({ evidence: evidence({ accountEnabled: false }) }), 'account_changed'],
    [
      'disabled account signed in after the request',
      input({
        evidence: evidence({ accountEnabled: false }),
        now: found([{ groupId: null }], { accountEnabled: false, lastSignInAt: '2026-11-23T10:00:00Z' }),
      }),
      'account_changed',
    ],
    [
      'Copilot used after the evidence (audit)',
      input({ newerActivity: { at: '2026-11-22T08:00:00Z', source: 'audit_log' } }),
      'became_active',
    ],
    [
      'first Copilot use after a never-used seat',
      input({
        evidence: evidence({ lastActivityDate: null }),
        newerActivity: { at: '2026-11-22', source: 'copilot_usage_report' },
      }),
      'became_active',
    ],
    ['direct became group', input({ now: found([{ groupId: 'G1' }]) }), 'assignment_changed'],
    ['direct plus a group now', input({ now: found([{ groupId: null }, { groupId: 'G1' }]) }), 'assignment_changed'],
    [
      'group no longer assigns',
      input({ assignment: G, removeFromGroup: true, now: found([{ groupId: 'G2' }]) }),
      'assignment_changed',
    ],
    [
      'group plus direct now',
      input({ assignment: G, removeFromGroup: true, now: found([{ groupId: 'g1' }, { groupId: null }]) }),
      'assignment_changed',
    ],
    [
      'group seat, remove-from-group not chosen',
      input({ assignment: G, now: found([{ groupId: 'G1' }]) }),
      'group_inherited',
    ],
    [
      'direct and group known at the request, remove-from-group not chosen',
      input({ assignment: { ...G, alsoDirect: true }, now: found([{ groupId: null }, { groupId: 'G1' }]) }),
      'group_inherited',
    ],
    [
      'direct and group known at the request, another group now too',
      input({
        assignment: { ...G, alsoDirect: true },
        removeFromGroup: true,
        now: found([{ groupId: null }, { groupId: 'G1' }, { groupId: 'G2' }]),
      }),
      'assignment_changed',
    ],
  ])('%s → skipped (%s)', (_name, given, code) => {
    const verdict = recheckVerdict(given);
    expect(verdict.go).toBe(false);
    if (!verdict.go) {
      expect(verdict.code).toBe(code);
      expect(verdict.reason.length).toBeGreaterThan(20);
    }
  });

  it('activity on the evidence day itself is not newer', () => {
    expect(recheckVerdict(input({ newerActivity: { at: '2026-07-01T23:00:00Z', source: 'audit_log' } })).go).toBe(true);
  });

  it('a sign-in of an enabled account does not stop the removal (idle Copilot seats belong to people who use Outlook)', () => {
    expect(
      recheckVerdict(input({ now: found([{ groupId: null }], { lastSignInAt: '2026-11-23T10:00:00Z' }) })).go,
    ).toBe(true);
  });

  it('removes a direct seat with its disabled plans kept for undo', () => {
    expect(recheckVerdict(input({}))).toEqual({
      go: true,
      action: 'remove_direct',
      groupId: null,
      disabledPlans: ['p1'],
    });
  });

  it('removes a group seat by membership only when the approver chose it (group ids compared case-insensitively)', () => {
    expect(
      recheckVerdict(
        input({ assignment: G, removeFromGroup: true, now: found([{ groupId: 'g1', disabledPlans: ['x'] }]) }),
      ),
    ).toEqual({ go: true, action: 'remove_from_group', groupId: 'G1', disabledPlans: ['x'] });
  });
});

describe('freshEvidenceStep: the re-check goes on only with activity read after approval', () => {
  const now = new Date('2026-12-06T06:00:00Z');
  const waitUntil = '2026-12-06T07:00:00.000Z';
  const strict = { requireAudit: true, reportAsOf: '2026-12-04' };
  const fresh = { checkedUpTo: '2026-12-06T05:59:00.000Z', source: 'audit_graph' as const };
  const approvedAt = '2026-12-06T05:00:00.000Z';
  it.each([
    [
      'fresh evidence proceeds, with its freshness',
      { kind: 'fresh', freshness: fresh } as const,
      now,
      strict,
      'proceed',
    ],
    [
      'a running query waits before the deadline',
      { kind: 'pending', reason: 'still running' } as const,
      now,
      strict,
      'wait',
    ],
    [
      'a running query at the deadline skips',
      { kind: 'pending', reason: 'still running' } as const,
      new Date(waitUntil),
      strict,
      'skip',
    ],
    [
      'no readable source skips at once when audit is required',
      { kind: 'unavailable', reason: 'none' } as const,
      now,
      strict,
      'skip',
    ],
    [
      'no readable source goes on with the report when best-effort',
      { kind: 'unavailable', reason: 'none' } as const,
      now,
      { requireAudit: false, reportAsOf: '2026-12-04' },
      'proceed',
    ],
    [
      'best-effort without any report date still skips',
      { kind: 'unavailable', reason: 'none' } as const,
      now,
      { requireAudit: false, reportAsOf: null },
      'skip',
    ],
    [
      'activity published only up to before the approval is not fresh: it waits',
      { kind: 'fresh', freshness: { ...fresh, checkedUpTo: '2026-12-06T04:00:00.000Z' } } as const,
      now,
      strict,
      'wait',
    ],
  ])('%s', (_name, read, at, fallback, expected) => {
    expect(freshEvidenceStep(read, waitUntil, at, fallback, approvedAt).kind).toBe(expected);
  });
  it('says until when it waits and why it skipped', () => {
    expect(freshEvidenceStep({ kind: 'pending', reason: 'throttled' }, waitUntil, now, strict, approvedAt)).toEqual({
      kind: 'wait',
      until: waitUntil,
      reason: 'throttled',
    });
    const skipped = freshEvidenceStep(
      { kind: 'pending', reason: 'throttled' },
      waitUntil,
      new Date('2026-12-06T08:00:00Z'),
      strict,
      approvedAt,
    );
    expect(skipped.kind === 'skip' && skipped.reason).toContain(
      'could not be read by 6 Dec 2026 07:00 UTC (throttled)',
    );
  });
});

describe('recheckVerdict: a seat held directly and through a group', () => {
  it('removes both when the approver chose "remove from group", keeping the direct assignment\'s disabled plans for undo', () => {
    expect(
      recheckVerdict(
        input({
          assignment: { ...G, alsoDirect: true },
          removeFromGroup: true,
          now: found([
            { groupId: null, disabledPlans: ['d'] },
            { groupId: 'g1', disabledPlans: ['x'] },
          ]),
        }),
      ),
    ).toEqual({ go: true, action: 'remove_direct_and_group', groupId: 'G1', disabledPlans: ['d'] });
  });
  it('only the group is left (the direct assignment went meanwhile): removing from the group frees it', () => {
    expect(
      recheckVerdict(
        input({
          assignment: { ...G, alsoDirect: true },
          removeFromGroup: true,
          now: found([{ groupId: 'G1', disabledPlans: [] }]),
        }),
      ),
    ).toMatchObject({ go: true, action: 'remove_from_group' });
  });
});

describe('a request is approved only in the mode it was made in, and only on the seats its card listed', () => {
  it.each([
    ['dry-run', 'dry-run', null],
    ['on', 'on', null],
    ['dry-run', 'on', 'made as a dry run'],
    ['on', 'dry-run', 'the mode is now dry-run'],
    ['on', 'off', 'RECLAIM_MODE=off'],
  ] as const)('made in %s, mode now %s', (made, now, refusal) => {
    const answer = modeRefusal(made, now);
    if (refusal === null) expect(answer).toBeNull();
    else expect(answer).toContain(refusal);
  });
  it('approvalCovers: every waiting seat must be on the card', () => {
    expect(approvalCovers([1, 2, 3], [1, 2])).toEqual({ covers: true });
    expect(approvalCovers([1], [1, 2, 5])).toEqual({ covers: false, unseen: 2 });
    expect(approvalCovers([], [])).toEqual({ covers: true });
  });
});

describe('approverDecision', () => {
  const rules = { approvers: ['ap-1', 'boss@contoso.com'], admins: ['adm-1'], twoPersonRule: true, demoOnly: false };
  it.each([
    ['a listed approver', { aadObjectId: 'AP-1', userPrincipalName: undefined }, 'req-1', true],
    ['an approver listed by UPN', { aadObjectId: 'x-9', userPrincipalName: 'Boss@Contoso.com' }, 'req-1', true],
    ['an admin who is not an approver', { aadObjectId: 'adm-1', userPrincipalName: undefined }, 'req-1', false],
    ['the requester, under the two-person rule', { aadObjectId: 'ap-1', userPrincipalName: undefined }, 'AP-1', false],
    ['nobody known (no object id)', { aadObjectId: undefined, userPrincipalName: undefined }, 'req-1', false],
  ])('%s', (_name, actor, requester, allowed) => {
    expect(approverDecision(actor, requester, rules).allowed).toBe(allowed);
  });

  it('falls back to ADMINS, lets the requester approve with the rule off, and opens the demo to everyone but the requester', () => {
    expect(
      approverDecision({ aadObjectId: 'adm-1', userPrincipalName: undefined }, 'r', { ...rules, approvers: [] })
        .allowed,
    ).toBe(true);
    expect(
      approverDecision({ aadObjectId: 'ap-1', userPrincipalName: undefined }, 'ap-1', {
        ...rules,
        twoPersonRule: false,
      }).allowed,
    ).toBe(true);
    const demo = { approvers: [], admins: [], twoPersonRule: true, demoOnly: true };
    expect(approverDecision({ aadObjectId: 'anyone', userPrincipalName: undefined }, 'r', demo).allowed).toBe(true);
    expect(approverDecision({ aadObjectId: 'r', userPrincipalName: undefined }, 'r', demo).allowed).toBe(false);
    expect(
      approverDecision({ aadObjectId: 'anyone', userPrincipalName: undefined }, 'r', { ...demo, demoOnly: false }),
    ).toMatchObject({ allowed: false, reason: expect.stringContaining('ADMINS') });
  });
});

describe('the state machine', () => {
  it('moves only forward along the documented chain; terminal states go nowhere except removed → undone', () => {
    for (const from of RECLAIM_STATES)
      for (const to of RECLAIM_STATES) expect(canMove(from, to)).toBe(RECLAIM_TRANSITIONS[from].includes(to));
    expect(canMove('requested', 'removed')).toBe(false);
    expect(canMove('approved', 'removing')).toBe(false);
    expect(canMove('removed', 'undone')).toBe(true);
    for (const terminal of ['kept', 'rejected', 'expired', 'skipped', 'failed', 'undone'] as const)
      expect(RECLAIM_TRANSITIONS[terminal]).toEqual([]);
    // Every open state can still reach an end.
    for (const open of OPEN_STATES) expect(RECLAIM_TRANSITIONS[open].length).toBeGreaterThan(0);
  });
});

describe('the holder\'s answer to "Keep your seat?"', () => {
  const HOLDER = '0a1b2c3d-4e5f-4061-8273-94a5b6c7d8e9';
  const NOW = new Date('2026-11-24T10:00:00Z');
  const input = (over: Partial<NudgeAnswerInput> = {}): NudgeAnswerInput => ({
    callerAadObjectId: HOLDER,
    holderUserId: HOLDER,
    state: 'nudged',
    outcome: 'pending',
    nudgeUntil: '2026-11-27T10:00:00.000Z',
    now: NOW,
    ...over,
  });
  it.each<[string, Partial<NudgeAnswerInput>, RegExp | null]>([
    ['the holder, in time', {}, null],
    ['the holder, object id in upper case', { callerAadObjectId: HOLDER.toUpperCase() }, null],
    ['someone else', { callerAadObjectId: '11111111-2222-4333-8444-555555555555' }, /only they can answer/],
    ['no sender id', { callerAadObjectId: undefined }, /only they can answer/],
    ['already kept', { state: 'kept', outcome: 'kept' }, /already chose to keep/],
    ['already released', { outcome: 'released' }, /already released/],
    ['past the deadline', { nudgeUntil: '2026-11-24T09:59:59.000Z' }, /time to answer ended on 2026-11-24/],
    ['marked unanswered by the deadline job', { outcome: 'no_answer' }, /time to answer ended/],
    ['decided meanwhile', { state: 'approved' }, /closed/],
    ['never sent (still requested)', { state: 'requested' }, /closed/],
  ])('%s', (_name, over, refused) => {
    const decision = nudgeAnswerDecision(input(over));
    if (refused === null) expect(decision).toEqual({ allowed: true });
    else expect(decision.allowed === false && decision.reason).toMatch(refused);
  });

  it('approval waits while an undecided seat is still to be answered, before the deadline only', () => {
    const until = '2026-11-27T10:00:00.000Z';
    expect(
      waitingForHolders(
        [
          { state: 'nudged', nudgeOutcome: 'pending' },
          { state: 'requested', nudgeOutcome: 'unreachable' },
        ],
        until,
        NOW,
      ),
    ).toBe(true);
    // Not sent yet counts as waiting: the nudge job is about to ask.
    expect(waitingForHolders([{ state: 'requested', nudgeOutcome: 'pending' }], until, NOW)).toBe(true);
    expect(
      waitingForHolders(
        [
          { state: 'nudged', nudgeOutcome: 'released' },
          { state: 'kept', nudgeOutcome: 'kept' },
        ],
        until,
        NOW,
      ),
    ).toBe(false);
    expect(waitingForHolders([{ state: 'nudged', nudgeOutcome: 'pending' }], '2026-11-24T10:00:00.000Z', NOW)).toBe(
      false,
    );
    expect(waitingForHolders([{ state: 'nudged', nudgeOutcome: 'pending' }], null, NOW)).toBe(false);
    expect(waitingForHolders([{ state: 'approved', nudgeOutcome: 'pending' }], until, NOW)).toBe(false);
  });
});

describe('undo', () => {
  const NOW = new Date('2026-11-24T10:00:00Z');
  it.each<
    [
      string,
      { state: 'removed' | 'skipped' | 'undone'; undoUntil: string | null; reassignState: string | null },
      boolean,
    ]
  >([
    ['removed, in the window', { state: 'removed', undoUntil: '2026-11-30T00:00:00.000Z', reassignState: null }, true],
    ['removed, window closed', { state: 'removed', undoUntil: '2026-11-24T10:00:00.000Z', reassignState: null }, false],
    [
      'removed, given to a candidate',
      { state: 'removed', undoUntil: '2026-11-30T00:00:00.000Z', reassignState: 'assigned' },
      false,
    ],
    [
      'removed, being given',
      { state: 'removed', undoUntil: '2026-11-30T00:00:00.000Z', reassignState: 'assigning' },
      false,
    ],
    [
      'removed, giving failed: the seat is free',
      { state: 'removed', undoUntil: '2026-11-30T00:00:00.000Z', reassignState: 'failed' },
      true,
    ],
    ['skipped', { state: 'skipped', undoUntil: null, reassignState: null }, false],
    ['already undone', { state: 'undone', undoUntil: '2026-11-30T00:00:00.000Z', reassignState: null }, false],
  ])('%s', (_name, item, expected) => expect(undoable(item, NOW)).toBe(expected));
});

describe("what the holder's card tells them", () => {
  it.each<[Parameters<typeof holderPhase>[0], Parameters<typeof holderPhase>[1], ReturnType<typeof holderPhase>]>([
    ['nudged', 'pending', 'asked'],
    ['nudged', 'released', 'released'],
    ['nudged', 'no_answer', 'no_answer'],
    ['requested', 'unreachable', 'closed'],
    ['kept', 'kept', 'kept'],
    ['approved', 'released', 'approved'],
    ['rechecking', 'released', 'approved'],
    ['removing', 'no_answer', 'approved'],
    ['removed', 'released', 'removed'],
    ['skipped', 'released', 'stays'],
    ['rejected', 'pending', 'stays'],
    ['expired', 'no_answer', 'stays'],
    ['undone', 'released', 'undone'],
  ])('%s / %s → %s', (state, outcome, phase) => expect(holderPhase(state, outcome)).toBe(phase));
});
