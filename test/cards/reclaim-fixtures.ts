import type { ReclaimState } from '../../src/domain/reclaim';
import type { NudgeView, ReclaimView } from '../../src/domain/reclaim-request';
import {
  NO_RECHECK,
  type ReclaimItem,
  type ReclaimRequest,
  type ReclaimTransition,
} from '../../src/domain/reclaim-request';

export const RECLAIM_NOW = new Date('2026-11-23T10:00:00Z');
export const REQUEST_ID = '6f1c2d3e-4b5a-4c6d-8e7f-901a2b3c4d5e';

export function reclaimRequest(overrides: Partial<ReclaimRequest> = {}): ReclaimRequest {
  return {
    id: REQUEST_ID,
    tenantId: 't1',
    mode: 'on',
    source: 'command',
    requestedBy: { aadObjectId: 'a1', name: 'Megan Bowen' },
    requestedAt: '2026-11-23T09:00:00.000Z',
    nudge: false,
    nudgeUntil: null,
    expiresAt: '2026-12-07T09:00:00.000Z',
    decidedBy: null,
    decidedAt: null,
    decision: null,
    approvalsTarget: { serviceUrl: 'https://smba.example/', conversation: { id: '19:approvals' } },
    cardActivityId: null,
    version: 1,
    recheck: NO_RECHECK,
    ...overrides,
  };
}

export function reclaimItem(i: number, overrides: Partial<ReclaimItem> = {}): ReclaimItem {
  return {
    id: i,
    requestId: REQUEST_ID,
    tenantId: 't1',
    userId: `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`,
    userPrincipalName: `user${i}@contoso.com`,
    displayName: `User ${i}`,
    skuId: '639dec6b-bb19-468b-871c-c5c441c4b0cb',
    skuName: 'Microsoft_365_Copilot',
    assignment: i % 3 === 0 ? { via: 'group', groupId: 'g1', groupName: 'Copilot Pilot' } : { via: 'direct' },
    evidence: {
      lastActivityDate: i % 2 === 0 ? null : '2026-08-01',
      lastActivitySource: i % 2 === 0 ? null : 'copilot_usage_report',
      lastActivityAsOf: '2026-11-20',
      daysSinceLastActivity: i % 2 === 0 ? null : 114,
      tier: 'certain',
      reasons: ['No Copilot activity in 90 days or more'],
      accountEnabled: i !== 4,
      snapshotId: 3,
    },
    monthlySaving: 30,
    currency: 'USD',
    state: 'requested',
    stateReason: null,
    skipCode: null,
    nudgeOutcome: null,
    nudgeTarget: null,
    nudgeActivityId: null,
    nudgeShown: null,
    removeFromGroup: false,
    reassignTo: null,
    reassignState: null,
    reassignReason: null,
    disabledPlans: null,
    removedAt: null,
    undoUntil: null,
    undoError: null,
    updatedAt: '2026-11-23T09:00:00.000Z',
    ...overrides,
  };
}

export function reclaimViewOf(
  items: ReclaimItem[],
  overrides: Partial<ReclaimView> = {},
  request: Partial<ReclaimRequest> = {},
): ReclaimView {
  return {
    request: reclaimRequest(request),
    items,
    phase: 'awaiting_approval',
    rights: { canDecide: false, why: null, canUndo: false, canSeeSeats: true, canCancel: false, approveBlocked: null },
    refreshUserIds: ['29:approver'],
    mode: request.mode ?? 'on',
    ...overrides,
  };
}

/** The holder's question for one seat of a request that asks holders first (answers due 26 Nov). */
export function nudgeViewOf(item: ReclaimItem, canAnswer: boolean, request: Partial<ReclaimRequest> = {}): NudgeView {
  return {
    request: reclaimRequest({ nudge: true, nudgeUntil: '2026-11-26T09:00:00.000Z', ...request }),
    item,
    canAnswer,
    keepUntil: '2027-02-21T10:00:00.000Z',
  };
}

export function finished(
  i: number,
  state: ReclaimState,
  reason: string | null,
  extra: Partial<ReclaimItem> = {},
): ReclaimItem {
  return reclaimItem(i, { state, stateReason: reason, ...extra });
}

export function trail(item: ReclaimItem): ReclaimItem & { transitions: ReclaimTransition[] } {
  return {
    ...item,
    transitions: [
      {
        id: 1,
        itemId: item.id,
        requestId: REQUEST_ID,
        from: null,
        to: 'requested',
        at: '2026-11-23T09:00:00.000Z',
        actor: { aadObjectId: 'a1', name: 'Megan Bowen' },
        reason: 'Requested from command.',
      },
      {
        id: 2,
        itemId: item.id,
        requestId: REQUEST_ID,
        from: 'requested',
        to: 'approved',
        at: '2026-11-23T09:30:00.000Z',
        actor: { aadObjectId: 'a2', name: 'Adele Vance' },
        reason: 'Approved.',
      },
    ],
  };
}
