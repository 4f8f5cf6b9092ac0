import type { ReclaimApi } from '../../../usecases/reclaim/reclaim-api';
import type { TenantReads } from '../../../usecases/status/ports';
import type { AdminCheck } from '../admin-gate';

export interface ReclaimCommandDeps {
  tenants: TenantReads;
  reclaims: ReclaimApi;
  isAdmin: AdminCheck;
  now?: () => Date;
}

/** Requests go to the chat they are asked in while no approvals conversation is set. */
export function hereFor(deps: { reclaims: Pick<ReclaimApi, 'approvalsConversation'> }, tenantId: string): boolean {
  return deps.reclaims.approvalsConversation(tenantId) === undefined;
}
