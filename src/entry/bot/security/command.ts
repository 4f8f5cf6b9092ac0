import { renderCard } from '../../../cards/render';
import type { IdentityReads } from '../../../usecases/identity/ports';
import { securityCardView } from '../../../cards/security-card';
import { securityReport } from '../../../usecases/identity/security-report';
import type { TenantReads } from '../../../usecases/status/ports';
import type { SourceStatusRepository } from '../../../usecases/sync/ports';
import type { AdminDecision } from '../../../domain/admins';
import type { Actor, BotCommand, CommandReply } from '../bot-types';
import { forTenants } from '../per-tenant';

/** `security [tenant]`: one security posture card per matching tenant. */
export function securityCommand(deps: {
  tenants: TenantReads;
  identity: IdentityReads;
  sourceStatus: Pick<SourceStatusRepository, 'get'>;
  /** Everyone sees the figures; names of accounts (admins without MFA) only Seat Steward admins. */
  isAdmin: (actor: Actor) => AdminDecision;
}): BotCommand {
  return {
    name: 'security',
    usage: 'security [tenant]',
    description:
      'Security posture per tenant: security defaults, MFA registration, conditional access, identity protection, device compliance, Secure Score.',
    run: (request) =>
      forTenants(deps, request, request.argument, (tenants) => {
        const showNames = deps.isAdmin(request.actor).allowed;
        return tenants.map((tenant): CommandReply => ({
          kind: 'card',
          card: renderCard(
            'security',
            securityCardView(
              tenant.tenantName,
              securityReport(tenant.id, deps.identity, deps.sourceStatus.get(tenant.id, 'mfa'), new Date()),
              showNames,
            ),
          ),
        }));
      }),
  };
}
