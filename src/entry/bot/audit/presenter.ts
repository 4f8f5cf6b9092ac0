import { utcText } from '../../../domain/time-text';
import type { AuditSubscriptionRowView } from '../../../cards/audit-views';
import { renderCard } from '../../../cards/render';
import type { TenantRecord } from '../../../domain/tenant';
import { TenantAccessError } from '../../../domain/tenant-access-error';
import type { AuditSubscriptions } from '../../../usecases/audit/audit-subscriptions';
import type { SubscriptionState } from '../../../usecases/audit/ports';
import type { TenantReads } from '../../../usecases/status/ports';
import type { AdminCheck } from '../admin-gate';
import { errorCard } from '../error-card';

/** What the audit command and its stop confirmation need. */
export interface AuditDeps {
  tenants: TenantReads;
  subscriptions: AuditSubscriptions;
  /** Start and stop are admins only: a stop loses audit content for good, and the reclaim evidence reads it. */
  isAdmin: AdminCheck;
}

/** The subscriptions card: every content type with its state, and what just happened. */
export function subscriptionsCard(
  tenant: TenantRecord,
  subscriptions: readonly SubscriptionState[],
  notice: string,
  now = new Date(),
) {
  const rows: AuditSubscriptionRowView[] = subscriptions.map((s) => ({
    contentType: s.contentType,
    statusText: s.status === 'none' ? 'not started' : s.status,
    note: s.contentType === 'Audit.General' ? 'Copilot interactions' : '',
  }));
  return renderCard('audit-subscriptions', {
    tenantName: tenant.tenantName,
    asOfText: `as of ${utcText(now.toISOString())}`,
    notice,
    subscriptions: rows,
  });
}

export function managementErrorCard(error: unknown) {
  if (error instanceof TenantAccessError) return errorCard('Management Activity API', error.message);
  throw error;
}
