import { renderCard } from '../../../cards/render';
import type { IdentityReads } from '../../../usecases/identity/ports';
import { securityCardView } from '../../../cards/security-card';
import { securityReport } from '../../../usecases/identity/security-report';
import type { StatusService } from '../../../usecases/status/status-service';
import type { SourceStatusRepository } from '../../../usecases/sync/ports';
import type { AdminDecision } from '../../../domain/admins';
import type { Actor, BotCommand } from '../bot-types';
import { tenantsNamed } from './tenant-argument';

/** `security [tenant]`: one security posture card per matching tenant. */
export function securityCommand(deps: {
  status: StatusService;
  identity: IdentityReads;
  sourceStatus: Pick<SourceStatusRepository, 'get'>;
  /** Everyone sees the figures; names of accounts (admins without MFA) only Seat Steward admins. */
  isAdmin: (actor: Actor) => AdminDecision;
}): BotCommand {
  return {
    name: 'security',
    usage: 'security [tenant]',
    description: 'Security posture per tenant: security defaults, MFA registration, conditional access, identity protection, device compliance, Secure Score.',
    async run(request) {
      const named = tenantsNamed(deps.status, request.argument);
      if ('hint' in named) return [{ kind: 'text', text: named.hint }];
      const showNames = deps.isAdmin(request.actor).allowed;
      return named.tenants.map((tenant) => ({
        kind: 'card',
        card: renderCard('security', securityCardView(tenant.tenantName, securityReport(tenant.id, deps.identity, deps.sourceStatus.get(tenant.id, 'mfa'), new Date()), showNames)),
      }));
    },
  };
}
