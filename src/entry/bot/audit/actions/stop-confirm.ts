import { z } from 'zod';
import { TenantAccessError } from '../../../../domain/tenant-access-error';
import type { StopConfirmationData } from '../../../../usecases/audit/audit-subscriptions';
import { adminRefusalCard } from '../../admin-gate';
import type { CardAction } from '../../bot-types';
import { errorCard } from '../../error-card';
import { managementErrorCard, subscriptionsCard, type AuditDeps } from '../presenter';

const data = z.object({
  tenantId: z.string().min(1).max(128),
  contentType: z.string().min(1).max(64),
  requesterAadObjectId: z.string().min(1).max(64),
  requesterName: z.string().max(256),
  issuedAt: z.string().min(1).max(40),
  signature: z.string().min(1).max(128),
});

/**
 * The stop confirmation's button (verb audit.stop.confirm). The server re-checks who pressed it
 * (the invoke's own from.aadObjectId) against the sealed requester, and that they are still an
 * admin: anyone else, altered data, or a confirmation already used gets a refusal card and nothing
 * is stopped.
 */
export function auditStopConfirmAction(deps: AuditDeps): CardAction<StopConfirmationData> {
  return {
    verb: 'audit.stop.confirm',
    data,
    invalidData: {
      title: 'This confirmation is incomplete',
      message:
        'The button did not carry a whole confirmation. Nothing was stopped. Type **audit stop <content type>** for a new one.',
    },
    async run(confirmation, request) {
      // ADMINS may have changed since the card was posted (a restart with another list).
      const gate = deps.isAdmin(request.actor);
      if (!gate.allowed) return adminRefusalCard(`${gate.reason} Nothing was stopped.`);
      const tenant = deps.tenants.find(confirmation.tenantId);
      if (!tenant)
        return errorCard(
          'Unknown tenant',
          'This confirmation refers to a tenant Seat Steward does not know. Nothing was stopped.',
        );
      try {
        const outcome = await deps.subscriptions.confirmStop(tenant, confirmation, request.actor);
        if (outcome.kind === 'refused') return errorCard('Not stopped', outcome.message);
        return subscriptionsCard(
          tenant,
          outcome.subscriptions,
          `${outcome.contentType} stopped by ${request.actor.name ?? 'you'}.`,
        );
      } catch (error) {
        if (error instanceof TenantAccessError) return managementErrorCard(error);
        throw error;
      }
    },
  };
}
